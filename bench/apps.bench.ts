/**
 * App benchmarks (issue 3): social-network under its default load in virtual time — how long it
 * takes to come up, simulated seconds per wall second over 10 simulated minutes, memory (heap and
 * rss), and the cost of one /metrics render — plus what one eval-like scenario costs: a fresh
 * sandbox, an app up, two simulated minutes of load, for each app. Figures, not assertions.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { getApp, waitForApp } from "../sandbox/apps/index.ts";
import { Sandbox, VirtualClock } from "../sandbox/index.ts";

type Figures = Record<string, number | string>;

const round = (x: number) => Math.round(x * 100) / 100;
const mb = (bytes: number) => round(bytes / 1e6);

/** A full GC before reading the heap, without needing node --expose-gc. */
function collect(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}

export async function benchApps(): Promise<Figures> {
  collect();
  const heap0 = process.memoryUsage().heapUsed;
  const clock = new VirtualClock();
  const t0 = performance.now();
  const sb = await Sandbox.start({ clock, apps: ["social-network"] });
  const app = getApp("social-network");
  const status = await waitForApp(sb, app, 300_000);
  if (!status.ready) throw new Error(`social-network did not come up: ${status.waiting.join(", ")}`);
  const upWall = (performance.now() - t0) / 1000;
  collect();
  const heapUp = process.memoryUsage().heapUsed;
  const simSeconds = 600;
  try {
    const t1 = performance.now();
    await clock.advanceAsync(simSeconds * 1000, 50);
    const wall = (performance.now() - t1) / 1000;
    const requests = sb.workload.requestsIn(simSeconds * 1000, app.name);
    const t2 = performance.now();
    let text = "";
    const renders = 20;
    for (let i = 0; i < renders; i++) text = sb.workload.renderMetrics();
    const renderMs = (performance.now() - t2) / renders;
    collect();
    const mem = process.memoryUsage();
    const scenario = async (name: string) => {
      const c = new VirtualClock();
      const t = performance.now();
      const s = await Sandbox.start({ clock: c, apps: [name] });
      await waitForApp(s, getApp(name), 300_000);
      await c.advanceAsync(120_000, 50);
      await s.close();
      return round((performance.now() - t) / 1000);
    };
    return {
      "pods": sb.store.list(sb.context.rt("Pod"), app.namespace).length,
      "deploy to all Ready (simulated s)": round((clock.now() - Date.parse("2026-01-01T00:00:00Z") - simSeconds * 1000) / 1000),
      "deploy to all Ready (wall s)": round(upWall),
      "load (req/s, default)": app.defaultRate,
      "requests sent in 10 simulated min": requests.ok + requests.err,
      "success ratio": round(requests.ok / (requests.ok + requests.err)),
      "simulated seconds": simSeconds,
      "wall seconds": round(wall),
      "simulated seconds per wall second": Math.round(simSeconds / wall),
      "heap: the sandbox with the app up (MB)": mb(heapUp - heap0),
      "heap: growth over 10 simulated min under load (MB)": mb(mem.heapUsed - heapUp),
      "rss (MB)": mb(mem.rss),
      "/metrics render (ms)": round(renderMs),
      "/metrics size (KB, lines)": `${round(text.length / 1000)}, ${text.split("\n").length}`,
      "eval-like scenario, hotel-reservation: start + up + 2 min load (wall s)": await scenario("hotel-reservation"),
      "eval-like scenario, social-network: start + up + 2 min load (wall s)": await scenario("social-network"),
    };
  } finally {
    await sb.close();
  }
}
