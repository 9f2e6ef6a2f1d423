import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { RealClock } from "../../../sandbox/index.ts";
import { eventually, startTestCluster, type TestCluster } from "../../helpers/sandbox.ts";

/** The scheduler through the real kubectl: selectors, cordons, resources, spreading, FailedScheduling. */
describe("scheduler", () => {
  let cluster: TestCluster;
  const rt = (kind: string) => cluster.sandbox.context.rt(kind);
  const pod = (name: string) => cluster.sandbox.store.get(rt("Pod"), "default", name);
  const events = (name: string, reason: string) =>
    cluster.sandbox.store.list(rt("Event"), "default").filter((e) => e.involvedObject.name === name && e.reason === reason);
  const create = async (name: string, spec: Record<string, unknown>) => {
    const body = JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name, labels: { app: name } }, spec });
    const r = await cluster.kubectl(["create", "--validate=false", "-f", "-"], body);
    assert.equal(r.code, 0, r.stderr);
  };
  const kubectl = async (...args: string[]) => {
    const r = await cluster.kubectl(args);
    assert.equal(r.code, 0, `kubectl ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  const sleeper = (extra: Record<string, unknown> = {}) => ({ containers: [{ name: "app", image: "registry.k8s.io/pause:3.10", ...extra }] });
  const deleteAll = async () => {
    await kubectl("delete", "pods", "--all", "--wait=false");
    await eventually(() => cluster.sandbox.store.list(rt("Pod"), "default").length === 0, 10_000, "no pods");
  };

  before(async () => {
    cluster = await startTestCluster({ clock: new RealClock(20) });
  });
  after(async () => {
    await cluster.close();
  });

  it("binds a pod, sets PodScheduled and records the Scheduled event", async () => {
    await create("placed", sleeper());
    const p = await eventually(() => (pod("placed")?.spec?.nodeName ? pod("placed") : undefined), 10_000, "a node");
    const cond = p.status.conditions.find((c: any) => c.type === "PodScheduled");
    assert.equal(cond.status, "True");
    const [ev] = events("placed", "Scheduled");
    assert.equal(ev.message, `Successfully assigned default/placed to ${p.spec.nodeName}`);
    assert.equal(ev.source.component, "default-scheduler");
    await deleteAll();
  });

  it("a nodeSelector no node matches leaves the pod Pending with the real FailedScheduling wording", async () => {
    await create("nowhere", { nodeSelector: { disktype: "ssd" }, ...sleeper() });
    const msg = "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";
    await eventually(() => events("nowhere", "FailedScheduling").length > 0, 10_000, "FailedScheduling");
    const [ev] = events("nowhere", "FailedScheduling");
    assert.equal(ev.type, "Warning");
    assert.equal(ev.message, msg);
    const p = pod("nowhere")!;
    assert.equal(p.spec.nodeName, undefined);
    assert.equal(p.status.phase, "Pending");
    assert.deepEqual(
      (({ type, status, reason, message }) => ({ type, status, reason, message }))(p.status.conditions.find((c: any) => c.type === "PodScheduled")),
      { type: "PodScheduled", status: "False", reason: "Unschedulable", message: msg },
    );
    assert.match(await kubectl("get", "pod", "nowhere"), /nowhere\s+0\/1\s+Pending/);
    assert.match(await kubectl("describe", "pod", "nowhere"), /Warning\s+FailedScheduling\s+.*0\/3 nodes are available: 3 node\(s\) didn't match Pod's node affinity\/selector\./);
    // Labelling a node makes it schedulable: the pod is retried when nodes change.
    await kubectl("label", "node", "node-2", "disktype=ssd");
    await eventually(() => pod("nowhere")?.spec?.nodeName === "node-2", 15_000, "bound to node-2 once labelled");
    await kubectl("label", "node", "node-2", "disktype-");
    await deleteAll();
  });

  it("a cordoned node gets no pods, and the message counts it", async () => {
    await kubectl("cordon", "node-2");
    try {
      for (let i = 1; i <= 6; i++) await create(`spread-${i}`, sleeper());
      await eventually(() => [1, 2, 3, 4, 5, 6].every((i) => pod(`spread-${i}`)?.spec?.nodeName), 15_000, "all bound");
      const nodes = [1, 2, 3, 4, 5, 6].map((i) => pod(`spread-${i}`)!.spec.nodeName);
      assert.ok(!nodes.includes("node-2"), `no pod on the cordoned node: ${nodes}`);
      assert.equal(nodes.filter((n) => n === "node-1").length, 3, `spread evenly: ${nodes}`);
      await create("too-big", sleeper({ resources: { requests: { memory: "64Gi" } } }));
      await eventually(() => events("too-big", "FailedScheduling").length > 0, 10_000, "FailedScheduling");
      assert.equal(events("too-big", "FailedScheduling")[0].message,
        "0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient memory. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.");
    } finally {
      await kubectl("uncordon", "node-2");
    }
    await deleteAll();
  });

  it("counts requests against allocatable: the node that is full is skipped", async () => {
    // Each node has 3800m allocatable: two 3-CPU pods take two nodes, the third goes to the last one.
    for (const n of ["cpu-a", "cpu-b", "cpu-c"]) await create(n, sleeper({ resources: { requests: { cpu: "3" } } }));
    await eventually(() => ["cpu-a", "cpu-b", "cpu-c"].every((n) => pod(n)?.spec?.nodeName), 10_000, "three bound");
    assert.deepEqual(new Set(["cpu-a", "cpu-b", "cpu-c"].map((n) => pod(n)!.spec.nodeName)), new Set(["node-1", "node-2", "node-3"]));
    await create("cpu-d", sleeper({ resources: { requests: { cpu: "1" } } }));
    await eventually(() => events("cpu-d", "FailedScheduling").length > 0, 10_000, "FailedScheduling");
    assert.match(events("cpu-d", "FailedScheduling")[0].message, /^0\/3 nodes are available: 3 Insufficient cpu\. /);
    // Freeing room lets the waiting pod in.
    await kubectl("delete", "pod", "cpu-b", "--wait=false");
    await eventually(() => pod("cpu-d")?.spec?.nodeName, 15_000, "cpu-d bound after cpu-b left");
    await deleteAll();
  });

  it("a missing PVC keeps the pod Pending with the PreFilter message", async () => {
    await create("needs-claim", { ...sleeper(), volumes: [{ name: "data", persistentVolumeClaim: { claimName: "nope" } }] });
    await eventually(() => events("needs-claim", "FailedScheduling").length > 0, 10_000, "FailedScheduling");
    assert.equal(events("needs-claim", "FailedScheduling")[0].message,
      '0/3 nodes are available: persistentvolumeclaim "nope" not found. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.');
    await deleteAll();
  });
});
