/**
 * `stratus watch --once` never reports a blind look as a clean bill of health: with no cluster
 * configured, or an API server that does not answer, it exits EXIT_BLIND (3) saying what it tried
 * and what to check; against a cluster it can see and with nothing wrong, it exits 0.
 */
import { execFile } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { EXIT_BLIND } from "../../src/watchdog/index.ts";
import { startTestCluster, type TestCluster } from "../helpers/sandbox.ts";

const MAIN = join(import.meta.dirname, "../../src/cli/main.ts");

type Run = { code: number | null; stdout: string; stderr: string };
function stratus(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ["--import", "tsx", MAIN, ...args], { timeout: 180_000, env }, (_e, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }));
  });
}

/** The environment of a machine with no cluster configured: a fresh HOME, no KUBECONFIG, not in a pod. */
function bareEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: mkdtempSync(join(tmpdir(), "stratus-home-")), OPENAI_API_KEY: "" };
  delete env.KUBECONFIG;
  delete env.KUBERNETES_SERVICE_HOST;
  delete env.KUBERNETES_SERVICE_PORT;
  delete env.POD_NAMESPACE;
  return env;
}

const ledger = () => join(mkdtempSync(join(tmpdir(), "stratus-blind-")), "ledger.db");

describe("stratus watch --once when it cannot see", () => {
  let cluster: TestCluster;
  before(async () => { cluster = await startTestCluster(); });
  after(async () => { await cluster.close(); });

  it("with no kubeconfig, no KUBECONFIG and not in a pod: exits 3 and says how to point it at a cluster", async () => {
    const run = await stratus(["watch", "--once", "--ledger", ledger()], bareEnv());
    assert.equal(run.code, EXIT_BLIND, run.stderr);
    assert.match(run.stderr, /no cluster configured: pass --kubeconfig FILE, set KUBECONFIG, or run in a pod/);
    assert.doesNotMatch(run.stderr, /localhost:8080|everything found was fixed/);
  });

  it("against an API server that is not there: exits 3 naming the server and what to check", async () => {
    // A port that was just free: a closed server.
    const srv = createServer().listen(0, "127.0.0.1");
    await new Promise((r) => srv.once("listening", r));
    const port = (srv.address() as AddressInfo).port;
    await new Promise((r) => srv.close(r));
    const dir = mkdtempSync(join(tmpdir(), "stratus-dead-"));
    const kubeconfig = join(dir, "kubeconfig");
    writeFileSync(kubeconfig, `apiVersion: v1
kind: Config
clusters: [{name: dead, cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: dead, context: {cluster: dead, user: u, namespace: shop}}]
current-context: dead
`);
    const run = await stratus(["watch", "--kubeconfig", kubeconfig, "-n", "shop", "--once", "--once-quiet", "1s", "--sync-timeout", "3s", "--ledger", ledger()], bareEnv());
    assert.equal(run.code, EXIT_BLIND, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stderr, new RegExp(`blind: cannot see the cluster at http://127\\.0\\.0\\.1:${port} \\(informers did not sync within 3 s\\): .*ECONNREFUSED`));
    assert.match(run.stderr, /Check that the API server is up and reachable/);
    assert.doesNotMatch(run.stderr, /everything found was fixed/);
  });

  it("against the sandbox with nothing wrong: exits 0", async () => {
    const run = await stratus(["watch", "--kubeconfig", cluster.kubeconfigFile, "-n", "default", "--once", "--once-quiet", "2s", "--ledger", ledger()], bareEnv());
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stderr, /once: .*everything found was fixed/);
    assert.doesNotMatch(run.stderr, /blind:|informer for/);
  });
});
