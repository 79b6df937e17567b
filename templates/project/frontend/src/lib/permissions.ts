import { ROLES, type Role } from "../generated/app";
import type { Action, EntityMeta } from "./entities";

/** True when `role` is `minimum` or a higher role (roles are listed highest first). */
export function atLeast(role: Role | undefined, minimum: Role): boolean {
  if (role === undefined) return false;
  return ROLES.indexOf(role) <= ROLES.indexOf(minimum);
}

/** May a member with `role` do `action` on `entity`? The backend decides the same way. */
export function can(role: Role | undefined, action: Action, entity: EntityMeta): boolean {
  return atLeast(role, entity.permissions[action]);
}
