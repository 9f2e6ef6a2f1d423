/**
 * The horizontal pod autoscaler controller (autoscaling/v2), every 15 s of cluster time, as the
 * real one decides: a target scaled to zero disables autoscaling; replicas above maxReplicas or
 * below minReplicas are rescaled to the bound (SuccessfulRescale "New size: 2; reason: Current
 * number of replicas above Spec.MaxReplicas", ScalingLimited TooManyReplicas / TooFewReplicas)
 * before any metric is read; within the bounds it needs resource metrics, which this cluster does
 * not serve (no metrics-server), so it reports what a real cluster without one reports —
 * ScalingActive False FailedGetResourceMetric and TARGETS `<unknown>/50%` — and leaves the replicas.
 */
import type { ResourceType } from "../api/resources.ts";
import { isoSeconds } from "../api/store.ts";
import type { KObject } from "../api/types.ts";
import type { TimerHandle } from "../clock.ts";
import type { Controller, ControllerContext } from "./controller.ts";

const COMPONENT = "horizontal-pod-autoscaler";
export const DEFAULT_HPA_SYNC_MS = 15_000;
const NO_METRICS = "unable to fetch metrics from resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)";

type Cond = { type: string; status: string; reason: string; message: string };

export class HorizontalPodAutoscalerController implements Controller {
  readonly name = COMPONENT;
  private ctx!: ControllerContext;
  private hpaType!: ResourceType;
  private deployType!: ResourceType;
  private timer: TimerHandle | undefined;

  constructor(private readonly everyMs = DEFAULT_HPA_SYNC_MS) {}

  start(ctx: ControllerContext): void {
    this.ctx = ctx;
    this.hpaType = ctx.rt("HorizontalPodAutoscaler");
    this.deployType = ctx.rt("Deployment");
    this.timer = ctx.clock.every(this.everyMs, () => {
      for (const hpa of ctx.store.list(this.hpaType)) {
        try {
          this.reconcile(hpa);
        } catch (err) {
          console.error(`hpa: ${hpa.metadata.namespace}/${hpa.metadata.name}: ${(err as Error).stack ?? err}`);
        }
      }
    });
  }

  stop(): void {
    this.timer?.cancel();
  }

  private reconcile(hpa: KObject): void {
    const { store, clock, events } = this.ctx;
    const ns = hpa.metadata.namespace;
    const ref = hpa.spec?.scaleTargetRef ?? {};
    const min: number = hpa.spec?.minReplicas ?? 1;
    const max: number = hpa.spec?.maxReplicas;
    const target = ref.kind === "Deployment" ? store.get(this.deployType, ns, ref.name) : undefined;
    const conds: Cond[] = [];
    const status: Record<string, any> = { ...(hpa.status ?? {}) };
    if (!target) {
      const msg = `the HPA controller was unable to get the target's current scale: deployments/scale.apps "${ref.name}" not found`;
      conds.push({ type: "AbleToScale", status: "False", reason: "FailedGetScale", message: msg });
      events.record(hpa, "Warning", "FailedGetScale", `deployments/scale.apps "${ref.name}" not found`, COMPONENT);
      return this.write(hpa, { ...status, currentReplicas: 0, desiredReplicas: 0 }, conds);
    }
    const current: number = target.spec?.replicas ?? 1;
    let desired = current;
    let reason: string | undefined;
    if (current === 0 && min !== 0) {
      conds.push({ type: "AbleToScale", status: "True", reason: "SucceededGetScale", message: "the HPA controller was able to get the target's current scale" });
      conds.push({ type: "ScalingActive", status: "False", reason: "ScalingDisabled", message: "scaling is disabled since the replica count of the target is zero" });
    } else if (current > max) {
      desired = max;
      reason = "Current number of replicas above Spec.MaxReplicas";
      conds.push({ type: "ScalingLimited", status: "True", reason: "TooManyReplicas", message: "the desired replica count is more than the maximum replica count" });
    } else if (current < min) {
      desired = min;
      reason = "Current number of replicas below Spec.MinReplicas";
      conds.push({ type: "ScalingLimited", status: "True", reason: "TooFewReplicas", message: "the desired replica count is less than the minimum replica count" });
    } else {
      const metric = (hpa.spec?.metrics ?? []).find((m: any) => m?.type === "Resource")?.resource?.name ?? "cpu";
      const msg = `failed to get ${metric} utilization: unable to get metrics for resource ${metric}: ${NO_METRICS}`;
      conds.push({ type: "AbleToScale", status: "True", reason: "SucceededGetScale", message: "the HPA controller was able to get the target's current scale" });
      conds.push({ type: "ScalingActive", status: "False", reason: "FailedGetResourceMetric", message: `the HPA was unable to compute the replica count: ${msg}` });
      events.record(hpa, "Warning", "FailedGetResourceMetric", msg, COMPONENT);
    }
    if (desired !== current) {
      store.mutate(this.deployType, ns, ref.name, (d) => {
        d.spec.replicas = desired;
      });
      events.record(hpa, "Normal", "SuccessfulRescale", `New size: ${desired}; reason: ${reason}`, COMPONENT);
      status.lastScaleTime = isoSeconds(clock.now());
      conds.unshift({ type: "AbleToScale", status: "True", reason: "SucceededRescale", message: `the HPA controller was able to update the target scale to ${desired}` });
    }
    this.write(hpa, { ...status, currentReplicas: target.status?.replicas ?? current, desiredReplicas: desired }, conds);
  }

  /** Writes status when it changed; a condition keeps its lastTransitionTime while its status holds. */
  private write(hpa: KObject, status: Record<string, any>, conds: Cond[]): void {
    const now = isoSeconds(this.ctx.clock.now());
    const before: any[] = hpa.status?.conditions ?? [];
    const merged = [...before.filter((c) => !conds.some((n) => n.type === c.type))];
    for (const c of conds) {
      const was = before.find((b) => b.type === c.type);
      merged.push({ ...c, lastTransitionTime: was && was.status === c.status ? was.lastTransitionTime : now });
    }
    const next = { ...status, conditions: merged };
    if (JSON.stringify(next) === JSON.stringify(hpa.status ?? {})) return;
    this.ctx.store.mutate(this.hpaType, hpa.metadata.namespace, hpa.metadata.name!, (o) => {
      o.status = next;
    }, { subresource: "status" });
  }
}
