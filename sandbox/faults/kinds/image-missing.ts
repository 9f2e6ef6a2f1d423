/**
 * image-missing: a Deployment's image set to a tag that was never published (a release announced
 * before it was pushed). The new pod cannot pull it: ErrImagePull, then ImagePullBackOff. Textbook
 * fix: `kubectl rollout undo` (or set the image back to the tag that exists).
 */
import { z } from "zod";
import { change, defineFault } from "../define.ts";
import { splitImage, unpublishedTag, withTag } from "../images.ts";
import { isActive, podsOfDeployment } from "../lookups.ts";
import { currentMain, patchMainContainer } from "../template.ts";

const PULL_FAILURES = new Set(["ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull"]);

export const imageMissing = defineFault({
  kind: "image-missing",
  targetKinds: ["Deployment"],
  summary: "image tag that does not exist: new pods ErrImagePull / ImagePullBackOff",
  truth: { layer: "virtualization", type: "misconfiguration" },
  params: z.object({ tag: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "expected an image tag").optional() }),
  paramDocs: { tag: "the next minor version of the current tag (1.0.0 -> 1.1.0), never published" },
  async inject(ctx, deploy, p) {
    const { container } = (await currentMain(ctx, deploy.metadata.namespace!, deploy.metadata.name!))!;
    const before = String(container.image);
    const tag = p.tag ?? unpublishedTag(splitImage(before).tag);
    const image = withTag(before, tag);
    await patchMainContainer(ctx, deploy, [{ op: "replace", path: "/image", value: image }]);
    return { changes: [change("patch", deploy, `container ${container.name} image ${before} -> ${image}`)], resolved: { tag } };
  },
  async check(ctx, target) {
    const cur = await currentMain(ctx, target.namespace, target.name);
    if (!cur) return [`Deployment ${target.namespace}/${target.name} is gone`];
    const reasons: string[] = [];
    for (const pod of (await podsOfDeployment(ctx.kube, cur.deploy)).filter(isActive)) {
      for (const cs of pod.status?.containerStatuses ?? []) {
        const why = cs.state?.waiting?.reason;
        if (PULL_FAILURES.has(why)) reasons.push(`pod ${pod.metadata.name} cannot pull ${cs.image}: ${why}`);
      }
    }
    return reasons;
  },
});
