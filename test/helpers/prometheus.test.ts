/**
 * The Prometheus fixture's install rule, with a stand-in installer (the real one is apt-get, which
 * `.ci/run` and the real-Prometheus test exercise): a missing binary that cannot be installed fails
 * at once with the command to run; three test processes racing for it install it exactly once and
 * all get the same binary; a lock left by a dead process does not block the next one.
 */
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensurePrometheus, PROMETHEUS_INSTALL_COMMAND } from "./prometheus.ts";

const HELPER = join(dirname(fileURLToPath(import.meta.url)), "prometheus.ts");

/** A child process calling ensurePrometheus with an installer that takes ~0.5 s and counts its runs. */
const CHILD = `
import { appendFileSync, chmodSync, writeFileSync } from "node:fs";
import { ensurePrometheus } from ${JSON.stringify(HELPER)};
const [bin, counter, lockDir] = process.argv.slice(1);
const install = () => {
  appendFileSync(counter, "install\\n");
  const until = Date.now() + 500;
  while (Date.now() < until); // an installer holds the lock for a while, as apt-get does
  writeFileSync(bin + "/prometheus", "#!/bin/sh\\necho prometheus, version 2.42.0\\n");
  chmodSync(bin + "/prometheus", 0o755);
};
console.log(await ensurePrometheus({ searchPath: bin, lockDir, waitMs: 30000, install }));
`;

function runChild(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", CHILD, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("exit", (code) => resolve({ code, out }));
  });
}

describe("ensurePrometheus", () => {
  const dir = mkdtempSync(join(tmpdir(), "stratus-prom-helper-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("fails at once, naming the command to run, when prometheus is missing and cannot be installed", async () => {
    const started = Date.now();
    await assert.rejects(
      ensurePrometheus({ searchPath: join(dir, "empty"), lockDir: join(dir, "no-lock"), waitMs: 60_000 }),
      (err: Error) => err.message.includes(`Run: ${PROMETHEUS_INSTALL_COMMAND}`) && /not on PATH/.test(err.message),
    );
    assert.ok(Date.now() - started < 1_000, "no waiting");
  });

  it("installs once when three test processes race for it, and each gets the binary", async () => {
    const bin = join(dir, "race-bin");
    mkdirSync(bin);
    const counter = join(dir, "installs.log");
    const results = await Promise.all([0, 1, 2].map(() => runChild([bin, counter, join(dir, "race.lock")])));
    for (const r of results) {
      assert.equal(r.code, 0, r.out);
      assert.equal(r.out.trim(), join(bin, "prometheus"));
    }
    assert.equal(readFileSync(counter, "utf8"), "install\n");
  });

  it("breaks a lock whose holder is gone", async () => {
    const bin = join(dir, "stale-bin");
    mkdirSync(bin);
    const lockDir = join(dir, "stale.lock");
    mkdirSync(lockDir);
    const dead = spawn(process.execPath, ["-e", ""]);
    await new Promise((r) => dead.on("exit", r));
    writeFileSync(join(lockDir, "pid"), String(dead.pid));
    const r = await runChild([bin, join(dir, "stale-installs.log"), lockDir]);
    assert.equal(r.code, 0, r.out);
    assert.equal(r.out.trim(), join(bin, "prometheus"));
  });
});
