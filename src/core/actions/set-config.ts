/**
 * `set-config`: set or remove one key of a ConfigMap or Secret — the fix for a bad setting or a
 * rotated credential. Secret values are given in plain text and base64-encoded here; summaries
 * never print them. Pods read config at start, so a rollout-restart usually follows in the plan.
 */
import { z } from "zod";
import { formatRef, type ObjectRef } from "../../kube/types.ts";
import { show } from "../diff.ts";
import type { ActionDefinition } from "./action.ts";
import { clone, deleteKey, readExisting, replaceIfChanged } from "./common.ts";
import { namespaceName, objectName } from "./schema.ts";

const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

const params = z.strictObject({
  namespace: namespaceName,
  kind: z.enum(["ConfigMap", "Secret"]),
  name: objectName,
  key: z.string().max(253).regex(CONFIG_KEY, "must consist of letters, digits, '-', '_' or '.'"),
  value: z.string().max(1_000_000).nullable(),
});
export type SetConfigParams = z.infer<typeof params>;

const ref = (p: SetConfigParams): ObjectRef => ({ apiVersion: "v1", kind: p.kind, namespace: p.namespace, name: p.name });
const shown = (p: SetConfigParams, v: string | undefined) => (v === undefined ? "(absent)" : p.kind === "Secret" ? "(hidden)" : show(v));

export const setConfigAction: ActionDefinition<SetConfigParams> = {
  type: "set-config",
  params,
  risk: "medium",
  describe: (p) => `${p.value === null ? "remove" : "set"} key ${p.key} of ${formatRef(ref(p))}${p.value === null ? "" : ` to ${shown(p, p.value)}`}`,
  targets: (p) => [ref(p)],
  async apply(p, ctx) {
    const current = await readExisting(ctx.client, ref(p));
    const next = clone(current);
    let was: string | undefined;
    if (p.kind === "Secret") {
      const enc = current.data?.[p.key] as string | undefined;
      was = enc === undefined ? undefined : Buffer.from(enc, "base64").toString("utf8");
      if (p.value === null) deleteKey(next, "data", p.key);
      else next.data = { ...(next.data ?? {}), [p.key]: Buffer.from(p.value, "utf8").toString("base64") };
    } else {
      was = (current.data?.[p.key] as string | undefined) ?? (current.binaryData?.[p.key] === undefined ? undefined : "(binary)");
      if (p.value === null) {
        deleteKey(next, "data", p.key);
        deleteKey(next, "binaryData", p.key);
      } else {
        deleteKey(next, "binaryData", p.key);
        next.data = { ...(next.data ?? {}), [p.key]: p.value };
      }
    }
    const verb = p.value === null ? "removed" : was === undefined ? "added" : "changed";
    return replaceIfChanged(ctx, current, next, `set-config ${formatRef(ref(p))} key ${p.key} ${verb}: ${shown(p, was)} → ${shown(p, p.value ?? undefined)}`);
  },
};
