/**
 * Parses a request target the way kube-apiserver's request-info resolver sees it: the raw path is
 * split on "/" first and each segment percent-decoded after, so `%2e%2e` is a segment named ".."
 * (never a step up to another namespace, as WHATWG URL normalisation would make it), and a broken
 * escape is a 400. Names of objects must also be valid path segment names
 * (apimachinery's IsValidPathSegmentName), worded as the real registry words it.
 */
import { badRequest } from "./errors.ts";

export type RequestTarget = { url: URL; segments: string[] };

export function parseTarget(raw: string): RequestTarget {
  const invalid = () => badRequest(`the request target ${JSON.stringify(raw.slice(0, 120))} is not a valid URL path`);
  let pathPart = raw;
  let query = "";
  if (!raw.startsWith("/")) {
    // An absolute-form target ("http://host/api"): only its path and query count.
    try {
      const abs = new URL(raw);
      pathPart = abs.pathname;
      query = abs.search;
    } catch {
      throw invalid();
    }
  } else {
    const q = raw.indexOf("?");
    if (q >= 0) {
      pathPart = raw.slice(0, q);
      query = raw.slice(q);
    }
  }
  const hash = query.indexOf("#");
  if (hash >= 0) query = query.slice(0, hash);
  let segments: string[];
  try {
    segments = pathPart.split("/").filter(Boolean).map(decodeURIComponent);
  } catch {
    throw invalid();
  }
  let url: URL;
  try {
    url = new URL(`http://sandbox/${segments.map(encodeURIComponent).join("/")}${query}`);
  } catch {
    throw invalid();
  }
  return { url, segments };
}

/** apimachinery's path.IsValidPathSegmentName messages; empty when the name may be a segment. */
export function pathSegmentNameErrors(name: string): string[] {
  if (name === "." || name === "..") return [`may not be '${name}'`];
  const errs: string[] = [];
  if (name.includes("/")) errs.push("may not contain '/'");
  if (name.includes("%")) errs.push("may not contain '%'");
  return errs;
}

/** Throws the real registry's 400 when a name from the URL cannot be a storage key. */
export function checkPathName(name: string | undefined): void {
  if (name === undefined) return;
  const errs = pathSegmentNameErrors(name);
  if (errs.length) throw badRequest(`Name parameter invalid: ${JSON.stringify(name)}: ${errs.join(";")}`);
}
