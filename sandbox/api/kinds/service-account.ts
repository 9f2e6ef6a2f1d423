/**
 * ServiceAccount: the `kubectl get serviceaccounts` columns (NAME SECRETS AGE).
 */
import { age } from "../table.ts";
import type { KindBehaviour } from "./kind.ts";
import { AGE_COLUMN, col, NAME_COLUMN } from "./common.ts";

export const serviceAccountKind: KindBehaviour = {
  group: "",
  kind: "ServiceAccount",
  table: {
    columns: [NAME_COLUMN, col("Secrets", "integer", false, "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use."), AGE_COLUMN],
    cells(sa, now) {
      return [sa.metadata.name, Array.isArray(sa.secrets) ? sa.secrets.length : 0, age(sa.metadata.creationTimestamp, now)];
    },
  },
};
