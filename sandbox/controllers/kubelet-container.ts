/**
 * One container's life on the simulated node, as a small state machine on the Clock: pull the
 * image (or fail to: ErrImagePull, then ImagePullBackOff with back-off 10s doubling to 300s),
 * configure and create it (CreateContainerConfigError when a ConfigMap or Secret is missing), start
 * it through its image's behaviour model, run its probes, and when it ends — exit, OOM kill,
 * liveness kill — restart it as the pod's restartPolicy says, with the kubelet's CrashLoopBackOff
 * back-off (immediate first restart, then 10s doubling to 300s, forgotten after 10 minutes).
 * It reports through ContainerHost: events, logs, and "my status changed".
 */
import { isoSeconds } from "../api/store.ts";
import { tryParseQuantity } from "../api/kinds/quantity.ts";
import type { KObject } from "../api/types.ts";
import type { Clock, TimerHandle } from "../clock.ts";
import { parseImage, type ContainerRun, type ImageCatalog, type ServedPort } from "../images/catalog.ts";
import type { ContainerLogs } from "./container-logs.ts";
import type { EventType } from "./events.ts";
import { fullRef, goDuration, hex64, imageIdOf, imageSize, pullError, pullMs } from "./kubelet-image.ts";
import { ProbeWorker, type ProbeKind } from "./probes.ts";

export const BACKOFF_INITIAL_MS = 10_000;
export const BACKOFF_MAX_MS = 300_000;
/** How long after an exit the kubelet's next sync notices it and acts. */
const SYNC_DELAY_MS = 1_000;
/** How long an over-limit container takes to reach its limit and be killed. */
const OOM_AFTER_MS = 2_000;
/** CreateContainerConfigError is retried on the kubelet's next pod sync. */
const CONFIG_RETRY_MS = 10_000;

export type RestartPolicy = "Always" | "OnFailure" | "Never";

type Terminated = { exitCode: number; reason: string; message?: string; startedAt: string; finishedAt: string; containerID: string };
type State = { waiting: { reason: string; message?: string } } | { running: { startedAt: string } } | { terminated: Terminated };

export interface ContainerHost {
  readonly clock: Clock;
  readonly images: ImageCatalog;
  readonly logs: ContainerLogs;
  random(): number;
  pod(): KObject;
  podIP(): string | undefined;
  event(type: EventType, reason: string, message: string, fieldPath?: string): void;
  imagePresent(ref: string): boolean;
  markImagePresent(ref: string): void;
  /** Environment and files for the container, or the configuration error. */
  prepare(container: Record<string, any>): { env: Record<string, string>; files: Record<string, string>; container: Record<string, any> } | { error: string };
  lookup(apiVersion: string, kind: string, namespace: string | undefined, name: string): KObject | undefined;
  /** Something in this container's status changed: write the pod status. */
  changed(): void;
  /** The container ended and will not be restarted (completed init container, or restartPolicy says no). */
  finished(c: ContainerMachine): void;
}

export class ContainerMachine {
  state: State;
  lastState: State | Record<string, never> = {};
  restartCount = 0;
  ready = false;
  started = false;
  containerID: string | undefined;
  imageRef: string;
  imageID = "";
  private timers: TimerHandle[] = [];
  private probes: ProbeWorker[] = [];
  private run: ContainerRun | undefined;
  /** The files mounted into the running instance (what an exec probe can see). */
  private files: Record<string, string> = {};
  private startedAt = 0;
  private pullBackoffMs = 0;
  private crash: { backoffMs: number; lastUpdate: number } | undefined;
  private disposed = false;

  constructor(
    private readonly host: ContainerHost,
    public spec: Record<string, any>,
    readonly init: boolean,
    private readonly restartPolicy: RestartPolicy,
    waitingReason = "ContainerCreating",
  ) {
    this.state = { waiting: { reason: waitingReason } };
    this.imageRef = String(spec.image ?? "");
  }

  get name(): string {
    return this.spec.name;
  }

  /** What a container being pulled or created waits on: init containers report PodInitializing. */
  private get creatingReason(): string {
    return this.init ? "PodInitializing" : "ContainerCreating";
  }

  private get fieldPath(): string {
    return `spec.${this.init ? "initContainers" : "containers"}{${this.name}}`;
  }

  /** True once the container has terminated for good (no restart coming). */
  get done(): boolean {
    return "terminated" in this.state && this.timers.length === 0;
  }

