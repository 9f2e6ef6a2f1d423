/**
 * noise-rollout (benign): a healthy new revision of a Deployment rolls out — what `kubectl rollout
 * restart` does, stamping the pod template so every pod is replaced with the same good image and
 * configuration. Pods turn over one at a time with no errors. Nothing to fix.
 */
import { z } from "zod";
import { change, defineFault } from "../define.ts";
import { rolloutRestart, RESTARTED_AT } from "../template.ts";

export const noiseRollout = defineFault({
  kind: "noise-rollout",
  targetKinds: ["Deployment"],
  summary: "benign: a healthy new revision rolls out (rollout restart, same image)",
  truth: "benign",
  benignNote: "a healthy rollout of the same image and configuration",
  params: z.object({}),
  async inject(ctx, deploy) {
    const at = await rolloutRestart(ctx, deploy);
    return { changes: [change("patch", deploy, `spec.template annotation ${RESTARTED_AT}=${at} (new revision, same image)`)] };
  },
});
