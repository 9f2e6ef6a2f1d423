/**
 * `stratus plan validate`: the CLI starts a twin process, seeds it from the live cluster named by
 * --kubeconfig, and prints the prediction — as a story, or as JSON that parses as a Prediction —
 * exiting 1 for a plan predicted to fail and 0 otherwise; usage errors say what to type.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.ts";
import { Prediction } from "../../src/twin/prediction.ts";
import { startLiveShop, type LiveShop } from "./fixture.ts";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) }, out, err };
}

describe("stratus plan validate", () => {
  let shop: LiveShop;
  let dir: string;
  before(async () => {
    shop = await startLiveShop();
    dir = mkdtempSync(join(tmpdir(), "stratus-plan-validate-"));
  });
  after(async () => {
    await shop?.close();
  });

  it("prints the story of a plan that works and exits 0", async () => {
    const file = join(dir, "scale.yaml");
    writeFileSync(file, "steps:\n  - id: scale\n    action: {type: scale, params: {namespace: shop, name: web, replicas: 2}}\n");
    const c = capture();
    const code = await main(["plan", "validate", file, "--kubeconfig", shop.cluster.kubeconfigFile], c.io);
    assert.equal(code, 0, c.err.join("\n"));
    assert.match(c.out[0], /^prediction uncertain: every step applies/);
    assert.ok(c.out.some((l) => /rollout shop\/web: completes in/.test(l)), c.out.join("\n"));
  });

  it("-o json: a plan whose image does not exist is predicted to fail, exit 1", async () => {
    const file = join(dir, "img.json");
    writeFileSync(file, JSON.stringify({ steps: [{ id: "img", action: { type: "set-image", params: { namespace: "shop", name: "web", container: "web", image: "nginx:0.0.0-nope" } } }] }));
    const c = capture();
    const code = await main(["plan", "validate", file, "--kubeconfig", shop.cluster.kubeconfigFile, "-o", "json"], c.io);
    assert.equal(code, 1, c.err.join("\n"));
    const p = Prediction.parse(JSON.parse(c.out.join("\n")));
    assert.equal(p.verdict, "fails");
    assert.equal(p.rollouts[0].completed, false);
  });

  it("refuses a call with neither a file nor an incident", async () => {
    const c = capture();
    assert.equal(await main(["plan", "validate"], c.io), 2);
    assert.match(c.err.join("\n"), /give a plan FILE or --incident ID/);
  });
});
