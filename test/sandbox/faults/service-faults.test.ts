/**
 * Faults on how Services reach their pods, on both apps: a wrong targetPort, a selector that
 * matches nothing, a NetworkPolicy that admits nothing, and a Deployment scaled to zero. Each
 * shows as it would on a real cluster (Endpoints, edge errors, callers' logs) and each textbook
 * fix, applied through the API, makes its oracle pass while a fake fix does not.
 */
import assert from "node:assert/strict";
import { describe } from "node:test";
import { expectEdgeErrors, expectLog, faultStory, type Scene } from "./helpers.ts";

const restorePort = async (s: Scene) => {
  const port = (await s.deployment()).spec.template.spec.containers[0].ports[0].containerPort;
  await s.patch("Service", s.target.name, [{ op: "replace", path: "/spec/ports/0/targetPort", value: port }], "json");
};

describe("service-target-port", () => {
  faultStory({
    app: "hotel-reservation", kind: "service-target-port", target: { kind: "Service", name: "rate" },
    async symptom(s) {
      assert.match(await s.kubectl("get", "endpoints", "rate", "--no-headers"), /^rate\s+10\.244\.\d+\.\d+:9999\s/);
      await expectEdgeErrors(s, "search", "rate", 0.9);
      await expectLog(s, "search", /rate\.GetRates failed: .*dial tcp 10\.96\.\d+\.\d+:8084: connect: connection refused/);
    },
    fix: restorePort,
  });
  faultStory({
    app: "social-network", kind: "service-target-port", target: { kind: "Service", name: "post-storage-service" }, fake: "delete",
    async symptom(s) {
      assert.match(await s.kubectl("get", "endpoints", "post-storage-service", "--no-headers"), /:9999\s/);
      await expectEdgeErrors(s, "home-timeline-service", "post-storage-service", 0.9);
      await expectLog(s, "home-timeline-service", /TSocket::open\(\) connect\(\) <Host: post-storage-service Port: 9090>: Connection refused/);
    },
    fix: restorePort,
  });
});

const restoreSelector = (s: Scene) => s.patch("Service", s.target.name, [{ op: "replace", path: "/spec/selector", value: { app: s.target.name } }], "json");

describe("service-selector", () => {
  faultStory({
    app: "hotel-reservation", kind: "service-selector", target: { kind: "Service", name: "search" },
    async symptom(s) {
      assert.match(await s.kubectl("get", "endpoints", "search", "--no-headers"), /^search\s+<none>\s/);
      assert.match(await s.kubectl("get", "service", "search", "-o", "wide", "--no-headers"), /app=search,version=v2/);
      await expectEdgeErrors(s, "frontend", "search", 0.9);
      assert.ok((await s.series("http_requests_total", { service: "frontend", code: "500" })) > 0, "the edge's errors show at the entry");
    },
    fix: restoreSelector,
  });
  faultStory({
    app: "social-network", kind: "service-selector", target: { kind: "Service", name: "home-timeline-service" }, fake: "delete",
    async symptom(s) {
      assert.match(await s.kubectl("get", "endpoints", "home-timeline-service", "--no-headers"), /<none>/);
      await expectEdgeErrors(s, "nginx-thrift", "home-timeline-service", 0.9);
    },
    fix: restoreSelector,
  });
});

const deletePolicy = async (s: Scene) => {
  await s.kubectl("delete", "networkpolicy", `${s.target.name}-ingress`);
};

async function isolated(s: Scene, caller: string) {
  assert.match(await s.kubectl("get", "networkpolicy", "--no-headers"), new RegExp(`^${s.target.name}-ingress\\s+app=${s.target.name}\\s`));
  assert.match(await s.kubectl("get", "endpoints", s.target.name, "--no-headers"), /10\.244\./, "endpoints are fine: it is the network");
  await expectEdgeErrors(s, caller, s.target.name, 0.9);
  assert.ok((await s.series("rpc_client_requests_total", { service: caller, callee: s.target.name, code: "504" })) > 0, "timeouts");
}

describe("network-policy-deny", () => {
  faultStory({
    app: "hotel-reservation", kind: "network-policy-deny", target: { kind: "Service", name: "rate" },
    symptom: (s) => isolated(s, "search"),
    fix: deletePolicy,
  });
  faultStory({
    app: "social-network", kind: "network-policy-deny", target: { kind: "Service", name: "user-timeline-service" }, fake: "delete",
    symptom: (s) => isolated(s, "nginx-thrift"),
    fix: deletePolicy,
  });
});

const scaleBack = async (s: Scene) => {
  await s.kubectl("scale", `deployment/${s.target.name}`, "--replicas=1");
};

describe("scale-zero", () => {
  faultStory({
    app: "hotel-reservation", kind: "scale-zero", target: { kind: "Deployment", name: "reservation" }, fake: "delete",
    async symptom(s) {
      assert.match(await s.kubectl("get", "deploy", "reservation", "--no-headers"), /^reservation\s+0\/0\s+0\s+0\s/);
      assert.match(await s.kubectl("get", "endpoints", "reservation", "--no-headers"), /<none>/);
      assert.equal(await s.series("kube_deployment_spec_replicas", { deployment: "reservation" }), 0);
      await expectEdgeErrors(s, "frontend", "reservation", 0.9);
      await expectLog(s, "frontend", /reservation/);
    },
    fix: scaleBack,
  });
  faultStory({
    app: "social-network", kind: "scale-zero", target: { kind: "Deployment", name: "user-service" },
    async symptom(s) {
      assert.match(await s.kubectl("get", "deploy", "user-service", "--no-headers"), /^user-service\s+0\/0\s/);
      await expectEdgeErrors(s, "compose-post-service", "user-service", 0.9);
    },
    fix: scaleBack,
  });
});
