/**
 * The query parameters of a list or watch (`limit`, `continue`, `watch`, `resourceVersion`,
 * `timeoutSeconds`, `allowWatchBookmarks`), decoded as apimachinery's parameter codec decodes
 * them: booleans are true unless absent, "0" or "false" (so `watch=maybe` watches, as on a real
 * server); integers go through Go's strconv and a bad one is a 400 with strconv's words. Continue
 * tokens have the real server's shape (base64url JSON `{"v","rv","start"}`) and its errors.
 */
import { ApiError, badRequest } from "./errors.ts";

export type ListOptions = {
  watch: boolean;
  limit: number;
  continueToken?: string;
  resourceVersion?: string;
  timeoutSeconds?: number;
  allowWatchBookmarks: boolean;
};

/** Go's strconv.ParseInt(s, 10, 64), with its error text. */
export function goParseInt(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(s)}: invalid syntax`);
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(s)}: value out of range`);
  return n;
}

/** apimachinery's Convert_Slice_string_To_bool: absent, "0" and "false" are false, all else true. */
export function goQueryBool(v: string | null): boolean {
  if (v === null) return false;
  return !(v === "0" || v.toLowerCase() === "false");
}

export function parseListOptions(q: URLSearchParams): ListOptions {
  const limit = q.get("limit");
  const timeout = q.get("timeoutSeconds");
  const rv = q.get("resourceVersion");
  if (rv !== null && rv !== "" && !/^\d+$/.test(rv)) {
    throw badRequest(`resourceVersion: Invalid value: ${JSON.stringify(rv)}: strconv.ParseUint: parsing ${JSON.stringify(rv)}: invalid syntax`);
  }
  const rvMatch = q.get("resourceVersionMatch");
  if (rvMatch && !["NotOlderThan", "Exact"].includes(rvMatch)) {
    throw badRequest(`resourceVersionMatch: Unsupported value: ${JSON.stringify(rvMatch)}: supported values: "Exact", "NotOlderThan"`);
  }
  return {
    watch: goQueryBool(q.get("watch")),
    limit: limit === null || limit === "" ? 0 : goParseInt(limit),
    continueToken: q.get("continue") || undefined,
    resourceVersion: rv || undefined,
    timeoutSeconds: timeout === null || timeout === "" ? undefined : goParseInt(timeout),
    allowWatchBookmarks: goQueryBool(q.get("allowWatchBookmarks")),
  };
}

export type ContinueKey = { namespace: string; name: string; rv: number };

/**
 * The real server's token: the next key to read, relative to the listing's key prefix, so a
 * list inside a namespace names `name` and a list across namespaces names `namespace/name`.
 */
export function encodeContinue(namespace: string, name: string, rv: number, withinNamespace: boolean): string {
  const start = namespace && !withinNamespace ? `${namespace}/${name}\u0000` : `${name}\u0000`;
  return Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", rv, start })).toString("base64url");
}

const invalidToken = (detail: string) => badRequest(`invalid continue token: continue key is not valid${detail}`);

/**
 * Decodes a continue token for a list of a namespaced (or not) resource. A token that does not
 * decode, has a path that would climb out of the listing, or names a key of another shape is a
 * 400 as on a real server; one older than the kept history is a 410 Expired.
 */
export function decodeContinue(token: string, listNamespace: string | undefined, namespacedResource: boolean, oldestRv: number): ContinueKey {
  const keyParts = namespacedResource && listNamespace === undefined ? 2 : 1;
  let data: { v?: unknown; rv?: unknown; start?: unknown };
  try {
    if (!/^[A-Za-z0-9_-]*$/.test(token)) throw new Error("illegal base64 data");
    data = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    if (typeof data !== "object" || data === null) throw new Error("not an object");
  } catch (e) {
    throw invalidToken(`: ${(e as Error).message}`);
  }
  if (data.v !== "meta.k8s.io/v1") throw invalidToken(`: server does not recognize this encoded version ${String(data.v)}`);
  if (typeof data.rv !== "number" || !Number.isInteger(data.rv) || data.rv === 0) throw invalidToken(": incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
  if (typeof data.start !== "string" || !data.start) throw invalidToken(": encoded start key empty (version meta.k8s.io/v1)");
  const start = data.start.replace(/\u0000$/, "");
  const parts = start.split("/");
  if (parts.some((p) => p === ".." || p === ".") || start.startsWith("/") || parts.length !== keyParts || parts.some((p) => !p)) {
    throw invalidToken(`: ${data.start}`);
  }
  if (data.rv < oldestRv) {
    throw new ApiError(410, "Expired", "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.");
  }
  if (keyParts === 2) return { namespace: parts[0], name: parts[1], rv: data.rv };
  return { namespace: listNamespace ?? "", name: parts[0], rv: data.rv };
}
