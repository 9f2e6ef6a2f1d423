/**
 * Faults that ride in on a change to a Deployment's pod template, on both apps: a nodeSelector to
 * no node, a missing image tag, a bad release, another service's binary, a wrong database address,
 * a probe on the wrong port, a memory limit under the working set, and a corrupt config value
 * picked up by a restart. With one replica and RollingUpdate the old pod keeps serving while the
 * new one fails — except where the new one rolls out and then fails requests. Each textbook fix
 * passes its oracle; a fake fix does not.
 */
import assert from "node:assert/strict";
import { describe } from "node:test";
import { expectEdgeErrors, expectLog, expectPodStatus, faultStory, type Scene } from "./helpers.ts";

const removeSelector = (s: Scene) => s.patch("Deployment", s.target.name, [{ op: "remove", path: "/spec/template/spec/nodeSelector" }], "json");

async function pending(s: Scene, deploy: string) {
  await expectPodStatus(s, deploy, /^Pending$/, "0/1");
  assert.match(await s.events("FailedScheduling"), /0\/3 nodes are available: 3 node\(s\) didn't match Pod's node affinity\/selector/);
  const m = await s.metrics();
  assert.match(m, new RegExp(`kube_pod_status_phase\\{namespace="${s.ns}",pod="${deploy}-[a-z0-9]+-[a-z0-9]+",phase="Pending"\\} 1`));
  const r = await s.cluster.kubectl(["-n", s.ns, "logs", "deploy/" + deploy]);
  assert.equal(r.code, 0, "the old pod still serves and logs");
}

describe("node-selector", () => {
  faultStory({
    app: "hotel-reservation", kind: "node-selector", target: { kind: "Deployment", name: "geo" },
    symptom: (s) => pending(s, "geo"),
    fix: removeSelector,
  });
  faultStory({
    app: "social-network", kind: "node-selector", target: { kind: "Deployment", name: "user-service" }, fake: "delete",
    symptom: (s) => pending(s, "user-service"),
    fix: removeSelector,
  });
});

