/**
 * Faults a chaos tool injects, on both apps: NetworkChaos delay and loss, StressChaos CPU burn,
 * and a one-off pod kill that heals by itself. Deleting the chaos object is the textbook fix;
 * pod-kill needs none.
 */
import assert from "node:assert/strict";
import { describe } from "node:test";
import { expectEdgeErrors, faultStory, sumSeries, type Scene } from "./helpers.ts";

/** The textbook fix for a chaos fault: `kubectl delete` of the experiment. */
const deleteChaos = (resource: string, suffix: string) => async (s: Scene) => {
  await s.kubectl("delete", resource, `${s.target.name}-${suffix}`);
};

async function slow(s: Scene, entry: string) {
  assert.match(await s.kubectl("get", "networkchaos", "--no-headers"), new RegExp(`^${s.target.name}-delay\\s`));
  const before = await s.metrics();
  await s.advance(60_000);
  const after = await s.metrics();
  const count = sumSeries(after, "http_request_duration_seconds_count", { namespace: s.ns, service: entry }) - sumSeries(before, "http_request_duration_seconds_count", { namespace: s.ns, service: entry });
  const fast = sumSeries(after, "http_request_duration_seconds_bucket", { namespace: s.ns, service: entry, le: "0.25" }) - sumSeries(before, "http_request_duration_seconds_bucket", { namespace: s.ns, service: entry, le: "0.25" });
  assert.ok(count > 0 && (count - fast) / count > 0.3, `${entry}: ${count - fast} of ${count} requests slower than 250ms`);
  assert.ok((await s.ctx.workload.successRatio(s.ns, 60_000)) > 0.9, "delay alone does not fail requests");
}

describe("network-delay", () => {
  faultStory({
    app: "hotel-reservation", kind: "network-delay", target: { kind: "Deployment", name: "search" },
    symptom: (s) => slow(s, "frontend"),
    fix: deleteChaos("networkchaos", "delay"),
  });
  faultStory({
    app: "social-network", kind: "network-delay", target: { kind: "Deployment", name: "post-storage-service" }, fake: "delete",
    symptom: (s) => slow(s, "nginx-thrift"),
    fix: deleteChaos("networkchaos", "delay"),
  });
});

async function lossy(s: Scene, caller: string) {
  assert.match(await s.kubectl("get", "networkchaos", `${s.target.name}-loss`, "-o", "jsonpath={.spec.loss.loss}"), /^30$/);
  await expectEdgeErrors(s, caller, s.target.name, 0.1);
  assert.ok((await s.series("rpc_client_requests_total", { service: caller, callee: s.target.name, code: "504" })) > 0, "timeouts");
  assert.ok((await s.ctx.workload.successRatio(s.ns, 60_000)) < 0.99);
}

describe("network-loss", () => {
  faultStory({
    app: "hotel-reservation", kind: "network-loss", target: { kind: "Deployment", name: "geo" }, fake: "delete",
    symptom: (s) => lossy(s, "search"),
    fix: deleteChaos("networkchaos", "loss"),
  });
  faultStory({
    app: "social-network", kind: "network-loss", target: { kind: "Deployment", name: "user-service" },
    symptom: (s) => lossy(s, "compose-post-service"),
    fix: deleteChaos("networkchaos", "loss"),
  });
});

async function saturated(s: Scene) {
  assert.match(await s.kubectl("get", "stresschaos", "--no-headers"), new RegExp(`^${s.target.name}-cpu\\s`));
  const a = await s.metrics();
  await s.advance(60_000);
  const b = await s.metrics();
  const d = (text: string, name: string, labels: Record<string, string>) => sumSeries(text, name, { namespace: s.ns, ...labels });
  const cpu = d(b, "container_cpu_usage_seconds_total", { container: s.target.name }) - d(a, "container_cpu_usage_seconds_total", { container: s.target.name });
  // The container is capped at its 1-core limit: it sits there, saturated.
  assert.ok(cpu / 60 >= 0.95, `${s.target.name} burns ${(cpu / 60).toFixed(2)} cores`);
  const svc = { service: s.target.name };
  const mean = (d(b, "http_request_duration_seconds_sum", svc) - d(a, "http_request_duration_seconds_sum", svc)) / (d(b, "http_request_duration_seconds_count", svc) - d(a, "http_request_duration_seconds_count", svc));
  return mean;
}

describe("cpu-stress", () => {
  faultStory({
    app: "hotel-reservation", kind: "cpu-stress", target: { kind: "Deployment", name: "rate" },
    async symptom(s) {
      const mean = await saturated(s);
      assert.ok(mean > 0.1, `rate's mean latency ${mean}s is up`);
    },
    fix: deleteChaos("stresschaos", "cpu"),
  });
  faultStory({
    app: "social-network", kind: "cpu-stress", target: { kind: "Deployment", name: "compose-post-service" }, fake: "delete",
    async symptom(s) {
      const mean = await saturated(s);
      assert.ok(mean > 0.1, `compose-post-service's mean latency ${mean}s is up`);
    },
    fix: deleteChaos("stresschaos", "cpu"),
  });
});

async function replaced(s: Scene, deploy: string) {
  const killed = s.record!.changes[0].object.name;
  const rows = await s.pods(deploy);
  assert.ok(rows.length === 1 && rows[0].name !== killed && rows[0].ready === "1/1", `a new ${deploy} pod replaced ${killed}: ${JSON.stringify(rows)}`);
  const r = await s.cluster.kubectl(["-n", s.ns, "get", "pod", killed]);
  assert.match(r.stderr, /pods "[^"]+" not found/);
  const m = await s.metrics();
  assert.doesNotMatch(m, new RegExp(`kube_pod_status_phase\\{[^}]*pod="${killed}"`), "the killed pod's series are gone");
  assert.match(m, new RegExp(`kube_pod_status_phase\\{namespace="${s.ns}",pod="${rows[0].name}",phase="Running"\\} 1`));
  assert.ok((await s.kubectl("logs", rows[0].name)).length > 0, "the replacement logs its start");
}

describe("pod-kill", () => {
  faultStory({
    app: "hotel-reservation", kind: "pod-kill", target: { kind: "Deployment", name: "frontend" },
    symptom: (s) => replaced(s, "frontend"),
  });
  faultStory({
    app: "social-network", kind: "pod-kill", target: { kind: "Deployment", name: "text-service" }, fake: "delete",
    symptom: (s) => replaced(s, "text-service"),
  });
});
