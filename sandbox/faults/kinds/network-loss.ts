/**
 * network-loss: a Chaos Mesh NetworkChaos (action loss) on a Deployment's pods: a share of the
 * packets to and from them is dropped, so calls into the service fail or time out. Textbook fix:
 * delete the NetworkChaos.
 */
import { z } from "zod";
import { createChaos, noChaosLeft, podSelectorFor } from "../chaos.ts";
import { change, defineFault } from "../define.ts";

export const DEFAULT_LOSS_PERCENT = 30;

export const networkLoss = defineFault({
  kind: "network-loss",
  targetKinds: ["Deployment"],
  summary: "packet loss on its pods' traffic (NetworkChaos loss): calls fail",
  truth: { layer: "network", type: "operation-error" },
  params: z.object({
    loss: z.coerce.number().min(1).max(100).optional(),
    name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "expected a DNS-1123 name").optional(),
  }),
  paramDocs: { loss: `${DEFAULT_LOSS_PERCENT} (percent)`, name: "<deployment>-loss" },
  async inject(ctx, deploy, p) {
    const loss = p.loss ?? DEFAULT_LOSS_PERCENT;
    const name = p.name ?? `${deploy.metadata.name}-loss`;
    const obj = await createChaos(ctx, "NetworkChaos", deploy.metadata.namespace!, name, {
      action: "loss", mode: "all", selector: podSelectorFor(deploy), loss: { loss: String(loss), correlation: "0" },
    });
    return { changes: [change("create", obj, `NetworkChaos loss ${loss}% on ${deploy.metadata.name}'s pods`)], resolved: { loss, name } };
  },
  check: (ctx, target) => noChaosLeft(ctx, "NetworkChaos", target.namespace, target.name, (c) => c.spec?.action === "loss"),
});
