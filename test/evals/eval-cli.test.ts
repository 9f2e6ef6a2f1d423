/**
 * End to end through the CLI: `stratus eval` on a folder with two good scenarios (the issue's
 * target-port example and a no-fault one) and a malformed file. Each good scenario runs in its own
 * sandbox, in virtual time, through the real graph; the bad file is reported with its file and
 * field and does not stop the others; the JSON and the report are written; the exit code is 0.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.ts";

describe("stratus eval", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "stratus-eval-cli-"));
    copyFileSync("evals/scenarios/hotel-reservation/service-target-port-rate.yaml", join(dir, "a-target-port.yaml"));
    copyFileSync("evals/scenarios/hotel-reservation/no-fault.yaml", join(dir, "b-no-fault.yaml"));
    writeFileSync(join(dir, "c-bad.yaml"), "id: x/bad\napp: hotel-reservation\nseed: 1\nfaults:\n  - kind: no-such-fault\n    target: { kind: Service, name: rate }\nexpect: { detected: true, mitigated: true }\n");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("runs the good scenarios, reports the bad file, and writes the JSON and the report", { timeout: 240_000 }, async () => {
    const out: string[] = [];
    const err: string[] = [];
    const json = join(dir, "out.json");
    const report = join(dir, "report.md");
    const code = await main(["eval", dir, "--json", json, "--report", report, "--concurrency", "2", "--timeout", "200"], { out: (s) => out.push(s), err: (s) => err.push(s) });
    assert.equal(code, 0, [...out, ...err].join("\n"));

    const progress = out.filter((l) => l.startsWith("[stratus "));
    assert.equal(progress.length, 2, out.join("\n"));
    assert.ok(out.some((l) => /invalid scenario file .*c-bad\.yaml: faults\[0\]\.kind: unknown fault kind "no-such-fault"/.test(l)), out.join("\n"));

    const doc = JSON.parse(readFileSync(json, "utf8"));
    assert.equal(doc.summary.scenarios, 2);
    assert.equal(doc.summary.errors, 0, JSON.stringify(doc.results.map((r: { error: unknown }) => r.error)));
    const byId = Object.fromEntries(doc.results.map((r: { id: string }) => [r.id, r]));
    const port = byId["hotel-reservation/service-target-port-rate"];
    const quiet = byId["hotel-reservation/no-fault"];
    assert.equal(port.detected, true);
    assert.equal(port.mitigated, true, JSON.stringify(port.attemptLog));
    assert.ok(port.ttmSeconds > 0 && port.ttdSeconds >= 0);
    assert.equal(port.tnrViolations, 0, port.tnrDetails.join("; "));
    assert.equal(quiet.detected, false);
    assert.equal(quiet.falsePositiveMitigation, false, quiet.writeLog.join(", "));
    assert.equal(doc.problems[0].field, "faults[0].kind");

    const md = readFileSync(report, "utf8");
    assert.match(md, /\| hotel-reservation\/service-target-port-rate \| yes \|/);
    assert.match(md, /c-bad\.yaml: faults\[0\]\.kind/);
  });

  it("refuses an unknown agent with a usage error", async () => {
    const err: string[] = [];
    const code = await main(["eval", dir, "--agent", "stratus,clever"], { out: () => {}, err: (s) => err.push(s) });
    assert.equal(code, 2);
    assert.match(err.join("\n"), /unknown --agent "clever"/);
  });
});
