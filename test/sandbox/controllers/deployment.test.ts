/**
 * The Deployment controller: on a VirtualClock (ReplicaSet naming and annotations, status and
 * conditions, rolling updates within maxSurge/maxUnavailable, a broken version that times out while
 * the old pods serve, rollbacks, change-cause, Recreate, history pruning, pause, proportional
 * scaling, deletion), and a story through the real kubectl (rollout status,
 * set image, history, undo, scale, restart, a progress deadline, delete). Pods are run by the
 * sandbox's own scheduler and kubelet with the base image model.
 */
import { describe, it, before, after, beforeEach, afterEach } from "node:test";
import assert from "node:assert/strict";
import { RealClock, Sandbox, VirtualClock } from "../../../sandbox/index.ts";
import type { KObject } from "../../../sandbox/api/types.ts";
import { computePodTemplateHash } from "../../../sandbox/controllers/pod-template-hash.ts";
import { eventually, startTestCluster, type TestCluster } from "../../helpers/sandbox.ts";

const REVISION = "deployment.kubernetes.io/revision";

function deployment(name: string, spec: Record<string, unknown> = {}, image = "nginx:1.25"): KObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "default", labels: { app: name } },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "web", image }] } },
      ...spec,
    },
  };
}

/**
 * A sandbox on virtual time. The sandbox's own scheduler and kubelet run the pods: nginx tags from
 * the base image model become Ready within seconds, and the tag "broken" does not exist, so those
 * pods sit in ImagePullBackOff and never become Ready.
 */
