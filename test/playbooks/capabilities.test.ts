/**
 * Capability ordering: steps that produce and consume capabilities are layered by topological
 * sort (independent ones share a stage), a cycle through capabilities and a capability nobody
 * produces are refused with file:line naming the `consumes` entry at fault, and `stratus playbook
 * plan FILE` prints the stages (and -o json).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.ts";
import { DEFAULT_POLICY } from "../../src/core/policy.ts";
import { isPlaybookError, parsePlaybook, staticStages } from "../../src/playbooks/index.ts";

const head = `name: drain-and-flush
version: 1.0.0
description: Drain the pool, flush the cache, then restart.
match:
  entityKind: Deployment
params:
  namespace: { type: string, from: target.namespace }
  deployment: { type: string, from: target.name }
steps:
`;
const scale = (id: string, caps: string) => `  - id: ${id}
    action: scale
    with: { namespace: "\${{ params.namespace }}", name: "${id}", replicas: 1 }
${caps}`;

const DIAMOND = head + [
  scale("drain", "    produces: [pool-drained]\n"),
  scale("flush", "    produces: [cache-flushed]\n"),
  scale("restart", "    consumes: [pool-drained, cache-flushed]\n    produces: [restarted]\n"),
  scale("announce", "    consumes: [restarted]\n"),
].join("");

function refusal(text: string, file = "drain.yaml") {
  try {
    parsePlaybook(text, file, { policy: DEFAULT_POLICY });
  } catch (e) {
    assert.ok(isPlaybookError(e), String(e));
    return e;
  }
  assert.fail("expected the playbook to be refused");
}

async function stratus(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(["playbook", ...argv], { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("playbook capabilities", () => {
  it("orders steps by what they produce and consume: independent steps share a stage", () => {
    const pb = parsePlaybook(DIAMOND, "drain.yaml", { policy: DEFAULT_POLICY });
    assert.deepEqual(staticStages(pb).map((s) => s.map((x) => x.id)), [["drain", "flush"], ["restart"], ["announce"]]);
  });

  it("refuses a capability cycle with file:line at the consumes entry", () => {
    const text = head + [
      scale("drain", "    consumes: [cache-flushed]\n    produces: [pool-drained]\n"),
      scale("flush", "    consumes: [pool-drained]\n    produces: [cache-flushed]\n"),
    ].join("");
    const e = refusal(text);
    const line = text.split("\n").findIndex((l) => l.includes("consumes: [cache-flushed]")) + 1;
    assert.match(e.message, new RegExp(`drain\\.yaml:${line}: steps\\[0\\]\\.consumes\\[0\\]: capability cycle: drain → flush → drain \\(drain consumes "cache-flushed", which flush produces; flush consumes "pool-drained", which drain produces\\)`));
  });

  it("refuses an unmet capability with file:line, listing what is produced", () => {
    const text = head + [scale("drain", "    produces: [pool-drained]\n"), scale("restart", "    consumes: [pool-drained, cache-flushed]\n")].join("");
    const e = refusal(text);
    const line = text.split("\n").findIndex((l) => l.includes("consumes: [pool-drained, cache-flushed]")) + 1;
    assert.match(e.message, new RegExp(`drain\\.yaml:${line}: steps\\[1\\]\\.consumes\\[1\\]: unmet capability "cache-flushed": no step of the playbook produces it \\(produced: pool-drained\\)`));
  });

  it("refuses produces/consumes on a group, naming the field", () => {
    const text = head + `  - id: both\n    produces: [x]\n    parallel:\n${scale("a", "").replace(/^ {2}/gm, "      ")}${scale("b", "").replace(/^ {2}/gm, "      ")}`;
    assert.match(refusal(text).message, /steps\[0\]\.produces: produces belongs to an action, exec or wait step, not a parallel/);
  });

  it("stratus playbook plan FILE prints the stages, and -o json; a cycle exits 1 with file:line", async () => {
    const dir = mkdtempSync(join(tmpdir(), "stratus-caps-"));
    const file = join(dir, "drain.yaml");
    writeFileSync(file, DIAMOND);
    const r = await stratus("plan", file);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /2\. restart: scale .*\[produces restarted; consumes pool-drained, cache-flushed\]/);
    assert.match(r.out, /  1\. drain: .*\n     flush: .*\n  2\. restart: .*\n  3\. announce: /);
    const j = await stratus("plan", file, "-o", "json");
    assert.equal(j.code, 0, j.err);
    const parsed = JSON.parse(j.out) as { stages: Array<Array<{ id: string; after: string[] }>> };
    assert.deepEqual(parsed.stages.map((s) => s.map((x) => x.id)), [["drain", "flush"], ["restart"], ["announce"]]);
    assert.deepEqual(parsed.stages[1][0].after.sort(), ["drain", "flush"]);

    const cyclic = join(dir, "cyclic.yaml");
    writeFileSync(cyclic, head + [scale("drain", "    consumes: [cache-flushed]\n    produces: [pool-drained]\n"), scale("flush", "    consumes: [pool-drained]\n    produces: [cache-flushed]\n")].join(""));
    const bad = await stratus("plan", cyclic);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /cyclic\.yaml:\d+: steps\[0\]\.consumes\[0\]: capability cycle/);
  });
});
