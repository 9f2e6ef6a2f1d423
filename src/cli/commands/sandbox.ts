/**
 * `stratus sandbox ...`: run the simulated cluster. `up` serves it on 127.0.0.1, writes a
 * kubeconfig for it, prints one `sandbox ready:` line once it serves, and runs until interrupted.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { RealClock, Sandbox, VirtualClock, type Clock } from "../../../sandbox/index.ts";
import { APP_NAMES, appStatus, getApp } from "../../../sandbox/apps/index.ts";
import { UsageError, type Io } from "../io.ts";
import { sandboxFaultsCommand } from "./sandbox-faults.ts";

export const DEFAULT_SANDBOX_KUBECONFIG = "./sandbox.kubeconfig";

const USAGE = `Usage: stratus sandbox up [--app NAME [--rate R]] [--port N] [--kubeconfig FILE] [--speed X | --virtual] [--seed N] [--nodes N] [--twin]

Starts a simulated Kubernetes cluster (3 nodes) on 127.0.0.1 and writes a kubeconfig for it.
  --app NAME         deploy an app into it (hotel-reservation, social-network) and run its load
                     generator; /metrics on the server has its request, error and latency series
  --rate R           the load generator's requests per second (default 50)
  --port N           listen on port N (default: an ephemeral port)
  --kubeconfig FILE  where to write the kubeconfig (default ${DEFAULT_SANDBOX_KUBECONFIG})
  --speed X          run simulated time X times faster than wall time (default 1)
  --seed N           seed for names and jitter (default 1)
  --nodes N          worker nodes to start with (default 3; 0 with --twin, which copies the live ones)
  --virtual          virtual time: nothing moves until POST /sandbox/v1/clock {"advanceMs": N}
                     (with the admin token) advances it
  --twin             a twin for predicting plans: images it has no model for run a generic model
                     (serve their declared ports); no app, no load generator. Prints "twin ready:"

       stratus sandbox faults [KIND]   list the fault catalog (or one kind's params)
       stratus sandbox inject KIND --target Kind/name [--namespace NS] [--param k=v]... [--kubeconfig FILE]`;

export async function sandboxCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === "help" || sub === "--help" || sub === "-h") {
    io.out(USAGE);
    return sub ? 0 : 2;
  }
  if (sub === "faults" || sub === "inject") return sandboxFaultsCommand(sub, rest, io);
  if (sub !== "up") throw new UsageError(`unknown sandbox command "${sub}": expected "up", "faults" or "inject" (see stratus sandbox --help)`);
  const { values } = parseArgs({
    args: rest,
    options: {
      app: { type: "string" },
      rate: { type: "string" },
      port: { type: "string" },
      kubeconfig: { type: "string", default: DEFAULT_SANDBOX_KUBECONFIG },
      speed: { type: "string", default: "1" },
      seed: { type: "string", default: "1" },
      nodes: { type: "string" },
      virtual: { type: "boolean", default: false },
      twin: { type: "boolean", default: false },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const port = values.port === undefined ? 0 : parseIntFlag("--port", values.port, 0, 65535);
  const speed = Number(values.speed);
  if (!(speed > 0)) throw new UsageError(`--speed must be a number > 0, got "${values.speed}"`);
  const seed = parseIntFlag("--seed", values.seed!, 0, 2 ** 31);
  if (values.app !== undefined && !APP_NAMES.includes(values.app)) {
    throw new UsageError(`unknown app "${values.app}": known apps are ${APP_NAMES.join(", ")}`);
  }
  if (values.rate !== undefined && values.app === undefined) throw new UsageError("--rate needs --app: it sets the app's load generator rate");
  const rate = values.rate === undefined ? undefined : Number(values.rate);
  if (rate !== undefined && !(rate >= 0 && Number.isFinite(rate))) throw new UsageError(`--rate must be a number of requests per second >= 0, got "${values.rate}"`);

  if (values.twin && values.app !== undefined) throw new UsageError("--twin runs no app: a twin is seeded with a copy of a live namespace");
  if (values.virtual && values.speed !== "1") throw new UsageError("--virtual and --speed exclude each other: virtual time moves only when advanced");
  const nodes = values.nodes === undefined ? (values.twin ? 0 : undefined) : parseIntFlag("--nodes", values.nodes, 0, 1000);

  const clock = values.virtual ? new VirtualClock() : new RealClock(speed);
  const sandbox = await Sandbox.start({ clock, port, seed, nodes, twin: values.twin, apps: values.app ? [values.app] : [], workload: { rate } });
  const file = resolve(values.kubeconfig!);
  sandbox.writeKubeconfig(file);
  // The twin's line is what a twin launcher waits for: the kubeconfig for the API and the plain URL of the clock.
  io.out(`${values.twin ? "twin" : "sandbox"} ready: kubeconfig=${file} server=${sandbox.url}`);
  const watching = { stopped: false };
  if (values.app) void reportAppReady(sandbox, values.app, io, watching);
  await waitForSignal();
  watching.stopped = true;
  await sandbox.close();
  io.err("sandbox stopped");
  return 0;
}

/** Prints one status line once the app is first fully up (it may take a while at --speed 1). */
async function reportAppReady(sandbox: Sandbox, name: string, io: Io, watching: { stopped: boolean }): Promise<void> {
  const app = getApp(name);
  const clock: Clock = sandbox.clock;
  while (!watching.stopped) {
    const st = appStatus(sandbox.store, app);
    if (st.ready) {
      const load = sandbox.workload.status().find((s) => s.app === name);
      io.out(`app ready: ${name} in namespace ${app.namespace}: ${st.available}/${st.deployments} deployments available, ${st.podsReady} pods ready; workload ${load?.rate ?? app.defaultRate} req/s; metrics at ${sandbox.url}/metrics`);
      return;
    }
    await clock.sleep(1_000);
  }
}

function parseIntFlag(flag: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} must be an integer from ${min} to ${max}, got "${v}"`);
  return n;
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off("SIGINT", done);
      process.off("SIGTERM", done);
      resolve();
    };
    process.on("SIGINT", done);
    process.on("SIGTERM", done);
  });
}
