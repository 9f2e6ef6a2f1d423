/**
 * What predicting a plan costs (issue 15): hotel-reservation up in a sandbox (the live cluster),
 * then `predictPlan` with the production launcher — a `stratus sandbox up --twin --virtual` child
 * process — for a restart of one Deployment: wall time to start the twin, to seed it with the
 * namespace, and for the whole prediction; the twin process's peak RSS; the objects copied; and the
 * simulated time the twin played. Figures, not assertions.
 */
import { readFileSync } from "node:fs";
import { KubeConfig } from "@kubernetes/client-node";
import { getApp, waitForApp } from "../sandbox/apps/index.ts";
import { Sandbox, VirtualClock } from "../sandbox/index.ts";
import { stratusCommand } from "../src/cli/twin.ts";
import { parsePlan } from "../src/core/plan.ts";
import { KubeClient } from "../src/kube/kube-client.ts";
import { predictPlan } from "../src/twin/predict.ts";
import { ProcessTwinLauncher } from "../src/twin/process-launcher.ts";
import type { Twin, TwinLauncher } from "../src/twin/twin.ts";

type Figures = Record<string, number | string>;
const round = (x: number) => Math.round(x * 100) / 100;

/** Peak resident set of a process, MB (Linux /proc); NaN elsewhere. */
function peakRssMb(pid: number | undefined): number {
  try {
    const kb = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
    return round(kb / 1000);
  } catch {
    return NaN;
  }
}

export async function benchTwin(): Promise<Figures> {
  const clock = new VirtualClock();
  const live = await Sandbox.start({ clock, apps: ["hotel-reservation"] });
  try {
    const app = getApp("hotel-reservation");
    const status = await waitForApp(live, app, 300_000);
    if (!status.ready) throw new Error(`hotel-reservation did not come up: ${status.waiting.join(", ")}`);
    const kc = new KubeConfig();
    kc.loadFromString(live.kubeconfig());
    const client = new KubeClient(kc);
    const deployments = (await client.list("apps/v1", "Deployment", { namespace: app.namespace })).length;

    const inner = new ProcessTwinLauncher({ command: stratusCommand() });
    let startWall = 0;
    let rss = NaN;
    const launcher: TwinLauncher = {
      async start(): Promise<Twin> {
        const t = performance.now();
        const twin = await inner.start();
        startWall = (performance.now() - t) / 1000;
        const close = twin.close.bind(twin);
        return Object.assign(twin, { close: async () => { rss = peakRssMb(twin.pid); await close(); } });
      },
    };
    const plan = parsePlan({ steps: [{ id: "restart", action: { type: "rollout-restart", params: { namespace: app.namespace, name: "geo" } } }] });
    const t0 = performance.now();
    const p = await predictPlan({ plan, live: client, launcher });
    const wall = (performance.now() - t0) / 1000;
    return {
      "namespace": `${app.namespace}: ${deployments} Deployments`,
      "objects copied": Object.values(p.seed.copied).reduce((a, b) => a + b, 0),
      "verdict": `${p.verdict} (rollout ${p.rollouts[0]?.completed ? "completes" : "does not complete"})`,
      "twin process start (wall s)": round(startWall),
      "seed: copy the namespace and the nodes (wall s)": round((p.seed.wallMs ?? NaN) / 1000),
      "whole prediction: start, seed, settle, apply, watch, measure (wall s)": round(wall),
      "simulated time played after the plan's first write (s)": round(p.predictedMs / 1000),
      "twin process peak RSS (MB)": rss,
    };
  } finally {
    await live.close();
  }
}
