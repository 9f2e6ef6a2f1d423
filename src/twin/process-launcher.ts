/**
 * Starts each twin as its own process — `<command> sandbox up --twin --virtual` — and waits for its
 * `twin ready:` line, which names the kubeconfig it wrote and its control URL. The command comes
 * from the composition root (src/cli knows how it was started); this file knows nothing of the
 * sandbox but that line. Closing the twin ends the process it started, by its pid, and removes its
 * kubeconfig.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadKubeConfig } from "../kube/kube-client.ts";
import { connectTwin } from "./http-twin.ts";
import { TwinError, type Twin, type TwinLauncher } from "./twin.ts";

/** How long a twin process may take to print its ready line. */
export const TWIN_START_TIMEOUT_MS = 60_000;
const READY = /^twin ready: kubeconfig=(\S+) server=(\S+)/m;

export type ProcessTwinLauncherOptions = {
  /** argv of the stratus command itself, e.g. [node, ...loaderFlags, ".../cli/main.ts"]. */
  command: string[];
  startTimeoutMs?: number;
};

export class ProcessTwinLauncher implements TwinLauncher {
  constructor(private readonly opts: ProcessTwinLauncherOptions) {
    if (!opts.command.length) throw new TwinError("the twin launcher needs the stratus command to run");
  }

  async start(): Promise<Twin & { pid?: number }> {
    const dir = mkdtempSync(join(tmpdir(), "stratus-twin-"));
    const file = join(dir, "kubeconfig");
    const [exe, ...args] = this.opts.command;
    const child = spawn(exe, [...args, "sandbox", "up", "--twin", "--virtual", "--kubeconfig", file], { stdio: ["ignore", "pipe", "pipe"] });
    const stop = () => stopChild(child).finally(() => rmSync(dir, { recursive: true, force: true }));
    try {
      const { server } = await readyLine(child, this.opts.startTimeoutMs ?? TWIN_START_TIMEOUT_MS);
      const twin = await connectTwin({ kc: loadKubeConfig({ kubeconfig: file, env: {} }), controlUrl: server, stop });
      // The process id, for measuring what a twin costs (bench/twin.bench.ts).
      return Object.assign(twin, { pid: child.pid });
    } catch (e) {
      await stop();
      throw e;
    }
  }
}

function readyLine(child: ChildProcess, timeoutMs: number): Promise<{ kubeconfig: string; server: string }> {
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => done(new TwinError(`the twin did not start within ${timeoutMs} ms${err ? `: ${err.trim().slice(-500)}` : ""}`)), timeoutMs);
    const done = (e?: Error, v?: { kubeconfig: string; server: string }) => {
      clearTimeout(timer);
      child.stdout?.off("data", onOut);
      child.off("exit", onExit);
      if (e) reject(e);
      else resolve(v!);
    };
    const onOut = (b: Buffer) => {
      out += b.toString();
      const m = READY.exec(out);
      if (m) done(undefined, { kubeconfig: m[1], server: m[2] });
    };
    const onExit = (code: number | null) => done(new TwinError(`the twin process exited (code ${code}) before it was ready${err ? `: ${err.trim().slice(-500)}` : ""}`));
    child.stdout?.on("data", onOut);
    child.stderr?.on("data", (b: Buffer) => { err = (err + b.toString()).slice(-4000); });
    child.on("exit", onExit);
    child.on("error", (e) => done(new TwinError(`the twin could not be started: ${e.message}`)));
  });
}

/** SIGTERM, then SIGKILL if it has not gone within 5 s. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