async function cannotPull(s: Scene, deploy: string, image: RegExp) {
  await expectPodStatus(s, deploy, /^(ImagePullBackOff|ErrImagePull)$/, "0/1");
  assert.match(await s.events("Failed"), image);
  assert.ok((await s.series("kube_pod_container_status_waiting_reason", { container: deploy, reason: "ImagePullBackOff" })) + (await s.series("kube_pod_container_status_waiting_reason", { container: deploy, reason: "ErrImagePull" })) >= 1);
  const pod = (await s.pods(deploy)).find((p) => /Image/.test(p.status))!;
  const r = await s.cluster.kubectl(["-n", s.ns, "logs", pod.name]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /is waiting to start: (trying and failing to pull image|image can't be pulled)/);
}

describe("image-missing", () => {
  faultStory({
    app: "hotel-reservation", kind: "image-missing", target: { kind: "Deployment", name: "recommendation" },
    symptom: (s) => cannotPull(s, "recommendation", /Failed to pull image "docker\.io\/deathstarbench\/hotel-reservation:1\.1\.0"/),
    fix: (s) => s.rolloutUndo(),
  });
  faultStory({
    app: "social-network", kind: "image-missing", target: { kind: "Deployment", name: "compose-post-service" },
    symptom: (s) => cannotPull(s, "compose-post-service", /social-network-microservices:1\.1\.0/),
    fix: (s) => s.rolloutUndo(),
  });
});

describe("image-buggy", () => {
  faultStory({
    app: "hotel-reservation", kind: "image-buggy", target: { kind: "Deployment", name: "geo" },
    async symptom(s) {
      await expectPodStatus(s, "geo", /^Running$/, "1/1");
      assert.match(await s.kubectl("get", "deploy", "geo", "-o", "wide", "--no-headers"), /hotel-reservation:1\.0\.1/);
      assert.match(await s.kubectl("rollout", "history", "deployment/geo"), /\n2\s/);
      await expectEdgeErrors(s, "search", "geo", 0.5);
      assert.ok((await s.series("http_requests_total", { service: "geo", code: "500" })) > 0);
      assert.match(await s.logs("geo", { tail: 200 }), /ERR|error|panic/i);
    },
    fix: (s) => s.rolloutUndo(),
  });
  faultStory({
    app: "social-network", kind: "image-buggy", target: { kind: "Deployment", name: "text-service" },
    async symptom(s) {
      await expectPodStatus(s, "text-service", /^Running$/, "1/1");
      await expectEdgeErrors(s, "compose-post-service", "text-service", 0.5);
      assert.match(await s.logs("text-service", { tail: 200 }), /<error>/);
    },
    fix: (s) => s.rolloutUndo(),
  });
});

describe("wrong-command", () => {
  faultStory({
    app: "hotel-reservation", kind: "wrong-command", target: { kind: "Deployment", name: "profile" },
    async symptom(s) {
      assert.equal(s.record!.params.command, "rate");
      await expectPodStatus(s, "profile", /^Running$/, "0/1");
      assert.match(await s.events("Unhealthy"), /Readiness probe failed: dial tcp 10\.244\.\d+\.\d+:8081: connect: connection refused/);
      const pod = (await s.pods("profile")).find((p) => p.ready === "0/1")!;
      assert.match(await s.kubectl("logs", pod.name), /rate/i);
    },
    fix: (s) => s.rolloutUndo(),
  });
  faultStory({
    app: "social-network", kind: "wrong-command", target: { kind: "Deployment", name: "user-timeline-service" },
    async symptom(s) {
      assert.equal(s.record!.params.command, "ComposePostService");
      // Every Thrift service listens on 9090, so the wrong binary passes the TCP probe and answers
      // calls it does not know.
      await expectPodStatus(s, "user-timeline-service", /^Running$/, "1/1");
      assert.match(await s.logs("user-timeline-service"), /Starting the compose-post-service server/);
      await expectEdgeErrors(s, "nginx-thrift", "user-timeline-service", 0.9);
      await expectLog(s, "nginx-thrift", /user-timeline-service failure: TApplicationException: Invalid method name: 'ReadUserTimeline'/);
    },
    fix: (s) => s.rolloutUndo(),
  });
});

async function crashLoop(s: Scene, deploy: string, log: RegExp) {
  await expectPodStatus(s, deploy, /^(CrashLoopBackOff|Error)$/, "0/1");
  assert.match(await s.kubectl("get", "deploy", deploy, "-o", "jsonpath={.spec.template.spec.containers[0].env[0].value}"), /-primary:27017$/);
  assert.ok((await s.series("kube_pod_container_status_restarts_total", { container: deploy })) >= 2, "restarts climbing");
  await expectLog(s, deploy, log, true);
}

describe("env-override", () => {
  faultStory({
    app: "hotel-reservation", kind: "env-override", target: { kind: "Deployment", name: "rate" },
    symptom: (s) => crashLoop(s, "rate", /panic: no reachable servers/),
    fix: (s) => s.rolloutUndo(),
  });
  faultStory({
    app: "social-network", kind: "env-override", target: { kind: "Deployment", name: "post-storage-service" },
    symptom: (s) => crashLoop(s, "post-storage-service", /No suitable servers found .*post-storage-mongodb-primary:27017/),
    fix: (s) => s.rolloutUndo(),
  });
});

const probeServedPort = async (s: Scene) => {
  const c = (await s.deployment()).spec.template.spec.containers[0];
  await s.patch("Deployment", s.target.name, [{ op: "replace", path: "/spec/template/spec/containers/0/readinessProbe/tcpSocket/port", value: c.ports[0].containerPort }], "json");
};

async function neverReady(s: Scene, deploy: string, port: number) {
  await expectPodStatus(s, deploy, /^Running$/, "0/1");
  assert.match(await s.events("Unhealthy"), new RegExp(`Readiness probe failed: dial tcp 10\\.244\\.\\d+\\.\\d+:${port}: connect: connection refused`));
  assert.match(await s.kubectl("rollout", "status", `deployment/${deploy}`, "--watch=false"), /Waiting for deployment .* rollout to finish: 1 old replicas are pending termination/);
  const pod = (await s.pods(deploy)).find((p) => p.ready === "0/1")!;
  assert.ok((await s.kubectl("logs", pod.name)).length > 0, "the container runs and logs");
}

describe("readiness-probe", () => {
  faultStory({
    app: "hotel-reservation", kind: "readiness-probe", target: { kind: "Deployment", name: "search" }, fake: "delete",
    symptom: (s) => neverReady(s, "search", 8083),
    fix: probeServedPort,
  });
  faultStory({
    app: "social-network", kind: "readiness-probe", target: { kind: "Deployment", name: "social-graph-service" },
    symptom: (s) => neverReady(s, "social-graph-service", 9091),
    fix: probeServedPort,
  });
});

const raiseLimit = (s: Scene) =>
  s.patch("Deployment", s.target.name, [
    { op: "replace", path: "/spec/template/spec/containers/0/resources/limits/memory", value: "256Mi" },
    { op: "replace", path: "/spec/template/spec/containers/0/resources/requests/memory", value: "64Mi" },
  ], "json");

async function oomLoop(s: Scene, deploy: string) {
  await expectPodStatus(s, deploy, /^(CrashLoopBackOff|OOMKilled)$/, "0/1");
  const pod = (await s.pods(deploy)).find((p) => p.ready === "0/1")!;
  const described = await s.kubectl("describe", "pod", pod.name);
  assert.match(described, /Last State:\s+Terminated\s+Reason:\s+OOMKilled\s+Exit Code:\s+137/);
  assert.match(described, /Limits:\s+cpu:\s+1\s+memory:\s+32Mi/);
  assert.ok((await s.series("kube_pod_container_status_restarts_total", { pod: pod.name })) >= 2, "restarts climbing");
}

describe("memory-limit", () => {
  faultStory({
    app: "hotel-reservation", kind: "memory-limit", target: { kind: "Deployment", name: "profile" },
    symptom: (s) => oomLoop(s, "profile"),
    fix: raiseLimit,
  });
  faultStory({
    app: "social-network", kind: "memory-limit", target: { kind: "Deployment", name: "url-shorten-service" }, fake: "delete",
    symptom: (s) => oomLoop(s, "url-shorten-service"),
    fix: raiseLimit,
  });
});

const restoreValue = async (s: Scene) => {
  const cm = await s.kube.require({ apiVersion: "v1", kind: "ConfigMap", namespace: s.ns, name: `${s.target.name}-config` });
  const config = JSON.parse(cm.data["config.json"]);
  config.port = Number(config.port);
  await s.patch("ConfigMap", `${s.target.name}-config`, { data: { "config.json": `${JSON.stringify(config, null, 2)}\n` } });
};

async function parseCrash(s: Scene, deploy: string, log: RegExp) {
  await expectPodStatus(s, deploy, /^(CrashLoopBackOff|Error)$/, "0/1");
  assert.match(await s.kubectl("get", "configmap", `${deploy}-config`, "-o", "jsonpath={.data.config\\.json}"), /"port": "\d+"/);
  await expectLog(s, deploy, log, true);
}

describe("config-corrupt", () => {
  faultStory({
    app: "hotel-reservation", kind: "config-corrupt", target: { kind: "Deployment", name: "geo" }, fake: "delete",
    symptom: (s) => parseCrash(s, "geo", /json: cannot unmarshal string into Go struct field Config\.port of type int/),
    fix: restoreValue,
  });
  faultStory({
    app: "social-network", kind: "config-corrupt", target: { kind: "Deployment", name: "media-service" },
    symptom: (s) => parseCrash(s, "media-service", /\[json\.exception\.type_error\.302\] type must be number, but is string/),
    fix: restoreValue,
  });
});
