/**
 * `stratus start` (npm start), as a user runs it: a sandbox with hotel-reservation, the watchdog
 * against it over HTTP, and a fault schedule. The scheduled fault is detected, fixed and committed;
 * Ctrl-C stops everything cleanly and prints where the ledger is and how to review it; the ledger
 * verifies. Bad flags exit 2 with a message that says what to pass.
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { openLedger } from "../../src/core/ledger/index.ts";
import { runCli } from "../helpers/cli.ts";
import { eventually } from "../helpers/sandbox.ts";

const MAIN = join(import.meta.dirname, "../../src/cli/main.ts");

describe("stratus start", () => {
  it("runs the sandbox, the watchdog and the fault schedule until Ctrl-C, then points at the ledger", async () => {
    const dir = mkdtempSync(join(tmpdir(), "stratus-start-"));
    const ledgerPath = join(dir, "ledger.db");
    const child = spawn(process.execPath, ["--import", "tsx", MAIN, "start", "--speed", "10", "--fault", "service-target-port", "--first-fault", "20s", "--every", "60m",
      "--ledger", ledgerPath, "--kubeconfig", join(dir, "kubeconfig"), "--listen", "127.0.0.1:0"], { env: { ...process.env, OPENAI_API_KEY: "" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      await eventually(() => /^resolved /m.test(stdout), 300_000, `the injected fault to be fixed; so far:\n${stdout}\n${stderr}`);
      assert.match(stdout, /^sandbox ready: hotel-reservation in namespace hotel-reservation; server http:\/\/127\.0\.0\.1:\d+/m);
      assert.match(stdout, /^fault: injected service-target-port into Service \S+/m);
      assert.match(stdout, /^diagnosed: Service \S+ .*\(misconfiguration, /m);
      assert.match(stdout, /^committed$/m);
      assert.match(stderr, /metrics scrape http:\/\/127\.0\.0\.1:\d+\/metrics, telemetry /);
      child.kill("SIGINT");
      assert.equal(await exited, 0, stderr);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    assert.match(stdout, new RegExp(`stopped\\. The ledger is ${ledgerPath.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
    assert.match(stdout, /review it: {2}stratus ledger list --db /);
    const ledger = openLedger({ path: ledgerPath, create: false });
    try {
      assert.equal(ledger.verify().ok, true);
      assert.ok(ledger.byKind("commit").length >= 1);
      assert.ok(ledger.byKind("incident").length >= 1);
    } finally {
      ledger.close();
    }
  });

  it("refuses bad flags with exit 2", async () => {
    const run = (args: string[]) => runCli(["start", ...args]);
    const a = await run(["--fault", "meteor-strike"]);
    assert.equal(a.code, 2);
    assert.match(a.stderr, /unknown fault kind "meteor-strike"; kinds: service-target-port/);
    const b = await run(["--app", "pet-shop"]);
    assert.equal(b.code, 2);
    assert.match(b.stderr, /known apps are hotel-reservation, social-network/);
    const c = await run(["--help"]);
    assert.equal(c.code, 0);
    assert.match(c.stdout, /--fault KIND/);
  });
});
