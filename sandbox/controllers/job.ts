/**
 * The Job controller (batch/v1): runs a Job's pods until `completions` of them succeeded, at most
 * `parallelism` at a time, counting failed pods against `backoffLimit`. It records the real
 * controller's events (SuccessfulCreate "Created pod: x", Completed "Job completed",
 * BackoffLimitExceeded "Job has reached the specified backoff limit") and status: active /
 * succeeded / failed / ready counts, startTime, completionTime, and the conditions
 * SuccessCriteriaMet + Complete, or FailureTarget + Failed. Failed pods are replaced after the
 * controller's back-off (10 s, doubling, at most 6 minutes). A suspended Job runs no pods.
 */
import type { ResourceType } from "../api/resources.ts";
import { isoSeconds } from "../api/store.ts";
import type { KObject } from "../api/types.ts";
import { enqueueOwnerAndChildren, keyOf, splitKey, WorkQueue, type Controller, type ControllerContext } from "./controller.ts";
import { controllerRefTo, isControlledBy } from "./pod-readiness.ts";

const COMPONENT = "job-controller";
const BACKOFF_INITIAL_MS = 10_000;
const BACKOFF_MAX_MS = 360_000;

const phase = (p: KObject) => p.status?.phase;
const isReadyPod = (p: KObject) => (p.status?.conditions ?? []).some((c: any) => c.type === "Ready" && c.status === "True");

export class JobController implements Controller {
  readonly name = COMPONENT;
  private ctx!: ControllerContext;
  private queue!: WorkQueue;
  private jobType!: ResourceType;
  private podType!: ResourceType;
  private unsubscribe: (() => void) | undefined;

  start(ctx: ControllerContext): void {
    this.ctx = ctx;
    this.jobType = ctx.rt("Job");
    this.podType = ctx.rt("Pod");
    this.queue = new WorkQueue(ctx.clock, (key) => this.sync(key), (key, err) => console.error(`job: ${key}: ${(err as Error).stack ?? err}`));
    this.unsubscribe = enqueueOwnerAndChildren(ctx, this.queue, "batch/jobs", "core/pods", "Job");
  }

  stop(): void {
    this.unsubscribe?.();
    this.queue?.stop();
  }

  private sync(key: string): void {
    const { store, clock, events } = this.ctx;
    const [ns, name] = splitKey(key);
    const job = store.get(this.jobType, ns, name);
    if (!job || job.metadata.deletionTimestamp) return;
    const conds: any[] = job.status?.conditions ?? [];
    if (conds.some((c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True")) return;
    const pods = store.dependentsOf(job.metadata.uid!).filter(([t, o]) => t === this.podType && isControlledBy(o, job.metadata.uid)).map(([, o]) => o);
    const succeeded = pods.filter((p) => phase(p) === "Succeeded").length;
    const failed = pods.filter((p) => phase(p) === "Failed").length;
    const active = pods.filter((p) => phase(p) !== "Succeeded" && phase(p) !== "Failed" && !p.metadata.deletionTimestamp);
    const spec = job.spec ?? {};
    const completions: number = spec.completions ?? 1;
    const parallelism: number = spec.parallelism ?? 1;
    const now = clock.now();
    const status: Record<string, any> = { ...(job.status ?? {}) };
    status.startTime ??= spec.suspend ? undefined : isoSeconds(now);

    let finished: "Complete" | "Failed" | undefined;
    if (succeeded >= completions) finished = "Complete";
    else if (failed > (spec.backoffLimit ?? 6)) finished = "Failed";

    if (!finished && !spec.suspend) {
      const want = Math.min(parallelism, completions - succeeded) - active.length;
      const backoff = failed ? Math.min(BACKOFF_MAX_MS, BACKOFF_INITIAL_MS * 2 ** (failed - 1)) : 0;
      const lastFailure = Math.max(0, ...pods.filter((p) => phase(p) === "Failed").map((p) => Date.parse(p.status?.containerStatuses?.[0]?.state?.terminated?.finishedAt ?? p.metadata.creationTimestamp ?? "0")));
      if (want > 0 && now < lastFailure + backoff) this.queue.addAfter(key, lastFailure + backoff - now);
      else {
        for (let i = 0; i < want; i++) {
          const pod = this.createPod(job);
          if (!pod) break;
          active.push(pod);
        }
      }
    }

    const next: Record<string, any> = {
      ...(status.startTime ? { startTime: status.startTime } : {}),
      ...(active.length ? { active: active.length } : {}),
      ...(succeeded ? { succeeded } : {}),
      ...(failed ? { failed } : {}),
      ready: active.filter(isReadyPod).length,
      terminating: 0,
      uncountedTerminatedPods: {},
    };
    let conditions = [...conds];
    const add = (type: string, reason: string, message: string) => {
      conditions = conditions.filter((c) => c.type !== type);
      conditions.push({ type, status: "True", reason, message, lastProbeTime: isoSeconds(now), lastTransitionTime: isoSeconds(now) });
    };
    if (finished === "Complete") {
      add("SuccessCriteriaMet", "CompletionsReached", "Reached expected number of succeeded pods");
      add("Complete", "CompletionsReached", "Reached expected number of succeeded pods");
      next.completionTime = isoSeconds(now);
      events.record(job, "Normal", "Completed", "Job completed", COMPONENT);
    } else if (finished === "Failed") {
      for (const p of active) store.delete(this.podType, p.metadata.namespace, p.metadata.name!);
      add("FailureTarget", "BackoffLimitExceeded", "Job has reached the specified backoff limit");
      add("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit");
      next.active = undefined;
      events.record(job, "Warning", "BackoffLimitExceeded", "Job has reached the specified backoff limit", COMPONENT);
    }
    if (conditions.length) next.conditions = conditions;
    for (const k of Object.keys(next)) if (next[k] === undefined) delete next[k];
    if (JSON.stringify(next) === JSON.stringify(job.status ?? {})) return;
    store.mutate(this.jobType, ns, name, (o) => {
      o.status = next;
    }, { subresource: "status" });
  }

  /** Creates one pod of the Job; undefined (with a FailedCreate event and a retry) when the server refuses. */
  private createPod(job: KObject): KObject | undefined {
    const template = job.spec?.template ?? {};
    const tmeta = template.metadata ?? {};
    const pod: KObject = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        generateName: `${job.metadata.name}-`,
        namespace: job.metadata.namespace,
        labels: { ...(tmeta.labels ?? {}) },
        ...(tmeta.annotations ? { annotations: { ...tmeta.annotations } } : {}),
        ownerReferences: [controllerRefTo(job)],
      },
      spec: structuredClone(template.spec ?? {}),
      status: { phase: "Pending" },
    };
    try {
      const created = this.ctx.store.create(this.podType, pod);
      this.ctx.events.record(job, "Normal", "SuccessfulCreate", `Created pod: ${created.metadata.name}`, COMPONENT);
      return created;
    } catch (err) {
      this.ctx.events.record(job, "Warning", "FailedCreate", `Error creating: ${(err as Error).message}`, COMPONENT);
      this.queue.addAfter(keyOf(job.metadata.namespace, job.metadata.name!), BACKOFF_INITIAL_MS);
      return undefined;
    }
  }
}
