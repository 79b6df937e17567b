// Who is signed in, and their organizations: server state in TanStack Query.
import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../api/client";
import { ApiError } from "../api/errors";
import type { components } from "../api/schema";

export type User = components["schemas"]["UserRead"];
export type Org = components["schemas"]["OrgRead"];

/** The signed-in user, or null when nobody is. */
export function useMe() {
  return useQuery({
    queryKey: ["me"],
    queryFn: async (): Promise<User | null> => {
      try {
        return await unwrap(api.GET("/api/v1/auth/me"));
      } catch (error) {
        if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
          return null;
        }
        throw error;
      }
    },
  });
}

export function useOrgs(enabled = true) {
  return useQuery({
    queryKey: ["orgs"],
    queryFn: () => unwrap(api.GET("/api/v1/orgs")),
    enabled,
  });
}
