/**
 * `stratus sandbox up --app hotel-reservation` as a user runs it: the ready line, then one status
 * line once the app is up, kubectl sees its Deployments, /metrics shows its traffic, and an
 * unknown app is refused with the known names.
 */
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { eventually } from "../../helpers/sandbox.ts";

const BIN = join(import.meta.dirname, "../../../bin/stratus.js");

describe("stratus sandbox up --app", { timeout: 120_000 }, () => {
  it("deploys the app, prints a status line once it is up, and runs its workload", async () => {
    const dir = mkdtempSync(join(tmpdir(), "stratus-cli-app-"));
    const kubeconfig = join(dir, "kc");
    const child = spawn(process.execPath, [BIN, "sandbox", "up", "--app", "hotel-reservation", "--speed", "10", "--kubeconfig", kubeconfig], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    try {
      const status = await eventually(() => out.split("\n").find((l) => l.startsWith("app ready:")), 60_000, `the app ready line (stdout: ${out}, stderr: ${err})`);
      assert.match(status, /^app ready: hotel-reservation in namespace hotel-reservation: 17\/17 deployments available, 17 pods ready; workload 50 req\/s; metrics at http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      assert.equal(out.split("\n").filter((l) => l.startsWith("sandbox ready:")).length, 1);
      const deploys = execFileSync("kubectl", ["--kubeconfig", kubeconfig, "--cache-dir", join(dir, "cache"), "get", "deploy", "-n", "hotel-reservation", "-o", "name"], { encoding: "utf8", env: { ...process.env, HOME: dir } });
      assert.equal(deploys.trim().split("\n").length, 17);
      const url = /metrics at (\S+)$/.exec(status)![1];
      await eventually(async () => /http_requests_total\{namespace="hotel-reservation",service="frontend"[^}]*code="200"\} [1-9]/.test(await (await fetch(url)).text()), 30_000, "frontend traffic in /metrics");
    } finally {
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      child.kill("SIGINT");
      assert.equal(await exited, 0);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses an unknown app with exit code 2 and the known names", () => {
    try {
      execFileSync(process.execPath, [BIN, "sandbox", "up", "--app", "pet-store"], { encoding: "utf8", stdio: "pipe" });
      assert.fail("should have failed");
    } catch (e) {
      const x = e as { status: number; stderr: string };
      assert.equal(x.status, 2);
      assert.match(x.stderr, /unknown app "pet-store": known apps are hotel-reservation, social-network/);
    }
  });
});
