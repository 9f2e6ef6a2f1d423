/**
 * Test fixture: the one way a test gets a real Prometheus server. `ensurePrometheus()` finds the
 * `prometheus` binary on PATH; failing that, when the process runs as root and apt-get is there,
 * installs the Debian package (once per machine: a lock directory in the OS temp folder makes
 * parallel test files wait for the one installing, and each re-checks PATH after taking it); else
 * it fails at once with the exact command to run. `startPrometheus()` then runs a server on an
 * ephemeral 127.0.0.1 port scraping the given targets, ready when `/-/ready` answers.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

/** What a person runs when the tests cannot install Prometheus themselves. */
export const PROMETHEUS_INSTALL_COMMAND = "sudo apt-get update && sudo apt-get install -y --no-install-recommends prometheus";

/** How it is installed and where the lock lives; the defaults are the real machine's. */
export type PrometheusSetup = {
  /** The PATH to search. */
  searchPath: string;
  /** Installs the binary onto `searchPath`, or is absent when this process cannot (not root, no apt-get). */
  install?: () => void;
  /** A directory whose creation is the machine-wide install lock. */
  lockDir: string;
  /** How long to wait for another process's install. */
  waitMs: number;
};

const DEFAULT_INSTALL_WAIT_MS = 10 * 60_000;
const POLL_MS = 200;

/** Polls `check` until it returns a value; an error it throws ends the wait at once. */
async function poll<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** The binary's full path on `searchPath`, or undefined. */
export function findOnPath(name: string, searchPath: string): string | undefined {
  for (const dir of searchPath.split(delimiter).filter(Boolean)) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

function aptInstall(): void {
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  // Wait for a dpkg lock held by anything else on the machine instead of failing on it.
  const steps = [
    ["update"],
    ["install", "-y", "--no-install-recommends", "-o", "DPkg::Lock::Timeout=300", "prometheus"],
  ];
  for (const args of steps) {
    const r = spawnSync("apt-get", args, { env, encoding: "utf8", timeout: DEFAULT_INSTALL_WAIT_MS });
    if (r.error || r.status !== 0) {
      const out = `${r.stdout ?? ""}${r.stderr ?? ""}`.trim().split("\n").slice(-15).join("\n");
      throw new Error(`\`apt-get ${args.join(" ")}\` failed (${r.error?.message ?? `exit ${r.status}`}) while installing prometheus for the tests:\n${out}\nInstall it by hand: ${PROMETHEUS_INSTALL_COMMAND}`);
    }
  }
}

/** The real machine: PATH, apt-get when running as root, a lock in the OS temp folder. */
export function defaultPrometheusSetup(): PrometheusSetup {
  const searchPath = process.env.PATH ?? "";
  const canInstall = process.getuid?.() === 0 && findOnPath("apt-get", searchPath) !== undefined;
  return { searchPath, install: canInstall ? aptInstall : undefined, lockDir: join(tmpdir(), "stratus-prometheus-install.lock"), waitMs: DEFAULT_INSTALL_WAIT_MS };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** Takes the lock directory, breaking it when the process that holds it is gone; false on EEXIST while it is held. */
function tryLock(lockDir: string): boolean {
  try {
    mkdirSync(lockDir);
    writeFileSync(join(lockDir, "pid"), String(process.pid));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    let holder = NaN;
    try {
      holder = Number(readFileSync(join(lockDir, "pid"), "utf8"));
    } catch {
      // the holder has made the directory but not yet written its pid
      return false;
    }
    if (Number.isInteger(holder) && !alive(holder)) rmSync(lockDir, { recursive: true, force: true });
    return false;
  }
}

/**
 * The path of a `prometheus` binary, installing it first where this process can. Throws, without
 * waiting, a message with the command to run when it is missing and cannot be installed.
 */
export async function ensurePrometheus(setup: PrometheusSetup = defaultPrometheusSetup()): Promise<string> {
  const found = findOnPath("prometheus", setup.searchPath);
  if (found) return found;
  const install = setup.install;
  if (!install) {
    throw new Error(`prometheus is not on PATH and this process cannot install it (it needs root and apt-get). Run: ${PROMETHEUS_INSTALL_COMMAND}`);
  }
  return poll(() => {
    const now = findOnPath("prometheus", setup.searchPath);
    if (now || !tryLock(setup.lockDir)) return now;
    try {
      // Another test file may have installed it between our look and our lock.
      const after = findOnPath("prometheus", setup.searchPath);
      if (after) return after;
      install();
      const installed = findOnPath("prometheus", setup.searchPath);
      if (!installed) throw new Error(`the install finished but prometheus is still not on PATH (${setup.searchPath}). Run: ${PROMETHEUS_INSTALL_COMMAND}`);
      return installed;
    } finally {
      rmSync(setup.lockDir, { recursive: true, force: true });
    }
  }, setup.waitMs, `prometheus to be installed (another test process holds ${setup.lockDir})`);
}

export type RunningPrometheus = { url: string; log(): string; close(): Promise<void> };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts `binary` on an ephemeral 127.0.0.1 port scraping `targets` (host:port) every `scrapeInterval`; resolves once it is ready. */
export async function startPrometheus(binary: string, targets: string[], scrapeInterval = "1s"): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), "stratus-prom-"));
  writeFileSync(join(dir, "prometheus.yml"), [
    "global:",
    `  scrape_interval: ${scrapeInterval}`,
    `  scrape_timeout: ${scrapeInterval}`,
    `  evaluation_interval: ${scrapeInterval}`,
    "scrape_configs:",
    "  - job_name: sandbox",
    "    metrics_path: /metrics",
    "    static_configs:",
    `      - targets: [${targets.map((t) => JSON.stringify(t)).join(", ")}]`,
    "",
  ].join("\n"));
  const port = await freePort();
  let log = "";
  const proc: ChildProcess = spawn(binary, [
    `--config.file=${join(dir, "prometheus.yml")}`,
    `--storage.tsdb.path=${join(dir, "data")}`,
    `--web.listen-address=127.0.0.1:${port}`,
    "--storage.tsdb.retention.time=1h",
    "--log.level=warn",
  ], { stdio: ["ignore", "pipe", "pipe"] });
  const keep = (d: Buffer) => (log = (log + d).slice(-4000));
  proc.stdout?.on("data", keep);
  proc.stderr?.on("data", keep);
  const url = `http://127.0.0.1:${port}`;
  const close = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((resolve) => proc.once("exit", resolve));
      proc.kill("SIGTERM");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await poll(async () => {
      if (proc.exitCode !== null) throw new Error(`prometheus exited with ${proc.exitCode}: ${log}`);
      return (await fetch(`${url}/-/ready`).catch(() => undefined))?.ok ? true : undefined;
    }, 30_000, `prometheus ready at ${url}`);
  } catch (err) {
    await close();
    throw err;
  }
  return { url, log: () => log, close };
}
