/**
 * What a request asks to do, in authorizer terms — k8s.io/apiserver's RequestInfoFactory: a
 * resource request (`/api/v1/...`, `/apis/GROUP/VERSION/...`) has a verb from the method (GET on a
 * collection is list or watch, DELETE on one is deletecollection), a group, resource, subresource,
 * namespace and name; anything else (`/version`, `/apis`, `/openapi/v2`) is a non-resource request
 * whose verb is the lower-cased method. Parsed from the path alone, before routing, so a request
 * for a resource that does not exist is still authorized first, as on a real server.
 */
import { goQueryBool } from "../list-options.ts";
import { pathSegmentNameErrors } from "../request-target.ts";
import type { UserInfo } from "./user.ts";

export type Attributes = {
  user: UserInfo;
  verb: string;
  resourceRequest: boolean;
  /** The request path, for non-resource requests. */
  path: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
};

const NAMESPACE_SUBRESOURCES = new Set(["status", "finalize"]);

export function requestAttributes(user: UserInfo, method: string, path: string, segments: string[], query: URLSearchParams): Attributes {
  const a: Attributes = { user, verb: method.toLowerCase(), resourceRequest: false, path, apiGroup: "", apiVersion: "", resource: "", subresource: "", namespace: "", name: "" };
  if (segments.length < 3 || (segments[0] !== "api" && segments[0] !== "apis")) return a;
  let parts = segments.slice(1);
  if (segments[0] === "apis") {
    if (parts.length < 3) return a;
    a.apiGroup = parts[0];
    parts = parts.slice(1);
  }
  a.resourceRequest = true;
  a.apiVersion = parts[0];
  parts = parts.slice(1);
  a.verb = VERB_BY_METHOD[method] ?? "";
  if (parts[0] === "namespaces" && parts.length > 1) {
    a.namespace = parts[1];
    if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2])) parts = parts.slice(2);
  }
  if (parts.length >= 3) a.subresource = parts[2];
  if (parts.length >= 2) a.name = parts[1];
  if (parts.length >= 1) a.resource = parts[0];
  if (!a.name && a.verb === "get") {
    a.verb = goQueryBool(query.get("watch")) ? "watch" : "list";
    // A list or watch of one name (`fieldSelector=metadata.name=x`, as informers on one object do) is
    // authorized against that name, so a rule with resourceNames can allow it.
    const m = /^metadata\.name==?([^,]+)$/.exec(query.get("fieldSelector") ?? "");
    if (m && !pathSegmentNameErrors(m[1]).length) a.name = m[1];
  }
  if (!a.name && a.verb === "delete") a.verb = "deletecollection";
  return a;
}

const VERB_BY_METHOD: Record<string, string> = { POST: "create", GET: "get", HEAD: "get", PUT: "update", PATCH: "patch", DELETE: "delete" };
