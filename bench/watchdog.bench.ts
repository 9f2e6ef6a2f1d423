/**
 * The watchdog at the issue's scale: a sandbox holding 5,000 running pods in 500 Deployments, and
 * `stratus watch -n bench` as its own process (the compiled CLI when `npm run build` has made
 * dist/, with the Node flags of the image's ENTRYPOINT — so the figure is the shipped process's —,
 * else through tsx; the report says which). Once /readyz answers (informers synced) the
 * cluster is left idle for a window; the figures are the watchdog process's resident memory and
 * its CPU over that window, read from /proc (Linux). Targets: ≤ 250 MB RSS, ≤ 5% of a core idle.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Sandbox, VirtualClock } from "../sandbox/index.ts";
import { imageNodeFlags } from "./image-flags.ts";
import { populate } from "./sandbox.bench.ts";

type Figures = Record<string, number | string>;
const IDLE_WINDOW_MS = 30_000;
const READY_TIMEOUT_MS = 180_000;
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** utime + stime of a process, seconds, and its resident set, MB. */
function procStats(pid: number): { cpuSeconds: number; rssMb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return { cpuSeconds, rssMb: rss ? Number(rss[1]) / 1024 : NaN };
}

/** The watchdog's own figure for its V8 heap in use (prom-client's default process metrics). */
async function heapUsedMb(url: string): Promise<number | undefined> {
  try {
    const m = /^stratus_nodejs_heap_size_used_bytes (\S+)$/m.exec(await (await fetch(url)).text());
    return m ? Number(m[1]) / 1e6 : undefined;
  } catch {
    return undefined;
  }
}

async function waitReady(url: string, child: { exitCode: number | null }): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < READY_TIMEOUT_MS) {
    if (child.exitCode !== null) throw new Error(`the watchdog exited with ${child.exitCode} before it was ready`);
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) return (Date.now() - started) / 1000;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the watchdog was not ready within ${READY_TIMEOUT_MS / 1000} s`);
}

export async function benchWatchdog(): Promise<Figures> {
  if (!existsSync("/proc/self/stat")) return { skipped: "needs Linux /proc" };
  const dir = mkdtempSync(join(tmpdir(), "stratus-bench-watchdog-"));
  const clock = new VirtualClock();
  const sb = await Sandbox.start({ clock, historySize: 200_000, nodes: 50 });
  try {
    await populate(sb, clock, 500, 10);
    const kubeconfig = join(dir, "kubeconfig");
    sb.writeKubeconfig(kubeconfig);
    const port = await freePort();
    const metricsPort = await freePort();
    const compiled = existsSync("dist/src/cli/main.js");
    const flags = compiled ? imageNodeFlags() : [];
    const entry = compiled ? [...flags, "dist/src/cli/main.js"] : ["--import", "tsx", "src/cli/main.ts"];
    const child = spawn(process.execPath, [...entry, "watch", "--kubeconfig", kubeconfig, "-n", "bench", "--ledger", join(dir, "ledger.db"), "--listen", `127.0.0.1:${port}`, "--metrics-listen", `127.0.0.1:${metricsPort}`, "--dry-run"], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c) => (stderr = (stderr + c).slice(-4000)));
    try {
      const readySeconds = await waitReady(`http://127.0.0.1:${port}`, child).catch((e) => { throw new Error(`${(e as Error).message}\n${stderr}`); });
      const atReady = procStats(child.pid!);
      const t0 = Date.now();
      let peakRss = atReady.rssMb;
      while (Date.now() - t0 < IDLE_WINDOW_MS) {
        await new Promise((r) => setTimeout(r, 1000));
        peakRss = Math.max(peakRss, procStats(child.pid!).rssMb);
      }
      const end = procStats(child.pid!);
      const heapMb = await heapUsedMb(`http://127.0.0.1:${metricsPort}/metrics`);
      const idleCpu = (end.cpuSeconds - atReady.cpuSeconds) / ((Date.now() - t0) / 1000);
      return {
        "cluster": "5,000 running pods in 500 Deployments, 50 nodes (sandbox, idle)",
        "watchdog run as": compiled ? `compiled (dist/), as the image runs it${flags.length ? ` (node ${flags.join(" ")})` : ""}` : "tsx (run `npm run build` first for the shipped figure)",
        "start to ready: informers synced (s)": Number(readySeconds.toFixed(1)),
        "CPU to get ready (s)": Number(atReady.cpuSeconds.toFixed(1)),
        "RSS when ready (MB)": Math.round(atReady.rssMb),
        [`RSS peak over ${IDLE_WINDOW_MS / 1000} s idle (MB)`]: Math.round(peakRss),
        "idle CPU (share of one core)": `${(idleCpu * 100).toFixed(1)}%`,
        "V8 heap used at the end (MB; the rest of RSS is V8 reserve, code and native memory)": heapMb === undefined ? "n/a" : Math.round(heapMb),
      };
    } finally {
      child.kill("SIGTERM");
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once("exit", r)));
    }
  } finally {
    await sb.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
