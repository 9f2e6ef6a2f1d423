/**
 * The cluster-level series a monitoring stack scrapes next to the apps: kube-state-metrics
 * (pod phase, readiness, container restarts, waiting and terminated reasons, resource limits,
 * Deployment replicas), cAdvisor's per-container CPU and memory, and per-node CPU and memory
 * (`node_cpu_seconds_total`, `node_cpu_utilization`, `node_memory_working_set_bytes`). Read from the
 * store at render time, except CPU, which is integrated from what the pods did (idle cost,
 * requests served, chaos stress) so the counters only go up — every INTEGRATE_MS of simulated time
 * and before each render, so a big idle cluster costs little per tick.
 */
import type { ObjectStore } from "../api/store.ts";
import type { KObject } from "../api/types.ts";
import type { InstanceTable } from "../images/instances.ts";
import type { PodEffects } from "./chaos.ts";

const MI = 1024 * 1024;
/** What an idle process burns, in cores. */
const IDLE_CORES = 0.002;
/** The node's own daemons (kubelet, containerd, kube-proxy). */
const SYSTEM_CORES = 0.12;
const SYSTEM_MEMORY = 720 * MI;
const UNKNOWN_CONTAINER_MEMORY = 8 * MI;
const PHASES = ["Pending", "Running", "Succeeded", "Failed", "Unknown"];
/** Simulated time between CPU integrations (a render integrates too). */
const INTEGRATE_MS = 10_000;

const esc = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
const num = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(6).replace(/0+$/, ""));

function quantity(q: unknown): number | undefined {
  if (typeof q === "number") return q;
  if (typeof q !== "string") return undefined;
  const m = /^(\d+(?:\.\d+)?)(m|k|Ki|M|Mi|G|Gi|T|Ti)?$/.exec(q);
  if (!m) return undefined;
  const mult: Record<string, number> = { "": 1, m: 1e-3, k: 1e3, Ki: 1024, M: 1e6, Mi: MI, G: 1e9, Gi: 1024 ** 3, T: 1e12, Ti: 1024 ** 4 };
  return Number(m[1]) * mult[m[2] ?? ""];
}

type CpuCounter = { startedAt: string; seconds: number };

export class ClusterMetrics {
  /** "podUid/container" -> CPU seconds of the current container instance */
  private readonly containers = new Map<string, CpuCounter>();
  /** node -> [user, idle] CPU seconds */
  private readonly nodes = new Map<string, { busy: number; idle: number; utilization: number }>();
  /** busy CPU seconds reported since the last integration, by pod uid */
  private pending = new Map<string, number>();
  /** simulated time not yet integrated */
  private unintegratedMs = 0;

  constructor(private readonly store: ObjectStore, private readonly instances: InstanceTable) {}

  /** CPU a pod spent on requests since the last tick. */
  addBusy(uid: string, cpuSeconds: number): void {
    this.pending.set(uid, (this.pending.get(uid) ?? 0) + cpuSeconds);
  }

  /** Notes that `dtMs` passed; integrates once enough has. */
  tick(dtMs: number, effects: (uid: string) => PodEffects): void {
    this.unintegratedMs += dtMs;
    if (this.unintegratedMs >= INTEGRATE_MS) this.integrate(effects);
  }

  /** Integrates CPU over the time not yet integrated: per container, then per node. */
  private integrate(effects: (uid: string) => PodEffects): void {
    const dt = this.unintegratedMs / 1000;
    this.unintegratedMs = 0;
    if (dt <= 0) return;
    const perNode = new Map<string, number>();
    const alive = new Set<string>();
    for (const pod of this.pods()) {
      const node = pod.spec?.nodeName;
      const uid = pod.metadata.uid!;
      const busy = this.pending.get(uid) ?? 0;
      const stress = effects(uid).cpuCores;
      for (const [i, cs] of ((pod.status?.containerStatuses ?? []) as any[]).entries()) {
        const startedAt = cs?.state?.running?.startedAt;
        if (!startedAt) continue;
        const key = `${uid}/${cs.name}`;
        alive.add(key);
        let c = this.containers.get(key);
        if (!c || c.startedAt !== startedAt) this.containers.set(key, (c = { startedAt, seconds: 0 }));
        const limit = quantity(pod.spec?.containers?.[i]?.resources?.limits?.cpu) ?? Infinity;
        // The app container (the first) does the work; CPU use is capped at its limit (CFS).
        const used = Math.min(limit * dt, IDLE_CORES * dt + (i === 0 ? busy + stress * dt : 0));
        c.seconds += used;
        if (node) perNode.set(node, (perNode.get(node) ?? 0) + used);
      }
    }
    for (const key of this.containers.keys()) if (!alive.has(key)) this.containers.delete(key);
    this.pending = new Map();
    for (const node of this.store.list(this.store.registry.find("", "v1", "nodes")!)) {
      const name = node.metadata.name!;
      const cores = quantity(node.status?.capacity?.cpu) ?? 4;
      const busy = Math.min(cores * dt, (perNode.get(name) ?? 0) + SYSTEM_CORES * dt);
      const n = this.nodes.get(name) ?? { busy: 0, idle: 0, utilization: 0 };
      n.busy += busy;
      n.idle += cores * dt - busy;
      n.utilization = dt > 0 ? busy / (cores * dt) : 0;
      this.nodes.set(name, n);
    }
  }

