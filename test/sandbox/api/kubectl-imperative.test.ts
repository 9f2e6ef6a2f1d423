/**
 * The real kubectl's imperative commands against the sandbox. `create deployment`, `create service`,
 * `create configmap|secret|namespace|serviceaccount` and the pod deletes of `drain` send protobuf
 * bodies (client-go's typed clients), `run` and `expose` send JSON; all of them must behave as on
 * a real cluster: the Deployment reaches 3/3 through the controllers and survives a drain, the pod
 * runs, the Services select the right pods, and `delete` removes each again.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { RealClock } from "../../../sandbox/clock.ts";
import { eventually, startTestCluster, type TestCluster } from "../../helpers/sandbox.ts";

type Json = Record<string, any>;

describe("kubectl imperative commands", () => {
  let c: TestCluster;
  before(async () => { c = await startTestCluster({ clock: new RealClock(20) }); });
  after(async () => { await c?.close(); });

  const ok = async (...args: string[]) => {
    const r = await c.kubectl(args);
    assert.equal(r.code, 0, `kubectl ${args.join(" ")} failed: ${r.stderr}`);
    return r.stdout.trim();
  };
  const get = async (...args: string[]): Promise<Json> => JSON.parse(await ok("get", ...args, "-o", "json"));
  const gone = async (...args: string[]) => {
    const r = await c.kubectl(["get", ...args]);
    return r.code !== 0 && /not found/.test(r.stderr);
  };

  it("create deployment makes a Deployment that reaches 3/3 ready", async () => {
    assert.equal(await ok("create", "deployment", "web", "--image=nginx:1.27", "--replicas=3"), "deployment.apps/web created");
    const d = await get("deployment", "web");
    assert.equal(d.spec.replicas, 3);
    assert.deepEqual(d.spec.selector, { matchLabels: { app: "web" } });
    assert.deepEqual(d.spec.template.metadata.labels, { app: "web" });
    assert.deepEqual(d.spec.template.spec.containers.map((x: Json) => [x.name, x.image]), [["nginx", "nginx:1.27"]]);
    // The server defaulted what kubectl left out, as it does for a JSON client.
    assert.equal(d.spec.strategy.type, "RollingUpdate");
    assert.equal(d.spec.template.spec.restartPolicy, "Always");
    assert.match(d.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT/);
    await eventually(async () => (await get("deployment", "web")).status?.readyReplicas === 3, 60_000, "web to reach 3/3 ready");
    const row = (await ok("get", "deployment", "web", "--no-headers")).split(/\s+/);
    assert.deepEqual(row.slice(0, 4), ["web", "3/3", "3", "3"]);
  });

  it("drain deletes a node's pods (DeleteOptions in protobuf) and the Deployment replaces them", async () => {
    const pods = (await get("pods", "-l", "app=web")).items as Json[];
    const node = pods[0].spec.nodeName as string;
    const drained = await ok("drain", node, "--ignore-daemonsets", "--timeout=30s");
    assert.match(drained, new RegExp(`pod/${pods[0].metadata.name} (deleted|evicted)`));
    assert.match(drained, new RegExp(`node/${node} drained`));
    await eventually(async () => {
      const now = (await get("pods", "-l", "app=web")).items as Json[];
      const d = await get("deployment", "web");
      return d.status?.readyReplicas === 3 && now.length === 3 && now.every((p) => p.spec.nodeName && p.spec.nodeName !== node);
    }, 60_000, `web back to 3/3 off ${node}`);
    assert.equal(await ok("uncordon", node), `node/${node} uncordoned`);
  });

  it("create deployment --replicas=0 keeps the explicit zero and the container port", async () => {
    assert.equal(await ok("create", "deployment", "idle", "--image=nginx:1.27", "--replicas=0", "--port=80"), "deployment.apps/idle created");
    const d = await get("deployment", "idle");
    assert.equal(d.spec.replicas, 0);
    assert.deepEqual(d.spec.template.spec.containers[0].ports, [{ containerPort: 80, protocol: "TCP" }]);
    const rs = await eventually(async () => (await get("replicasets", "-l", "app=idle")).items[0], 30_000, "the idle ReplicaSet");
    assert.equal(rs.spec.replicas, 0);
  });

  it("a server-side dry run of a protobuf create persists nothing", async () => {
    assert.match(await ok("create", "deployment", "dry", "--image=nginx:1.27", "--dry-run=server"), /deployment.apps\/dry created \(server dry run\)/);
    assert.ok(await gone("deployment", "dry"));
  });

  it("run starts a pod that reaches Running", async () => {
    assert.equal(await ok("run", "tmp", "--image=busybox:1.36", "--", "sleep", "3600"), "pod/tmp created");
    const pod = await eventually(async () => {
      const p = await get("pod", "tmp");
      return p.status?.phase === "Running" ? p : undefined;
    }, 60_000, "pod tmp to run");
    assert.deepEqual(pod.spec.containers[0].args, ["sleep", "3600"]);
    assert.deepEqual(pod.metadata.labels, { run: "tmp" });
    assert.ok(pod.spec.nodeName);
  });

  it("create service clusterip and nodeport make the Services kubectl describes", async () => {
    assert.equal(await ok("create", "service", "clusterip", "web-svc", "--tcp=80:8080"), "service/web-svc created");
    const svc = await get("service", "web-svc");
    assert.equal(svc.spec.type, "ClusterIP");
    assert.match(svc.spec.clusterIP, /^10\.96\.\d+\.\d+$/);
    assert.deepEqual(svc.spec.ports, [{ name: "80-8080", protocol: "TCP", port: 80, targetPort: 8080 }]);
    assert.deepEqual(svc.spec.selector, { app: "web-svc" });

    assert.equal(await ok("create", "service", "nodeport", "np", "--tcp=80:http", "--node-port=30080"), "service/np created");
    const np = await get("service", "np");
    assert.equal(np.spec.type, "NodePort");
    assert.deepEqual(np.spec.ports, [{ name: "80-http", protocol: "TCP", port: 80, targetPort: "http", nodePort: 30080 }]);
    const row = (await ok("get", "service", "np", "--no-headers")).split(/\s+/);
    assert.deepEqual([row[0], row[1], row[4]], ["np", "NodePort", "80:30080/TCP"]);
  });

  it("expose deployment makes a Service whose Endpoints list the three pods", async () => {
    assert.equal(await ok("expose", "deployment", "web", "--port=80", "--target-port=8080"), "service/web exposed");
    const svc = await get("service", "web");
    assert.deepEqual(svc.spec.selector, { app: "web" });
    assert.deepEqual(svc.spec.ports, [{ protocol: "TCP", port: 80, targetPort: 8080 }]);
    const ep = await eventually(async () => {
      const e = await get("endpoints", "web");
      return e.subsets?.[0]?.addresses?.length === 3 ? e : undefined;
    }, 30_000, "three endpoint addresses for web");
    assert.deepEqual(ep.subsets[0].ports.map((p: Json) => p.port), [8080]);
  });

  it("create configmap, secret, namespace and serviceaccount still work", async () => {
    assert.equal(await ok("create", "configmap", "settings", "--from-literal=mode=prod", "--from-literal=level=3"), "configmap/settings created");
    assert.deepEqual((await get("configmap", "settings")).data, { mode: "prod", level: "3" });
    assert.equal(await ok("create", "secret", "generic", "db", "--from-literal=password=s3cret"), "secret/db created");
    const secret = await get("secret", "db");
    assert.equal(secret.type, "Opaque");
    assert.equal(Buffer.from(secret.data.password, "base64").toString(), "s3cret");
    assert.equal(await ok("create", "namespace", "team-b"), "namespace/team-b created");
    assert.equal(await ok("create", "serviceaccount", "robot", "-n", "team-b"), "serviceaccount/robot created");
    assert.equal((await get("serviceaccount", "robot", "-n", "team-b")).metadata.namespace, "team-b");
  });

  it("delete removes each object again", async () => {
    assert.match(await ok("delete", "deployment", "web", "idle"), /deployment.apps "web" deleted\ndeployment.apps "idle" deleted/);
    assert.match(await ok("delete", "pod", "tmp", "--wait=false"), /pod "tmp" deleted/);
    assert.match(await ok("delete", "service", "web", "web-svc", "np"), /service "np" deleted/);
    assert.match(await ok("delete", "configmap", "settings"), /configmap "settings" deleted/);
    assert.match(await ok("delete", "secret", "db"), /secret "db" deleted/);
    assert.match(await ok("delete", "serviceaccount", "robot", "-n", "team-b"), /serviceaccount "robot" deleted/);
    assert.match(await ok("delete", "namespace", "team-b"), /namespace "team-b" deleted/);
    for (const what of [["deployment", "web"], ["deployment", "idle"], ["service", "web"], ["service", "web-svc"], ["service", "np"], ["configmap", "settings"], ["secret", "db"]]) {
      assert.ok(await gone(...what), `${what.join("/")} is still there`);
    }
    // The Deployment's ReplicaSets and pods follow their owner; the bare pod goes through its grace period.
    await eventually(async () => (await get("pods")).items.length === 0, 60_000, "every pod to be gone");
    assert.equal((await get("replicasets")).items.length, 0);
  });
});