describe("Deployment controller", () => {
  let clock: VirtualClock;
  let sandbox: Sandbox;
  const rt = (kind: string) => sandbox.context.rt(kind);
  const getDeploy = (name: string) => sandbox.store.require(rt("Deployment"), "default", name);
  const replicaSets = (name: string) =>
    sandbox.store.list(rt("ReplicaSet"), "default").filter((rs) => rs.metadata.ownerReferences?.[0]?.name === name);
  const rsByRevision = (name: string, rev: number) => replicaSets(name).find((rs) => rs.metadata.annotations?.[REVISION] === String(rev));
  const condition = (d: KObject, type: string) => d.status?.conditions?.find((c: { type: string }) => c.type === type);
  const scalingEvents = (name: string) =>
    sandbox.store.list(rt("Event"), "default").filter((e) => e.involvedObject.name === name && e.reason === "ScalingReplicaSet").map((e) => e.message as string);
  const setImage = (name: string, image: string) =>
    sandbox.store.mutate(rt("Deployment"), "default", name, (d) => { d.spec.template.spec.containers[0].image = image; });

  /** Advances simulated time in 500 ms steps until `done()` holds; fails after `maxMs`. */
  const advanceUntil = (done: () => boolean, maxMs: number, what: string) => {
    for (let waited = 0; !done(); waited += 500) {
      assert.ok(waited < maxMs, `still waiting for ${what} after ${maxMs / 1000} simulated seconds`);
      clock.advance(500);
    }
  };
  const rolledOut = (name: string) => {
    const d = getDeploy(name);
    const want = d.spec.replicas;
    return d.status.observedGeneration === d.metadata.generation && d.status.updatedReplicas === want &&
      d.status.replicas === want && d.status.availableReplicas === want && condition(d, "Progressing")?.reason === "NewReplicaSetAvailable";
  };

  beforeEach(async () => {
    clock = new VirtualClock();
    sandbox = await Sandbox.start({ clock });
  });
  afterEach(() => sandbox.close());

  it("creates a ReplicaSet named by the pod-template hash and converges status and conditions", () => {
    const created = sandbox.store.create(rt("Deployment"), deployment("web"));
    clock.advance(10);
    const [rs] = replicaSets("web");
    const hash = computePodTemplateHash(created.spec.template);
    assert.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]{6,10}$/);
    assert.equal(rs.metadata.name, `web-${hash}`);
    assert.deepEqual(rs.metadata.labels, { app: "web", "pod-template-hash": hash });
    assert.deepEqual(rs.spec.selector.matchLabels, { app: "web", "pod-template-hash": hash });
    assert.equal(rs.spec.template.metadata.labels["pod-template-hash"], hash);
    assert.deepEqual(rs.metadata.ownerReferences, [
      { apiVersion: "apps/v1", kind: "Deployment", name: "web", uid: created.metadata.uid, controller: true, blockOwnerDeletion: true },
    ]);
    assert.equal(rs.metadata.annotations?.[REVISION], "1");
    assert.equal(rs.metadata.annotations?.["deployment.kubernetes.io/desired-replicas"], "3");
    assert.equal(rs.metadata.annotations?.["deployment.kubernetes.io/max-replicas"], "4");
    assert.equal(rs.spec.replicas, 3);
    assert.equal(getDeploy("web").metadata.annotations?.[REVISION], "1");
    assert.deepEqual(scalingEvents("web"), [`Scaled up replica set web-${hash} from 0 to 3`]);
    // The new ReplicaSet's pods already exist, so the rollout counts as progressing.
    const progressing = condition(getDeploy("web"), "Progressing");
    assert.equal(progressing.status, "True");
    assert.equal(progressing.reason, "ReplicaSetUpdated");
    assert.equal(progressing.message, `ReplicaSet "web-${hash}" is progressing.`);
    assert.equal(condition(getDeploy("web"), "Available").status, "False");

    advanceUntil(() => rolledOut("web"), 30_000, "the rollout");
    const d = getDeploy("web");
    assert.equal(d.status.observedGeneration, 1);
    assert.equal(d.status.replicas, 3);
    assert.equal(d.status.updatedReplicas, 3);
    assert.equal(d.status.readyReplicas, 3);
    assert.equal(d.status.availableReplicas, 3);
    assert.equal(d.status.unavailableReplicas, undefined);
    assert.deepEqual(
      { ...condition(d, "Available"), lastUpdateTime: undefined, lastTransitionTime: undefined },
      { type: "Available", status: "True", reason: "MinimumReplicasAvailable", message: "Deployment has minimum availability.", lastUpdateTime: undefined, lastTransitionTime: undefined },
    );
    assert.equal(condition(d, "Progressing").status, "True");
    assert.equal(condition(d, "Progressing").reason, "NewReplicaSetAvailable");
    assert.equal(condition(d, "Progressing").message, `ReplicaSet "web-${hash}" has successfully progressed.`);
    assert.ok(condition(d, "Progressing").lastUpdateTime);
  });

  it("rolls out a new template without exceeding maxSurge or dropping below replicas - maxUnavailable", () => {
    sandbox.store.create(rt("Deployment"), deployment("roll", { replicas: 4, strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } }));
    advanceUntil(() => rolledOut("roll"), 30_000, "the first rollout");
    setImage("roll", "nginx:1.26");
    let sawSurge = false;
    for (let i = 0; i < 120; i++) {
      clock.advance(500);
      const rss = replicaSets("roll");
      const desired = rss.reduce((n, rs) => n + rs.spec.replicas, 0);
      const available = rss.reduce((n, rs) => n + (rs.status?.availableReplicas ?? 0), 0);
      assert.ok(desired <= 5, `desired pods ${desired} exceed replicas + maxSurge`);
      assert.ok(available >= 4, `available pods ${available} fell below replicas - maxUnavailable`);
      if (desired === 5) sawSurge = true;
    }
    assert.ok(sawSurge, "the rollout used its surge");
    assert.ok(rolledOut("roll"), "the rollout finished within a minute");
    const d = getDeploy("roll");
    assert.equal(d.metadata.annotations?.[REVISION], "2");
    assert.equal(d.status.updatedReplicas, 4);
    assert.equal(d.status.replicas, 4);
    assert.equal(condition(d, "Progressing").reason, "NewReplicaSetAvailable");
    const newRS = rsByRevision("roll", 2)!;
    const oldRS = rsByRevision("roll", 1)!;
    assert.equal(newRS.spec.replicas, 4);
    assert.equal(oldRS.spec.replicas, 0);
    const events = scalingEvents("roll");
    assert.ok(events.includes(`Scaled up replica set ${newRS.metadata.name} from 0 to 1`), events.join("\n"));
    assert.ok(events.includes(`Scaled down replica set ${oldRS.metadata.name} from 4 to 3`), events.join("\n"));
    assert.ok(events.includes(`Scaled down replica set ${oldRS.metadata.name} from 1 to 0`), events.join("\n"));
  });

  it("keeps the old pods serving when the new version never becomes ready, then reports the deadline", () => {
    sandbox.store.create(rt("Deployment"), deployment("stuck", { replicas: 4, progressDeadlineSeconds: 60 }));
    advanceUntil(() => rolledOut("stuck"), 30_000, "the first rollout");
    setImage("stuck", "nginx:broken");
    clock.advance(30_000);
    const oldRS = rsByRevision("stuck", 1)!;
    const newRS = rsByRevision("stuck", 2)!;
    // 25% of 4: one pod may be unavailable, one may surge.
    assert.equal(oldRS.spec.replicas, 3);
    assert.equal(oldRS.status.availableReplicas, 3);
    assert.equal(newRS.spec.replicas, 2);
    let d = getDeploy("stuck");
    assert.equal(condition(d, "Available").status, "True");
    assert.equal(condition(d, "Progressing").status, "True");
    assert.equal(d.status.unavailableReplicas, 2);

    clock.advance(40_000);
    d = getDeploy("stuck");
    const progressing = condition(d, "Progressing");
    assert.equal(progressing.status, "False");
    assert.equal(progressing.reason, "ProgressDeadlineExceeded");
    assert.equal(progressing.message, `ReplicaSet "${newRS.metadata.name}" has timed out progressing.`);
    assert.equal(rsByRevision("stuck", 1)!.spec.replicas, 3, "old pods still serve");
  });

  it("reuses the old ReplicaSet on a rollback and gives it the next revision", () => {
    sandbox.store.create(rt("Deployment"), deployment("back"));
    advanceUntil(() => rolledOut("back"), 30_000, "the first rollout");
    const first = rsByRevision("back", 1)!.metadata.name;
    setImage("back", "nginx:1.26");
    advanceUntil(() => rolledOut("back"), 60_000, "the second rollout");
    const second = rsByRevision("back", 2)!.metadata.name;
    assert.notEqual(first, second);
    // kubectl rollout undo json-patches /spec/template with the old ReplicaSet's template (its
    // pod-template-hash label removed), as its Go structs print it.
    const oldTemplate = structuredClone(sandbox.store.require(rt("ReplicaSet"), "default", first!).spec.template);
    delete oldTemplate.metadata.labels["pod-template-hash"];
    oldTemplate.metadata.creationTimestamp = null;
    oldTemplate.spec.containers[0].resources = {};
    sandbox.store.mutate(rt("Deployment"), "default", "back", (d) => { d.spec.template = oldTemplate; });
    clock.advance(10);
    advanceUntil(() => rolledOut("back"), 60_000, "the rollback");
    assert.equal(replicaSets("back").length, 2, "no third ReplicaSet");
    const reused = sandbox.store.require(rt("ReplicaSet"), "default", first!);
    assert.equal(reused.metadata.annotations?.[REVISION], "3");
    assert.equal(reused.metadata.annotations?.["deployment.kubernetes.io/revision-history"], "1");
    assert.equal(reused.spec.replicas, 3);
    assert.equal(sandbox.store.require(rt("ReplicaSet"), "default", second!).spec.replicas, 0);
    const d = getDeploy("back");
    assert.equal(d.metadata.annotations?.[REVISION], "3");
    assert.equal(condition(d, "Progressing").reason, "NewReplicaSetAvailable");
  });

  it("copies kubernetes.io/change-cause to the ReplicaSet of the current revision", () => {
    const d = deployment("cause");
    d.metadata.annotations = { "kubernetes.io/change-cause": "initial deploy" };
    sandbox.store.create(rt("Deployment"), d);
    advanceUntil(() => rolledOut("cause"), 30_000, "the first rollout");
    assert.equal(rsByRevision("cause", 1)!.metadata.annotations?.["kubernetes.io/change-cause"], "initial deploy");
    sandbox.store.mutate(rt("Deployment"), "default", "cause", (o) => {
      o.metadata.annotations!["kubernetes.io/change-cause"] = "bump to 1.26";
      o.spec.template.spec.containers[0].image = "nginx:1.26";
    });
    clock.advance(10);
    advanceUntil(() => rolledOut("cause"), 60_000, "the second rollout");
    assert.equal(rsByRevision("cause", 1)!.metadata.annotations?.["kubernetes.io/change-cause"], "initial deploy");
    assert.equal(rsByRevision("cause", 2)!.metadata.annotations?.["kubernetes.io/change-cause"], "bump to 1.26");
  });

  it("Recreate scales the old ReplicaSet to zero before the new one gets any pod", () => {
    sandbox.store.create(rt("Deployment"), deployment("rec", { strategy: { type: "Recreate" } }));
    advanceUntil(() => rolledOut("rec"), 30_000, "the first rollout");
    // Watch every ReplicaSet write: when the new one first asks for pods, no old pod may be left.
    const oldPodsWhenNewScaled: number[] = [];
    const unsubscribe = sandbox.store.onEvent((e) => {
      if (e.object.kind !== "ReplicaSet" || e.object.metadata.annotations?.[REVISION] !== "2" || !e.object.spec.replicas) return;
      const oldHash = rsByRevision("rec", 1)!.metadata.labels!["pod-template-hash"];
      oldPodsWhenNewScaled.push(sandbox.store.list(rt("Pod"), "default").filter((p) => p.metadata.labels?.["pod-template-hash"] === oldHash).length);
    });
    setImage("rec", "nginx:1.26");
    clock.advance(10);
    advanceUntil(() => rolledOut("rec"), 60_000, "the second rollout");
    unsubscribe();
    assert.ok(oldPodsWhenNewScaled.length > 0);
    assert.equal(oldPodsWhenNewScaled[0], 0, "no new pods while old ones exist");
    assert.equal(rsByRevision("rec", 1)!.spec.replicas, 0);
    assert.equal(rsByRevision("rec", 2)!.spec.replicas, 3);
    assert.equal(getDeploy("rec").status.availableReplicas, 3);
    const events = scalingEvents("rec");
    assert.deepEqual(events.slice(1), [
      `Scaled down replica set ${rsByRevision("rec", 1)!.metadata.name} from 3 to 0`,
      `Scaled up replica set ${rsByRevision("rec", 2)!.metadata.name} from 0 to 3`,
    ]);
  });

  it("prunes zero-replica ReplicaSets beyond revisionHistoryLimit", () => {
    sandbox.store.create(rt("Deployment"), deployment("prune", { replicas: 1, revisionHistoryLimit: 1 }));
    advanceUntil(() => rolledOut("prune"), 30_000, "the first rollout");
    for (const tag of ["1.26", "1.27", "1.24"]) {
      setImage("prune", `nginx:${tag}`);
      clock.advance(10);
      advanceUntil(() => rolledOut("prune"), 60_000, `the rollout of ${tag}`);
    }
    clock.advance(1_000);
    const revisions = replicaSets("prune").map((rs) => rs.metadata.annotations?.[REVISION]).sort();
    assert.deepEqual(revisions, ["3", "4"]);
  });

  it("a paused Deployment does not roll out until resumed, but still scales", () => {
    sandbox.store.create(rt("Deployment"), deployment("pause"));
    advanceUntil(() => rolledOut("pause"), 30_000, "the first rollout");
    sandbox.store.mutate(rt("Deployment"), "default", "pause", (d) => {
      d.spec.paused = true;
      d.spec.template.spec.containers[0].image = "nginx:1.26";
    });
    clock.advance(10_000);
    assert.equal(replicaSets("pause").length, 1);
    let d = getDeploy("pause");
    assert.equal(condition(d, "Progressing").status, "Unknown");
    assert.equal(condition(d, "Progressing").reason, "DeploymentPaused");
    sandbox.store.mutate(rt("Deployment"), "default", "pause", (o) => { o.spec.replicas = 5; });
    clock.advance(10_000);
    assert.equal(rsByRevision("pause", 1)!.spec.replicas, 5);
    assert.equal(getDeploy("pause").status.updatedReplicas, undefined, "the running pods are not the paused template");
    sandbox.store.mutate(rt("Deployment"), "default", "pause", (o) => { o.spec.paused = false; });
    clock.advance(10);
    advanceUntil(() => rolledOut("pause"), 90_000, "the resumed rollout");
    d = getDeploy("pause");
    assert.equal(rsByRevision("pause", 2)!.spec.replicas, 5);
    assert.equal(d.status.updatedReplicas, 5);
    assert.equal(condition(d, "Progressing").reason, "NewReplicaSetAvailable");
  });

  it("spreads a scale-up during a rollout over old and new ReplicaSets", () => {
    sandbox.store.create(rt("Deployment"), deployment("prop", { replicas: 10, progressDeadlineSeconds: 600 }));
    advanceUntil(() => rolledOut("prop"), 30_000, "the first rollout");
    setImage("prop", "nginx:broken");
    clock.advance(10_000);
    const before = [rsByRevision("prop", 1)!.spec.replicas, rsByRevision("prop", 2)!.spec.replicas];
    assert.deepEqual(before, [8, 5], "25% surge and unavailability of 10");
    sandbox.store.mutate(rt("Deployment"), "default", "prop", (o) => { o.spec.replicas = 20; });
    clock.advance(10);
    const after = [rsByRevision("prop", 1)!.spec.replicas, rsByRevision("prop", 2)!.spec.replicas];
    assert.equal(after[0] + after[1], 25, "20 replicas + 5 surge");
    assert.ok(after[0] > before[0] && after[1] > before[1], `both grew: ${after}`);
  });

  it("deleting the Deployment takes its ReplicaSets and pods with it", () => {
    sandbox.store.create(rt("Deployment"), deployment("gone"));
    advanceUntil(() => rolledOut("gone"), 30_000, "the rollout");
    assert.equal(replicaSets("gone").length, 1);
    sandbox.store.delete(rt("Deployment"), "default", "gone");
    clock.advance(1_000);
    assert.equal(replicaSets("gone").length, 0);
    assert.equal(sandbox.store.list(rt("Pod"), "default").filter((p) => p.metadata.labels?.app === "gone").length, 0);
  });
});

