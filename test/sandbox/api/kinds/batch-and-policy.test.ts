/**
 * The kinds added for API changes, through the store's real admission: ResourceQuota and LimitRange
 * validation and their pod admission (403 Forbidden with kube-apiserver's wording, "must specify"
 * when a tracked resource is undeclared, LimitRanger defaults only where nothing is declared), Job,
 * CronJob and HPA defaulting and validation, and the cron schedule arithmetic.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { nextSchedule, parseSchedule } from "../../../../sandbox/api/kinds/cron-job.ts";
import { formatQuantity } from "../../../../sandbox/api/kinds/resource-quota.ts";
import { ApiError } from "../../../../sandbox/api/errors.ts";
import { lines, newStore, rejection, START } from "./fixture.ts";

const pod = (name: string, resources?: Record<string, unknown>) => ({
  apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "default" },
  spec: { containers: [{ name: "c", image: "busybox:1.36", ...(resources ? { resources } : {}) }] },
});

const forbidden = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ApiError && e.code === 403, String(e));
    return e.message;
  }
  assert.fail("expected 403 Forbidden");
};

describe("ResourceQuota and LimitRange", () => {
  it("refuses a quota with an unknown resource or a negative quantity", () => {
    const { store, rt } = newStore();
    const causes = rejection(() => store.create(rt("", "resourcequotas"), { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "q", namespace: "default" }, spec: { hard: { widgets: "1", pods: "-1" } } }));
    assert.deepEqual(lines(causes), ['spec.hard[widgets]: Invalid value: "widgets": must be a standard resource for quota', 'spec.hard[pods]: Invalid value: "-1": must be greater than or equal to 0']);
  });

  it("admission: exceeded quota with requested/used/limited, and must specify an undeclared resource", () => {
    const { store, rt } = newStore();
    store.create(rt("", "resourcequotas"), { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "mem", namespace: "default" }, spec: { hard: { "requests.memory": "1Gi" } } });
    store.create(rt("", "pods"), pod("a", { requests: { memory: "768Mi" } }));
    assert.equal(forbidden(() => store.create(rt("", "pods"), pod("b", { requests: { memory: "512Mi" } }))),
      'pods "b" is forbidden: exceeded quota: mem, requested: requests.memory=512Mi, used: requests.memory=768Mi, limited: requests.memory=1Gi');
    assert.equal(forbidden(() => store.create(rt("", "pods"), pod("c"))), 'pods "c" is forbidden: failed quota: mem: must specify requests.memory for: c');
    // A dry run is refused the same way and stores nothing.
    assert.throws(() => store.create(rt("", "pods"), pod("d", { requests: { memory: "1Gi" } }), { dryRun: true }), /exceeded quota/);
  });

  it("LimitRange: defaults only what a container leaves out; max and min are enforced", () => {
    const { store, rt } = newStore();
    store.create(rt("", "limitranges"), { apiVersion: "v1", kind: "LimitRange", metadata: { name: "l", namespace: "default" }, spec: { limits: [{ type: "Container", max: { memory: "512Mi" }, min: { cpu: "10m" } }] } });
    const lr = store.get(rt("", "limitranges"), "default", "l")!;
    assert.deepEqual(lr.spec.limits[0].default, { memory: "512Mi" }, "default from max");
    assert.deepEqual(lr.spec.limits[0].defaultRequest, { memory: "512Mi", cpu: "10m" }, "defaultRequest from default and min");
    const p = store.create(rt("", "pods"), pod("p", { limits: { memory: "256Mi" }, requests: { cpu: "50m" } }));
    assert.equal(p.spec.containers[0].resources.limits.memory, "256Mi", "a declared limit is kept");
    assert.equal(forbidden(() => store.create(rt("", "pods"), pod("big", { limits: { memory: "1Gi" } }))), 'pods "big" is forbidden: maximum memory usage per Container is 512Mi, but limit is 1Gi');
    assert.match(forbidden(() => store.create(rt("", "pods"), pod("tiny", { requests: { cpu: "1m" } }))), /minimum cpu usage per Container is 10m, but request is 1m/);
  });

  it("prints quantities as Quantity.String() does", () => {
    assert.equal(formatQuantity("requests.memory", 1024 ** 3), "1Gi");
    assert.equal(formatQuantity("requests.memory", 768 * 1024 ** 2), "768Mi");
    assert.equal(formatQuantity("limits.cpu", 0.5), "500m");
    assert.equal(formatQuantity("pods", 17), "17");
  });
});

describe("Jobs, CronJobs and HPAs", () => {
  it("a Job gets its selector, pod labels and counts; restartPolicy Always is refused", () => {
    const { store, rt } = newStore();
    const job = store.create(rt("batch", "jobs"), { apiVersion: "batch/v1", kind: "Job", metadata: { name: "j", namespace: "default" }, spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox:1.36" }] } } } });
    assert.equal(job.spec.completions, 1);
    assert.equal(job.spec.parallelism, 1);
    assert.equal(job.spec.backoffLimit, 6);
    assert.deepEqual(job.spec.selector, { matchLabels: { "batch.kubernetes.io/controller-uid": job.metadata.uid } });
    assert.equal(job.spec.template.metadata.labels["job-name"], "j");
    const causes = rejection(() => store.create(rt("batch", "jobs"), { apiVersion: "batch/v1", kind: "Job", metadata: { name: "k", namespace: "default" }, spec: { template: { spec: { containers: [{ name: "c", image: "busybox:1.36" }] } } } }));
    assert.deepEqual(lines(causes), ['spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"']);
  });

  it("a CronJob's schedule must parse; next run times follow the five fields", () => {
    const { store, rt } = newStore();
    const causes = rejection(() => store.create(rt("batch", "cronjobs"), { apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "c", namespace: "default" }, spec: { schedule: "every minute", jobTemplate: { spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox:1.36" }] } } } } } }));
    assert.match(lines(causes)[0], /^spec\.schedule: Invalid value: "every minute": unparseable schedule/);
    const every5 = parseSchedule("*/5 * * * *");
    assert.equal(new Date(nextSchedule(every5, START)).toISOString(), "2026-01-01T00:05:00.000Z");
    assert.equal(new Date(nextSchedule(parseSchedule("@daily"), START)).toISOString(), "2026-01-02T00:00:00.000Z");
    assert.equal(new Date(nextSchedule(parseSchedule("30 2 * * 1"), START)).toISOString(), "2026-01-05T02:30:00.000Z", "the first Monday");
  });

  it("an HPA defaults minReplicas to 1 and refuses max below min", () => {
    const { store, rt } = newStore();
    const hpa = (spec: Record<string, unknown>) => ({ apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: { name: "h", namespace: "default" }, spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" }, ...spec } });
    assert.equal(store.create(rt("autoscaling", "horizontalpodautoscalers"), hpa({ maxReplicas: 3 }), { dryRun: true }).spec.minReplicas, 1);
    const causes = rejection(() => store.create(rt("autoscaling", "horizontalpodautoscalers"), hpa({ minReplicas: 4, maxReplicas: 2 })));
    assert.deepEqual(lines(causes), ["spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`"]);
  });
});
