/**
 * Readiness, liveness and startup probes, run by the kubelet against what a container really
 * serves: its image behaviour's `serves` list (port, and for HTTP the paths that answer). A probe
 * runs after initialDelaySeconds, then every periodSeconds; successThreshold and failureThreshold
 * decide when the result flips, and every failure is reported with the real kubelet's wording
 * ("dial tcp 10.244.1.7:8080: connect: connection refused", "HTTP probe failed with statuscode: 404").
 */
import type { Clock, TimerHandle } from "../clock.ts";
import type { ServedPort } from "../images/catalog.ts";
import { evaluateExec } from "./exec-probe.ts";

/** The earliest a container's first probe runs after it starts. */
const FIRST_PROBE_MS = 1_000;

export type ProbeKind = "Readiness" | "Liveness" | "Startup";

export type { ProbeOutcome } from "./exec-probe.ts";
import type { ProbeOutcome } from "./exec-probe.ts";

/** What the probed container offers right now; `podIP` is where the kubelet connects. */
export type ProbeTarget = { podIP(): string | undefined; serves(): ServedPort[]; files?(): Record<string, string> };

export type ProbeCallbacks = {
  /** Called on each failed probe, for the Unhealthy event. */
  failed(message: string, errored: boolean): void;
  /** Called when the probe's result flips (after the thresholds). */
  changed(success: boolean): void;
};

/** Resolves a probe port (number, numeric string or a named container port). */
export function resolvePort(port: unknown, container: Record<string, any>): number | undefined {
  if (typeof port === "number") return port;
  if (typeof port === "string") {
    if (/^\d+$/.test(port)) return Number(port);
    const named = (container.ports ?? []).find((p: any) => p?.name === port);
    return typeof named?.containerPort === "number" ? named.containerPort : undefined;
  }
  return undefined;
}

/** One probe attempt, decided from what the container serves. */
export function evaluateProbe(probe: Record<string, any>, container: Record<string, any>, target: ProbeTarget): ProbeOutcome {
  if (probe.exec) return evaluateExec(probe.exec.command, target.files?.() ?? {}, container.command);
  const action = probe.httpGet ?? probe.tcpSocket ?? probe.grpc;
  if (!action) return { ok: true };
  const port = resolvePort(action.port, container);
  if (port === undefined) return { ok: false, errored: true, message: `unable to resolve port ${JSON.stringify(action.port)}: couldn't find port: ${action.port} in container ${container.name}` };
  const host = (probe.httpGet?.host as string | undefined) || target.podIP() || "";
  const served = target.serves().find((s) => s.port === port && (s.protocol ?? "TCP") === "TCP");
  const refused = `dial tcp ${host}:${port}: connect: connection refused`;
  if (probe.httpGet) {
    const scheme = String(probe.httpGet.scheme ?? "HTTP").toLowerCase();
    const rawPath = String(probe.httpGet.path ?? "/");
    const path = rawPath.startsWith("/") ? rawPath : `/${rawPath}`;
    const url = `${scheme}://${host}:${port}${path}`;
    if (!served) return { ok: false, message: `Get "${url}": ${refused}` };
    // A port that does not speak HTTP closes the connection on the request.
    if (served.httpPaths && served.httpPaths.length === 0) return { ok: false, message: `Get "${url}": EOF` };
    const bare = path.split("?")[0];
    if (served.httpPaths && !served.httpPaths.includes(bare)) return { ok: false, message: "HTTP probe failed with statuscode: 404" };
    return { ok: true };
  }
  if (probe.grpc) {
    if (!served) return { ok: false, message: `timeout: failed to connect service "${host}:${port}" within 1s: context deadline exceeded` };
    return { ok: true };
  }
  if (!served) return { ok: false, message: refused };
  return { ok: true };
}

/** A probe worker for one container instance; `stop` ends it (idempotent). */
export class ProbeWorker {
  private timer: TimerHandle | undefined;
  private successes = 0;
  private failures = 0;
  private result: boolean;
  private stopped = false;

  constructor(
    readonly kind: ProbeKind,
    private readonly probe: Record<string, any>,
    private readonly container: Record<string, any>,
    private readonly target: ProbeTarget,
    private readonly clock: Clock,
    private readonly on: ProbeCallbacks,
  ) {
    // Readiness and startup start failed until a probe passes; liveness starts passing.
    this.result = kind === "Liveness";
  }

  start(): void {
    // The first probe runs once the worker is up: never sooner than a second after the start.
    const initial = Math.max(FIRST_PROBE_MS, num(this.probe.initialDelaySeconds, 0) * 1000);
    this.timer = this.clock.setTimer(initial, () => this.tick());
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  private tick(): void {
    if (this.stopped) return;
    const period = Math.max(1, num(this.probe.periodSeconds, 10)) * 1000;
    const outcome = evaluateProbe(this.probe, this.container, this.target);
    if (outcome.ok) {
      this.failures = 0;
      this.successes++;
      // Liveness and startup probes must have a successThreshold of 1.
      const needed = this.kind === "Readiness" ? Math.max(1, num(this.probe.successThreshold, 1)) : 1;
      if (!this.result && this.successes >= needed) this.flip(true);
    } else {
      this.successes = 0;
      this.failures++;
      this.on.failed(outcome.message, outcome.errored ?? false);
      if (this.stopped) return;
      // A startup probe that never passed fails too: the kubelet kills the container.
      const live = this.result || this.kind === "Startup";
      if (live && this.failures >= Math.max(1, num(this.probe.failureThreshold, 3))) this.flip(false);
    }
    if (this.stopped) return;
    // A startup probe is done once it has passed.
    if (this.kind === "Startup" && this.result) return;
    this.timer = this.clock.setTimer(period, () => this.tick());
  }

  private flip(to: boolean): void {
    this.result = to;
    this.failures = 0;
    this.successes = 0;
    this.on.changed(to);
  }
}

const num = (v: unknown, dflt: number) => (typeof v === "number" && Number.isFinite(v) ? v : dflt);
