/**
 * The endpoints controller: for every Service with a selector, an Endpoints object of the same name
 * listing the selected pods — ready ones (Ready=True) in `addresses`, the rest that have an IP in
 * `notReadyAddresses` — on the ports the Service's targetPorts resolve to in each pod (a number, or a
 * name looked up in the pod's container ports; a pod without that named port is left out of that
 * port, as on a real cluster). Addresses with the same port set share a subset. A selector matching
 * nothing gives an Endpoints with no subsets. Services without a selector are left alone, and an
 * Endpoints goes when its Service does.
 */
import type { ResourceType } from "../api/resources.ts";
import { matchesLabelSelector, selectorFromMap } from "../api/selectors.ts";
import type { KObject } from "../api/types.ts";
import { keyOf, splitKey, WorkQueue, type Controller, type ControllerContext } from "./controller.ts";

type Address = { ip: string; nodeName?: string; targetRef: { kind: "Pod"; namespace: string; name: string; uid: string } };
type Port = { name?: string; port: number; protocol: string; appProtocol?: string };

export class EndpointsController implements Controller {
  readonly name = "endpoint-controller";
  private ctx!: ControllerContext;
  private queue!: WorkQueue;
  private svcType!: ResourceType;
  private epType!: ResourceType;
  private podType!: ResourceType;
  private unsubscribe: (() => void) | undefined;

  start(ctx: ControllerContext): void {
    this.ctx = ctx;
    this.svcType = ctx.rt("Service");
    this.epType = ctx.rt("Endpoints");
    this.podType = ctx.rt("Pod");
    this.queue = new WorkQueue(ctx.clock, (key) => this.sync(key), (key, err) => {
      console.error(`endpoints: ${key}: ${(err as Error).stack ?? err}`);
    });
    this.unsubscribe = ctx.store.onEvent((e) => {
      const ns = e.object.metadata.namespace;
      if (e.resource === "core/services") this.queue.add(keyOf(ns, e.object.metadata.name!));
      else if (e.resource === "core/pods") this.podChanged(e.object, e.old);
      else if (e.resource === "core/endpoints" && e.type === "DELETED") {
        // Someone deleted an Endpoints we manage: put it back.
        this.queue.add(keyOf(ns, e.object.metadata.name!));
      }
    });
    for (const svc of ctx.store.list(this.svcType)) this.queue.add(keyOf(svc.metadata.namespace, svc.metadata.name!));
  }

  stop(): void {
    this.unsubscribe?.();
    this.queue?.stop();
  }

  /** Queues the Services whose selector matches the pod before or after the change. */
  private podChanged(pod: KObject, old: KObject | undefined): void {
    for (const svc of this.ctx.store.list(this.svcType, pod.metadata.namespace)) {
      const sel = svc.spec?.selector;
      if (!sel || !Object.keys(sel).length) continue;
      const selector = selectorFromMap(sel);
      if (matchesLabelSelector(selector, pod.metadata.labels) || (old && matchesLabelSelector(selector, old.metadata.labels))) {
        this.queue.add(keyOf(svc.metadata.namespace, svc.metadata.name!));
      }
    }
  }

  private sync(key: string): void {
    const { store } = this.ctx;
    const [ns, name] = splitKey(key);
    const svc = store.get(this.svcType, ns, name);
    const existing = store.get(this.epType, ns, name);
    if (!svc) {
      if (existing) store.delete(this.epType, ns, name);
      return;
    }
    const sel = svc.spec?.selector;
    if (!sel || !Object.keys(sel).length) return;
    const selector = selectorFromMap(sel);
    const pods = store.list(this.podType, ns).filter((p) => matchesLabelSelector(selector, p.metadata.labels));
    const subsets = buildSubsets(svc, pods);
    const labels = { ...(svc.metadata.labels ?? {}), ...(svc.spec?.clusterIP === "None" ? { "service.kubernetes.io/headless": "" } : {}) };
    const body: KObject = {
      apiVersion: "v1",
      kind: "Endpoints",
      metadata: { name, namespace: ns, ...(Object.keys(labels).length ? { labels } : {}) },
      ...(subsets.length ? { subsets } : {}),
    };
    if (!existing) {
      store.create(this.epType, body);
      return;
    }
    const same = JSON.stringify(existing.subsets ?? []) === JSON.stringify(subsets) && JSON.stringify(existing.metadata.labels ?? {}) === JSON.stringify(labels);
    if (same) return;
    store.update(this.epType, { ...existing, metadata: { ...existing.metadata, labels: Object.keys(labels).length ? labels : undefined }, subsets: subsets.length ? subsets : undefined });
  }
}

/** The Service's targetPort in this pod: a number, or the named container port (undefined if absent). */
function resolveTargetPort(svcPort: any, pod: KObject): number | undefined {
  const target = svcPort.targetPort ?? svcPort.port;
  if (typeof target === "number") return target;
  if (typeof target === "string" && /^\d+$/.test(target)) return Number(target);
  const protocol = svcPort.protocol ?? "TCP";
  for (const c of (pod.spec?.containers ?? []) as any[]) {
    for (const p of c.ports ?? []) {
      if (p.name === target && (p.protocol ?? "TCP") === protocol) return p.containerPort;
    }
  }
  return undefined;
}

/** Subsets as the real controller packs them: addresses grouped by identical port sets, sorted. */
export function buildSubsets(svc: KObject, pods: KObject[]): Array<Record<string, any>> {
  const publishNotReady = !!svc.spec?.publishNotReadyAddresses;
  const groups = new Map<string, { ports: Port[]; ready: Address[]; notReady: Address[] }>();
  for (const pod of pods) {
    const ip: string | undefined = pod.status?.podIP;
    if (!ip || pod.metadata.deletionTimestamp && !publishNotReady) continue;
    const phase = pod.status?.phase;
    if (phase === "Succeeded" || phase === "Failed") continue;
    const ports: Port[] = [];
    for (const sp of (svc.spec?.ports ?? []) as any[]) {
      const port = resolveTargetPort(sp, pod);
      if (port === undefined) continue;
      ports.push({ ...(sp.name ? { name: sp.name } : {}), port, protocol: sp.protocol ?? "TCP", ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
    }
    if (!ports.length) continue;
    ports.sort((a, b) => ((a.name ?? "") < (b.name ?? "") ? -1 : (a.name ?? "") > (b.name ?? "") ? 1 : a.port - b.port));
    const address: Address = {
      ip,
      ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
      targetRef: { kind: "Pod", namespace: pod.metadata.namespace!, name: pod.metadata.name!, uid: pod.metadata.uid! },
    };
    const ready = publishNotReady || (pod.status?.conditions ?? []).some((c: any) => c.type === "Ready" && c.status === "True");
    const key = JSON.stringify(ports);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports, ready: [], notReady: [] }));
    (ready ? g.ready : g.notReady).push(address);
  }
  const byIp = (a: Address, b: Address) => compareIp(a.ip, b.ip) || (a.targetRef.uid < b.targetRef.uid ? -1 : 1);
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, g]) => ({
      ...(g.ready.length ? { addresses: g.ready.sort(byIp) } : {}),
      ...(g.notReady.length ? { notReadyAddresses: g.notReady.sort(byIp) } : {}),
      ports: g.ports,
    }));
}

function compareIp(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}
