import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { RealClock } from "../../../sandbox/index.ts";
import { ContainerLogs } from "../../../sandbox/controllers/container-logs.ts";
import { ResourceRegistry } from "../../../sandbox/api/resources.ts";
import { ObjectStore } from "../../../sandbox/api/store.ts";
import { VirtualClock } from "../../../sandbox/clock.ts";
import { eventually, startTestCluster, type TestCluster } from "../../helpers/sandbox.ts";

/** Container logs through the real `kubectl logs` and the pods/log subresource. */
describe("container logs", () => {
  let cluster: TestCluster;
  const rt = (kind: string) => cluster.sandbox.context.rt(kind);
  const pod = (name: string) => cluster.sandbox.store.get(rt("Pod"), "default", name);
  const status = (name: string, container = "app") => pod(name)?.status?.containerStatuses?.find((c: any) => c.name === container);
  const create = async (name: string, spec: Record<string, unknown>) => {
    const r = await cluster.kubectl(["create", "--validate=false", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name }, spec }));
    assert.equal(r.code, 0, r.stderr);
  };
  const logs = (...args: string[]) => cluster.kubectl(["logs", ...args]);
  const api = async (path: string) => {
    const res = await fetch(`${cluster.sandbox.url}/api/v1/namespaces/default/pods/${path}`, { headers: cluster.auth });
    return { code: res.status, text: await res.text() };
  };

  before(async () => {
    cluster = await startTestCluster({ clock: new RealClock(20) });
    await create("multi", {
      containers: [
        { name: "app", image: "busybox:1.36", command: ["sh", "-c", "echo one; echo two; echo three; sleep 3600"] },
        { name: "sidecar", image: "busybox:1.36", command: ["sh", "-c", "echo from the sidecar; sleep 3600"] },
      ],
    });
    await create("crasher", { containers: [{ name: "app", image: "busybox:1.36", command: ["sh", "-c", "echo about to fail; exit 2"] }] });
    await create("pulling", { containers: [{ name: "app", image: "busybox:0.0.1" }] });
    await eventually(() => status("multi")?.state?.running && status("multi", "sidecar")?.state?.running, 20_000, "multi running");
  });
  after(async () => {
    await cluster.close();
  });

  it("kubectl logs -c picks a container; without -c kubectl defaults to the first", async () => {
    const side = await logs("multi", "-c", "sidecar");
    assert.equal(side.code, 0, side.stderr);
    assert.equal(side.stdout, "from the sidecar\n");
    const first = await logs("multi");
    assert.equal(first.stdout, "one\ntwo\nthree\n");
    assert.match(first.stderr, /Defaulted container "app" out of: app, sidecar/);
  });

  it("kubectl logs --tail=1 and --timestamps", async () => {
    assert.equal((await logs("multi", "-c", "app", "--tail=1")).stdout, "three\n");
    const stamped = (await logs("multi", "-c", "app", "--timestamps")).stdout.trim().split("\n");
    assert.equal(stamped.length, 3);
    for (const line of stamped) assert.match(line, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z (one|two|three)$/);
  });

  it("kubectl logs --previous shows the last terminated instance; without one it is an error", async () => {
    await eventually(() => status("crasher")?.lastState?.terminated, 30_000, "a previous instance");
    const prev = await logs("crasher", "--previous");
    assert.equal(prev.code, 0, prev.stderr);
    assert.equal(prev.stdout, "about to fail\n");
    const none = await logs("multi", "-c", "app", "--previous");
    assert.notEqual(none.code, 0);
    assert.match(none.stderr, /previous terminated container "app" in pod "multi" not found/);
  });

  it("a container waiting on its image has no logs yet, in the kubelet's words", async () => {
    await eventually(() => status("pulling")?.state?.waiting?.reason === "ImagePullBackOff", 30_000, "ImagePullBackOff");
    const r = await logs("pulling");
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /container "app" in pod "pulling" is waiting to start: trying and failing to pull image/);
  });

  it("the log subresource answers the real errors for a missing or unknown container", async () => {
    const noName = await api("multi/log");
    assert.equal(noName.code, 400);
    assert.equal(JSON.parse(noName.text).message, "a container name must be specified for pod multi, choose one of: [app sidecar]");
    const unknown = await api("multi/log?container=nope");
    assert.equal(unknown.code, 400);
    assert.equal(JSON.parse(unknown.text).message, "container nope is not valid for pod multi");
    const missing = await api("ghost/log");
    assert.equal(missing.code, 404);
  });
});

describe("ContainerLogs", () => {
  const setup = () => {
    const clock = new VirtualClock(Date.parse("2026-01-01T00:00:00Z"));
    const registry = new ResourceRegistry();
    const store = new ObjectStore({ clock, registry });
    const podType = registry.find("", "v1", "pods")!;
    store.create(registry.find("", "v1", "namespaces")!, { apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } });
    const pod = store.create(podType, {
      apiVersion: "v1", kind: "Pod", metadata: { name: "web-1", namespace: "default" },
      spec: { nodeName: "node-1", containers: [{ name: "app", image: "busybox" }] },
      status: { containerStatuses: [{ name: "app", state: { running: { startedAt: "2026-01-01T00:00:00Z" } }, lastState: {}, containerID: "containerd://bbb" }] },
    });
    const logs = new ContainerLogs(3);
    logs.bind(store, podType);
    return { clock, logs, uid: pod.metadata.uid! };
  };
  const read = (logs: ContainerLogs, opts: Partial<{ previous: boolean; tailLines: number; timestamps: boolean; sinceSeconds: number }> = {}) =>
    logs.read("default", "web-1", undefined, { previous: false, timestamps: false, ...opts });

  it("serves the instance the pod status names, with append, tail, sinceSeconds and timestamps", () => {
    const { clock, logs, uid } = setup();
    logs.startInstance(uid, "app", "containerd://aaa", ["old"], clock.now());
    logs.startInstance(uid, "app", "containerd://bbb", ["started"], clock.now());
    clock.advance(60_000);
    logs.append(uid, "app", "GET /healthz 200");
    assert.equal(read(logs), "started\nGET /healthz 200\n");
    assert.equal(read(logs, { tailLines: 1 }), "GET /healthz 200\n");
    assert.equal(read(logs, { tailLines: 0 }), "");
    assert.equal(read(logs, { sinceSeconds: 30 }), "GET /healthz 200\n");
    assert.match(read(logs, { timestamps: true }), /^2026-01-01T00:00:00(\.\d+)?Z started\n2026-01-01T00:01:00(\.\d+)?Z GET \/healthz 200\n$/);
    assert.throws(() => read(logs, { previous: true }), /previous terminated container "app" in pod "web-1" not found/);
  });

  it("keeps only the current and previous instance, bounded, and drops a pod on forget", () => {
    const { clock, logs, uid } = setup();
    logs.startInstance(uid, "app", "containerd://zzz", ["z"], clock.now());
    logs.startInstance(uid, "app", "containerd://aaa", ["a"], clock.now());
    logs.startInstance(uid, "app", "containerd://bbb", ["b1"], clock.now());
    for (let i = 2; i <= 10; i++) logs.append(uid, "app", `b${i}`);
    assert.equal(read(logs), "b8\nb9\nb10\n", "the last 3 lines of the current instance");
    logs.forget(uid);
    assert.equal(read(logs), "");
  });
});
