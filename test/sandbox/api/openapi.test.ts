/**
 * The OpenAPI documents over real HTTP: every served kind has a definition that names its
 * group-version-kind (custom resources registered at run time included), write operations
 * declare fieldValidation (which is what makes kubectl leave validation to the server), list
 * merge keys match the server's own strategic merge, a protobuf-only client gets a 406, and
 * fieldValidation=Warn answers with Warning headers while storing the object.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startTestCluster, type TestCluster } from "../../helpers/sandbox.ts";

type Json = Record<string, any>;

describe("OpenAPI documents", () => {
  let cluster: TestCluster;
  const get = async (path: string, accept = "application/json") => {
    const res = await fetch(cluster.sandbox.url + path, { headers: { ...cluster.auth, Accept: accept } });
    return { status: res.status, type: res.headers.get("content-type") ?? "", body: (await res.json()) as Json };
  };

  before(async () => {
    cluster = await startTestCluster({ customResources: [{ group: "example.com", version: "v1", kind: "Widget", plural: "widgets" }] });
  });
  after(async () => {
    await cluster.close();
  });

  it("serves /openapi/v2 with a definition per served kind", async () => {
    const { status, type, body } = await get("/openapi/v2");
    assert.equal(status, 200);
    assert.match(type, /application\/json/);
    assert.equal(body.swagger, "2.0");
    const kinds = new Set<string>();
    for (const def of Object.values(body.definitions as Record<string, Json>)) {
      for (const g of def["x-kubernetes-group-version-kind"] ?? []) kinds.add(`${g.group}/${g.version}/${g.kind}`);
    }
    for (const k of ["/v1/Pod", "apps/v1/Deployment", "/v1/Event", "events.k8s.io/v1/Event", "networking.k8s.io/v1/NetworkPolicy", "example.com/v1/Widget"]) assert.ok(kinds.has(k), `no definition for ${k}`);
    const containers = body.definitions["io.k8s.api.v1.PodSpec"].properties.containers;
    assert.equal(containers["x-kubernetes-patch-merge-key"], "name");
    assert.equal(containers.items.$ref, "#/definitions/io.k8s.api.v1.Container");
    assert.deepEqual(body.definitions["io.k8s.api.v1.DeploymentSpec"].required.sort(), ["selector", "template"]);
  });

  it("serves /openapi/v2 as gnostic protobuf to client-go, and 406 for what it cannot produce", async () => {
    const res = await fetch(`${cluster.sandbox.url}/openapi/v2`, { headers: { ...cluster.auth, Accept: "application/com.github.proto-openapi.spec.v2@v1.0+protobuf" } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
    const pb = Buffer.from(await res.arrayBuffer());
    assert.deepEqual([...pb.subarray(0, 5)], [0x0a, 3, ...Buffer.from("2.0")], "field 1 (swagger) comes first");
    assert.ok(pb.includes(Buffer.from("io.k8s.api.v1.DeploymentSpec")) && pb.includes(Buffer.from("x-kubernetes-group-version-kind")));
    const r = await get("/openapi/v3", "application/com.github.proto-openapi.spec.v3@v1.0+protobuf");
    assert.equal(r.status, 406);
    assert.equal(r.body.reason, "NotAcceptable");
  });

  it("lists one /openapi/v3 document per group-version, each with fieldValidation on PATCH", async () => {
    const root = await get("/openapi/v3");
    assert.equal(root.status, 200);
    const apps = root.body.paths["apis/apps/v1"];
    assert.match(apps.serverRelativeURL, /^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]{128}$/);
    assert.ok(root.body.paths["api/v1"] && root.body.paths["apis/example.com/v1"]);
    const doc = await get(apps.serverRelativeURL);
    assert.equal(doc.body.openapi, "3.0.0");
    const patch = doc.body.paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"].patch;
    assert.deepEqual(patch["x-kubernetes-group-version-kind"], { group: "apps", version: "v1", kind: "Deployment" });
    assert.ok(patch.parameters.some((p: Json) => p.name === "fieldValidation" && p.in === "query"));
    assert.ok("application/strategic-merge-patch+json" in patch.requestBody.content);
    assert.ok("application/apply-patch+yaml" in patch.requestBody.content);
    const widgets = await get(root.body.paths["apis/example.com/v1"].serverRelativeURL);
    const widgetPatch = widgets.body.paths["/apis/example.com/v1/namespaces/{namespace}/widgets/{name}"].patch;
    assert.ok(!("application/strategic-merge-patch+json" in widgetPatch.requestBody.content), "custom resources take no strategic merge patch");
    const replicas = doc.body.components.schemas["io.k8s.api.v1.DeploymentSpec"].properties.replicas;
    assert.deepEqual([replicas.type, replicas.format], ["integer", "int32"]);
  });

  it("answers 404 for a group-version it does not serve", async () => {
    const r = await get("/openapi/v3/apis/nope.example.com/v1");
    assert.equal(r.status, 404);
    assert.equal(r.body.kind, "Status");
  });

  it("warns about unknown fields by default and stores the object", async () => {
    const res = await fetch(`${cluster.sandbox.url}/api/v1/namespaces/default/configmaps`, {
      method: "POST",
      headers: { ...cluster.auth, "Content-Type": "application/json" },
      body: JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "warned" }, data: { a: "1" }, datum: 1 }),
    });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get("warning"), '299 - "unknown field \\"datum\\""');
    const ignored = await fetch(`${cluster.sandbox.url}/api/v1/namespaces/default/configmaps?fieldValidation=Ignore`, {
      method: "POST",
      headers: { ...cluster.auth, "Content-Type": "application/json" },
      body: JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "ignored" }, datum: 1 }),
    });
    assert.equal(ignored.status, 201);
    assert.equal(ignored.headers.get("warning"), null);
  });
});
