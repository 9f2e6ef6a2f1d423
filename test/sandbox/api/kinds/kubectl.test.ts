/**
 * The kinds through the real kubectl: `get` tables for nodes, namespaces, services, deployments,
 * pods and claims as a small real cluster prints them, namespace create/delete, and a 422 for an
 * invalid Deployment that names the field. No controllers are relied on: every column checked here
 * comes from what the API server itself writes (defaults) or from spec.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startTestCluster, type TestCluster } from "../../../helpers/sandbox.ts";

/** Table rows as arrays of cells (columns are separated by two or more spaces). */
const rows = (stdout: string) => stdout.trim().split("\n").map((l) => l.trim().split(/\s{2,}/));

describe("kinds through kubectl", () => {
  let c: TestCluster;
  before(async () => { c = await startTestCluster(); });
  after(async () => { await c?.close(); });

  const ok = async (args: string[], input?: string) => {
    const r = await c.kubectl(args, input);
    assert.equal(r.code, 0, `kubectl ${args.join(" ")} failed: ${r.stderr}`);
    return r.stdout;
  };
  const create = (obj: unknown) => ok(["create", "--validate=false", "-f", "-"], JSON.stringify(obj));

  it("get nodes shows three Ready workers", async () => {
    const table = rows(await ok(["get", "nodes"]));
    assert.deepEqual(table[0], ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]);
    assert.deepEqual(table.slice(1).map((r) => [r[0], r[1], r[2], r[4]]), [
      ["node-1", "Ready", "worker", "v1.32.0"], ["node-2", "Ready", "worker", "v1.32.0"], ["node-3", "Ready", "worker", "v1.32.0"],
    ]);
    const wide = rows(await ok(["get", "nodes", "-o", "wide"]));
    assert.deepEqual(wide[0].slice(5), ["INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"]);
    assert.match(wide[1][5], /^\d+\.\d+\.\d+\.\d+$/);
  });

  it("get ns, create namespace and delete namespace", async () => {
    const before = rows(await ok(["get", "ns"]));
    assert.deepEqual(before[0], ["NAME", "STATUS", "AGE"]);
    for (const name of ["default", "kube-system", "kube-public", "kube-node-lease"]) {
      assert.deepEqual(before.find((r) => r[0] === name)?.[1], "Active", name);
    }
    assert.equal((await ok(["create", "namespace", "team-a"])).trim(), "namespace/team-a created");
    assert.deepEqual(rows(await ok(["get", "ns", "team-a"]))[1].slice(0, 2), ["team-a", "Active"]);
    assert.equal((await ok(["get", "ns", "team-a", "-o", "jsonpath={.metadata.labels.kubernetes\\.io/metadata\\.name}"])), "team-a");
    assert.equal((await ok(["delete", "namespace", "team-a"])).trim(), 'namespace "team-a" deleted');
    const gone = await c.kubectl(["get", "ns", "team-a"]);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /namespaces "team-a" not found/);
  });

  it("get svc -o wide shows type, cluster IP, ports and selector", async () => {
    await create({ apiVersion: "v1", kind: "Service", metadata: { name: "search" }, spec: { selector: { app: "search" }, ports: [{ port: 5000 }] } });
    await create({ apiVersion: "v1", kind: "Service", metadata: { name: "frontend" }, spec: { type: "NodePort", selector: { app: "frontend", tier: "web" }, ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }] } });
    const table = rows(await ok(["get", "svc", "-o", "wide"]));
    assert.deepEqual(table[0], ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE", "SELECTOR"]);
    const search = table.find((r) => r[0] === "search")!;
    const frontend = table.find((r) => r[0] === "frontend")!;
    assert.deepEqual([search[1], search[3], search[4], search[6]], ["ClusterIP", "<none>", "5000/TCP", "app=search"]);
    assert.deepEqual([frontend[1], frontend[3], frontend[4], frontend[6]], ["NodePort", "<none>", "80:30080/TCP", "app=frontend,tier=web"]);
    for (const r of [search, frontend]) assert.match(r[2], /^10\.96\.\d+\.\d+$/);
    assert.notEqual(search[2], frontend[2]);
  });

  it("rejects an invalid Deployment with a 422 that names the field", async () => {
    const bad = {
      apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "geo" },
      spec: { selector: { matchLabels: { app: "geo" } }, template: { metadata: { labels: { app: "geography" } }, spec: { containers: [{ name: "geo", image: "geo:1.0" }] } } },
    };
    const r = await c.kubectl(["create", "--validate=false", "-f", "-"], JSON.stringify(bad));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /The Deployment "geo" is invalid: spec\.template\.metadata\.labels: Invalid value: map\[string\]string\{"app":"geography"\}: `selector` does not match template `labels`/);
    const noContainers = { ...bad, spec: { ...bad.spec, template: { metadata: { labels: { app: "geo" } }, spec: { containers: [] } } } };
    const r2 = await c.kubectl(["create", "--validate=false", "-f", "-"], JSON.stringify(noContainers));
    assert.match(r2.stderr, /spec\.template\.spec\.containers: Required value/);
    const missing = await c.kubectl(["get", "deploy", "geo"]);
    assert.notEqual(missing.code, 0, "nothing was stored");
  });

  it("get deploy -o wide reads its columns from spec and status", async () => {
    await create({
      apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "rate" },
      spec: { replicas: 2, selector: { matchLabels: { app: "rate" } }, template: { metadata: { labels: { app: "rate" } }, spec: { nodeSelector: { pool: "none" }, containers: [{ name: "rate", image: "hotel/rate:1.2" }, { name: "cache", image: "memcached:1.6" }] } } },
    });
    const table = rows(await ok(["get", "deploy", "-o", "wide"]));
    assert.deepEqual(table[0], ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"]);
    const rate = table.find((r) => r[0] === "rate")!;
    assert.equal(rate[1], "0/2", "nothing can be ready: the pods' nodeSelector matches no node");
    assert.deepEqual(rate.slice(5), ["rate,cache", "hotel/rate:1.2,memcached:1.6", "app=rate"]);
    const yaml = await ok(["get", "deploy", "rate", "-o", "jsonpath={.spec.strategy.rollingUpdate.maxSurge} {.spec.revisionHistoryLimit} {.spec.template.spec.containers[0].imagePullPolicy}"]);
    assert.equal(yaml, "25% 10 IfNotPresent");
  });

  it("get pods shows a pod the server just defaulted as Pending", async () => {
    await create({ apiVersion: "v1", kind: "Pod", metadata: { name: "lonely" }, spec: { nodeSelector: { pool: "none" }, containers: [{ name: "app", image: "busybox" }] } });
    const table = rows(await ok(["get", "pod", "lonely", "-o", "wide"]));
    assert.deepEqual(table[0], ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED NODE", "READINESS GATES"]);
    assert.deepEqual([...table[1].slice(0, 4), ...table[1].slice(5)], ["lonely", "0/1", "Pending", "0", "<none>", "<none>", "<none>", "<none>"]);
    const fields = await ok(["get", "pod", "lonely", "-o", "jsonpath={.status.qosClass} {.spec.containers[0].imagePullPolicy} {.spec.serviceAccountName}"]);
    assert.equal(fields, "BestEffort Always default");
  });

  it("get pvc shows the default StorageClass the server filled in", async () => {
    await create({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "mongo-data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } });
    const table = rows(await ok(["get", "pvc"]));
    assert.deepEqual(table[0], ["NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS", "VOLUMEATTRIBUTESCLASS", "AGE"]);
    assert.equal(await ok(["get", "pvc", "mongo-data", "-o", "jsonpath={.spec.storageClassName}"]), "standard");
    const sc = rows(await ok(["get", "storageclass"]));
    assert.deepEqual(sc[1].slice(0, 5), ["standard (default)", "rancher.io/local-path", "Delete", "Immediate", "false"]);
  });
});
