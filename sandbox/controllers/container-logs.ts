/**
 * Container logs, as the kubelet keeps them on a node: per pod and container, the lines of the
 * current instance and of the previous one, each stamped with the clock time it was written and
 * bounded to the last DEFAULT_LOG_LINES lines. `read` serves the pods/log subresource with the
 * choices and errors of the real API server and kubelet: which container (by name or the only
 * one), which instance (from the pod's containerStatuses, so a crash-looping container shows its
 * last run), tailLines, sinceSeconds and timestamps. The workload layer adds request logs through
 * `append`.
 */
import { ApiError, badRequest } from "../api/errors.ts";
import type { ResourceType } from "../api/resources.ts";
import type { PodLogSource } from "../api/server.ts";
import type { ObjectStore } from "../api/store.ts";
import type { KObject } from "../api/types.ts";

export const DEFAULT_LOG_LINES = 2_000;
/** How many instances per container are kept: the current and the previous one. */
const INSTANCES_KEPT = 2;

type Line = { ts: number; seq: number; text: string };
type Instance = { containerId: string; lines: Line[] };

export type LogReadOptions = { previous: boolean; tailLines?: number; timestamps: boolean; sinceSeconds?: number };

export class ContainerLogs implements PodLogSource {
  /** pod uid -> container name -> instances, oldest first */
  private readonly pods = new Map<string, Map<string, Instance[]>>();
  private seq = 0;
  private store: ObjectStore | undefined;
  private podType: ResourceType | undefined;

  constructor(private readonly maxLines = DEFAULT_LOG_LINES) {}

  /** Connects the log source to the cluster it reads pod statuses from (done by the kubelet at start). */
  bind(store: ObjectStore, podType: ResourceType): void {
    this.store = store;
    this.podType = podType;
  }

  /** A new container instance begins; its first lines (what it printed on start) come with it. */
  startInstance(podUid: string, container: string, containerId: string, lines: string[], at: number): void {
    let byContainer = this.pods.get(podUid);
    if (!byContainer) this.pods.set(podUid, (byContainer = new Map()));
    const instances = byContainer.get(container) ?? [];
    instances.push({ containerId: bareId(containerId), lines: [] });
    while (instances.length > INSTANCES_KEPT) instances.shift();
    byContainer.set(container, instances);
    for (const text of lines) this.push(instances[instances.length - 1], text, at);
  }

  /**
   * Appends a line to the current instance of a container, stamped `at` (default: the store's
   * clock). Ignored when the container has no running instance yet. Idempotent per call only.
   */
  append(podUid: string, container: string, line: string, at?: number): void {
    const instances = this.pods.get(podUid)?.get(container);
    if (!instances?.length) return;
    this.push(instances[instances.length - 1], line, at ?? this.store?.clock.now() ?? 0);
  }

  /** Drops everything kept for a pod (it was deleted). */
  forget(podUid: string): void {
    this.pods.delete(podUid);
  }

  read(namespace: string, podName: string, container: string | undefined, opts: LogReadOptions): string {
    if (!this.store || !this.podType) return "";
    const pod = this.store.require(this.podType, namespace, podName);
    const name = chooseContainer(pod, container);
    // An unscheduled pod has no kubelet to ask: the real server answers with an empty stream.
    if (!pod.spec?.nodeName) return "";
    const statuses: any[] = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
    const status = statuses.find((s) => s?.name === name);
    const containerId = instanceFor(status, name, podName, opts.previous);
    const instance = this.pods.get(pod.metadata.uid!)?.get(name)?.find((i) => i.containerId === bareId(containerId));
    let lines = instance?.lines ?? [];
    if (lines.length > this.maxLines) lines = lines.slice(-this.maxLines);
    if (opts.sinceSeconds !== undefined) {
      const from = this.store.clock.now() - opts.sinceSeconds * 1000;
      lines = lines.filter((l) => l.ts >= from);
    }
    if (opts.tailLines !== undefined) lines = opts.tailLines === 0 ? [] : lines.slice(-opts.tailLines);
    if (!lines.length) return "";
    return lines.map((l) => (opts.timestamps ? `${rfc3339Nano(l.ts, l.seq)} ${l.text}` : l.text)).join("\n") + "\n";
  }

  private push(instance: Instance, text: string, at: number): void {
    for (const part of text.split("\n")) instance.lines.push({ ts: at, seq: this.seq++, text: part });
    // Trim in batches so a chatty container does not pay for a shift on every line.
    if (instance.lines.length > this.maxLines * 1.25) instance.lines = instance.lines.slice(-this.maxLines);
  }
}

/** The API server's choice of container: the named one, or the only one. */
function chooseContainer(pod: KObject, container: string | undefined): string {
  const names: string[] = (pod.spec?.containers ?? []).map((c: any) => c.name);
  const initNames: string[] = (pod.spec?.initContainers ?? []).map((c: any) => c.name);
  const podName = pod.metadata.name!;
  if (!container) {
    if (names.length === 1) return names[0];
    const init = initNames.length ? ` or one of the init containers: [${initNames.join(" ")}]` : "";
    throw badRequest(`a container name must be specified for pod ${podName}, choose one of: [${names.join(" ")}]${init}`);
  }
  if (!names.includes(container) && !initNames.includes(container)) {
    throw badRequest(`container ${container} is not valid for pod ${podName}`);
  }
  return container;
}

/** The kubelet's validateContainerLogStatus: which instance's log to serve, or why there is none. */
function instanceFor(status: any, name: string, pod: string, previous: boolean): string {
  const state = status?.state ?? {};
  const last = status?.lastState?.terminated;
  const fail = (msg: string) => new ApiError(400, "BadRequest", msg);
  if (previous) {
    if (!last?.containerID) throw fail(`previous terminated container "${name}" in pod "${pod}" not found`);
    return last.containerID;
  }
  if (state.running) return state.running.containerID ?? status.containerID;
  if (state.terminated) {
    if (state.terminated.containerID) return state.terminated.containerID;
    if (last?.containerID) return last.containerID;
    throw fail(`container "${name}" in pod "${pod}" is terminated`);
  }
  if (last) {
    if (!last.containerID) throw fail(`container "${name}" in pod "${pod}" is terminated`);
    return last.containerID;
  }
  const reason = state.waiting?.reason ?? "ContainerCreating";
  if (reason === "ErrImagePull") throw fail(`container "${name}" in pod "${pod}" is waiting to start: image can't be pulled`);
  if (reason === "ImagePullBackOff") throw fail(`container "${name}" in pod "${pod}" is waiting to start: trying and failing to pull image`);
  throw fail(`container "${name}" in pod "${pod}" is waiting to start: ${reason}`);
}

const bareId = (id: string) => id.replace(/^[a-z]+:\/\//, "");

/** Go's RFC3339Nano: nanosecond fraction with trailing zeros trimmed. */
function rfc3339Nano(ms: number, seq: number): string {
  const base = new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19);
  // Sub-millisecond digits keep lines written in the same millisecond distinct and ordered.
  const nanos = (Math.floor(ms) % 1000) * 1_000_000 + (seq % 1_000_000);
  const frac = String(nanos).padStart(9, "0").replace(/0+$/, "");
  return `${base}${frac ? `.${frac}` : ""}Z`;
}
