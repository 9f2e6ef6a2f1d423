/**
 * ConfigMap: ValidateConfigMap (keys `[-._a-zA-Z0-9]+`, string values, no key in both data and
 * binaryData, 1 MiB in total, nothing changes once `immutable` is set) and the
 * `kubectl get configmaps` columns (NAME DATA AGE).
 */
import { age } from "../table.ts";
import type { FieldCause, KObject } from "../types.ts";
import { invalidValue, type KindBehaviour } from "./kind.ts";
import { AGE_COLUMN, col, deepEqual, forbidden, invalidEach, isObject, NAME_COLUMN, regexError, tooLong } from "./common.ts";

export const MAX_DATA_BYTES = 1024 * 1024;

/** IsConfigMapKey's messages; ConfigMap and Secret keys share the rule. */
export function configKeyErrors(key: string): string[] {
  const errs: string[] = [];
  if (key.length > 253) errs.push("must be no more than 253 characters");
  if (!/^[-._a-zA-Z0-9]+$/.test(key)) errs.push(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", "[-._a-zA-Z0-9]+", "key.name", "KEY_NAME", "key-name"));
  if (key === ".") errs.push("must not be '.'");
  else if (key === "..") errs.push("must not be '..'");
  else if (key.startsWith("..")) errs.push("must not start with '..'");
  return errs;
}

/** The rule ConfigMaps and Secrets share: once `immutable: true`, data and immutability are fixed. */
export function immutableDataCauses(obj: KObject, old: KObject | undefined, fields: string[]): FieldCause[] {
  if (!old || old.immutable !== true) return [];
  const causes: FieldCause[] = [];
  for (const f of fields) if (!deepEqual(obj[f] ?? {}, old[f] ?? {})) causes.push(forbidden(f, "field is immutable when `immutable` is set"));
  if (obj.immutable !== true) causes.push(forbidden("immutable", "field is immutable when `immutable` is set"));
  return causes;
}

export const configMapKind: KindBehaviour = {
  group: "",
  kind: "ConfigMap",
  validate(obj, old) {
    const causes: FieldCause[] = [];
    let size = 0;
    for (const part of ["data", "binaryData"] as const) {
      const map = obj[part];
      if (map === undefined || map === null) continue;
      if (!isObject(map)) {
        causes.push(invalidValue(part, map, "must be a map of string keys to string values"));
        continue;
      }
      for (const [key, value] of Object.entries(map)) {
        causes.push(...invalidEach(`${part}[${key}]`, key, configKeyErrors(key)));
        if (typeof value !== "string") causes.push(invalidValue(`${part}[${key}]`, value, "must be a string"));
        else size += part === "data" ? Buffer.byteLength(value) : Buffer.from(value, "base64").length;
        if (part === "data" && isObject(obj.binaryData) && key in obj.binaryData) causes.push(invalidValue(`data[${key}]`, key, "duplicate of key present in binaryData"));
      }
    }
    if (size > MAX_DATA_BYTES) causes.push(tooLong("", MAX_DATA_BYTES));
    causes.push(...immutableDataCauses(obj, old, ["data", "binaryData"]));
    return causes;
  },
  table: {
    columns: [NAME_COLUMN, col("Data", "integer", false, "Data contains the configuration data."), AGE_COLUMN],
    cells(cm, now) {
      const count = Object.keys(isObject(cm.data) ? cm.data : {}).length + Object.keys(isObject(cm.binaryData) ? cm.binaryData : {}).length;
      return [cm.metadata.name, count, age(cm.metadata.creationTimestamp, now)];
    },
  },
};
