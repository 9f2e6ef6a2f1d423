/**
 * config-corrupt: a numeric value in the ConfigMap a service reads (`<deployment>-config`, key
 * `config.json`) rewritten as a string — the kind of edit a templating mistake makes — followed by
 * `kubectl rollout restart` so the pods pick it up, as an operator would. The new pod exits at
 * start with a Go parse error ("cannot unmarshal string into Go struct field Config.port of type
 * int") and crash-loops. Textbook fix: restore the value in the ConfigMap (the crashing pod reads
 * it again at its next restart).
 */
import { z } from "zod";
import { change, defineFault } from "../define.ts";
import { FaultError } from "../fault.ts";
import { KubeClient } from "../kube-client.ts";
import { rolloutRestart } from "../template.ts";

export const CONFIG_KEY = "config.json";
export const DEFAULT_CONFIG_FIELD = "port";

export const configCorrupt = defineFault({
  kind: "config-corrupt",
  targetKinds: ["Deployment"],
  summary: "a number in <deployment>-config made a string, then a restart: parse error, crash loop",
  truth: { layer: "application", type: "misconfiguration" },
  params: z.object({ field: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected a top-level field of config.json").optional() }),
  paramDocs: { field: `${DEFAULT_CONFIG_FIELD} (a top-level number in ${CONFIG_KEY})` },
  async inject(ctx, deploy, p) {
    const ns = deploy.metadata.namespace!;
    const cmName = `${deploy.metadata.name}-config`;
    const cm = await ctx.kube.get(KubeClient.ref("ConfigMap", ns, cmName));
    const text = cm?.data?.[CONFIG_KEY];
    if (typeof text !== "string") throw new FaultError("bad-target", `Deployment ${deploy.metadata.name} reads no ConfigMap ${cmName} with key ${CONFIG_KEY}; pick an app service (not a database or cache)`);
    const field = p.field ?? DEFAULT_CONFIG_FIELD;
    const config = JSON.parse(text) as Record<string, unknown>;
    if (typeof config[field] !== "number") throw new FaultError("bad-params", `${cmName} ${CONFIG_KEY} has no number field ${field}; numbers: ${Object.keys(config).filter((k) => typeof config[k] === "number").join(", ") || "none"}`);
    const before = config[field] as number;
    // Rewrite only that value in the original text, so the rest of the file (layout, order) is untouched.
    const next = text.replace(new RegExp(`("${field}"\\s*:\\s*)${String(before).replace(".", "\\.")}`), `$1"${before}"`);
    await ctx.kube.patch(KubeClient.ref("ConfigMap", ns, cmName), { data: { [CONFIG_KEY]: next } }, "merge");
    const at = await rolloutRestart(ctx, deploy);
    return {
      changes: [
        change("patch", cm!, `data["${CONFIG_KEY}"].${field} ${before} -> "${before}"`),
        change("patch", deploy, `spec.template annotation kubectl.kubernetes.io/restartedAt=${at} (rollout restart)`),
      ],
      resolved: { field },
    };
  },
  async check(ctx, target, p) {
    const cmName = `${target.name}-config`;
    const cm = await ctx.kube.get(KubeClient.ref("ConfigMap", target.namespace, cmName));
    const text = cm?.data?.[CONFIG_KEY];
    if (typeof text !== "string") return [`ConfigMap ${cmName} (key ${CONFIG_KEY}) that ${target.name} reads is gone`];
    let config: Record<string, unknown>;
    try {
      config = JSON.parse(text);
    } catch (e) {
      return [`${cmName} ${CONFIG_KEY} is not valid JSON: ${(e as Error).message}`];
    }
    const field = p.field ?? DEFAULT_CONFIG_FIELD;
    const reasons = typeProblems(config).map((r) => `${cmName} ${CONFIG_KEY}: ${r}`);
    if (!(field in config)) reasons.push(`${cmName} ${CONFIG_KEY} lost field ${field}`);
    return reasons;
  },
});

/** Fields whose JSON type is not what the services' config struct declares (sandbox/apps/README.md). */
function typeProblems(config: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const f of ["port", "timeoutMs"]) if (f in config && config[f] !== null && !Number.isInteger(config[f])) out.push(`${f} is ${JSON.stringify(config[f])}, not an integer`);
  for (const f of ["service", "database"]) if (f in config && config[f] !== null && typeof config[f] !== "string") out.push(`${f} is ${JSON.stringify(config[f])}, not a string`);
  const callees = config.callees;
  if (callees !== undefined && callees !== null) {
    if (typeof callees !== "object" || Array.isArray(callees)) out.push("callees is not an object");
    else for (const [k, v] of Object.entries(callees)) if (typeof v !== "string") out.push(`callees.${k} is ${JSON.stringify(v)}, not a "host:port" string`);
  }
  return out;
}