  /** Starts the container's life: pull, create, start. */
  begin(): void {
    this.state = { waiting: { reason: this.creatingReason } };
    this.host.changed();
    this.pull();
  }

  /** Stops everything: timers, probes. The container is gone. Idempotent. */
  dispose(): void {
    this.disposed = true;
    this.clearTimers();
    this.stopProbes();
  }

  /** Kills the running instance for a reason other than its own exit (liveness, spec change). */
  kill(exitCode = 137, reason = "Error"): void {
    if (!("running" in this.state)) return;
    this.terminate({ exitCode, reason });
  }

  /** A ConfigMap or Secret appeared or changed: a container stuck on its configuration tries again now. */
  retryConfig(): void {
    if (!("waiting" in this.state) || this.state.waiting.reason !== "CreateContainerConfigError") return;
    this.clearTimers();
    this.create();
  }

  /** The pod is being deleted: stop the container for good (SIGTERM), no restart. */
  shutdown(): void {
    if (this.disposed) return;
    this.clearTimers();
    this.stopProbes();
    if ("running" in this.state) {
      this.host.event("Normal", "Killing", `Stopping container ${this.name}`, this.fieldPath);
      this.setTerminated({ exitCode: 143, reason: "Error" });
    }
    this.disposed = true;
    this.host.changed();
  }

  /** The container spec changed (e.g. its image): the kubelet kills it and starts the new definition. */
  respec(spec: Record<string, any>): void {
    const running = "running" in this.state;
    this.spec = spec;
    this.host.event("Normal", "Killing", `Container ${this.name} definition changed, will be restarted`, this.fieldPath);
    this.clearTimers();
    this.stopProbes();
    if (running) this.setTerminated({ exitCode: 137, reason: "Error" });
    this.crash = undefined;
    this.restart();
  }

  /** The containerStatuses entry the API shows. */
  status(): Record<string, any> {
    return {
      name: this.name,
      state: this.state,
      lastState: this.lastState,
      ready: this.ready,
      restartCount: this.restartCount,
      image: this.imageRef,
      imageID: this.imageID,
      ...(this.containerID ? { containerID: `containerd://${this.containerID}` } : {}),
      started: this.started,
    };
  }

  // ---- image ----------------------------------------------------------------------------------

  private pull(): void {
    const image = String(this.spec.image ?? "");
    const ref = fullRef(image);
    const tag = parseImage(image).tag;
    const policy = this.spec.imagePullPolicy ?? (tag === "latest" && !image.includes("@") ? "Always" : "IfNotPresent");
    if (policy !== "Always" && this.host.imagePresent(ref)) {
      this.host.event("Normal", "Pulled", `Container image "${image}" already present on machine`, this.fieldPath);
      return this.create();
    }
    if (policy === "Never") {
      const msg = `Container image "${image}" is not present with pull policy of Never`;
      this.setWaiting("ErrImageNeverPull", msg);
      this.host.event("Warning", "ErrImageNeverPull", msg, this.fieldPath);
      return;
    }
    this.host.event("Normal", "Pulling", `Pulling image "${image}"`, this.fieldPath);
    const found = this.host.images.resolve(image);
    const ms = found ? pullMs(ref) : 700 + Math.floor(this.host.random() * 600);
    this.after(ms, () => {
      // Re-resolve at the end of the pull: the catalog is the registry, asked when the pull happens.
      if (this.host.images.resolve(image)) this.pulled(image, ref, ms);
      else this.pullFailed(image, ref);
    });
  }

  private pulled(image: string, ref: string, ms: number): void {
    this.host.markImagePresent(ref);
    this.pullBackoffMs = 0;
    const secs = `${(ms / 1000).toFixed(3).replace(/\.?0+$/, "")}s`;
    this.host.event("Normal", "Pulled", `Successfully pulled image "${image}" in ${secs} (${secs} including waiting). Image size: ${imageSize(ref)} bytes.`, this.fieldPath);
    this.create();
  }

