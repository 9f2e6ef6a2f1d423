/**
 * `stratus start` (what `npm start` runs): the whole thing on one machine. Starts a sandbox with an
 * app (hotel-reservation by default) and its load, the watchdog against it over HTTP through its
 * kubeconfig — exactly as against a real cluster — and a fault schedule that breaks the app every
 * few minutes of sandbox time (a random catalog fault, or `--fault KIND`) — never while an incident
 * is open or the last fault is still there by its oracle. Runs until Ctrl-C, then says where the
 * ledger is and how to review it.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { RealClock, Sandbox, APP_NAMES, getApp, seededRandom, waitForApp, type AppDefinition } from "../../../sandbox/index.ts";
import { createFaultContext, FAULT_KINDS, FAULTS, faultByKind, isFaultError, isNoise, type Fault, type FaultContext, type FaultTarget } from "../../../sandbox/faults/index.ts";
import type { Clock } from "../../base/clock.ts";
import { DEFAULT_LEDGER_PATH } from "../../core/ledger/index.ts";
import { llmConfigFromFlags, type LlmConfig } from "../../llm/index.ts";
import type { Watchdog } from "../../watchdog/index.ts";
import { durationFlag, UsageError, type Io } from "../io.ts";
import { runWatch, telemetryFlag } from "./watch.ts";

export const DEFAULT_START_APP = "hotel-reservation";
export const DEFAULT_START_SPEED = 5;
export const DEFAULT_FAULT_EVERY_MS = 4 * 60_000;
export const DEFAULT_FIRST_FAULT_MS = 60_000;
export const DEFAULT_START_KUBECONFIG = "./sandbox.kubeconfig";
/** While an incident is open the next fault waits this long (sandbox time) and looks again. */
const BUSY_RETRY_MS = 30_000;
/** Targets tried per scheduled fault before the slot is skipped. */
const MAX_TARGET_TRIES = 12;

export const START_USAGE = `Usage: stratus start [--app NAME] [--fault KIND] [--every DUR] [--speed X] [flags]

Starts a sandbox running an app under load, the Stratus watchdog against it, and a fault schedule
that breaks the app every few minutes; Ctrl-C stops everything and prints where the ledger is.
  --app NAME           ${APP_NAMES.join(" | ")} (default ${DEFAULT_START_APP})
  --fault KIND         always inject this kind (default: a random catalog fault each time)
  --every DUR          sandbox time between faults (default 4m)
  --first-fault DUR    sandbox time before the first fault, once the app is up (default 1m)
  --no-faults          no fault schedule (inject by hand: stratus sandbox inject ...)
  --speed X            sandbox time runs X times faster than wall time (default ${DEFAULT_START_SPEED})
  --seed N             seed for the sandbox and the fault schedule (default 1)
  --rate R             the load generator's requests per second
  --ledger FILE        the mitigation ledger (default ${DEFAULT_LEDGER_PATH})
  --kubeconfig FILE    where to write the sandbox's kubeconfig (default ${DEFAULT_START_KUBECONFIG})
  --port N             the sandbox API server's port (default: any free port)
  --listen HOST:PORT   the watchdog's /metrics, /healthz, /readyz, alerts, ledger API, approvals
  --policy FILE        the policy guard (default: built-in)
  --llm none|openai --model M [--base-url URL]   the agents' reasoner (default: embedded)
  --dry-run            the watchdog diagnoses and proposes but never writes
  --telemetry PRESET|FILE  the series the watchdog reads: istio (default), otel, sandbox, or a file
Fault kinds: ${FAULT_KINDS.join(", ")}`;

