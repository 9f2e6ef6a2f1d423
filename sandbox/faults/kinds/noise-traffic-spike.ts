/**
 * noise-traffic-spike (benign): a short burst of load on the app — the request rate times
 * `factor` for `durationSeconds` — through the sandbox's load generator endpoint
 * (`POST /sandbox/v1/workload/burst`), as a marketing e-mail or a crawler would cause. Requests keep
 * succeeding, a little slower; then the rate falls back. Nothing to fix.
 */
import { z } from "zod";
import { change, defineFault } from "../define.ts";
import { FaultError } from "../fault.ts";
import { appInNamespace, WORKLOAD_CONTROL_PATH } from "../workload-probe.ts";

export const noiseTrafficSpike = defineFault({
  kind: "noise-traffic-spike",
  targetKinds: ["Deployment", "Service"],
  summary: "benign: a short burst of load (3x for 60s) with no errors",
  truth: "benign",
  benignNote: "a short traffic spike the app absorbs",
  params: z.object({
    factor: z.coerce.number().min(1.1).max(10).optional(),
    durationSeconds: z.coerce.number().int().min(1).max(600).optional(),
  }),
  paramDocs: { factor: "3 (times the usual rate)", durationSeconds: "60" },
  async inject(ctx, obj, p) {
    const ns = obj.metadata.namespace!;
    const factor = p.factor ?? 3;
    const durationSeconds = p.durationSeconds ?? 60;
    const app = await appInNamespace(ctx.kube, ns).catch(() => undefined);
    if (!app) throw new FaultError("bad-target", `no load generator runs for namespace ${ns}; a traffic spike needs the sandbox's workload (stratus sandbox up --app NAME)`);
    await ctx.kube.call("POST", `${WORKLOAD_CONTROL_PATH}/burst`, { app: app.app, factor, durationSeconds });
    return {
      changes: [{ verb: "signal", object: { apiVersion: "v1", kind: "Namespace", name: ns }, detail: `load ${factor}x for ${durationSeconds}s on ${app.app}` }],
      resolved: { factor, durationSeconds },
    };
  },
});
