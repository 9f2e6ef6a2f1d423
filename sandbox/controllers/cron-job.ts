/**
 * The CronJob controller (batch/v1): at each time the schedule names (UTC, minute resolution) it
 * creates a Job from the job template, named `<cronjob>-<scheduled time in minutes>` as the real
 * controller names them, honouring suspend and concurrencyPolicy (Forbid skips a run while one is
 * active, Replace deletes it first); it keeps status.active and lastScheduleTime /
 * lastSuccessfulTime, and deletes finished Jobs beyond the history limits. Events as on a real
 * cluster: SuccessfulCreate "Created job x", SawCompletedJob "Saw completed job: x, condition:
 * Complete", SuccessfulDelete "Deleted job x".
 */
import { nextSchedule, parseSchedule } from "../api/kinds/cron-job.ts";
import type { ResourceType } from "../api/resources.ts";
import { isoSeconds } from "../api/store.ts";
import type { KObject } from "../api/types.ts";
import { enqueueOwnerAndChildren, splitKey, WorkQueue, type Controller, type ControllerContext } from "./controller.ts";
import { controllerRefTo, isControlledBy } from "./pod-readiness.ts";

const COMPONENT = "cronjob-controller";
export const SCHEDULED_TIMESTAMP = "batch.kubernetes.io/cronjob-scheduled-timestamp";

const finishedAs = (job: KObject): "Complete" | "Failed" | undefined =>
  (job.status?.conditions ?? []).find((c: any) => (c.type === "Complete" || c.type === "Failed") && c.status === "True")?.type;

export class CronJobController implements Controller {
  readonly name = COMPONENT;
  private ctx!: ControllerContext;
  private queue!: WorkQueue;
  private cjType!: ResourceType;
  private jobType!: ResourceType;
  private unsubscribe: (() => void) | undefined;

  start(ctx: ControllerContext): void {
    this.ctx = ctx;
    this.cjType = ctx.rt("CronJob");
    this.jobType = ctx.rt("Job");
    this.queue = new WorkQueue(ctx.clock, (key) => this.sync(key), (key, err) => console.error(`cronjob: ${key}: ${(err as Error).stack ?? err}`));
    this.unsubscribe = enqueueOwnerAndChildren(ctx, this.queue, "batch/cronjobs", "batch/jobs", "CronJob");
  }

  stop(): void {
    this.unsubscribe?.();
    this.queue?.stop();
  }

  private sync(key: string): void {
    const { store, clock, events } = this.ctx;
    const [ns, name] = splitKey(key);
    const cj = store.get(this.cjType, ns, name);
    if (!cj || cj.metadata.deletionTimestamp) return;
    const now = clock.now();
    const jobs = store.dependentsOf(cj.metadata.uid!).filter(([t, o]) => t === this.jobType && isControlledBy(o, cj.metadata.uid)).map(([, o]) => o);
    const status: Record<string, any> = { ...(cj.status ?? {}) };
    const known = new Set((status.active ?? []).map((r: any) => r.name));
    for (const j of jobs) {
      const done = finishedAs(j);
      if (done && known.has(j.metadata.name)) {
        events.record(cj, "Normal", "SawCompletedJob", `Saw completed job: ${j.metadata.name}, condition: ${done}`, COMPONENT);
        if (done === "Complete") status.lastSuccessfulTime = j.status?.completionTime ?? isoSeconds(now);
      }
    }
    let active = jobs.filter((j) => !finishedAs(j) && !j.metadata.deletionTimestamp);

    let fields: Array<Set<number>>;
    try {
      fields = parseSchedule(cj.spec?.schedule ?? "");
    } catch {
      return;
    }
    const since = Date.parse(status.lastScheduleTime ?? cj.metadata.creationTimestamp ?? new Date(now).toISOString());
    const due = nextSchedule(fields, since - 1);
    const scheduled = due <= now ? due : undefined;
    if (scheduled !== undefined && !cj.spec?.suspend) {
      const policy = cj.spec?.concurrencyPolicy ?? "Allow";
      if (policy === "Forbid" && active.length) {
        events.record(cj, "Normal", "JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is Forbid", COMPONENT);
      } else {
        if (policy === "Replace") {
          for (const j of active) {
            store.delete(this.jobType, ns, j.metadata.name!, { propagationPolicy: "Background" });
            events.record(cj, "Normal", "SuccessfulDelete", `Deleted job ${j.metadata.name}`, COMPONENT);
          }
          active = [];
        }
        const job = this.createJob(cj, scheduled);
        if (job) active.push(job);
      }
      status.lastScheduleTime = isoSeconds(scheduled);
    }
    if (!cj.spec?.suspend) {
      const next = nextSchedule(fields, Math.max(now, scheduled ?? 0));
      if (Number.isFinite(next)) this.queue.addAfter(key, next - now);
    }
    this.cleanHistory(cj, jobs);
    status.active = active.length ? active.map((j) => ({ kind: "Job", namespace: ns, name: j.metadata.name, uid: j.metadata.uid, apiVersion: "batch/v1", resourceVersion: j.metadata.resourceVersion })) : undefined;
    for (const k of Object.keys(status)) if (status[k] === undefined) delete status[k];
    if (JSON.stringify(status) === JSON.stringify(cj.status ?? {})) return;
    store.mutate(this.cjType, ns, name, (o) => {
      o.status = status;
    }, { subresource: "status" });
  }

  private createJob(cj: KObject, scheduled: number): KObject | undefined {
    const tpl = cj.spec?.jobTemplate ?? {};
    const job: KObject = {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: {
        name: `${cj.metadata.name}-${Math.floor(scheduled / 60_000)}`,
        namespace: cj.metadata.namespace,
        labels: { ...(tpl.metadata?.labels ?? {}) },
        annotations: { ...(tpl.metadata?.annotations ?? {}), [SCHEDULED_TIMESTAMP]: new Date(scheduled).toISOString().replace(".000Z", "Z") },
        ownerReferences: [controllerRefTo(cj)],
      },
      spec: structuredClone(tpl.spec ?? {}),
    };
    try {
      const created = this.ctx.store.create(this.jobType, job);
      this.ctx.events.record(cj, "Normal", "SuccessfulCreate", `Created job ${created.metadata.name}`, COMPONENT);
      return created;
    } catch (err) {
      this.ctx.events.record(cj, "Warning", "FailedCreate", `Error creating job: ${(err as Error).message}`, COMPONENT);
      return undefined;
    }
  }

  /** Deletes the oldest finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit. */
  private cleanHistory(cj: KObject, jobs: KObject[]): void {
    for (const [state, limit] of [["Complete", cj.spec?.successfulJobsHistoryLimit ?? 3], ["Failed", cj.spec?.failedJobsHistoryLimit ?? 1]] as const) {
      const done = jobs.filter((j) => finishedAs(j) === state && !j.metadata.deletionTimestamp).sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
      for (const j of done.slice(0, Math.max(0, done.length - limit))) {
        this.ctx.store.delete(this.jobType, j.metadata.namespace, j.metadata.name!, { propagationPolicy: "Background" });
        this.ctx.events.record(cj, "Normal", "SuccessfulDelete", `Deleted job ${j.metadata.name}`, COMPONENT);
      }
    }
  }
}
