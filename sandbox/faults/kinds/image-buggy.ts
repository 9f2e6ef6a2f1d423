/**
 * image-buggy: a Deployment rolled to a later release of its image that starts and passes its
 * probes but fails most requests it handles (a bad release: 1.0.1 of the app images, per the apps
 * contract). The rollout completes, then errors climb on every edge into the service. Textbook fix:
 * `kubectl rollout undo` to the last good revision.
 */
import { z } from "zod";
import { change, defineFault } from "../define.ts";
import { FaultError } from "../fault.ts";
import { splitImage, withTag } from "../images.ts";
import { currentMain, patchMainContainer } from "../template.ts";

/** The apps contract: 1.0.0 is the good release of the app images, 1.0.1 the bad one. */
export const GOOD_RELEASE = "1.0.0";
export const BAD_RELEASE = "1.0.1";

export const imageBuggy = defineFault({
  kind: "image-buggy",
  targetKinds: ["Deployment"],
  summary: `a new release (${BAD_RELEASE}) that starts but fails requests: errors after the rollout`,
  truth: { layer: "application", type: "code-defect" },
  params: z.object({ tag: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "expected an image tag").optional() }),
  paramDocs: { tag: `${BAD_RELEASE} (the bad release of the app images)` },
  async inject(ctx, deploy, p) {
    const { container } = (await currentMain(ctx, deploy.metadata.namespace!, deploy.metadata.name!))!;
    const before = String(container.image);
    const current = splitImage(before).tag;
    if (p.tag === undefined && current !== GOOD_RELEASE) {
      throw new FaultError("bad-target", `Deployment ${deploy.metadata.name} runs ${before}; image-buggy rolls release ${GOOD_RELEASE} of an app image to ${BAD_RELEASE}. Pick an app service (not a database or cache), or pass --param tag=...`);
    }
    const tag = p.tag ?? BAD_RELEASE;
    const image = withTag(before, tag);
    await patchMainContainer(ctx, deploy, [{ op: "replace", path: "/image", value: image }]);
    return { changes: [change("patch", deploy, `container ${container.name} image ${before} -> ${image}`)], resolved: { tag } };
  },
  async check(ctx, target, p) {
    const cur = await currentMain(ctx, target.namespace, target.name);
    if (!cur) return [`Deployment ${target.namespace}/${target.name} is gone`];
    const tag = splitImage(String(cur.container.image)).tag;
    return tag === (p.tag ?? BAD_RELEASE) ? [`Deployment ${target.name} still runs ${cur.container.image}`] : [];
  },
});
