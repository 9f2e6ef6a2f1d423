/**
 * Discovery documents as kubectl and client libraries read them: /version, /api, /apis, and the
 * resource list of each group/version. kubectl maps `get deploy` to a REST path from these.
 */
import { apiVersionOf, type ResourceRegistry } from "./resources.ts";

export const SERVER_VERSION = {
  major: "1",
  minor: "32",
  gitVersion: "v1.32.0",
  gitCommit: "0000000000000000000000000000000000000000",
  gitTreeState: "clean",
  buildDate: "2026-01-01T00:00:00Z",
  goVersion: "go1.23.4",
  compiler: "gc",
  platform: "linux/amd64",
};

export function apiVersions(serverAddress: string) {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
  };
}

export function apiGroupList(registry: ResourceRegistry) {
  return {
    kind: "APIGroupList",
    apiVersion: "v1",
    groups: registry.groups().map((name) => apiGroup(registry, name)),
  };
}

export function apiGroup(registry: ResourceRegistry, name: string) {
  const versions = registry.versionsOf(name).map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { kind: "APIGroup", apiVersion: "v1", name, versions, preferredVersion: versions[0] };
}

/** Subresources whose kind or verbs differ from their parent's (status and finalize share the parent's). */
const SUBRESOURCES: Record<string, { kind: string; verbs: string[]; group?: string; version?: string }> = {
  scale: { kind: "Scale", verbs: ["get", "patch", "update"], group: "autoscaling", version: "v1" },
  log: { kind: "Pod", verbs: ["get"] },
  token: { kind: "TokenRequest", verbs: ["create"], group: "authentication.k8s.io", version: "v1" },
};

export function apiResourceList(registry: ResourceRegistry, group: string, version: string) {
  const resources = [];
  for (const rt of registry.inGroupVersion(group, version)) {
    resources.push({
      name: rt.plural,
      singularName: rt.singular,
      namespaced: rt.namespaced,
      kind: rt.kind,
      verbs: rt.verbs,
      ...(rt.shortNames.length ? { shortNames: rt.shortNames } : {}),
      ...(rt.categories.length ? { categories: rt.categories } : {}),
    });
    for (const sub of rt.subresources) {
      const special = SUBRESOURCES[sub];
      resources.push({
        name: `${rt.plural}/${sub}`,
        singularName: "",
        namespaced: rt.namespaced,
        ...(special?.group ? { group: special.group, version: special.version } : {}),
        kind: special?.kind ?? rt.kind,
        verbs: special?.verbs ?? ["get", "patch", "update"],
      });
    }
  }
  const groupVersion = apiVersionOf({ group, version });
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion, resources };
}
