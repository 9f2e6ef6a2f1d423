/**
 * cpu-stress: a Chaos Mesh StressChaos burning CPU in a Deployment's pods: the service saturates
 * and its latency climbs. Textbook fix: delete the StressChaos.
 */
import { z } from "zod";
import { createChaos, noChaosLeft, podSelectorFor } from "../chaos.ts";
import { change, defineFault } from "../define.ts";

export const cpuStress = defineFault({
  kind: "cpu-stress",
  targetKinds: ["Deployment"],
  summary: "CPU saturation in its pods (StressChaos): latency up",
  truth: { layer: "virtualization", type: "resource" },
  params: z.object({
    workers: z.coerce.number().int().min(1).max(64).optional(),
    load: z.coerce.number().int().min(1).max(100).optional(),
    name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "expected a DNS-1123 name").optional(),
  }),
  paramDocs: { workers: "4", load: "100 (percent per worker)", name: "<deployment>-cpu" },
  async inject(ctx, deploy, p) {
    const workers = p.workers ?? 4;
    const load = p.load ?? 100;
    const name = p.name ?? `${deploy.metadata.name}-cpu`;
    const obj = await createChaos(ctx, "StressChaos", deploy.metadata.namespace!, name, {
      mode: "all", selector: podSelectorFor(deploy), stressors: { cpu: { workers, load } },
    });
    return { changes: [change("create", obj, `StressChaos cpu ${workers} worker(s) at ${load}% in ${deploy.metadata.name}'s pods`)], resolved: { workers, load, name } };
  },
  check: (ctx, target) => noChaosLeft(ctx, "StressChaos", target.namespace, target.name),
});
