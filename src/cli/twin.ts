/**
 * The composition root's half of prediction (issue 15): the twin is this very command run as
 * `stratus sandbox up --twin --virtual` in a child process (the product reaches it over HTTP, never
 * importing the sandbox), and `--predict on|off` is parsed here once for watch and eval.
 */
import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import type { ClusterClient } from "../kube/cluster-client.ts";
import type { MetricSource } from "../telemetry/metric-source.ts";
import { ProcessTwinLauncher } from "../twin/process-launcher.ts";
import { twinPredictor, type PlanPredictor } from "../twin/predictor.ts";
import type { PredictSettings } from "../twin/predict.ts";
import { UsageError } from "./io.ts";

/**
 * argv that runs `stratus` the way this process runs (tsx loader flags or compiled JavaScript) — its
 * sandbox-only entry (sandbox-main), which takes `sandbox up ...` without loading every command.
 */
export function stratusCommand(): string[] {
  const self = fileURLToPath(import.meta.url);
  const main = fileURLToPath(new URL(`./sandbox-main${extname(self)}`, import.meta.url));
  // The loader flags tsx put on this process (none under plain node); never an inspector port.
  const flags = process.execArgv.filter((a) => !a.startsWith("--inspect"));
  return [process.execPath, ...flags, main];
}

export function twinLauncher(): ProcessTwinLauncher {
  return new ProcessTwinLauncher({ command: stratusCommand() });
}

export function predictorFor(live: ClusterClient, opts: { metrics?: MetricSource; settings?: Partial<PredictSettings> } = {}): PlanPredictor {
  return twinPredictor({ live, launcher: twinLauncher(), ...(opts.metrics ? { metrics: opts.metrics } : {}), ...(opts.settings ? { settings: opts.settings } : {}) });
}

/** `--predict on|off` (undefined → off). */
export function predictFlag(v: string | undefined): boolean {
  if (v === undefined || v === "off") return false;
  if (v === "on") return true;
  throw new UsageError(`--predict must be "on" or "off", got "${v}"`);
}
