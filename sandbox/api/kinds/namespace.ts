/**
 * Namespace: the `kubernetes.io/metadata.name` label the API server always sets, spec.finalizers
 * ["kubernetes"] and status.phase Active on create, and the `kubectl get namespaces` columns.
 * The name rule (an RFC 1123 label) is checked with all metadata in `admission.ts`.
 */
import { age } from "../table.ts";
import type { KindBehaviour } from "./kind.ts";
import { AGE_COLUMN, col, isObject, NAME_COLUMN } from "./common.ts";

export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

export const namespaceKind: KindBehaviour = {
  group: "",
  kind: "Namespace",
  default(obj, old) {
    const name = obj.metadata.name;
    if (name) obj.metadata.labels = { ...(isObject(obj.metadata.labels) ? obj.metadata.labels : {}), [NAMESPACE_NAME_LABEL]: name };
    if (!isObject(obj.spec)) obj.spec = {};
    if (!old) {
      if (!Array.isArray(obj.spec.finalizers)) obj.spec.finalizers = ["kubernetes"];
      obj.status = { phase: "Active" };
    }
  },
  table: {
    columns: [NAME_COLUMN, col("Status", "string", false, "The status of the namespace"), AGE_COLUMN],
    cells(ns, now) {
      const phase = ns.metadata.deletionTimestamp ? "Terminating" : ns.status?.phase ?? "Active";
      return [ns.metadata.name, phase, age(ns.metadata.creationTimestamp, now)];
    },
  },
};
