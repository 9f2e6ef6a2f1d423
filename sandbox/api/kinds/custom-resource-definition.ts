/**
 * CustomResourceDefinition (apiextensions.k8s.io/v1): names defaulted (singular, listKind),
 * conversion None, status as the apiextensions controllers leave it once names are accepted
 * (Established right away, since nothing here can conflict later), ValidateCustomResourceDefinition
 * for group, names, scope and versions, and the `kubectl get crd` columns (NAME CREATED AT).
 *
 * Creating (or updating) a valid CRD registers its served versions in the store's registry so the
 * custom resources become servable. This happens in `default`, so a dry-run create registers too:
 * registering an unused type is harmless and registration is idempotent. Deleting a CRD does not
 * unregister its types (the registry has no removal).
 */
import type { ObjectStore } from "../store.ts";
import type { FieldCause, KObject } from "../types.ts";
import { invalidValue, required, unsupported, type KindBehaviour } from "./kind.ts";
import { col, dns1123LabelErrors, dns1123SubdomainErrors, invalidEach, invalidRaw, isObject, NAME_COLUMN } from "./common.ts";

const SCOPES = ["Cluster", "Namespaced"];

export const customResourceDefinitionKind: KindBehaviour = {
  group: "apiextensions.k8s.io",
  kind: "CustomResourceDefinition",
  default(obj, old, store) {
    const spec = obj.spec;
    if (!isObject(spec)) return;
    if (isObject(spec.names) && typeof spec.names.kind === "string") {
      spec.names.singular ||= spec.names.kind.toLowerCase();
      spec.names.listKind ||= `${spec.names.kind}List`;
    }
    if (!isObject(spec.conversion)) spec.conversion = { strategy: "None" };
    if (!old) obj.status = establishedStatus(obj, store.clock.now());
    if (!validateCrd(obj, old).length) registerServedVersions(obj, store);
  },
  validate(obj, old) {
    return validateCrd(obj, old);
  },
  table: {
    columns: [NAME_COLUMN, { ...col("Created At", "date", false, "CreationTimestamp is a timestamp representing the server time when this object was created."), format: "" }],
    cells(crd) {
      return [crd.metadata.name, crd.metadata.creationTimestamp];
    },
  },
};

/** Adds every served version of a valid CRD to the registry (no-op for ones already there). */
export function registerServedVersions(crd: KObject, store: ObjectStore): void {
  const spec = crd.spec;
  for (const v of spec.versions as any[]) {
    if (v?.served === false) continue;
    store.registry.registerCustom({
      group: spec.group,
      version: v.name,
      kind: spec.names.kind,
      plural: spec.names.plural,
      singular: spec.names.singular,
      namespaced: spec.scope === "Namespaced",
      shortNames: Array.isArray(spec.names.shortNames) ? spec.names.shortNames : [],
      hasStatus: isObject(v.subresources) && v.subresources.status !== undefined,
    });
  }
}

function establishedStatus(crd: KObject, now: number) {
  const at = new Date(now).toISOString().replace(/\.\d+Z$/, "Z");
  const storage = (Array.isArray(crd.spec.versions) ? crd.spec.versions : []).find((v: any) => v?.storage)?.name;
  return {
    acceptedNames: structuredClone(crd.spec.names ?? {}),
    conditions: [
      { type: "NamesAccepted", status: "True", lastTransitionTime: at, reason: "NoConflicts", message: "no conflicts found" },
      { type: "Established", status: "True", lastTransitionTime: at, reason: "InitialNamesAccepted", message: "the initial names have been accepted" },
    ],
    storedVersions: storage ? [storage] : [],
  };
}

function validateCrd(obj: KObject, old: KObject | undefined): FieldCause[] {
  const spec = obj.spec;
  if (!isObject(spec)) return [required("spec")];
  const causes: FieldCause[] = [];
  if (!spec.group) causes.push(required("spec.group"));
  else if (typeof spec.group !== "string" || !spec.group.includes(".")) causes.push(invalidValue("spec.group", spec.group, "should be a domain with at least one dot"));
  else causes.push(...invalidEach("spec.group", spec.group, dns1123SubdomainErrors(spec.group)));
  const names = isObject(spec.names) ? spec.names : {};
  if (!names.plural) causes.push(required("spec.names.plural"));
  else causes.push(...invalidEach("spec.names.plural", names.plural, dns1123LabelErrors(String(names.plural))));
  if (!names.kind) causes.push(required("spec.names.kind"));
  if (!names.listKind) causes.push(required("spec.names.listKind"));
  if (names.plural && spec.group && obj.metadata.name !== `${names.plural}.${spec.group}`) {
    causes.push(invalidValue("metadata.name", obj.metadata.name, 'must be spec.names.plural+"."+spec.group'));
  }
  if (!spec.scope) causes.push(required("spec.scope"));
  else if (!SCOPES.includes(spec.scope)) causes.push(unsupported("spec.scope", spec.scope, SCOPES));
  const versions: any[] = Array.isArray(spec.versions) ? spec.versions : [];
  const formatted = `[]apiextensions.CustomResourceDefinitionVersion{${versions.map((v) => `apiextensions.CustomResourceDefinitionVersion{Name:${JSON.stringify(String(v?.name ?? ""))}, Served:${!!v?.served}, Storage:${!!v?.storage}}`).join(", ")}}`;
  if (!versions.length) causes.push({ reason: "FieldValueRequired", field: "spec.versions", message: "Required value: must have at least one version" });
  else {
    versions.forEach((v, i) => {
      if (!v?.name) causes.push(required(`spec.versions[${i}].name`));
      else if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(v.name)) {
        causes.push(invalidValue(`spec.versions[${i}].name`, v.name, "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"));
      }
    });
    if (new Set(versions.map((v) => v?.name)).size !== versions.length) causes.push(invalidRaw("spec.versions", formatted, "must contain unique version names"));
    if (versions.filter((v) => v?.storage === true).length !== 1) causes.push(invalidRaw("spec.versions", formatted, "must have exactly one version marked as storage version"));
  }
  if (old && isObject(old.spec)) {
    if (old.spec.group !== spec.group) causes.push(invalidValue("spec.group", spec.group, "field is immutable"));
    if (old.spec.scope !== spec.scope) causes.push(invalidValue("spec.scope", spec.scope, "field is immutable"));
  }
  return causes;
}