  render(out: string[], effects: (uid: string) => PodEffects): void {
    this.integrate(effects);
    const pods = this.pods();
    const memByNode = new Map<string, number>();
    const lines: Record<string, string[]> = {
      info: [], phase: [], ready: [], restarts: [], cready: [], waiting: [], terminated: [], lastTerminated: [], limits: [], mem: [], cpu: [],
    };
    for (const pod of pods) {
      const ns = esc(pod.metadata.namespace ?? "");
      const name = esc(pod.metadata.name ?? "");
      const base = `namespace="${ns}",pod="${name}"`;
      const owner = pod.metadata.ownerReferences?.[0];
      lines.info.push(`kube_pod_info{${base},node="${esc(pod.spec?.nodeName ?? "")}",pod_ip="${pod.status?.podIP ?? ""}",created_by_kind="${owner?.kind ?? ""}",created_by_name="${esc(owner?.name ?? "")}"} 1`);
      const phase = pod.status?.phase ?? "Pending";
      for (const p of PHASES) lines.phase.push(`kube_pod_status_phase{${base},phase="${p}"} ${p === phase ? 1 : 0}`);
      const readyCond = (pod.status?.conditions ?? []).find((c: any) => c.type === "Ready")?.status ?? "Unknown";
      for (const v of ["true", "false", "unknown"]) lines.ready.push(`kube_pod_status_ready{${base},condition="${v}"} ${readyCond.toLowerCase() === v ? 1 : 0}`);
      const eff = effects(pod.metadata.uid!);
      for (const [i, c] of ((pod.spec?.containers ?? []) as any[]).entries()) {
        const cbase = `${base},container="${esc(c.name)}"`;
        const cs = (pod.status?.containerStatuses ?? []).find((s: any) => s.name === c.name);
        for (const [res, unit] of [["cpu", "core"], ["memory", "byte"]] as const) {
          const v = quantity(c.resources?.limits?.[res]);
          if (v !== undefined) lines.limits.push(`kube_pod_container_resource_limits{${cbase},resource="${res}",unit="${unit}"} ${num(v)}`);
        }
        if (!cs) continue;
        lines.restarts.push(`kube_pod_container_status_restarts_total{${cbase}} ${cs.restartCount ?? 0}`);
        lines.cready.push(`kube_pod_container_status_ready{${cbase}} ${cs.ready ? 1 : 0}`);
        const waiting = cs.state?.waiting?.reason;
        if (waiting) lines.waiting.push(`kube_pod_container_status_waiting_reason{${cbase},reason="${esc(waiting)}"} 1`);
        const term = cs.state?.terminated?.reason;
        if (term) lines.terminated.push(`kube_pod_container_status_terminated_reason{${cbase},reason="${esc(term)}"} 1`);
        const last = cs.lastState?.terminated?.reason;
        if (last) lines.lastTerminated.push(`kube_pod_container_status_last_terminated_reason{${cbase},reason="${esc(last)}"} 1`);
        if (!cs.state?.running) continue;
        const inst = this.instances.get(pod.metadata.uid!, c.name);
        const memory = (inst?.memoryBytes ?? UNKNOWN_CONTAINER_MEMORY) + (i === 0 ? eff.memoryBytes : 0);
        lines.mem.push(`container_memory_working_set_bytes{${cbase}} ${Math.round(memory)}`);
        const cpu = this.containers.get(`${pod.metadata.uid}/${c.name}`)?.seconds ?? 0;
        lines.cpu.push(`container_cpu_usage_seconds_total{${cbase}} ${num(cpu)}`);
        if (pod.spec?.nodeName) memByNode.set(pod.spec.nodeName, (memByNode.get(pod.spec.nodeName) ?? 0) + memory);
      }
    }
    const section = (name: string, type: string, help: string, body: string[]) => out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...body);
    section("kube_pod_info", "gauge", "Information about pod.", lines.info);
    section("kube_pod_status_phase", "gauge", "The pods current phase.", lines.phase);
    section("kube_pod_status_ready", "gauge", "Describes whether the pod is ready to serve requests.", lines.ready);
    section("kube_pod_container_status_restarts_total", "counter", "The number of container restarts per container.", lines.restarts);
    section("kube_pod_container_status_ready", "gauge", "Describes whether the containers readiness check succeeded.", lines.cready);
    section("kube_pod_container_status_waiting_reason", "gauge", "Describes the reason the container is currently in waiting state.", lines.waiting);
    section("kube_pod_container_status_terminated_reason", "gauge", "Describes the reason the container is currently in terminated state.", lines.terminated);
    section("kube_pod_container_status_last_terminated_reason", "gauge", "Describes the last reason the container was in terminated state.", lines.lastTerminated);
    section("kube_pod_container_resource_limits", "gauge", "The number of requested limit resource by a container.", lines.limits);
    section("container_memory_working_set_bytes", "gauge", "Current working set of the container in bytes.", lines.mem);
    section("container_cpu_usage_seconds_total", "counter", "Cumulative cpu time consumed by the container in core-seconds.", lines.cpu);
    this.renderDeployments(out);
    this.renderNodes(out, memByNode);
  }

  private renderDeployments(out: string[]): void {
    const rt = this.store.registry.find("apps", "v1", "deployments")!;
    const rows: Array<[string, string, (d: KObject) => number]> = [
      ["kube_deployment_spec_replicas", "Number of desired pods for a deployment.", (d) => d.spec?.replicas ?? 1],
      ["kube_deployment_status_replicas", "The number of replicas per deployment.", (d) => d.status?.replicas ?? 0],
      ["kube_deployment_status_replicas_available", "The number of available replicas per deployment.", (d) => d.status?.availableReplicas ?? 0],
      ["kube_deployment_status_replicas_unavailable", "The number of unavailable replicas per deployment.", (d) => d.status?.unavailableReplicas ?? 0],
      ["kube_deployment_status_replicas_updated", "The number of updated replicas per deployment.", (d) => d.status?.updatedReplicas ?? 0],
      ["kube_deployment_metadata_generation", "Sequence number representing a specific generation of the desired state.", (d) => d.metadata.generation ?? 0],
      ["kube_deployment_status_observed_generation", "The generation observed by the deployment controller.", (d) => d.status?.observedGeneration ?? 0],
    ];
    const deployments = this.store.list(rt);
    for (const [name, help, value] of rows) {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
      for (const d of deployments) out.push(`${name}{namespace="${esc(d.metadata.namespace ?? "")}",deployment="${esc(d.metadata.name ?? "")}"} ${value(d)}`);
    }
  }

  private renderNodes(out: string[], memByNode: Map<string, number>): void {
    const nodes = this.store.list(this.store.registry.find("", "v1", "nodes")!);
    const cpuLines: string[] = [];
    const utilLines: string[] = [];
    const memLines: string[] = [];
    const totalLines: string[] = [];
    for (const node of nodes) {
      const name = esc(node.metadata.name!);
      const cores = quantity(node.status?.capacity?.cpu) ?? 4;
      const n = this.nodes.get(node.metadata.name!) ?? { busy: 0, idle: 0, utilization: 0 };
      // node-exporter reports per CPU; the node's time is spread evenly over its cores.
      for (let cpu = 0; cpu < cores; cpu++) {
        cpuLines.push(`node_cpu_seconds_total{node="${name}",cpu="${cpu}",mode="idle"} ${num(n.idle / cores)}`);
        cpuLines.push(`node_cpu_seconds_total{node="${name}",cpu="${cpu}",mode="user"} ${num((n.busy * 0.8) / cores)}`);
        cpuLines.push(`node_cpu_seconds_total{node="${name}",cpu="${cpu}",mode="system"} ${num((n.busy * 0.2) / cores)}`);
      }
      utilLines.push(`node_cpu_utilization{node="${name}"} ${num(n.utilization)}`);
      memLines.push(`node_memory_working_set_bytes{node="${name}"} ${Math.round(SYSTEM_MEMORY + (memByNode.get(node.metadata.name!) ?? 0))}`);
      totalLines.push(`node_memory_MemTotal_bytes{node="${name}"} ${Math.round(quantity(node.status?.capacity?.memory) ?? 16 * 1024 ** 3)}`);
    }
    out.push("# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.", "# TYPE node_cpu_seconds_total counter", ...cpuLines);
    out.push("# HELP node_cpu_utilization Share of the node's CPU in use over the last interval.", "# TYPE node_cpu_utilization gauge", ...utilLines);
    out.push("# HELP node_memory_working_set_bytes Memory in use on the node, in bytes.", "# TYPE node_memory_working_set_bytes gauge", ...memLines);
    out.push("# HELP node_memory_MemTotal_bytes Memory information field MemTotal_bytes.", "# TYPE node_memory_MemTotal_bytes gauge", ...totalLines);
  }

  private pods(): KObject[] {
    return this.store.list(this.store.registry.find("", "v1", "pods")!);
  }
}
