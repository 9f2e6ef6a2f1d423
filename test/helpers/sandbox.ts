/**
 * Test fixture: a sandbox on an ephemeral port with its own kubeconfig file and kubectl cache,
 * plus helpers to run the real kubectl and to build a @kubernetes/client-node KubeConfig for it.
 * The kubeconfig carries the admin's token; raw fetch() calls to /api or /apis send
 * `cluster.auth` (the same token) or they are system:anonymous and get 403.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as k8s from "@kubernetes/client-node";
import { Sandbox, type SandboxOptions } from "../../sandbox/index.ts";

export type TestCluster = {
  sandbox: Sandbox;
  kubeconfigFile: string;
  kc: k8s.KubeConfig;
  /** The admin's `Authorization` header, for raw fetch() calls to the Kubernetes API. */
  auth: { authorization: string };
  /** Runs kubectl against the sandbox; resolves with stdout, stderr and the exit code. */
  kubectl(args: string[], input?: string): Promise<{ stdout: string; stderr: string; code: number }>;
  /** Writes a kubeconfig that authenticates with `token` (a service account's, say) and returns its path. */
  kubeconfigFor(token: string, name: string): string;
  close(): Promise<void>;
};

export async function startTestCluster(opts: SandboxOptions = {}): Promise<TestCluster> {
  const sandbox = await Sandbox.start(opts);
  const dir = mkdtempSync(join(tmpdir(), "stratus-test-"));
  const kubeconfigFile = join(dir, "kubeconfig");
  sandbox.writeKubeconfig(kubeconfigFile);
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfigFile);
  return {
    sandbox,
    kubeconfigFile,
    kc,
    auth: { authorization: `Bearer ${sandbox.adminToken}` },
    kubeconfigFor(token, name) {
      const file = join(dir, `kubeconfig-${name}`);
      writeFileSync(file, sandbox.kubeconfig(undefined, token), { mode: 0o600 });
      return file;
    },
    kubectl(args, input) {
      return new Promise((resolve) => {
        const child = execFile(
          "kubectl",
          ["--kubeconfig", kubeconfigFile, "--cache-dir", join(dir, "cache"), ...args],
          { env: { ...process.env, HOME: dir, KUBECONFIG: kubeconfigFile }, timeout: 30_000 },
          (err, stdout, stderr) => {
            const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 1) : 0;
            resolve({ stdout, stderr, code });
          },
        );
        if (input !== undefined) child.stdin?.end(input);
      });
    },
    async close() {
      await sandbox.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns a truthy value or `timeoutMs` of wall time passes. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 10_000, what = "condition"): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
