/**
 * network-delay: a Chaos Mesh NetworkChaos (action delay) on a Deployment's pods: every hop into
 * them is slower by the latency, so p99 latency climbs along every path through the service.
 * Textbook fix: delete the NetworkChaos.
 */
import { z } from "zod";
import { createChaos, noChaosLeft, podSelectorFor } from "../chaos.ts";
import { change, defineFault } from "../define.ts";

const DURATION = /^\d+(\.\d+)?(ms|s|m|h)$/;

export const networkDelay = defineFault({
  kind: "network-delay",
  targetKinds: ["Deployment"],
  summary: "added latency on its pods' traffic (NetworkChaos delay): p99 latency up",
  truth: { layer: "network", type: "operation-error" },
  params: z.object({
    latency: z.string().regex(DURATION, "expected a duration such as 200ms").optional(),
    jitter: z.string().regex(DURATION, "expected a duration such as 10ms").optional(),
    name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "expected a DNS-1123 name").optional(),
  }),
  paramDocs: { latency: "200ms", jitter: "10ms", name: "<deployment>-delay" },
  async inject(ctx, deploy, p) {
    const latency = p.latency ?? "200ms";
    const jitter = p.jitter ?? "10ms";
    const name = p.name ?? `${deploy.metadata.name}-delay`;
    const obj = await createChaos(ctx, "NetworkChaos", deploy.metadata.namespace!, name, {
      action: "delay", mode: "all", selector: podSelectorFor(deploy), delay: { latency, jitter, correlation: "0" },
    });
    return { changes: [change("create", obj, `NetworkChaos delay ${latency} ± ${jitter} on ${deploy.metadata.name}'s pods`)], resolved: { latency, jitter, name } };
  },
  check: (ctx, target) => noChaosLeft(ctx, "NetworkChaos", target.namespace, target.name, (c) => c.spec?.action === "delay"),
});
