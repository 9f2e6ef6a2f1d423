/**
 * What the API server knows about one kind beyond its REST shape: how it defaults fields, how it
 * validates them, and which columns `kubectl get` shows. One file per kind in this folder, each
 * exporting a KindBehaviour, all registered in `index.ts`.
 */
import type { ObjectStore } from "../store.ts";
import type { FieldCause, KObject } from "../types.ts";

export type TableColumn = {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  format?: string;
  description?: string;
  /** 0 = shown by `kubectl get`; 1 = only with `-o wide`. */
  priority: 0 | 1;
};

export interface KindBehaviour {
  group: string;
  kind: string;
  /** Fills in defaults in place, as the real server's defaulting does. Must be idempotent. */
  default?(obj: KObject, old: KObject | undefined, store: ObjectStore): void;
  /** Field errors; empty when valid. Reads only. */
  validate?(obj: KObject, old: KObject | undefined, store: ObjectStore): FieldCause[];
  /** Table columns and one row's cells, matching kubectl's usual output for the kind. */
  table?: { columns: TableColumn[]; cells(obj: KObject, now: number): unknown[] };
}

/** A helper for validators: a required-field cause worded like the real server's. */
export const required = (field: string): FieldCause => ({ reason: "FieldValueRequired", field, message: "Required value" });
export const invalidValue = (field: string, value: unknown, detail: string): FieldCause => ({
  reason: "FieldValueInvalid",
  field,
  message: `Invalid value: ${JSON.stringify(value)}: ${detail}`,
});
export const unsupported = (field: string, value: unknown, allowed: string[]): FieldCause => ({
  reason: "FieldValueNotSupported",
  field,
  message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${allowed.map((a) => `"${a}"`).join(", ")}`,
});