describe("Deployments through the real kubectl", () => {
  let cluster: TestCluster;
  const run = async (args: string[], input?: string) => {
    const r = await cluster.kubectl(args, input);
    assert.equal(r.code, 0, `kubectl ${args.join(" ")} failed: ${r.stderr}`);
    return r.stdout;
  };
  const kubectl = (...args: string[]) => run(args);
  const rt = (kind: string) => cluster.sandbox.context.rt(kind);
  const replicaSets = () => cluster.sandbox.store.list(rt("ReplicaSet"), "default").filter((rs) => rs.metadata.labels?.app === "web");
  const rsByRevision = (rev: number) => replicaSets().find((rs) => rs.metadata.annotations?.[REVISION] === String(rev));
  const image = () => cluster.sandbox.store.require(rt("Deployment"), "default", "web").spec.template.spec.containers[0].image;
  const manifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    kubernetes.io/change-cause: "first release"
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.25
`;
  const rolledOut = async () => assert.match(await kubectl("rollout", "status", "deploy/web", "--timeout=90s"), /deployment "web" successfully rolled out/);

  // The sandbox's scheduler and kubelet run the nginx pods, 20 simulated seconds per real one.
  before(async () => {
    cluster = await startTestCluster({ clock: new RealClock(20) });
  });
  after(() => cluster.close());

  it("creates a Deployment and reports its rollout status", async () => {
    assert.match(await run(["create", "--validate=false", "-f", "-"], manifest), /deployment.apps\/web created/);
    await rolledOut();
    assert.equal(await kubectl("get", "deploy", "web", "-o", "jsonpath={.status.readyReplicas}/{.spec.replicas} {.status.updatedReplicas} {.status.availableReplicas}"), "2/2 2 2");
    const rs = await kubectl("get", "rs", "-l", "app=web", "-o", "jsonpath={.items[*].metadata.name} {.items[*].status.readyReplicas}");
    assert.equal(rs, `${rsByRevision(1)!.metadata.name} 2`);
  });

  it("set image rolls out revision 2, and rollout history lists both with their change causes", async () => {
    assert.match(await kubectl("set", "image", "deploy/web", "web=nginx:1.26"), /deployment.apps\/web image updated/);
    await kubectl("annotate", "deploy/web", "kubernetes.io/change-cause=bump to 1.26", "--overwrite");
    await rolledOut();
    await eventually(() => rsByRevision(2)?.metadata.annotations?.["kubernetes.io/change-cause"] === "bump to 1.26", 20_000, "change-cause on the new ReplicaSet");
    const history = await kubectl("rollout", "history", "deploy/web");
    assert.match(history, /REVISION\s+CHANGE-CAUSE/);
    assert.match(history, /^1\s+first release$/m);
    assert.match(history, /^2\s+bump to 1.26$/m);
    const rev2 = await kubectl("rollout", "history", "deploy/web", "--revision=2");
    assert.match(rev2, /with revision #2/);
    assert.match(rev2, /Image:\s+nginx:1.26/);
  });

  it("rollout undo goes back to the previous revision, reusing its ReplicaSet", async () => {
    const first = rsByRevision(1)!.metadata.name;
    assert.match(await kubectl("rollout", "undo", "deploy/web"), /deployment.apps\/web rolled back/);
    assert.equal(image(), "nginx:1.25");
    await rolledOut();
    await eventually(() => rsByRevision(3)?.metadata.name === first, 20_000, "revision 3 on the first ReplicaSet");
    assert.equal(replicaSets().length, 2);
    const history = await kubectl("rollout", "history", "deploy/web");
    assert.match(history, /^2\s+bump to 1.26$/m);
    assert.match(history, /^3\s+first release$/m);
    assert.doesNotMatch(history, /^1\s/m);

    assert.match(await kubectl("rollout", "undo", "deploy/web", "--to-revision=2"), /rolled back/);
    assert.equal(image(), "nginx:1.26");
    await rolledOut();
    await eventually(() => rsByRevision(4), 20_000, "revision 4");
    const [result] = await Promise.all([cluster.kubectl(["rollout", "undo", "deploy/web", "--to-revision=9"])]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /unable to find specified revision 9 in history/);
  });

  it("scale changes the replica count through the scale subresource", async () => {
    assert.match(await kubectl("scale", "deploy/web", "--replicas=4"), /deployment.apps\/web scaled/);
    await rolledOut();
    await eventually(() => cluster.sandbox.store.require(rt("Deployment"), "default", "web").status.availableReplicas === 4, 20_000, "4 available");
    assert.equal(await kubectl("get", "deploy", "web", "-o", "jsonpath={.status.readyReplicas}/{.spec.replicas} {.status.updatedReplicas} {.status.availableReplicas}"), "4/4 4 4");
  });

  it("rollout restart rolls every pod onto a new ReplicaSet", async () => {
    const before = new Set(replicaSets().map((rs) => rs.metadata.name));
    assert.match(await kubectl("rollout", "restart", "deploy/web"), /deployment.apps\/web restarted/);
    await rolledOut();
    const fresh = replicaSets().find((rs) => !before.has(rs.metadata.name!));
    assert.ok(fresh, "a new ReplicaSet");
    assert.ok(fresh.spec.template.metadata.annotations?.["kubectl.kubernetes.io/restartedAt"]);
    assert.equal(fresh.metadata.annotations?.[REVISION], "5");
    await eventually(() => replicaSets().filter((rs) => rs.spec.replicas > 0).length === 1, 20_000, "old ReplicaSets scaled down");
    const events = await kubectl("get", "events", "--field-selector", "involvedObject.name=web,reason=ScalingReplicaSet", "-o", "jsonpath={range .items[*]}{.message}{\"\\n\"}{end}");
    assert.match(events, new RegExp(`Scaled up replica set ${fresh.metadata.name} from 0 to 1`));
  });

  it("a broken image exceeds the progress deadline while the old pods keep serving, and undo recovers", async () => {
    await kubectl("patch", "deploy/web", "--type=merge", "-p", '{"spec":{"progressDeadlineSeconds":30}}');
    await rolledOut();
    await kubectl("set", "image", "deploy/web", "web=nginx:no-such-tag");
    const status = await cluster.kubectl(["rollout", "status", "deploy/web", "--timeout=90s"]);
    assert.notEqual(status.code, 0);
    assert.match(status.stderr, /deployment "web" exceeded its progress deadline/);
    const d = cluster.sandbox.store.require(rt("Deployment"), "default", "web");
    assert.equal(d.status.availableReplicas, 3, "4 replicas, 25% may be unavailable: 3 old pods still serve");
    assert.equal(d.status.conditions.find((c: { type: string }) => c.type === "Available").status, "True");
    assert.match(await kubectl("rollout", "undo", "deploy/web"), /rolled back/);
    await rolledOut();
    assert.equal(cluster.sandbox.store.require(rt("Deployment"), "default", "web").status.availableReplicas, 4);
  });

  it("delete takes the ReplicaSets and pods with the Deployment", async () => {
    assert.match(await kubectl("delete", "deploy", "web"), /deployment.apps "web" deleted/);
    await eventually(() => replicaSets().length === 0 && !cluster.sandbox.store.list(rt("Pod"), "default").some((p) => p.metadata.labels?.app === "web"), 20_000, "ReplicaSets and pods gone");
    const pods = await cluster.kubectl(["get", "pods", "-l", "app=web"]);
    assert.match(pods.stderr, /No resources found in default namespace/);
  });
});
