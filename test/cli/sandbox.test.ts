/**
 * `stratus sandbox up` as a user runs it: one "sandbox ready" line, a kubeconfig that kubectl uses
 * unchanged, three nodes, and a clean exit on Ctrl-C (SIGINT).
 */
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import assert from "node:assert/strict";

const BIN = join(import.meta.dirname, "../../bin/stratus.js");

describe("stratus sandbox up", () => {
  it("serves a 3-node cluster, prints exactly one ready line, and stops cleanly on SIGINT", async () => {
    const dir = mkdtempSync(join(tmpdir(), "stratus-cli-"));
    const kubeconfig = join(dir, "sb.kubeconfig");
    const child = spawn(process.execPath, [BIN, "sandbox", "up", "--kubeconfig", kubeconfig], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    const line = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no ready line; stdout: ${out}`)), 30_000);
      child.stdout.on("data", () => {
        const m = out.split("\n").find((l) => l.startsWith("sandbox ready:"));
        if (m) { clearTimeout(t); resolve(m); }
      });
      child.on("exit", (code) => reject(new Error(`exited early with ${code}`)));
    });
    assert.match(line, /^sandbox ready: kubeconfig=\S+sb\.kubeconfig server=http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(existsSync(kubeconfig));
    const nodes = execFileSync("kubectl", ["--kubeconfig", kubeconfig, "--cache-dir", join(dir, "cache"), "get", "nodes", "-o", "name"], { encoding: "utf8", env: { ...process.env, HOME: dir } });
    assert.deepEqual(nodes.trim().split("\n"), ["node/node-1", "node/node-2", "node/node-3"]);
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    child.kill("SIGINT");
    assert.equal(await exited, 0);
    assert.equal(out.split("\n").filter((l) => l.startsWith("sandbox ready:")).length, 1);
  });

  it("refuses a bad flag with exit code 2 and says which", () => {
    try {
      execFileSync(process.execPath, [BIN, "sandbox", "up", "--port", "99999"], { encoding: "utf8", stdio: "pipe" });
      assert.fail("should have failed");
    } catch (e) {
      const err = e as { status: number; stderr: string };
      assert.equal(err.status, 2);
      assert.match(err.stderr, /--port must be an integer from 0 to 65535/);
    }
  });
});
