/**
 * image-pull: a Deployment's pods cannot pull their image (ErrImagePull / ImagePullBackOff /
 * InvalidImageName). The image to go back to is the previous revision's, when the latest revision
 * changed it (then rolling back is the fix), else the image its older, running pods still use.
 */
import type { Hypothesis } from "../../../src/incident/types.ts";
import { containerOf, nearOnset, relativeToOnset, revisionDiff, touches } from "../revisions.ts";
import { hypothesis, deploymentRef, type Remedy, type Rule } from "../rule.ts";
import { containersOf, deploymentOnPath, deploymentsIn, eventEvidence, podEvents, podEvidence, waitingWith } from "./util.ts";

const PULL = ["ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull"];

export const imagePullRule: Rule = {
  name: "image-pull",
  analyze(ctx) {
    const out: Hypothesis[] = [];
    for (const d of deploymentsIn(ctx)) {
      const stuck = waitingWith(ctx, d, PULL);
      if (!stuck.length) continue;
      const { pod, cs } = stuck[0];
      const image = String(pod.spec?.containers?.find((c: { name: string }) => c.name === cs.name)?.image ?? cs.image ?? "");
      const rev = revisionDiff(ctx.idx, d);
      const prevImage = containerOf(rev.previous, cs.name)?.image as string | undefined;
      const imageChanged = touches(rev.changed, "image") && !!prevImage && prevImage !== image;
      const running = containersOf(ctx, d).find((x) => x.cs.name === cs.name && x.cs.state?.running && x.cs.image && x.cs.image !== image);
      const lastGood = imageChanged ? prevImage : (running?.cs.image as string | undefined);
      const failed = podEvents(ctx, pod).filter((e) => e.reason === "Failed" || e.reason === "BackOff").slice(-2);
      let confidence = 0.9;
      if (deploymentOnPath(ctx, d)) confidence += 0.05;
      if (imageChanged && nearOnset(rev.createdAt, ctx.onset)) confidence += 0.03;
      const remedies: Remedy[] = imageChanged ? ["rollout-undo", "set-image"] : lastGood ? ["set-image"] : [];
      out.push(hypothesis({
        finding: "image-unpullable",
        rootCause: deploymentRef(d),
        summary: `Deployment ${d.metadata.name} runs image ${image}, which cannot be pulled${lastGood ? `; ${lastGood} was the last good image` : ""}`,
        confidence,
        evidence: [
          podEvidence(pod, `pod ${pod.metadata.name} container ${cs.name} waiting ${cs.state.waiting.reason}${cs.state.waiting.message ? `: ${cs.state.waiting.message}` : ""}`),
          ...failed.map(eventEvidence),
          ...(imageChanged ? [{ source: "history" as const, entity: deploymentRef(d), fact: `revision ${rev.currentRevision} changed the image ${prevImage} → ${image}${rev.createdAt ? `, ${relativeToOnset(rev.createdAt, ctx.onset)}` : ""}` }] : []),
        ],
        facts: { deployment: d.metadata.name, container: cs.name, rolloutPrecededOnset: imageChanged && nearOnset(rev.createdAt, ctx.onset), image, lastGoodImage: lastGood ?? null, previousRevision: rev.previousRevision ?? null },
        remedies,
      }));
    }
    return out;
  },
};
