/**
 * The kubelets of every node, as one controller: for each pod bound to an existing node it mounts
 * the pod's volumes (FailedMount while a ConfigMap or Secret is missing), gives the pod an IP from
 * the node's podCIDR, runs init containers in order and then the containers (each a
 * ContainerMachine), and writes the pod's status through the status subresource whenever it
 * changes. Deleting a pod stops its containers and forgets their state and logs.
 */
import type { ResourceType } from "../api/resources.ts";
import type { KObject } from "../api/types.ts";
import type { TimerHandle } from "../clock.ts";
import type { ImageCatalog } from "../images/catalog.ts";
import type { ContainerLogs } from "./container-logs.ts";
import { keyOf, splitKey, WorkQueue, type Controller, type ControllerContext } from "./controller.ts";
import { ConfigError, containerFiles, expandRefs, mountVolumes, resolveEnv, type ConfigLookup, type MountedVolumes } from "./kubelet-config.ts";
import { ContainerMachine, type ContainerHost, type RestartPolicy } from "./kubelet-container.ts";
import { podStatus } from "./kubelet-status.ts";

const MOUNT_BACKOFF_INITIAL_MS = 2_000;
/** The volume manager's longest wait between mount attempts (2m2s, as in the kubelet). */
const MOUNT_BACKOFF_MAX_MS = 122_000;
/** What every container sees about the cluster's API service. */
const CLUSTER_ENV: Record<string, string> = {
  KUBERNETES_SERVICE_HOST: "10.96.0.1",
  KUBERNETES_SERVICE_PORT: "443",
  KUBERNETES_SERVICE_PORT_HTTPS: "443",
  KUBERNETES_PORT: "tcp://10.96.0.1:443",
  KUBERNETES_PORT_443_TCP: "tcp://10.96.0.1:443",
  KUBERNETES_PORT_443_TCP_PROTO: "tcp",
  KUBERNETES_PORT_443_TCP_PORT: "443",
  KUBERNETES_PORT_443_TCP_ADDR: "10.96.0.1",
};

type PodRuntime = {
  key: string;
  uid: string;
  nodeName: string;
  pod: KObject;
  hostIP: string;
  podIP: string | undefined;
  startTime: number;
  sandboxReady: boolean;
  volumes: MountedVolumes;
  init: ContainerMachine[];
  containers: ContainerMachine[];
  begun: Set<ContainerMachine>;
  mountBackoffMs: number;
  mountTimer: TimerHandle | undefined;
  /** A ConfigMap, Secret or PVC in the namespace changed: retry what waits on configuration. */
  kick: boolean;
  stopping: boolean;
};

