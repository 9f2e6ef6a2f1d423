import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { podKind, podSummary } from "../../../../sandbox/api/kinds/pod.ts";
import { defaultPullPolicy, podQosClass } from "../../../../sandbox/api/kinds/pod-spec.ts";
import type { KObject } from "../../../../sandbox/api/types.ts";
import { lines, newStore, pod, rejection, START } from "./fixture.ts";

describe("Pod defaulting", () => {
  it("fills the spec, container and status defaults a real API server writes", () => {
    const { store, rt } = newStore();
    const created = store.create(rt("", "pods"), pod("web", {
      containers: [{
        name: "app", image: "nginx", ports: [{ containerPort: 80 }],
        readinessProbe: { httpGet: { port: 80 } },
        resources: { limits: { cpu: "500m", memory: "128Mi" } },
      }],
    }));
    const spec = created.spec;
    assert.equal(spec.restartPolicy, "Always");
    assert.equal(spec.dnsPolicy, "ClusterFirst");
    assert.equal(spec.schedulerName, "default-scheduler");
    assert.equal(spec.terminationGracePeriodSeconds, 30);
    assert.equal(spec.serviceAccountName, "default");
    assert.equal(spec.serviceAccount, "default");
    assert.deepEqual(spec.securityContext, {});
    assert.equal(spec.enableServiceLinks, true);
    assert.equal(spec.priority, 0);
    assert.deepEqual(spec.tolerations.map((t: any) => `${t.key}:${t.effect}:${t.tolerationSeconds}`), [
      "node.kubernetes.io/not-ready:NoExecute:300", "node.kubernetes.io/unreachable:NoExecute:300",
    ]);
    const c = spec.containers[0];
    assert.equal(c.imagePullPolicy, "Always", "no tag means :latest");
    assert.equal(c.terminationMessagePath, "/dev/termination-log");
    assert.equal(c.terminationMessagePolicy, "File");
    assert.equal(c.ports[0].protocol, "TCP");
    assert.deepEqual(c.readinessProbe, { httpGet: { port: 80, path: "/", scheme: "HTTP" }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
    assert.deepEqual(c.resources.requests, { cpu: "500m", memory: "128Mi" }, "requests default to limits");
    assert.deepEqual(created.status, { phase: "Pending", qosClass: "Guaranteed" });
  });

  it("resets a status sent on create and keeps defaulting idempotent", () => {
    const { store, rt } = newStore();
    const created = store.create(rt("", "pods"), pod("p", {}, { status: { phase: "Running", podIP: "1.2.3.4" } }));
    assert.deepEqual(created.status, { phase: "Pending", qosClass: "BestEffort" });
    const again = structuredClone(created);
    podKind.default!(again, created, store);
    assert.deepEqual(again, created);
  });

  it("picks the image pull policy from the tag", () => {
    assert.equal(defaultPullPolicy("nginx"), "Always");
    assert.equal(defaultPullPolicy("nginx:latest"), "Always");
    assert.equal(defaultPullPolicy("nginx:1.25"), "IfNotPresent");
    assert.equal(defaultPullPolicy("registry.local:5000/team/app"), "Always");
    assert.equal(defaultPullPolicy("registry.local:5000/team/app:v2"), "IfNotPresent");
    assert.equal(defaultPullPolicy("app@sha256:0123abcd"), "IfNotPresent");
  });

  it("classifies QoS like the kubelet", () => {
    assert.equal(podQosClass({ containers: [{ name: "a" }] }), "BestEffort");
    assert.equal(podQosClass({ containers: [{ resources: { requests: { cpu: "100m" } } }] }), "Burstable");
    assert.equal(podQosClass({ containers: [{ resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1000m", memory: "1024Mi" } } }] }), "Guaranteed");
    assert.equal(podQosClass({ containers: [
      { resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } } },
      { resources: {} },
    ] }), "Burstable", "every container needs cpu and memory limits");
  });
});

describe("Pod validation", () => {
  it("requires containers", () => {
    const { store, rt } = newStore();
    assert.deepEqual(lines(rejection(() => store.create(rt("", "pods"), pod("p", { containers: [] })))), ["spec.containers: Required value"]);
  });

  it("names each bad field as the real server does", () => {
    const { store, rt } = newStore();
    const causes = rejection(() => store.create(rt("", "pods"), pod("p", {
      restartPolicy: "Sometimes",
      containers: [
        { name: "Web_1", image: "nginx", ports: [{ containerPort: 70000 }] },
        { name: "side", image: "busybox", resources: { requests: { cpu: "2", memory: "lots" }, limits: { cpu: "1" } } },
        { name: "side" },
      ],
    })));
    assert.deepEqual(lines(causes), [
      "spec.containers[0].name: Invalid value: \"Web_1\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
      "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
      "spec.containers[1].resources.requests[memory]: Invalid value: \"lots\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
      "spec.containers[1].resources.requests[cpu]: Invalid value: \"2\": must be less than or equal to cpu limit of 1",
      "spec.containers[2].name: Duplicate value: \"side\"",
      "spec.containers[2].image: Required value",
      "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"",
    ]);
    assert.ok(causes.every((c) => c.reason.startsWith("FieldValue")));
  });

  it("lets an update change images and bind a node once, nothing else", () => {
    const { store, rt } = newStore();
    const pods = rt("", "pods");
    store.create(pods, pod("p"));
    const updated = store.mutate(pods, "default", "p", (p) => { p.spec.containers[0].image = "nginx:1.26"; p.spec.nodeName = "node-1"; });
    assert.equal(updated.spec.containers[0].image, "nginx:1.26");
    assert.equal(updated.spec.nodeName, "node-1");
    const env = rejection(() => store.mutate(pods, "default", "p", (p) => { p.spec.containers[0].env = [{ name: "A", value: "1" }]; }));
    assert.equal(env[0].field, "spec");
    assert.match(env[0].message, /^Forbidden: pod updates may not change fields other than `spec.containers\[\*\].image`/);
    rejection(() => store.mutate(pods, "default", "p", (p) => { p.spec.nodeName = "node-2"; }));
  });
});

describe("Pod table", () => {
  const now = START + 10 * 60_000;
  const at = (secondsAgo: number) => new Date(now - secondsAgo * 1000).toISOString().replace(/\.\d+Z$/, "Z");
  const withStatus = (status: Record<string, unknown>, extra: Record<string, unknown> = {}): KObject =>
    ({ ...pod("web-1", { nodeName: "node-2" }), metadata: { name: "web-1", namespace: "default", creationTimestamp: at(300), ...extra }, status });

  it("shows a running pod with IP and node in the wide columns", () => {
    const p = withStatus({ phase: "Running", podIP: "10.244.2.7", podIPs: [{ ip: "10.244.2.7" }], containerStatuses: [{ name: "app", ready: true, restartCount: 0, state: { running: { startedAt: at(200) } } }] });
    assert.deepEqual(podKind.table!.cells(p, now), ["web-1", "1/1", "Running", "0", "5m", "10.244.2.7", "node-2", "<none>", "<none>"]);
    assert.deepEqual(podKind.table!.columns.map((c) => `${c.name}:${c.priority}`), ["Name:0", "Ready:0", "Status:0", "Restarts:0", "Age:0", "IP:1", "Node:1", "Nominated Node:1", "Readiness Gates:1"]);
  });

  it("shows the waiting reason and when the last restart was", () => {
    const p = withStatus({ phase: "Running", containerStatuses: [{
      name: "app", ready: false, restartCount: 3,
      state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 40s restarting failed container" } },
      lastState: { terminated: { exitCode: 1, reason: "Error", finishedAt: at(45) } },
    }] });
    const s = podSummary(p, now);
    assert.deepEqual([s.ready, s.status, s.restarts], ["0/1", "CrashLoopBackOff", "3 (45s ago)"]);
  });

  it("shows image pull failures, OOM kills, completion, init progress and termination", () => {
    const status = (cs: Record<string, unknown>, phase = "Pending") => podSummary(withStatus({ phase, containerStatuses: [{ name: "app", ready: false, restartCount: 0, ...cs }] }), now).status;
    assert.equal(status({ state: { waiting: { reason: "ImagePullBackOff" } } }), "ImagePullBackOff");
    assert.equal(status({ state: { waiting: { reason: "ErrImagePull" } } }), "ErrImagePull");
    assert.equal(status({ state: { waiting: { reason: "ContainerCreating" } } }), "ContainerCreating");
    assert.equal(status({ state: { terminated: { exitCode: 137, reason: "OOMKilled" } } }, "Running"), "OOMKilled");
    assert.equal(status({ state: { terminated: { exitCode: 0, reason: "Completed" } } }, "Succeeded"), "Completed");
    assert.equal(status({ state: { terminated: { exitCode: 2 } } }, "Failed"), "ExitCode:2");
    assert.equal(podSummary(withStatus({ phase: "Pending" }), now).status, "Pending");
    const init = withStatus({ phase: "Pending", initContainerStatuses: [{ name: "init", restartCount: 0, state: { waiting: { reason: "PodInitializing" } } }] });
    init.spec.initContainers = [{ name: "init", image: "busybox" }];
    assert.equal(podSummary(init, now).status, "Init:0/1");
    const running = withStatus({ phase: "Running", containerStatuses: [{ name: "app", ready: true, restartCount: 0, state: { running: {} } }] }, { deletionTimestamp: at(1) });
    assert.equal(podSummary(running, now).status, "Terminating");
    assert.equal(podSummary(withStatus({ phase: "Running", containerStatuses: [{ name: "app", ready: true, restartCount: 2, state: { running: {} } }] }), now).restarts, "2", "no finishedAt, no age");
  });
});
