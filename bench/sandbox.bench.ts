/**
 * Sandbox benchmarks (issue 2): list and watch throughput and memory with 5,000 pods in 500
 * Deployments, and how many simulated seconds pass per wall second in virtual time for a
 * 20-Deployment cluster. Figures, not assertions: run with `npm run bench`.
 */
import { Sandbox, VirtualClock } from "../sandbox/index.ts";

type Figures = Record<string, number | string>;

const deployment = (ns: string, name: string, replicas: number) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace: ns, labels: { app: name } },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: "app", image: "registry.k8s.io/pause:3.10", resources: { requests: { cpu: "1m", memory: "1Mi" } } }] },
    },
  },
});

/** Creates `deployments` Deployments of `replicas` pods in namespace bench and runs virtual time until every pod runs; wall seconds taken. */
export async function populate(sb: Sandbox, clock: VirtualClock, deployments: number, replicas: number): Promise<number> {
  const { store, context } = sb;
  store.create(context.rt("Namespace"), { apiVersion: "v1", kind: "Namespace", metadata: { name: "bench" } });
  for (let i = 0; i < deployments; i++) store.create(context.rt("Deployment"), deployment("bench", `svc-${i}`, replicas));
  const want = deployments * replicas;
  const started = performance.now();
  for (let step = 0; step < 600; step++) {
    await clock.advanceAsync(1000, 50);
    const running = store.list(context.rt("Pod"), "bench").filter((p) => p.status?.phase === "Running").length;
    if (running >= want) break;
  }
  return (performance.now() - started) / 1000;
}

async function timeLoop(n: number, fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < n; i++) await fn();
  return n / ((performance.now() - t) / 1000);
}

export async function benchSandboxScale(): Promise<Figures> {
  const clock = new VirtualClock();
  // 5,000 pods need more than the default 3 nodes (110 pods each, as on a real cluster).
  const sb = await Sandbox.start({ clock, historySize: 200_000, nodes: 50 });
  try {
    const heapBefore = process.memoryUsage().heapUsed;
    const setupSeconds = await populate(sb, clock, 500, 10);
    global.gc?.();
    const pods = sb.store.list(sb.context.rt("Pod"), "bench");
    const heapAfter = process.memoryUsage().heapUsed;
    const all = `${sb.url}/api/v1/namespaces/bench/pods`;
    // The sandbox authenticates like kube-apiserver: raw calls carry the admin's bearer token.
    const headers = { authorization: `Bearer ${sb.adminToken}` };
    let bytes = 0;
    const fullLists = await timeLoop(10, async () => { bytes = (await (await fetch(all, { headers })).arrayBuffer()).byteLength; });
    const selectorLists = await timeLoop(200, () => fetch(`${all}?labelSelector=app%3Dsvc-250`, { headers }).then((r) => r.arrayBuffer()));
    const pagedLists = await timeLoop(10, async () => {
      let cont = "";
      do {
        const page = (await (await fetch(`${all}?limit=500${cont ? `&continue=${cont}` : ""}`, { headers })).json()) as { metadata: { continue?: string } };
        cont = page.metadata.continue ?? "";
      } while (cont);
    });

    // Watch: one watcher over all pods; N status changes made in the store are streamed over HTTP.
    const rv = sb.store.currentRv();
    const ctrl = new AbortController();
    const res = await fetch(`${all}?watch=true&resourceVersion=${rv}`, { signal: ctrl.signal, headers });
    const reader = res.body!.getReader();
    const N = 20_000;
    const t = performance.now();
    const podRt = sb.context.rt("Pod");
    for (let i = 0; i < N; i++) {
      const p = pods[i % pods.length];
      sb.store.mutate(podRt, "bench", p.metadata.name!, (o) => { o.metadata.annotations = { ...(o.metadata.annotations ?? {}), tick: String(i) }; });
    }
    let received = 0;
    let partial = "";
    while (received < N) {
      const { value, done } = await reader.read();
      if (done) break;
      partial += Buffer.from(value).toString("utf8");
      const lines = partial.split("\n");
      partial = lines.pop()!;
      received += lines.length;
    }
    const watchEventsPerSec = received / ((performance.now() - t) / 1000);
    ctrl.abort();

    return {
      pods: pods.length,
      "setup to all Running (wall s)": round(setupSeconds),
      "heap for 5,000 pods + 500 deploy + RS (MB)": round((heapAfter - heapBefore) / 1e6),
      "rss (MB)": round(process.memoryUsage().rss / 1e6),
      "full list of 5,000 pods (lists/s)": round(fullLists),
      "full list size (MB)": round(bytes / 1e6),
      "label-selected list, 10 of 5,000 (lists/s)": round(selectorLists),
      "paged list, limit=500 (full walks/s)": round(pagedLists),
      "watch events delivered (events/s)": Math.round(watchEventsPerSec),
    };
  } finally {
    await sb.close();
  }
}

export async function benchVirtualTime(): Promise<Figures> {
  const clock = new VirtualClock();
  const sb = await Sandbox.start({ clock });
  try {
    await populate(sb, clock, 20, 3);
    const simSeconds = 3600;
    const t = performance.now();
    await clock.advanceAsync(simSeconds * 1000, 50);
    const wall = (performance.now() - t) / 1000;
    return {
      deployments: 20,
      pods: sb.store.list(sb.context.rt("Pod"), "bench").length,
      "simulated seconds": simSeconds,
      "wall seconds": round(wall),
      "simulated seconds per wall second": Math.round(simSeconds / wall),
    };
  } finally {
    await sb.close();
  }
}

const round = (x: number) => Math.round(x * 100) / 100;
