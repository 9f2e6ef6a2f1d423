/**
 * The sandbox API server as kubectl sees it: discovery documents in the shape kubectl reads
 * (/version, /api, /apis, resource lists with verbs, short names and subresources), Table
 * responses for `kubectl get`, the autoscaling/v1 scale subresource, and the real kubectl
 * (v1.32) creating, patching, reading and deleting objects — including the protobuf bodies
 * kubectl sends for `create namespace`, `create configmap` and `create secret`.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { eventually, startTestCluster, type TestCluster } from "../../helpers/sandbox.ts";

type Json = Record<string, any>;
type ApiResource = { name: string; singularName: string; namespaced: boolean; kind: string; verbs: string[]; shortNames?: string[]; categories?: string[]; group?: string; version?: string };

const TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

describe("sandbox API server", () => {
  let cluster: TestCluster;
  let base: string;

  before(async () => {
    cluster = await startTestCluster();
    base = cluster.sandbox.url;
    await call("POST", "/apis/apps/v1/namespaces/default/deployments", {
      apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", labels: { app: "web" } },
      spec: { replicas: 2, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx:1.27" }] } } },
    });
  });
  after(async () => {
    await cluster.close();
  });

  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Json> {
    const res = await fetch(base + path, {
      method,
      headers: { ...cluster.auth, ...(body !== undefined ? { "Content-Type": "application/json" } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json() as Json;
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  }
  const resources = async (path: string) => (await call("GET", path)).resources as ApiResource[];
  const find = (list: ApiResource[], name: string) => {
    const r = list.find((x) => x.name === name);
    assert.ok(r, `discovery lists ${name}`);
    return r;
  };

  describe("discovery", () => {
    it("serves /version and /api", async () => {
      const version = await call("GET", "/version");
      assert.equal(version.major, "1");
      assert.match(version.gitVersion, /^v1\.\d+\.\d+/);
      const api = await call("GET", "/api");
      assert.equal(api.kind, "APIVersions");
      assert.deepEqual(api.versions, ["v1"]);
      assert.ok(Array.isArray(api.serverAddressByClientCIDRs));
    });

    it("lists every group with its versions and preferred version under /apis", async () => {
      const apis = await call("GET", "/apis");
      assert.equal(apis.kind, "APIGroupList");
      for (const name of ["apps", "coordination.k8s.io", "networking.k8s.io"]) {
        const g = apis.groups.find((x: Json) => x.name === name);
        assert.ok(g, `group ${name}`);
        assert.deepEqual(g.versions, [{ groupVersion: `${name}/v1`, version: "v1" }]);
        assert.deepEqual(g.preferredVersion, { groupVersion: `${name}/v1`, version: "v1" });
      }
      const apps = await call("GET", "/apis/apps");
      assert.equal(apps.kind, "APIGroup");
      assert.equal(apps.name, "apps");
    });

    it("describes core/v1 resources with verbs, short names and subresources", async () => {
      const body = await call("GET", "/api/v1");
      assert.equal(body.kind, "APIResourceList");
      assert.equal(body.groupVersion, "v1");
      const list = body.resources as ApiResource[];
      const pods = find(list, "pods");
      assert.equal(pods.kind, "Pod");
      assert.equal(pods.namespaced, true);
      assert.equal(pods.singularName, "pod");
      assert.deepEqual(pods.shortNames, ["po"]);
      for (const verb of ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]) assert.ok(pods.verbs.includes(verb), `pods: ${verb}`);
      assert.deepEqual(find(list, "pods/log").verbs, ["get"]);
      assert.equal(find(list, "pods/log").kind, "Pod");
      assert.ok(find(list, "pods/status").verbs.includes("patch"));
      const ns = find(list, "namespaces");
      assert.equal(ns.namespaced, false);
      assert.deepEqual(ns.shortNames, ["ns"]);
      assert.deepEqual(find(list, "configmaps").shortNames, ["cm"]);
      assert.deepEqual(find(list, "services").shortNames, ["svc"]);
      assert.equal(find(list, "nodes").namespaced, false);
    });

    it("describes apps/v1 with deployments/scale as an autoscaling/v1 Scale", async () => {
      const list = await resources("/apis/apps/v1");
      const deploy = find(list, "deployments");
      assert.deepEqual(deploy.shortNames, ["deploy"]);
      assert.ok(deploy.categories?.includes("all"));
      const scale = find(list, "deployments/scale");
      assert.equal(scale.kind, "Scale");
      assert.equal(scale.group, "autoscaling");
      assert.equal(scale.version, "v1");
      assert.deepEqual([...scale.verbs].sort(), ["get", "patch", "update"]);
      find(list, "deployments/status");
      find(list, "replicasets/scale");
      assert.ok(find(await resources("/apis/coordination.k8s.io/v1"), "leases").verbs.includes("update"));
    });

    it("is what kubectl api-resources reads", async () => {
      const out = await cluster.kubectl(["api-resources", "--no-headers"]);
      assert.equal(out.code, 0, out.stderr);
      const rows = out.stdout.trim().split("\n").map((l) => l.trim().split(/\s+/));
      assert.ok(rows.some((r) => r[0] === "deployments" && r[1] === "deploy" && r[2] === "apps/v1" && r[3] === "true" && r[4] === "Deployment"));
      assert.ok(rows.some((r) => r[0] === "namespaces" && r[1] === "ns" && r[2] === "v1" && r[3] === "false"));
      assert.ok(rows.some((r) => r[0] === "leases" && r[1] === "coordination.k8s.io/v1"));
    });
  });

  describe("Table responses", () => {
    it("answers a list with column definitions and one row per object with its metadata", async () => {
      await call("POST", "/api/v1/namespaces/default/configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "tabled", labels: { t: "1" } }, data: { a: "1" } });
      const table = await call("GET", "/api/v1/namespaces/default/configmaps?labelSelector=t%3D1", undefined, { Accept: TABLE });
      assert.equal(table.kind, "Table");
      assert.equal(table.apiVersion, "meta.k8s.io/v1");
      assert.ok(table.metadata.resourceVersion);
      assert.equal(table.columnDefinitions[0].name, "Name");
      for (const col of table.columnDefinitions) {
        assert.equal(typeof col.name, "string");
        assert.equal(typeof col.type, "string");
        assert.ok(col.priority === 0 || col.priority === 1);
      }
      assert.equal(table.rows.length, 1);
      const [row] = table.rows;
      assert.equal(row.cells.length, table.columnDefinitions.length);
      assert.equal(row.cells[0], "tabled");
      assert.equal(row.object.kind, "PartialObjectMetadata");
      assert.equal(row.object.apiVersion, "meta.k8s.io/v1");
      assert.equal(row.object.metadata.name, "tabled");
      assert.equal(row.object.metadata.namespace, "default");
      assert.ok(row.object.metadata.uid);
      assert.ok(row.object.metadata.creationTimestamp);
    });

    it("answers a single object and other kinds with a Table too", async () => {
      const one = await call("GET", "/apis/apps/v1/namespaces/default/deployments/web", undefined, { Accept: TABLE });
      assert.equal(one.kind, "Table");
      assert.equal(one.rows.length, 1);
      assert.equal(one.rows[0].object.metadata.name, "web");
      const nodes = await call("GET", "/api/v1/nodes", undefined, { Accept: TABLE });
      assert.deepEqual(nodes.rows.map((r: Json) => r.object.metadata.name), ["node-1", "node-2", "node-3"]);
      for (const r of nodes.rows) assert.equal(r.cells.length, nodes.columnDefinitions.length);
      // Without the Table media type the same path answers the plain object.
      assert.equal((await call("GET", "/apis/apps/v1/namespaces/default/deployments/web")).kind, "Deployment");
    });
  });

  describe("scale subresource", () => {
    const SCALE = "/apis/apps/v1/namespaces/default/deployments/web/scale";

    it("GET answers an autoscaling/v1 Scale", async () => {
      const scale = await call("GET", SCALE);
      assert.equal(scale.kind, "Scale");
      assert.equal(scale.apiVersion, "autoscaling/v1");
      assert.equal(scale.metadata.name, "web");
      assert.equal(scale.metadata.namespace, "default");
      assert.ok(scale.metadata.resourceVersion);
      assert.equal(scale.spec.replicas, 2);
      assert.equal(scale.status.selector, "app=web");
    });

    it("PUT and PATCH change the Deployment's replicas and answer a Scale", async () => {
      const current = await call("GET", SCALE);
      // Without a resourceVersion the write is unconditional: a controller's status write cannot race it.
      const put = await call("PUT", SCALE, { ...current, metadata: { ...current.metadata, resourceVersion: undefined }, spec: { replicas: 4 } });
      assert.equal(put.kind, "Scale");
      assert.equal(put.spec.replicas, 4);
      assert.equal((await call("GET", "/apis/apps/v1/namespaces/default/deployments/web")).spec.replicas, 4);

      const stale = await fetch(base + SCALE, { method: "PUT", headers: { ...cluster.auth, "Content-Type": "application/json" }, body: JSON.stringify({ ...current, spec: { replicas: 9 } }) });
      // `current` predates the PUT above, so its version is stale whatever else happened.
      assert.equal(stale.status, 409, "a Scale carrying an old resourceVersion conflicts");

      const merged = await call("PATCH", SCALE, { spec: { replicas: 5 } }, { "Content-Type": "application/merge-patch+json" });
      assert.equal(merged.kind, "Scale");
      assert.equal(merged.spec.replicas, 5);
      const jsonPatched = await call("PATCH", SCALE, [{ op: "replace", path: "/spec/replicas", value: 1 }], { "Content-Type": "application/json-patch+json" });
      assert.equal(jsonPatched.spec.replicas, 1);
      const dry = await call("PATCH", `${SCALE}?dryRun=All`, { spec: { replicas: 7 } }, { "Content-Type": "application/merge-patch+json" });
      assert.equal(dry.spec.replicas, 7);
      assert.equal((await call("GET", SCALE)).spec.replicas, 1, "dry run changed nothing");
    });

    it("kubectl scale works through it", async () => {
      const out = await cluster.kubectl(["scale", "deployment/web", "--replicas=3"]);
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stdout, /deployment\.apps\/web scaled/);
      assert.equal((await call("GET", SCALE)).spec.replicas, 3);
    });
  });

  describe("the real kubectl", () => {
    it("creates and deletes a namespace (kubectl sends the Namespace as protobuf)", async () => {
      const created = await cluster.kubectl(["create", "namespace", "kubectl-made"]);
      assert.equal(created.code, 0, created.stderr);
      assert.equal(created.stdout.trim(), "namespace/kubectl-made created");
      const ns = await call("GET", "/api/v1/namespaces/kubectl-made");
      assert.equal(ns.kind, "Namespace");
      assert.ok(ns.metadata.uid);
      const got = await cluster.kubectl(["get", "namespace", "kubectl-made", "--no-headers"]);
      assert.match(got.stdout, /^kubectl-made\s/);

      const deleted = await cluster.kubectl(["delete", "namespace", "kubectl-made"]);
      assert.equal(deleted.code, 0, deleted.stderr);
      assert.match(deleted.stdout, /namespace "kubectl-made" deleted/);
      await eventually(async () => (await fetch(`${base}/api/v1/namespaces/kubectl-made`, { headers: cluster.auth })).status === 404, 15_000, "namespace gone");
      const missing = await cluster.kubectl(["get", "namespace", "kubectl-made"]);
      assert.notEqual(missing.code, 0);
      assert.match(missing.stderr, /NotFound.*namespaces "kubectl-made" not found/);
    });

    it("creates a configmap and a generic secret", async () => {
      const cm = await cluster.kubectl(["create", "configmap", "settings", "--from-literal=mode=fast", "--from-literal=level=3"]);
      assert.equal(cm.code, 0, cm.stderr);
      assert.equal(cm.stdout.trim(), "configmap/settings created");
      assert.deepEqual((await call("GET", "/api/v1/namespaces/default/configmaps/settings")).data, { mode: "fast", level: "3" });

      const secret = await cluster.kubectl(["create", "secret", "generic", "creds", "--from-literal=user=admin", "--from-literal=password=s3cr=t"]);
      assert.equal(secret.code, 0, secret.stderr);
      assert.equal(secret.stdout.trim(), "secret/creds created");
      const stored = await call("GET", "/api/v1/namespaces/default/secrets/creds");
      assert.equal(stored.type, "Opaque");
      assert.equal(Buffer.from(stored.data.user, "base64").toString(), "admin");
      assert.equal(Buffer.from(stored.data.password, "base64").toString(), "s3cr=t");

      const dup = await cluster.kubectl(["create", "configmap", "settings", "--from-literal=a=b"]);
      assert.notEqual(dup.code, 0);
      assert.match(dup.stderr, /configmaps "settings" already exists/);
    });

    it("patches a configmap with --type merge and --type json", async () => {
      await cluster.kubectl(["create", "configmap", "patchme", "--from-literal=a=1", "--from-literal=b=2"]);
      const merge = await cluster.kubectl(["patch", "configmap", "patchme", "--type", "merge", "-p", '{"data":{"a":"10","c":"3"},"metadata":{"labels":{"patched":"merge"}}}']);
      assert.equal(merge.code, 0, merge.stderr);
      assert.match(merge.stdout, /configmap\/patchme patched/);
      let obj = await call("GET", "/api/v1/namespaces/default/configmaps/patchme");
      assert.deepEqual(obj.data, { a: "10", b: "2", c: "3" });
      assert.equal(obj.metadata.labels.patched, "merge");

      const json = await cluster.kubectl(["patch", "cm", "patchme", "--type", "json", "-p", '[{"op":"remove","path":"/data/b"},{"op":"replace","path":"/data/c","value":"30"}]']);
      assert.equal(json.code, 0, json.stderr);
      obj = await call("GET", "/api/v1/namespaces/default/configmaps/patchme");
      assert.deepEqual(obj.data, { a: "10", c: "30" });

      const broken = await cluster.kubectl(["patch", "cm", "patchme", "--type", "json", "-p", '[{"op":"remove","path":"/data/nope"}]']);
      assert.notEqual(broken.code, 0);
      assert.match(broken.stderr, /invalid|nope/i);
    });

    it("round-trips a configmap through get -o json and replace", async () => {
      await cluster.kubectl(["create", "configmap", "roundtrip", "--from-literal=k=v"]);
      const got = await cluster.kubectl(["get", "cm", "roundtrip", "-o", "json"]);
      assert.equal(got.code, 0, got.stderr);
      const fromKubectl = JSON.parse(got.stdout);
      const fromServer = await call("GET", "/api/v1/namespaces/default/configmaps/roundtrip");
      // kubectl hides managedFields unless asked (--show-managed-fields), as against a real cluster.
      assert.equal(fromServer.metadata.managedFields[0].manager, "kubectl-create");
      const { managedFields: _shown, ...serverMeta } = fromServer.metadata;
      assert.deepEqual(fromKubectl, { ...fromServer, metadata: serverMeta });

      (fromKubectl as unknown as { data: Record<string, string> }).data.k = "v2";
      fromKubectl.metadata.labels = { edited: "true" };
      const replaced = await cluster.kubectl(["replace", "-f", "-"], JSON.stringify(fromKubectl));
      assert.equal(replaced.code, 0, replaced.stderr);
      assert.match(replaced.stdout, /configmap\/roundtrip replaced/);
      const after = JSON.parse((await cluster.kubectl(["get", "cm", "roundtrip", "-o", "json"])).stdout);
      assert.equal(after.data.k, "v2");
      assert.equal(after.metadata.labels.edited, "true");
      assert.equal(after.metadata.uid, fromServer.metadata.uid);
      assert.ok(BigInt(after.metadata.resourceVersion) > BigInt(fromServer.metadata.resourceVersion));

      // Replaying the old version now conflicts, as on a real cluster.
      const stale = await cluster.kubectl(["replace", "-f", "-"], JSON.stringify(fromServer));
      assert.notEqual(stale.code, 0);
      assert.match(stale.stderr, /Conflict|the object has been modified/);
    });

    it("lists with kubectl get, by label and as names", async () => {
      const out = await cluster.kubectl(["get", "configmaps", "-l", "edited=true", "-o", "name"]);
      assert.equal(out.code, 0, out.stderr);
      assert.equal(out.stdout.trim(), "configmap/roundtrip");
      const table = await cluster.kubectl(["get", "deploy"]);
      assert.equal(table.code, 0, table.stderr);
      assert.match(table.stdout, /^NAME\s/);
      assert.match(table.stdout, /\nweb\s/);
    });
  });
});
