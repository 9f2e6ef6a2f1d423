/**
 * Secret: type Opaque by default, write-only `stringData` merged into base64 `data` (and never
 * stored), ValidateSecret (config-key names, base64 values, the keys each built-in type requires,
 * 1 MiB, type and data immutable when asked) and the `kubectl get secrets` columns.
 */
import { age } from "../table.ts";
import type { FieldCause } from "../types.ts";
import { invalidValue, required, type KindBehaviour } from "./kind.ts";
import { AGE_COLUMN, col, invalidEach, isObject, NAME_COLUMN, tooLong } from "./common.ts";
import { configKeyErrors, immutableDataCauses, MAX_DATA_BYTES } from "./configmap.ts";

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** Keys each built-in secret type must carry. */
const REQUIRED_KEYS: Record<string, string[]> = {
  "kubernetes.io/dockercfg": [".dockercfg"],
  "kubernetes.io/dockerconfigjson": [".dockerconfigjson"],
  "kubernetes.io/tls": ["tls.crt", "tls.key"],
  "kubernetes.io/basic-auth": [],
  "kubernetes.io/ssh-auth": ["ssh-privatekey"],
};

export const secretKind: KindBehaviour = {
  group: "",
  kind: "Secret",
  default(obj) {
    obj.type ||= "Opaque";
    if (isObject(obj.stringData)) {
      const data = isObject(obj.data) ? obj.data : {};
      for (const [k, v] of Object.entries(obj.stringData)) if (typeof v === "string") data[k] = Buffer.from(v, "utf8").toString("base64");
      obj.data = data;
    }
    delete obj.stringData;
  },
  validate(obj, old) {
    const causes: FieldCause[] = [];
    const data = obj.data;
    let size = 0;
    if (data !== undefined && data !== null && !isObject(data)) causes.push(invalidValue("data", data, "must be a map of keys to base64-encoded values"));
    else {
      for (const [key, value] of Object.entries(data ?? {})) {
        causes.push(...invalidEach(`data[${key}]`, key, configKeyErrors(key)));
        if (typeof value !== "string" || !BASE64.test(value)) causes.push(invalidValue(`data[${key}]`, "<secret contents redacted>", "must be base64-encoded"));
        else size += Buffer.from(value, "base64").length;
      }
    }
    if (size > MAX_DATA_BYTES) causes.push(tooLong("data", MAX_DATA_BYTES));
    for (const key of REQUIRED_KEYS[obj.type] ?? []) if (!isObject(data) || !(key in data)) causes.push(required(`data[${key}]`));
    if (obj.type === "kubernetes.io/service-account-token" && !obj.metadata.annotations?.["kubernetes.io/service-account.name"]) {
      causes.push(required("metadata.annotations[kubernetes.io/service-account.name]"));
    }
    if (old && old.type !== obj.type) causes.push(invalidValue("type", obj.type, "field is immutable"));
    causes.push(...immutableDataCauses(obj, old, ["data"]));
    return causes;
  },
  table: {
    columns: [
      NAME_COLUMN,
      col("Type", "string", false, "Used to facilitate programmatic handling of secret data."),
      col("Data", "integer", false, "Data contains the secret data."),
      AGE_COLUMN,
    ],
    cells(s, now) {
      return [s.metadata.name, s.type ?? "Opaque", Object.keys(isObject(s.data) ? s.data : {}).length, age(s.metadata.creationTimestamp, now)];
    },
  },
};
