/**
 * `stratus sandbox ...`: run the simulated cluster. `up` serves it on 127.0.0.1, writes a
 * kubeconfig for it, prints one `sandbox ready:` line once it serves, and runs until interrupted.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { RealClock, Sandbox } from "../../../sandbox/index.ts";
import { UsageError, type Io } from "../io.ts";

export const DEFAULT_SANDBOX_KUBECONFIG = "./sandbox.kubeconfig";

const USAGE = `Usage: stratus sandbox up [--app NAME] [--port N] [--kubeconfig FILE] [--speed X] [--seed N]

Starts a simulated Kubernetes cluster (3 nodes) on 127.0.0.1 and writes a kubeconfig for it.
  --app NAME         deploy an app into it (hotel-reservation, social-network)
  --port N           listen on port N (default: an ephemeral port)
  --kubeconfig FILE  where to write the kubeconfig (default ${DEFAULT_SANDBOX_KUBECONFIG})
  --speed X          run simulated time X times faster than wall time (default 1)
  --seed N           seed for names and jitter (default 1)`;

export async function sandboxCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === "help" || sub === "--help" || sub === "-h") {
    io.out(USAGE);
    return sub ? 0 : 2;
  }
  if (sub !== "up") throw new UsageError(`unknown sandbox command "${sub}": expected "up" (see stratus sandbox --help)`);
  const { values } = parseArgs({
    args: rest,
    options: {
      app: { type: "string" },
      port: { type: "string" },
      kubeconfig: { type: "string", default: DEFAULT_SANDBOX_KUBECONFIG },
      speed: { type: "string", default: "1" },
      seed: { type: "string", default: "1" },
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
  if (values.app) throw new UsageError(`unknown app "${values.app}": this build has no apps yet; run without --app for an empty cluster`);

  const sandbox = await Sandbox.start({ clock: new RealClock(speed), port, seed });
  const file = resolve(values.kubeconfig!);
  sandbox.writeKubeconfig(file);
  io.out(`sandbox ready: kubeconfig=${file} server=${sandbox.url}`);
  await waitForSignal();
  await sandbox.close();
  io.err("sandbox stopped");
  return 0;
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