  private pullFailed(image: string, ref: string): void {
    const msg = pullError(ref, this.host.images.hasRepository(image));
    this.host.event("Warning", "Failed", `Failed to pull image "${image}": ${msg}`, this.fieldPath);
    this.host.event("Warning", "Failed", "Error: ErrImagePull", this.fieldPath);
    this.setWaiting("ErrImagePull", msg);
    this.pullBackoffMs = this.pullBackoffMs ? Math.min(this.pullBackoffMs * 2, BACKOFF_MAX_MS) : BACKOFF_INITIAL_MS;
    const retryIn = this.pullBackoffMs;
    this.after(SYNC_DELAY_MS, () => {
      const back = `Back-off pulling image "${image}"`;
      this.host.event("Normal", "BackOff", back, this.fieldPath);
      this.host.event("Warning", "Failed", "Error: ImagePullBackOff", this.fieldPath);
      this.setWaiting("ImagePullBackOff", back);
    });
    this.after(retryIn, () => this.pull());
  }

  // ---- create and start -----------------------------------------------------------------------

  private create(): void {
    const prepared = this.host.prepare(this.spec);
    if ("error" in prepared) {
      this.setWaiting("CreateContainerConfigError", prepared.error);
      this.host.event("Warning", "Failed", `Error: ${prepared.error}`, this.fieldPath);
      this.after(CONFIG_RETRY_MS, () => this.create());
      return;
    }
    this.files = prepared.files;
    const image = String(this.spec.image ?? "");
    const found = this.host.images.resolve(image);
    const ref = fullRef(image);
    const pod = this.host.pod();
    let run: ContainerRun;
    try {
      run = found
        ? found.entry.behaviour.start({
            pod,
            container: prepared.container,
            image: found.entry.repository,
            tag: found.tag,
            env: prepared.env,
            files: prepared.files,
            restartCount: this.restartCount,
            now: this.host.clock.now(),
            random: this.host.random,
            lookup: (a, k, ns, n) => this.host.lookup(a, k, ns, n),
          })
        : { outcome: "exit", afterMs: 100, exitCode: 1, reason: "Error", logs: [] };
    } catch (err) {
      // A behaviour model that throws is a bug in the model; the container "crashes" instead of the kubelet.
      run = { outcome: "exit", afterMs: 100, exitCode: 1, reason: "Error", logs: [`${(err as Error).message}`] };
    }
    this.containerID = hex64(this.host.random);
    this.imageRef = ref;
    this.imageID = imageIdOf(ref);
    this.host.event("Normal", "Created", `Created container ${this.name}`, this.fieldPath);
    const now = this.host.clock.now();
    if (run.outcome === "exit" && run.reason === "StartError") {
      this.host.event("Warning", "Failed", `Error: ${run.message ?? "failed to start container"}`, this.fieldPath);
      this.run = undefined;
      this.startedAt = 0;
      this.terminate({ exitCode: run.exitCode, reason: "StartError", message: run.message });
      return;
    }
    this.run = run;
    this.startedAt = now;
    this.host.logs.startInstance(pod.metadata.uid!, this.name, this.containerID, run.logs, now);
    this.host.event("Normal", "Started", `Started container ${this.name}`, this.fieldPath);
    this.state = { running: { startedAt: isoSeconds(now) } };
    const startup = this.init ? undefined : this.spec.startupProbe;
    this.started = !startup;
    this.ready = !this.init && this.started && !this.spec.readinessProbe;
    if (run.outcome === "exit") {
      const exit = run;
      this.after(Math.max(0, exit.afterMs), () =>
        this.terminate({ exitCode: exit.exitCode, reason: exit.reason ?? (exit.exitCode === 0 ? "Completed" : "Error"), message: exit.message }));
    } else {
      const limit = tryParseQuantity(this.spec.resources?.limits?.memory);
      if (limit !== undefined && (run.memoryBytes ?? 0) > limit) this.after(OOM_AFTER_MS, () => this.terminate({ exitCode: 137, reason: "OOMKilled" }));
    }
    if (!this.init) {
      if (startup) this.startProbe("Startup", startup);
      else this.startMainProbes();
    }
    this.host.changed();
  }

  // ---- probes ---------------------------------------------------------------------------------

  private startMainProbes(): void {
    if (this.spec.readinessProbe) this.startProbe("Readiness", this.spec.readinessProbe);
    if (this.spec.livenessProbe) this.startProbe("Liveness", this.spec.livenessProbe);
  }

