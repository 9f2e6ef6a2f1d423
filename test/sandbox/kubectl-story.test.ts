/**
 * Issue 2's acceptance story, told with the real kubectl against one sandbox: everything an operator
 * does on a small cluster in an afternoon, each output checked.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { RealClock } from "../../sandbox/index.ts";
import { eventually, startTestCluster, type TestCluster } from "../helpers/sandbox.ts";

const deployment = JSON.stringify({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "default", annotations: { "kubernetes.io/change-cause": "first release" } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: "web" } },
    template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "nginx", image: "nginx:1.27", ports: [{ containerPort: 80 }] }] } },
  },
});

describe("kubectl against the sandbox", () => {
  let c: TestCluster;
  const k = async (...args: string[]) => {
    const r = await c.kubectl(args);
    assert.equal(r.code, 0, `kubectl ${args.join(" ")} failed: ${r.stderr}`);
    return r.stdout;
  };
  const podNames = async () => (await k("get", "pods", "-l", "app=web", "-o", "jsonpath={.items[*].metadata.name}")).split(" ").filter(Boolean);
  const readyPods = async (n: number) => eventually(async () => {
    const out = await k("get", "pods", "-l", "app=web", "--no-headers");
    const lines = out.trim().split("\n").filter(Boolean);
    return lines.length === n && lines.every((l) => /\s1\/1\s+Running\s/.test(l)) ? lines : undefined;
  }, 30_000, `${n} web pods Running`);

  before(async () => {
    c = await startTestCluster({ clock: new RealClock(20) });
    const r = await c.kubectl(["create", "--validate=false", "-f", "-"], deployment);
    assert.equal(r.code, 0, r.stderr);
    await readyPods(2);
  });
  after(async () => { await c.close(); });

  it("get nodes and get pods -A", async () => {
    assert.match(await k("get", "nodes"), /node-1\s+Ready\s+worker/);
    const all = await k("get", "pods", "-A");
    assert.match(all.split("\n")[0], /^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE/);
    assert.equal(all.split("\n").filter((l) => /^default\s+web-/.test(l)).length, 2);
  });

  it("get deploy -o wide shows containers, images and the selector", async () => {
    const out = await k("get", "deploy", "-o", "wide");
    assert.match(out, /NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR/);
    assert.match(out, /web\s+2\/2\s+2\s+2\s+\S+\s+nginx\s+nginx:1\.27\s+app=web/);
  });

  it("describe pod and logs read like a real cluster's", async () => {
    const [pod] = await podNames();
    const d = await k("describe", "pod", pod);
    assert.match(d, /Controlled By:\s+ReplicaSet\/web-/);
    assert.match(d, /State:\s+Running/);
    assert.match(d, /Successfully assigned default\/web-/);
    const logs = await k("logs", pod);
    assert.match(logs, /nginx/i);
  });

  it("scale, rollout history and rollout undo", async () => {
    await k("scale", "deploy/web", "--replicas=3");
    await readyPods(3);
    await k("set", "image", "deploy/web", "nginx=nginx:1.26");
    await eventually(async () => /nginx:1\.26/.test(await k("get", "rs", "-o", "wide")), 20_000, "a second ReplicaSet");
    const history = await k("rollout", "history", "deploy/web");
    assert.match(history, /REVISION\s+CHANGE-CAUSE/);
    assert.match(history, /^1\s+first release/m);
    assert.match(history, /^2\s/m);
    await k("rollout", "undo", "deploy/web");
    await eventually(async () => (await k("get", "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image}")) === "nginx:1.27", 20_000, "undo to 1.27");
  });

  it("patch with merge and json patches", async () => {
    await k("patch", "deploy", "web", "--type", "merge", "-p", '{"metadata":{"labels":{"tier":"frontend"}}}');
    assert.equal(await k("get", "deploy", "web", "-o", "jsonpath={.metadata.labels.tier}"), "frontend");
    await k("patch", "deploy", "web", "--type", "json", "-p", '[{"op":"replace","path":"/metadata/labels/tier","value":"edge"}]');
    assert.equal(await k("get", "deploy", "web", "-o", "jsonpath={.metadata.labels.tier}"), "edge");
  });

  it("delete pod: the Deployment makes a new one", async () => {
    await readyPods(3);
    const before = await podNames();
    assert.match(await k("delete", "pod", before[0]), /deleted/);
    const replaced = await eventually(async () => {
      const now = await podNames();
      return now.length === 3 && !now.includes(before[0]) ? now : undefined;
    }, 20_000, "a replacement pod");
    assert.equal(replaced.filter((p) => !before.includes(p)).length, 1);
  });

  it("get events shows what the controllers and kubelet did", async () => {
    const ev = await k("get", "events");
    assert.match(ev.split("\n")[0], /LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE/);
    assert.match(ev, /ScalingReplicaSet\s+deployment\/web\s+Scaled up replica set web-/);
    assert.match(ev, /SuccessfulCreate\s+replicaset\/web-/);
    assert.match(ev, /Started\s+pod\/web-/);
  });

  it("create namespace / delete namespace", async () => {
    assert.match(await k("create", "namespace", "team-a"), /namespace\/team-a created/);
    assert.match(await k("get", "ns", "team-a"), /team-a\s+Active/);
    assert.match(await k("delete", "namespace", "team-a"), /namespace "team-a" deleted/);
    const gone = await c.kubectl(["get", "ns", "team-a"]);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /NotFound/);
  });
});