export async function startCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      app: { type: "string", default: DEFAULT_START_APP },
      fault: { type: "string" },
      every: { type: "string" },
      "first-fault": { type: "string" },
      "no-faults": { type: "boolean", default: false },
      speed: { type: "string", default: String(DEFAULT_START_SPEED) },
      seed: { type: "string", default: "1" },
      rate: { type: "string" },
      ledger: { type: "string", default: DEFAULT_LEDGER_PATH },
      kubeconfig: { type: "string", default: DEFAULT_START_KUBECONFIG },
      port: { type: "string" },
      listen: { type: "string" },
      policy: { type: "string" },
      llm: { type: "string", default: "none" },
      model: { type: "string" },
      "base-url": { type: "string" },
      "dry-run": { type: "boolean", default: false },
      telemetry: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    io.out(START_USAGE);
    return 0;
  }
  if (!APP_NAMES.includes(values.app!)) throw new UsageError(`unknown app "${values.app}": known apps are ${APP_NAMES.join(", ")}`);
  if (values.fault && values["no-faults"]) throw new UsageError("--fault and --no-faults contradict each other: pick one");
  let fixed: Fault | undefined;
  try {
    fixed = values.fault ? faultByKind(values.fault) : undefined;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const speed = Number(values.speed);
  if (!(speed > 0)) throw new UsageError(`--speed must be a number > 0, got "${values.speed}"`);
  const seed = Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`--seed must be a whole number, got "${values.seed}"`);
  const rate = values.rate === undefined ? undefined : Number(values.rate);
  if (rate !== undefined && !(rate > 0)) throw new UsageError(`--rate must be a number > 0, got "${values.rate}"`);
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0-65535, got "${values.port}"`);
  let llm: LlmConfig;
  try {
    llm = llmConfigFromFlags({ llm: values.llm, model: values.model, baseUrl: values["base-url"] });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const every = values.every ? durationFlag("--every", values.every) : DEFAULT_FAULT_EVERY_MS;
  const first = values["first-fault"] ? durationFlag("--first-fault", values["first-fault"]) : DEFAULT_FIRST_FAULT_MS;

  const app = getApp(values.app!);
  const clock = new RealClock(speed);
  const sandbox = await Sandbox.start({ clock, port, seed, apps: [app.name], ...(rate ? { workload: { rate } } : {}) });
  const kubeconfig = resolve(values.kubeconfig!);
  const ledgerPath = resolve(values.ledger!);
  sandbox.writeKubeconfig(kubeconfig);
  io.out(`sandbox ready: ${app.name} in namespace ${app.namespace}; server ${sandbox.url}; kubeconfig ${kubeconfig}; time x${speed}`);

  const stop = new AbortController();
  let signals = 0;
  const onSignal = () => {
    if (++signals > 1) {
      io.err("stopping now; the ledger is at " + ledgerPath);
      process.exit(130);
    }
    io.err("stopping: letting the running transaction commit or roll back (Ctrl-C again to stop at once)");
    stop.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  let code = 0;
  try {
    const status = await waitUntil(stop.signal, waitForApp(sandbox, app));
    if (stop.signal.aborted) return 0;
    io.out(status?.ready ? `app ready: ${status.available}/${status.deployments} deployments available` : `app not fully up yet (${status?.waiting.slice(0, 5).join(", ")}); watching anyway`);
    const faults = createFaultContext({ kubeconfig, now: () => clock.now() });
    let schedule: Promise<void> = Promise.resolve();
    code = await runWatch({
      kubeconfig, namespaces: [app.namespace], ledgerPath, policyFile: values.policy, llm, listen: values.listen,
      // The sandbox's service metrics are on its plain-HTTP side (its API speaks HTTPS with a CA of its own).
      metricsUrl: `${sandbox.url}/metrics`,
      dryRun: values["dry-run"], clock, signal: stop.signal, handleSignals: false,
      ...(values.telemetry === undefined ? {} : { telemetry: telemetryFlag(values.telemetry) }),
      onStarted: ({ watchdog }) => {
        if (!values["no-faults"]) schedule = faultSchedule({ app, clock, faults, watchdog, fixed, every, first, seed, signal: stop.signal, io });
      },
    }, io);
    stop.abort();
    await schedule;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await sandbox.close();
  }
  io.out(`stopped. The ledger is ${ledgerPath}\n  review it:  stratus ledger list --db ${ledgerPath}\n  one incident:  stratus ledger list --db ${ledgerPath} --incident ID\n  check it:  stratus ledger verify --db ${ledgerPath}`);
  return code;
}

type Schedule = {
  app: AppDefinition;
  clock: Clock;
  faults: FaultContext;
  watchdog: Watchdog;
  fixed?: Fault;
  every: number;
  first: number;
  seed: number;
  signal: AbortSignal;
  io: Io;
};

/** Injects a fault every `every` of sandbox time, never onto a broken app, until aborted. */
async function faultSchedule(s: Schedule): Promise<void> {
  const random = seededRandom(s.seed ^ 0xfa17);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
  const targets = [...s.app.services.map((x) => x.name), ...s.app.stores.map((x) => x.name)];
  let last: { fault: Fault; target: FaultTarget } | undefined;
  let told = false;
  if (!(await sleepUnless(s.clock, s.first, s.signal))) return;
  while (!s.signal.aborted) {
    // Never pile a fault on a broken app: wait while an incident is open, and while the last
    // fault is not gone by its own oracle (Stratus escalated it, or it is still settling).
    const verdict = last && !s.watchdog.book.open().length ? await last.fault.oracle(s.faults, last.target) : undefined;
    if (s.watchdog.book.open().length || (verdict && !verdict.ok)) {
      if (verdict && !verdict.ok && !told) {
        s.io.out(`fault schedule: waiting until ${last!.fault.spec.kind} on ${last!.target.kind} ${last!.target.name} is gone (${verdict.reasons[0] ?? "not yet"})`);
        told = true;
      }
      if (!(await sleepUnless(s.clock, BUSY_RETRY_MS, s.signal))) return;
      continue;
    }
    told = false;
    // api-change needs a change spelled out (op, patch); the schedule picks among the kinds that need no params.
    const fault = s.fixed ?? pick(FAULTS.filter((f) => f.spec.kind !== "api-change"));
    for (let i = 0; i < MAX_TARGET_TRIES && !s.signal.aborted; i++) {
      const kind = pick(fault.spec.targetKinds);
      const target = { kind, name: pick(targets), namespace: s.app.namespace };
      try {
        const rec = await fault.inject(s.faults, target);
        s.io.out(`fault: injected ${rec.kind} into ${kind} ${target.name}${isNoise(fault) ? " (benign noise: it should be left alone)" : ""}`);
        last = { fault, target };
        break;
      } catch (e) {
        // Not every kind fits every target (a database user fault needs a database): try another.
        if (isFaultError(e) && ["bad-target", "target-missing", "bad-params"].includes(e.code)) continue;
        s.io.err(`fault: ${fault.spec.kind} on ${kind} ${target.name} failed: ${(e as Error).message}`);
        break;
      }
    }
    if (!(await sleepUnless(s.clock, s.every, s.signal))) return;
  }
}

/** Sleeps on the clock; false when aborted first. */
async function sleepUnless(clock: Clock, ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  await waitUntil(signal, clock.sleep(ms));
  return !signal.aborted;
}

async function waitUntil<T>(signal: AbortSignal, p: Promise<T>): Promise<T | undefined> {
  if (signal.aborted) return undefined;
  let onAbort!: () => void;
  const aborted = new Promise<undefined>((resolve) => {
    onAbort = () => resolve(undefined);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([p, aborted]);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

