/**
 * Maps a request path onto a resource: `/api/v1/namespaces/ns/pods/name/log` becomes
 * {resource: pods, namespace: ns, name, subresource: log}. Paths that name no known resource
 * give a 404 that says what was not found.
 */
import { ApiError } from "./errors.ts";
import type { ResourceRegistry, ResourceType } from "./resources.ts";

export type ResourceRoute = {
  rt: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
};

export function resolveResourcePath(registry: ResourceRegistry, segments: string[]): ResourceRoute | undefined {
  let group: string;
  let version: string;
  let rest: string[];
  if (segments[0] === "api") {
    if (segments.length < 3) return undefined;
    group = "";
    version = segments[1];
    rest = segments.slice(2);
  } else if (segments[0] === "apis") {
    if (segments.length < 4) return undefined;
    group = segments[1];
    version = segments[2];
    rest = segments.slice(3);
  } else return undefined;

  let namespace: string | undefined;
  // "namespaces/NS/PLURAL/..." addresses namespaced objects; "namespaces/NAME[/status]" is the
  // Namespace object itself. A known namespaced plural in the third place tells them apart.
  if (rest[0] === "namespaces" && rest.length >= 3) {
    const inner = registry.find(group, version, rest[2]);
    if (inner && inner.namespaced) {
      namespace = rest[1];
      rest = rest.slice(2);
    } else if (group !== "" || !["status", "finalize"].includes(rest[2])) {
      throw new ApiError(404, "NotFound", `the server could not find the requested resource (${group ? `${rest[2]}.${group}` : rest[2]} is not served at ${group || "core"}/${version})`);
    }
  }
  const rt = registry.find(group, version, rest[0]);
  if (!rt) {
    throw new ApiError(404, "NotFound", `the server could not find the requested resource: ${group ? `${rest[0]}.${group}/${version}` : `${rest[0]} in ${version}`} is not a known resource type`);
  }
  if (rest.length > 3) throw new ApiError(404, "NotFound", "the server could not find the requested resource");
  const route: ResourceRoute = { rt, namespace, name: rest[1], subresource: rest[2] };
  if (route.subresource && !rt.subresources.includes(route.subresource) && !(rt.plural === "namespaces" && route.subresource === "finalize")) {
    throw new ApiError(404, "NotFound", `the server could not find the requested resource: ${rt.plural} has no subresource "${route.subresource}"`);
  }
  return route;
}
