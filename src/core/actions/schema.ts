/**
 * The zod pieces the action schemas share (Kubernetes names, label maps, resource quantities) and
 * the one place zod's issues become our ValidationError issues: a dotted path people can read
 * (`steps[2].action.params.replicas`) and, for an unknown field, a message that names the field.
 * Plans and the policy file use the same converter so every refusal reads the same way.
 */
import { z } from "zod";
import { ValidationError } from "../../base/errors.ts";

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Kubernetes resource.Quantity: "500m", "0.5", "128Mi", "1e3". */
const QUANTITY = /^[+]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/;
/** A label key: optional DNS prefix and "/", then a name of up to 63 characters. */
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

/** An object name (DNS-1123 subdomain), as Deployments, ConfigMaps and Pods have. */
export const objectName = z
  .string()
  .max(253)
  .regex(DNS1123_SUBDOMAIN, "must be a lowercase RFC 1123 name (letters, digits, '-', '.'), e.g. \"geo\"");

/** A namespace or container name (DNS-1123 label). */
export const labelName = z
  .string()
  .max(63)
  .regex(DNS1123_LABEL, "must be a lowercase RFC 1123 label (letters, digits, '-'), e.g. \"hotel-reservation\"");

export const namespaceName = labelName;
export const containerName = labelName;

export const labelMap = z.record(
  z.string().regex(LABEL_KEY, "must be a valid label key, e.g. \"app\" or \"example.com/tier\""),
  z.string().regex(LABEL_VALUE, "must be a valid label value (at most 63 letters, digits, '-', '_', '.')"),
);

/** A resource quantity; numbers are accepted and kept as their decimal string. */
export const quantity = z
  .union([z.string(), z.number().nonnegative()])
  .transform((v) => String(v))
  .pipe(z.string().regex(QUANTITY, "must be a Kubernetes quantity, e.g. \"500m\", \"1\", \"256Mi\""));

/** The apiVersion/kind/namespace/name of an object an action addresses directly. */
export const objectAddress = {
  apiVersion: z.string().min(1),
  kind: z.string().regex(/^[A-Z][A-Za-z0-9]*$/, "must be a Kind in CamelCase, e.g. \"NetworkPolicy\""),
  namespace: namespaceName,
  name: objectName,
};

export type Issue = { path: string; message: string };

/** ["steps", 2, "action"] → "steps[2].action". */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}

/**
 * zod issues as ours, each under `prefix`. Unknown fields become one issue per field, at the
 * field's own path, so "params.replica: unknown field" names exactly what to remove.
 */
export function zodIssues(error: z.ZodError, prefix: ReadonlyArray<PropertyKey> = []): Issue[] {
  const out: Issue[] = [];
  for (const issue of error.issues) {
    const base = [...prefix, ...issue.path];
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) out.push({ path: formatPath([...base, key]), message: `unknown field "${key}"` });
    } else if (issue.code === "invalid_key") {
      out.push({ path: formatPath(base), message: `invalid key: ${issue.issues.map((i) => i.message).join("; ") || issue.message}` });
    } else if (issue.code === "invalid_union" && issue.errors.length > 0) {
      // Report the branch that got furthest rather than zod's bare "Invalid input".
      const best = issue.errors.reduce((a, b) => (depth(b) > depth(a) ? b : a));
      const nested = best.map((i) => ({ path: formatPath([...base, ...i.path]), message: i.message }));
      out.push(...(nested.length ? nested : [{ path: formatPath(base), message: issue.message }]));
    } else {
      out.push({ path: formatPath(base), message: issue.message });
    }
  }
  return out;
}

const depth = (issues: z.core.$ZodIssue[]) => Math.max(0, ...issues.map((i) => i.path.length)) - issues.length / 100;

/** "what: path: message; path: message", with each issue kept for callers that list them. */
export function validationError(what: string, issues: Issue[]): ValidationError {
  const text = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ");
  return new ValidationError(`${what}: ${text}`, issues);
}

/** Parses with `schema`, throwing a ValidationError that names each bad field under `prefix`. */
export function parseWith<T>(schema: z.ZodType<T>, input: unknown, what: string, prefix: ReadonlyArray<PropertyKey> = []): T {
  const r = schema.safeParse(input);
  if (!r.success) throw validationError(what, zodIssues(r.error, prefix));
  return r.data;
}
