/**
 * `set-env`: set or remove environment variables of one container in a Deployment's pod template.
 * A string value sets the variable (replacing a valueFrom reference if there was one); null removes
 * it. Existing variables keep their order, new ones are appended, as `kubectl set env` does.
 */
import { isCredentialName } from "../../base/redact.ts";
import { z } from "zod";
import { formatRef } from "../../kube/types.ts";
import { show } from "../diff.ts";
import type { ActionDefinition } from "./action.ts";
import { clone, containerIn, deploymentRef, readExisting, replaceIfChanged } from "./common.ts";
import { containerName, namespaceName, objectName } from "./schema.ts";

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

const params = z.strictObject({
  namespace: namespaceName,
  name: objectName,
  container: containerName,
  env: z
    .record(z.string().regex(ENV_NAME, "must be a valid environment variable name, e.g. \"LOG_LEVEL\""), z.string().max(32_768).nullable())
    .refine((e) => Object.keys(e).length > 0, "name at least one variable"),
});
export type SetEnvParams = z.infer<typeof params>;

type EnvVar = { name: string; value?: string; valueFrom?: unknown };

/** A variable named like a credential is never printed (summaries reach the ledger and Kubernetes Events). */
const shown = (name: string, v: string | undefined) => (v !== undefined && isCredentialName(name) ? "(hidden)" : show(v));

export const setEnvAction: ActionDefinition<SetEnvParams> = {
  type: "set-env",
  params,
  risk: "medium",
  describe: (p) =>
    `set env of container ${p.container} in ${formatRef(deploymentRef(p.namespace, p.name))}: ${Object.entries(p.env).map(([k, v]) => (v === null ? `unset ${k}` : `${k}=${shown(k, v)}`)).join(", ")}`,
  targets: (p) => [deploymentRef(p.namespace, p.name)],
  async apply(p, ctx) {
    const ref = deploymentRef(p.namespace, p.name);
    const current = await readExisting(ctx.client, ref);
    const next = clone(current);
    const c = containerIn(next, p.container);
    let env = ((c.env ?? []) as EnvVar[]).slice();
    const changes: string[] = [];
    for (const [key, value] of Object.entries(p.env)) {
      const i = env.findIndex((e) => e.name === key);
      const was = i < 0 ? undefined : env[i].valueFrom ? "(valueFrom)" : env[i].value ?? "";
      if (value === null) {
        if (i >= 0) env = env.filter((e) => e.name !== key);
      } else if (i >= 0) env[i] = { name: key, value };
      else env.push({ name: key, value });
      if (was !== (value ?? undefined)) changes.push(`${key} ${shown(key, was)} → ${shown(key, value ?? undefined)}`);
    }
    if (env.length) c.env = env;
    else delete c.env;
    return replaceIfChanged(ctx, current, next, `set-env ${formatRef(ref)} container ${p.container} ${changes.join(", ") || "unchanged"}`);
  },
};