  private startProbe(kind: ProbeKind, probe: Record<string, any>): void {
    const target = { podIP: () => this.host.podIP(), serves: () => this.serving(), files: () => this.files };
    const worker = new ProbeWorker(kind, probe, this.spec, target, this.host.clock, {
      failed: (message, errored) => {
        const text = errored ? `${kind} probe errored: ${message}` : `${kind} probe failed: ${message}`;
        this.host.event("Warning", "Unhealthy", text, this.fieldPath);
      },
      changed: (ok) => {
        if (kind === "Readiness") {
          this.ready = ok;
          this.host.changed();
        } else if (kind === "Startup" && ok) {
          this.started = true;
          this.ready = !this.spec.readinessProbe;
          this.startMainProbes();
          this.host.changed();
        } else if (!ok) {
          const which = kind === "Liveness" ? "liveness" : "startup";
          this.host.event("Normal", "Killing", `Container ${this.name} failed ${which} probe, will be restarted`, this.fieldPath);
          this.kill();
        }
      },
    });
    this.probes.push(worker);
    worker.start();
  }

  /** What the running instance answers on right now. */
  private serving(): ServedPort[] {
    if (!("running" in this.state) || this.run?.outcome !== "run") return [];
    if (this.host.clock.now() < this.startedAt + (this.run.readyAfterMs ?? 0)) return [];
    return this.run.serves;
  }

  // ---- exit and restart -----------------------------------------------------------------------

  private terminate(t: { exitCode: number; reason: string; message?: string }): void {
    this.clearTimers();
    this.stopProbes();
    this.setTerminated(t);
    this.host.changed();
    const restart = this.restartPolicy === "Always" || (this.restartPolicy === "OnFailure" && t.exitCode !== 0);
    if (!restart) {
      this.host.finished(this);
      return;
    }
    const finishedAt = this.host.clock.now();
    // The back-off entry is forgotten when the last restart was long ago (2 x max = 10 minutes).
    if (this.crash && finishedAt - this.crash.lastUpdate > 2 * BACKOFF_MAX_MS) this.crash = undefined;
    const crash = this.crash;
    if (!crash) {
      this.after(SYNC_DELAY_MS, () => this.restart());
      return;
    }
    this.after(SYNC_DELAY_MS, () => {
      const pod = this.host.pod();
      const who = `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
      this.lastState = this.state;
      this.state = { waiting: { reason: "CrashLoopBackOff", message: `back-off ${goDuration(crash.backoffMs)} restarting failed container=${this.name} pod=${who}` } };
      this.host.event("Warning", "BackOff", `Back-off restarting failed container ${this.name} in pod ${who}`, this.fieldPath);
      this.host.changed();
    });
    this.after(Math.max(SYNC_DELAY_MS, crash.backoffMs), () => this.restart());
  }

  private setTerminated(t: { exitCode: number; reason: string; message?: string }): void {
    this.state = {
      terminated: {
        exitCode: t.exitCode,
        reason: t.reason,
        ...(t.message ? { message: t.message } : {}),
        // A container that never started reports the zero time, as containerd does.
        startedAt: this.startedAt ? isoSeconds(this.startedAt) : "1970-01-01T00:00:00Z",
        finishedAt: isoSeconds(this.host.clock.now()),
        containerID: `containerd://${this.containerID ?? hex64(this.host.random)}`,
      },
    };
    // A completed init container reports ready, as the kubelet does.
    this.ready = this.init && t.exitCode === 0;
    this.started = false;
  }

  private restart(): void {
    if (this.disposed) return;
    const now = this.host.clock.now();
    this.crash = this.crash ? { backoffMs: Math.min(this.crash.backoffMs * 2, BACKOFF_MAX_MS), lastUpdate: now } : { backoffMs: BACKOFF_INITIAL_MS, lastUpdate: now };
    if ("terminated" in this.state) this.lastState = this.state;
    this.restartCount++;
    this.clearTimers();
    this.state = { waiting: { reason: this.creatingReason } };
    this.host.changed();
    this.pull();
  }

  // ---- helpers --------------------------------------------------------------------------------

  private setWaiting(reason: string, message?: string): void {
    this.state = { waiting: { reason, ...(message ? { message } : {}) } };
    this.ready = false;
    this.host.changed();
  }

  private after(ms: number, fn: () => void): void {
    const handle = this.host.clock.setTimer(ms, () => {
      this.timers = this.timers.filter((t) => t !== handle);
      if (!this.disposed) fn();
    });
    this.timers.push(handle);
  }

  private clearTimers(): void {
    for (const t of this.timers) t.cancel();
    this.timers = [];
  }

  private stopProbes(): void {
    for (const p of this.probes) p.stop();
    this.probes = [];
  }
}
