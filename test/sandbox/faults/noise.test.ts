/**
 * The noise kinds on both apps — one container restart, a short traffic spike, a healthy rollout:
 * benign by their ground truth, visible as they would be, and the app is healthy once each passed
 * (the oracle passes with no write).
 */
import assert from "node:assert/strict";
import { describe } from "node:test";
import { getApp } from "../../../sandbox/apps/index.ts";
import { noiseStory, type Scene } from "./helpers.ts";

async function restartedOnce(s: Scene, deploy: string) {
  const rows = await s.pods(deploy);
  assert.equal(rows.length, 1);
  assert.equal(rows[0].restarts, "1");
  assert.match(await s.kubectl("describe", "pod", rows[0].name), /Last State:\s+Terminated\s+Reason:\s+Error\s+Exit Code:\s+137/);
  assert.equal(await s.series("kube_pod_container_status_restarts_total", { pod: rows[0].name }), 1);
  assert.ok((await s.logs(deploy, { previous: true })).length > 0, "the killed instance's log is kept");
}

describe("noise-restart", () => {
  noiseStory({ app: "hotel-reservation", kind: "noise-restart", target: { kind: "Deployment", name: "search" }, during: (s) => restartedOnce(s, "search") });
  noiseStory({ app: "social-network", kind: "noise-restart", target: { kind: "Deployment", name: "user-service" }, during: (s) => restartedOnce(s, "user-service") });
});

async function spikeWithoutErrors(s: Scene) {
  const usual = getApp(s.app).defaultRate;
  const rate = Number(/workload_request_rate\{namespace="[^"]+"\} (\S+)/.exec(await s.metrics())![1]);
  assert.equal(rate, usual * 3, "the rate is up 3x");
  const before = await s.series("workload_requests_total");
  await s.advance(30_000);
  const sent = ((await s.series("workload_requests_total")) - before) / 30;
  assert.ok(sent > usual * 2.4, `${sent.toFixed(1)}/s sent during the spike (usually ${usual}/s)`);
  assert.ok((await s.ctx.workload.successRatio(s.ns, 60_000)) >= 0.99, "no errors during the spike");
}

describe("noise-traffic-spike", () => {
  noiseStory({ app: "hotel-reservation", kind: "noise-traffic-spike", target: { kind: "Deployment", name: "frontend" }, during: spikeWithoutErrors });
  noiseStory({ app: "social-network", kind: "noise-traffic-spike", target: { kind: "Deployment", name: "nginx-thrift" }, during: spikeWithoutErrors });
});

async function newRevision(s: Scene, deploy: string) {
  assert.match(await s.kubectl("rollout", "history", `deployment/${deploy}`), /\n1\s+<none>\n2\s+<none>/);
  assert.match(await s.kubectl("get", "deploy", deploy, "-o", "jsonpath={.spec.template.metadata.annotations}"), /kubectl\.kubernetes\.io\/restartedAt/);
}

describe("noise-rollout", () => {
  noiseStory({ app: "hotel-reservation", kind: "noise-rollout", target: { kind: "Deployment", name: "frontend" }, during: (s) => newRevision(s, "frontend") });
  noiseStory({ app: "social-network", kind: "noise-rollout", target: { kind: "Deployment", name: "compose-post-service" }, during: (s) => newRevision(s, "compose-post-service") });
});
