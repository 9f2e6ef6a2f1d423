/**
 * End to end through the CLI: `stratus eval` on a folder with two good scenarios (the issue's
 * target-port example and a no-fault one), one whose injection fails at run time, and a malformed
 * file. Each scenario runs in its own sandbox, in virtual time, through the real graph; the one that
 * fails is reported with its message and the run goes on; the bad file is reported with its file and
 * field; the JSON and the report are written; the exit code is 0.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.ts";

describe("stratus eval", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "stratus-eval-cli-"));
    copyFileSync("evals/scenarios/hotel-reservation/service-target-port-rate.yaml", join(dir, "a-target-port.yaml"));
    copyFileSync("evals/scenarios/hotel-reservation/no-fault.yaml", join(dir, "b-no-fault.yaml"));
    // Valid on paper, but rate's Service has one port, not four: the injection fails at run time.
    writeFileSync(join(dir, "d-fails.yaml"), readFileSync("evals/scenarios/hotel-reservation/service-target-port-rate.yaml", "utf8").replace("id: hotel-reservation/service-target-port-rate", "id: hotel-reservation/fails-at-injection").replace("    at: 0s", "    params: { index: 3 }\n    at: 0s"));
    writeFileSync(join(dir, "c-bad.yaml"), "id: x/bad\napp: hotel-reservation\nseed: 1\nfaults:\n  - kind: no-such-fault\n    target: { kind: Service, name: rate }\nexpect: { detected: true, mitigated: true }\n");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("runs the good scenarios, reports the bad file, and writes the JSON and the report", { timeout: 240_000 }, async () => {
    const out: string[] = [];
    const err: string[] = [];
    const json = join(dir, "out.json");
    const report = join(dir, "report.md");
    const code = await main(["eval", dir, "--json", json, "--report", report, "--concurrency", "2", "--timeout", "200s"], { out: (s) => out.push(s), err: (s) => err.push(s) });
    assert.equal(code, 0, [...out, ...err].join("\n"));

    const progress = out.filter((l) => l.startsWith("[stratus "));
    assert.equal(progress.length, 3, out.join("\n"));
    assert.ok(progress.some((l) => /fails-at-injection  ERROR: /.test(l)), out.join("\n"));
    assert.ok(out.some((l) => /invalid scenario file .*c-bad\.yaml: faults\[0\]\.kind: unknown fault kind "no-such-fault"/.test(l)), out.join("\n"));

    const doc = JSON.parse(readFileSync(json, "utf8"));
    assert.equal(doc.summary.scenarios, 3);
    assert.equal(doc.summary.errors, 1, JSON.stringify(doc.results.map((r: { error: unknown }) => r.error)));
    const byId = Object.fromEntries(doc.results.map((r: { id: string }) => [r.id, r]));
    const failed = byId["hotel-reservation/fails-at-injection"];
    assert.match(failed.error, /injecting service-target-port into Service\/rate failed: .*index 3 does not exist/);
    assert.equal(failed.mitigated, false);
    assert.equal(doc.summary.mitigationRate, 0.5, "an errored scenario fails the rate");
    const port = byId["hotel-reservation/service-target-port-rate"];
    const quiet = byId["hotel-reservation/no-fault"];
    assert.equal(port.error, null);
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

  it("passes --llm to the agents: a model that answers nonsense falls back to the embedded reasoners", { timeout: 120_000 }, async () => {
    // A scripted OpenAI-compatible endpoint that never answers with usable JSON.
    const asked: string[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        asked.push(req.url ?? "");
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ id: "x", object: "chat.completion", created: 0, model: "scripted", choices: [{ index: 0, message: { role: "assistant", content: "I would rather not say." }, finish_reason: "stop" }], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    try {
      const one = join(dir, "llm");
      mkdirSync(one);
      copyFileSync("evals/scenarios/hotel-reservation/service-target-port-rate.yaml", join(one, "a.yaml"));
      const json = join(dir, "llm.json");
      const out: string[] = [];
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
      const code = await main(["eval", one, "--llm", "openai", "--model", "scripted", "--base-url", base, "--json", json, "--in-process"], { out: (s) => out.push(s), err: (s) => out.push(s) });
      assert.equal(code, 0, out.join("\n"));
      assert.ok(asked.some((u) => u.endsWith("/chat/completions")), `the model was asked: ${asked.join(", ")}`);
      const r = JSON.parse(readFileSync(json, "utf8")).results[0];
      assert.equal(r.error, null);
      assert.equal(r.mitigated, true, JSON.stringify(r.attemptLog));
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it("refuses an unknown agent with a usage error", async () => {
    const err: string[] = [];
    const code = await main(["eval", dir, "--agent", "stratus,clever"], { out: () => {}, err: (s) => err.push(s) });
    assert.equal(code, 2);
    assert.match(err.join("\n"), /unknown --agent "clever"/);
  });
});
