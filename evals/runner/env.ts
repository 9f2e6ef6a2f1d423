/**
 * One scenario's world: a fresh sandbox on an ephemeral port running the scenario's app and its
 * load, on a VirtualClock the driver moves; a per-scenario ledger; and one API client per party —
 * the fault injector, Stratus, and the runner's own reads — each with its own bearer token so the
 * API server's record (WriteWatch) can tell their writes apart. Everything reaches the cluster over
 * HTTP, as it would a real one; only the workload probe the oracles read is taken in-process.
 * Stratus reads the telemetry preset named by TELEMETRY_ENV (`stratus eval --telemetry`; istio by
 * default); the runner's own judge always reads the sandbox preset, so figures compare across presets.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { getApp, type AppDefinition } from "../../sandbox/apps/index.ts";
import { VirtualClock } from "../../sandbox/clock.ts";
import { Sandbox } from "../../sandbox/cluster.ts";
import { createFaultContext, type FaultContext, KubeClient as FaultKubeClient } from "../../sandbox/faults/index.ts";
import { METRICS_PATH } from "../../sandbox/workload/index.ts";
import { openLedger, type SqliteLedger } from "../../src/core/ledger/index.ts";
import { KubeClient } from "../../src/kube/kube-client.ts";
import { ScrapeSource } from "../../src/telemetry/scrape-source.ts";
import { DEFAULT_TELEMETRY_PRESET } from "../../src/telemetry/defaults.ts";
import { resolveTelemetry, telemetryPreset } from "../../src/telemetry/presets/index.ts";
import { TOKENS } from "../defaults.ts";
import type { Scenario } from "../scenario.ts";
import { SimDriver } from "./sim-driver.ts";
import { WriteWatch } from "./write-watch.ts";

/** The environment variable carrying `--telemetry PRESET|FILE` to the forked scenario workers. */
export const TELEMETRY_ENV = "STRATUS_EVAL_TELEMETRY";

/** Where virtual time starts: the same instant for every scenario, so runs with one seed match. */
export const SIM_EPOCH = Date.parse("2026-01-05T09:00:00Z");

export type ScenarioEnv = {
  app: AppDefinition;
  clock: VirtualClock;
  driver: SimDriver;
  sandbox: Sandbox;
  watch: WriteWatch;
  ledger: SqliteLedger;
  /** Stratus's client and metric source (its own scrape state). */
  stratus: { client: KubeClient; metrics: ScrapeSource };
  /** The runner's own client and metric source, for its health measurement. */
  runner: { client: KubeClient; metrics: ScrapeSource };
  faults: FaultContext;
  close(): Promise<void>;
};

export async function startEnv(s: Scenario): Promise<ScenarioEnv> {
  const app = getApp(s.app);
  const clock = new VirtualClock(SIM_EPOCH);
  const watch = new WriteWatch({ [TOKENS.injector]: "injector", [TOKENS.stratus]: "stratus", [TOKENS.runner]: "runner" }, () => clock.now());
  // Each party's token is a static token of the sandbox's API server (cluster admins, as before RBAC).
  const tokens = Object.entries(TOKENS).map(([party, token]) => ({ token, user: `eval-${party}`, groups: ["system:masters"] }));
  const sandbox = await Sandbox.start({ clock, seed: s.seed, port: 0, apps: [s.app], routes: [watch.route], auth: { tokens } });
  const dir = mkdtempSync(join(tmpdir(), "stratus-eval-"));
  let ledger: SqliteLedger | undefined;
  try {
    ledger = openLedger({ path: join(dir, "ledger.db"), now: () => clock.now() });
    const kc = (token: string) => kubeConfig(sandbox.url, token);
    const metricsUrl = `${sandbox.url}${METRICS_PATH}`;
    const client = (token: string) => new KubeClient(kc(token), { clock });
    const faults = createFaultContext({
      kubeconfig: FaultKubeClient.fromKubeConfig(kc(TOKENS.injector)),
      workload: { successRatio: async (ns, windowMs) => sandbox.workload.successRatio(windowMs, ns) },
      now: () => clock.now(),
    });
    const driver = new SimDriver(clock);
    const l = ledger;
    return {
      app,
      clock,
      driver,
      sandbox,
      watch,
      ledger: l,
      stratus: { client: client(TOKENS.stratus), metrics: new ScrapeSource({ url: metricsUrl, clock, queries: resolveTelemetry(process.env[TELEMETRY_ENV] || DEFAULT_TELEMETRY_PRESET) }) },
      runner: { client: client(TOKENS.runner), metrics: new ScrapeSource({ url: metricsUrl, clock, queries: telemetryPreset("sandbox") }) },
      faults,
      async close() {
        await driver.stop();
        await sandbox.close();
        l.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    ledger?.close();
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** A kubeconfig for the sandbox with this party's token. */
function kubeConfig(server: string, token: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "sandbox", server, skipTLSVerify: true }],
    users: [{ name: "eval", token }],
    contexts: [{ name: "eval", cluster: "sandbox", user: "eval" }],
    currentContext: "eval",
  });
  return kc;
}
