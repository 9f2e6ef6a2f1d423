/**
 * Admission for every write: the metadata rules every object shares (names, labels, annotations)
 * and then the kind's own defaulting and validation from `kinds/`. The store calls this before it
 * stores anything, for writes from clients and from the sandbox's own controllers alike.
 */
import type { KindBehaviour } from "./kinds/kind.ts";
import { pathSegmentNameErrors } from "./request-target.ts";
import type { ResourceType } from "./resources.ts";
import type { Admission } from "./store.ts";
import type { FieldCause, KObject } from "./types.ts";

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
/** Kinds whose names must be DNS-1123 labels (no dots), as on a real server. */
const LABEL_NAMED = new Set(["/Namespace", "/Service"]);
/** Kinds whose names need only be valid path segments (ValidateRBACName): `system:discovery` is one. */
const PATH_SEGMENT_NAMED = new Set(["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"].map((k) => `rbac.authorization.k8s.io/${k}`));

export function createAdmission(kinds: Map<string, KindBehaviour>): Admission {
  return {
    default(rt, obj, old, store) {
      kinds.get(kindKey(rt))?.default?.(obj, old, store);
    },
    validate(rt, obj, old, store) {
      const causes = validateMetadata(rt, obj);
      if (causes.length) return causes;
      return kinds.get(kindKey(rt))?.validate?.(obj, old, store) ?? [];
    },
  };
}

export const kindKey = (rt: Pick<ResourceType, "group" | "kind">) => `${rt.group}/${rt.kind}`;

export function validateMetadata(rt: ResourceType, obj: KObject): FieldCause[] {
  const causes: FieldCause[] = [];
  const meta = obj.metadata;
  const name = meta.name ?? "";
  const asLabel = LABEL_NAMED.has(kindKey(rt));
  const maxLength = asLabel ? 63 : 253;
  if (PATH_SEGMENT_NAMED.has(kindKey(rt))) {
    for (const m of pathSegmentNameErrors(name)) causes.push({ reason: "FieldValueInvalid", field: "metadata.name", message: `Invalid value: ${JSON.stringify(name)}: ${m}` });
  } else if (name.length > maxLength) {
    causes.push({ reason: "FieldValueInvalid", field: "metadata.name", message: `Invalid value: ${JSON.stringify(name)}: must be no more than ${maxLength} characters` });
  } else if (asLabel ? !DNS1123_LABEL.test(name) : !DNS1123_SUBDOMAIN.test(name)) {
    const what = asLabel ? "a lowercase RFC 1123 label" : "a lowercase RFC 1123 subdomain";
    const chars = asLabel ? "lower case alphanumeric characters or '-'" : "lower case alphanumeric characters, '-' or '.'";
    causes.push({
      reason: "FieldValueInvalid",
      field: "metadata.name",
      message: `Invalid value: ${JSON.stringify(name)}: ${what} must consist of ${chars}, and must start and end with an alphanumeric character (e.g. '${asLabel ? "my-name" : "example.com"}')`,
    });
  }
  for (const [field, map, checkValue] of [["metadata.labels", meta.labels, true], ["metadata.annotations", meta.annotations, false]] as const) {
    if (map === undefined || map === null) continue;
    if (typeof map !== "object" || Array.isArray(map)) {
      causes.push({ reason: "FieldValueInvalid", field, message: "Invalid value: must be a map of string keys to string values" });
      continue;
    }
    for (const [k, v] of Object.entries(map)) {
      const bare = k.includes("/") ? k.slice(k.indexOf("/") + 1) : k;
      if (!QUALIFIED_NAME.test(bare) || bare.length > 63) {
        causes.push({ reason: "FieldValueInvalid", field, message: `Invalid value: ${JSON.stringify(k)}: name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character` });
      }
      if (typeof v !== "string") {
        causes.push({ reason: "FieldValueInvalid", field: `${field}[${k}]`, message: `Invalid value: ${JSON.stringify(v)}: must be a string` });
      } else if (checkValue && (!LABEL_VALUE.test(v) || v.length > 63)) {
        causes.push({ reason: "FieldValueInvalid", field: `${field}[${k}]`, message: `Invalid value: ${JSON.stringify(v)}: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character` });
      }
    }
  }
  if (meta.ownerReferences !== undefined) {
    if (!Array.isArray(meta.ownerReferences)) causes.push({ reason: "FieldValueInvalid", field: "metadata.ownerReferences", message: "Invalid value: must be a list" });
    else meta.ownerReferences.forEach((r, i) => {
      for (const f of ["apiVersion", "kind", "name", "uid"] as const) {
        if (!r || typeof r[f] !== "string" || !r[f]) causes.push({ reason: "FieldValueRequired", field: `metadata.ownerReferences[${i}].${f}`, message: "Required value" });
      }
    });
  }
  return causes;
}