export class Kubelet implements Controller {
  readonly name = "kubelet";
  private ctx!: ControllerContext;
  private queue!: WorkQueue;
  private podType!: ResourceType;
  private nodeType!: ResourceType;
  private readonly pods = new Map<string, PodRuntime>();
  /** node -> allocated host numbers in its podCIDR, and where the next search starts */
  private readonly ipam = new Map<string, { next: number; used: Set<number> }>();
  private readonly nodeImages = new Map<string, Set<string>>();
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly images: ImageCatalog, readonly logs: ContainerLogs) {}

  start(ctx: ControllerContext): void {
    this.ctx = ctx;
    this.podType = ctx.rt("Pod");
    this.nodeType = ctx.rt("Node");
    this.logs.bind(ctx.store, this.podType);
    this.queue = new WorkQueue(ctx.clock, (key) => this.sync(key), (key, err) => {
      console.error(`kubelet: sync ${key}: ${(err as Error).stack ?? err}`);
    });
    this.unsubscribe = ctx.store.onEvent((e) => {
      const ns = e.object.metadata.namespace;
      switch (e.resource) {
        case "core/pods":
          this.queue.add(keyOf(ns, e.object.metadata.name!));
          break;
        case "core/configmaps": case "core/secrets": case "core/persistentvolumeclaims":
          for (const rt of this.pods.values()) {
            if (rt.pod.metadata.namespace !== ns || !waitsOnConfig(rt)) continue;
            rt.kick = true;
            this.queue.add(rt.key);
          }
          break;
        case "core/nodes":
          // Pods bound to a node before it existed start once it does.
          if (e.type === "ADDED") {
            for (const p of ctx.store.list(this.podType)) if (p.spec?.nodeName === e.object.metadata.name) this.queue.add(keyOf(p.metadata.namespace, p.metadata.name!));
          }
          break;
      }
    });
    for (const p of ctx.store.list(this.podType)) this.queue.add(keyOf(p.metadata.namespace, p.metadata.name!));
  }

  stop(): void {
    this.unsubscribe?.();
    this.queue?.stop();
    for (const rt of [...this.pods.values()]) this.forget(rt);
  }

  /**
   * SIGKILL from outside to one running container (a chaos daemon's container-kill): it ends with
   * exit 137 and is restarted as the pod's restartPolicy says, like any other exit.
   */
  killContainer(namespace: string, pod: string, container?: string): { killed: string } | { error: string } {
    const rt = this.pods.get(keyOf(namespace, pod));
    if (!rt || rt.stopping) return { error: `pod ${namespace}/${pod} is not running on any node` };
    const c = rt.containers.find((m) => (container === undefined || m.name === container) && "running" in m.state);
    if (!c) return { error: `pod ${namespace}/${pod} has no running container${container ? ` named ${container}` : ""}` };
    c.kill(137, "Error");
    return { killed: c.name };
  }

  private sync(key: string): void {
    const [ns, name] = splitKey(key);
    const pod = this.ctx.store.get(this.podType, ns, name);
    let rt = this.pods.get(key);
    if (rt && (!pod || rt.uid !== pod.metadata.uid)) {
      this.forget(rt);
      rt = undefined;
    }
    if (!pod) return;
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) return;
    const node = this.ctx.store.get(this.nodeType, undefined, nodeName);
    if (!rt) {
      // No kubelet runs for a node that does not exist, and a finished pod is not started again.
      if (!node || pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed") return;
      rt = this.admit(pod, node);
    }
    rt.pod = pod;
    if (pod.metadata.deletionTimestamp && !rt.stopping) {
      rt.stopping = true;
      for (const c of [...rt.init, ...rt.containers]) c.shutdown();
    }
    if (!rt.stopping) {
      this.applySpecChanges(rt);
      if (rt.kick) {
        rt.kick = false;
        if (!rt.sandboxReady) this.mount(rt);
        else for (const c of [...rt.init, ...rt.containers]) c.retryConfig();
      }
    }
    this.writeStatus(rt);
  }

  private admit(pod: KObject, node: KObject): PodRuntime {
    const key = keyOf(pod.metadata.namespace, pod.metadata.name!);
    const hostIP = (node.status?.addresses ?? []).find((a: any) => a.type === "InternalIP")?.address ?? "172.18.0.2";
    const rt: PodRuntime = {
      key, uid: pod.metadata.uid!, nodeName: node.metadata.name!, pod, hostIP, podIP: undefined,
      startTime: this.ctx.clock.now(), sandboxReady: false, volumes: new Map(), init: [], containers: [],
      begun: new Set(), mountBackoffMs: 0, mountTimer: undefined, kick: false, stopping: false,
    };
    const policy: RestartPolicy = pod.spec?.restartPolicy ?? "Always";
    const hasInit = (pod.spec?.initContainers ?? []).length > 0;
    const host = this.hostFor(rt);
    const waiting = hasInit ? "PodInitializing" : "ContainerCreating";
    // Init containers must succeed once: they are retried on failure unless the pod never restarts.
    rt.init = (pod.spec?.initContainers ?? []).map((c: any) => new ContainerMachine(host, c, true, policy === "Never" ? "Never" : "OnFailure", waiting));
    rt.containers = (pod.spec?.containers ?? []).map((c: any) => new ContainerMachine(host, c, false, policy, waiting));
    this.pods.set(key, rt);
    this.mount(rt);
    return rt;
  }

  private mount(rt: PodRuntime): void {
    rt.mountTimer?.cancel();
    rt.mountTimer = undefined;
    const res = mountVolumes(rt.pod, this.lookup, rt.hostIP, rt.podIP);
    if (!res.ok) {
      this.event(rt, "Warning", "FailedMount", res.message);
      rt.mountBackoffMs = rt.mountBackoffMs ? Math.min(rt.mountBackoffMs * 2, MOUNT_BACKOFF_MAX_MS) : MOUNT_BACKOFF_INITIAL_MS;
      rt.mountTimer = this.ctx.clock.setTimer(rt.mountBackoffMs, () => {
        rt.kick = true;
        this.queue.add(rt.key);
      });
      return;
    }
    rt.volumes = res.volumes;
    rt.sandboxReady = true;
    rt.podIP = rt.pod.spec?.hostNetwork ? rt.hostIP : this.allocateIP(rt.nodeName);
    this.startNext(rt);
  }

  /** Starts the next init container, or — once all succeeded — every container. */
  private startNext(rt: PodRuntime): void {
    if (rt.stopping) return;
    for (const c of rt.init) {
      if (c.done && (c.state as any).terminated?.exitCode === 0) continue;
      if (!rt.begun.has(c)) {
        rt.begun.add(c);
        c.begin();
      }
      return;
    }
    for (const c of rt.containers) {
      if (rt.begun.has(c)) continue;
      rt.begun.add(c);
      c.begin();
    }
  }

  /** The one mutable container field on a pod is its image: a change restarts that container. */
  private applySpecChanges(rt: PodRuntime): void {
    const specs = new Map<string, any>([...(rt.pod.spec?.initContainers ?? []), ...(rt.pod.spec?.containers ?? [])].map((c: any) => [c.name, c]));
    for (const c of [...rt.init, ...rt.containers]) {
      const next = specs.get(c.name);
      if (!next || next.image === c.spec.image) continue;
      if (c.init && c.done) {
        c.spec = next;
        continue;
      }
      if (rt.begun.has(c)) c.respec(next);
      else c.spec = next;
    }
  }

  private hostFor(rt: PodRuntime): ContainerHost {
    const { ctx } = this;
    return {
      clock: ctx.clock,
      images: this.images,
      logs: this.logs,
      random: ctx.random,
      pod: () => rt.pod,
      podIP: () => rt.podIP,
      event: (type, reason, message, fieldPath) => this.event(rt, type, reason, message, fieldPath),
      imagePresent: (ref) => this.nodeImages.get(rt.nodeName)?.has(ref) ?? false,
      markImagePresent: (ref) => {
        let set = this.nodeImages.get(rt.nodeName);
        if (!set) this.nodeImages.set(rt.nodeName, (set = new Set()));
        set.add(ref);
      },
      prepare: (container) => this.prepare(rt, container),
      lookup: (apiVersion, kind, ns, name) => {
        const type = ctx.registry.byKind(apiVersion, kind);
        return type ? ctx.store.get(type, type.namespaced ? ns ?? "default" : undefined, name) : undefined;
      },
      changed: () => this.queue.add(rt.key),
      finished: (c) => {
        if (c.init && (c.state as any).terminated?.exitCode === 0) this.startNext(rt);
        this.queue.add(rt.key);
      },
    };
  }

  private prepare(rt: PodRuntime, container: Record<string, any>) {
    // Volumes are re-read at each start (the kubelet refreshes their contents); a source that has
    // since vanished keeps the files it had.
    const remount = mountVolumes(rt.pod, this.lookup, rt.hostIP, rt.podIP);
    if (remount.ok) rt.volumes = remount.volumes;
    const node = this.ctx.store.get(this.nodeType, undefined, rt.nodeName);
    try {
      const own = resolveEnv(rt.pod, container, this.lookup, { podIP: rt.podIP, hostIP: rt.hostIP }, node?.status?.allocatable ?? {});
      const env = { ...CLUSTER_ENV, HOSTNAME: rt.pod.spec?.hostname ?? rt.pod.metadata.name!, ...own };
      const expandAll = (list: unknown) => (Array.isArray(list) ? list.map((s) => expandRefs(String(s), env)) : list);
      const expanded = { ...container, command: expandAll(container.command), args: expandAll(container.args) };
      if (expanded.command === undefined) delete expanded.command;
      if (expanded.args === undefined) delete expanded.args;
      return { env, files: containerFiles(container, rt.volumes), container: expanded };
    } catch (e) {
      if (e instanceof ConfigError) return { error: e.message };
      throw e;
    }
  }

  private readonly lookup: ConfigLookup = (kind, ns, name) => {
    const plural = kind === "ConfigMap" ? "configmaps" : kind === "Secret" ? "secrets" : "persistentvolumeclaims";
    const type = this.ctx.registry.find("", "v1", plural);
    return type ? this.ctx.store.get(type, ns, name) : undefined;
  };

  private event(rt: PodRuntime, type: "Normal" | "Warning", reason: string, message: string, fieldPath?: string): void {
    const current = this.ctx.store.get(this.podType, rt.pod.metadata.namespace, rt.pod.metadata.name!);
    const involved = current && current.metadata.uid === rt.uid ? current : rt.pod;
    try {
      this.ctx.events.record(involved, type, reason, message, "kubelet", rt.nodeName, fieldPath);
    } catch (err) {
      // An event that cannot be written is lost, as on a real node; the container's life goes on.
      console.error(`kubelet: event ${reason} for ${rt.key}: ${(err as Error).message}`);
    }
  }

  private writeStatus(rt: PodRuntime): void {
    const { store, clock } = this.ctx;
    const pod = store.get(this.podType, rt.pod.metadata.namespace, rt.pod.metadata.name!);
    if (!pod || pod.metadata.uid !== rt.uid) return;
    const status = podStatus(pod.status, {
      pod, hostIP: rt.hostIP, podIP: rt.podIP, startTime: rt.startTime, sandboxReady: rt.sandboxReady,
      init: rt.init, containers: rt.containers,
    }, clock.now());
    if (JSON.stringify(status) === JSON.stringify(pod.status)) return;
    store.update(this.podType, { ...pod, status }, { subresource: "status" });
  }

  private forget(rt: PodRuntime): void {
    rt.mountTimer?.cancel();
    for (const c of [...rt.init, ...rt.containers]) c.dispose();
    if (rt.podIP && !rt.pod.spec?.hostNetwork) this.releaseIP(rt.nodeName, rt.podIP);
    this.logs.forget(rt.uid);
    this.pods.delete(rt.key);
  }

  private allocateIP(nodeName: string): string {
    const node = this.ctx.store.get(this.nodeType, undefined, nodeName);
    const prefix = cidrPrefix(node?.spec?.podCIDR) ?? "10.244.0.";
    let pool = this.ipam.get(nodeName);
    if (!pool) this.ipam.set(nodeName, (pool = { next: 2, used: new Set() }));
    // host-local IPAM hands addresses out in order and wraps, skipping those in use.
    for (let i = 0; i < 253; i++) {
      const host = 2 + ((pool.next - 2 + i) % 253);
      if (pool.used.has(host)) continue;
      pool.used.add(host);
      pool.next = host + 1 > 254 ? 2 : host + 1;
      return `${prefix}${host}`;
    }
    throw new Error(`no free pod IP on ${nodeName}`);
  }

  private releaseIP(nodeName: string, ip: string): void {
    this.ipam.get(nodeName)?.used.delete(Number(ip.slice(ip.lastIndexOf(".") + 1)));
  }
}

/** A pod whose volumes are not mounted yet, or with a container stuck on its configuration. */
const waitsOnConfig = (rt: PodRuntime) =>
  !rt.sandboxReady || [...rt.init, ...rt.containers].some((c) => (c.state as any).waiting?.reason === "CreateContainerConfigError");

/** "10.244.1.0/24" -> "10.244.1." (the simulated nodes have /24 pod ranges). */
function cidrPrefix(cidr: unknown): string | undefined {
  const m = typeof cidr === "string" ? /^(\d+\.\d+\.\d+\.)\d+\/\d+$/.exec(cidr) : null;
  return m ? m[1] : undefined;
}
