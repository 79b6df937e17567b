import type { EntityMeta } from "../lib/entities";

/** Shown instead of an error when the organization's plan lacks the entity's feature. */
export function UpgradePrompt({ entity, detail }: { entity: EntityMeta; detail: string }) {
  return (
    <div role="status" className="rounded border border-amber-400 bg-amber-50 p-4">
      <h2 className="mb-2 text-lg font-semibold">
        Upgrade to use {entity.pluralLabel.toLowerCase()}
      </h2>
      <p>{detail}</p>
      <p className="mt-2">
        Ask an owner of this organization to move it to a plan that includes{" "}
        <strong>{entity.feature ?? entity.label}</strong>.
      </p>
    </div>
  );
}
