/**
 * Server-side apply and managedFields over real HTTP: an apply creates (201) and records an Apply
 * entry; fields another manager owns with another value conflict with the real server's wording
 * and causes until forced; equal values are shared, not conflicts; fields the applier drops go;
 * dryRun=All answers without storing; plain writes are attributed to their fieldManager.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startTestCluster, type TestCluster } from "../../helpers/sandbox.ts";

const CMS = "/api/v1/namespaces/default/configmaps";
type Entry = { manager: string; operation: string; apiVersion: string; time: string; fieldsType: string; fieldsV1: Record<string, Record<string, unknown>> };
type Obj = { data?: Record<string, string>; metadata: { labels?: Record<string, string>; resourceVersion: string; managedFields?: Entry[] } };

describe("server-side apply", () => {
  let cluster: TestCluster;
  const call = async (method: string, path: string, body?: string, contentType = "application/apply-patch+yaml") => {
    const res = await fetch(cluster.sandbox.url + path, { method, headers: { ...cluster.auth, "Content-Type": contentType, Accept: "application/json" }, body });
    return { status: res.status, body: (await res.json()) as Obj & { message?: string; reason?: string; details?: { causes?: Array<{ reason: string; message: string; field: string }> } } };
  };
  const config = (data: Record<string, string>, labels?: Record<string, string>) =>
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\n${labels ? `  labels: ${JSON.stringify(labels)}\n` : ""}data: ${JSON.stringify(data)}\n`;

  before(async () => {
    cluster = await startTestCluster();
  });
  after(async () => {
    await cluster.close();
  });

  it("creates the object on first apply and records the applier's fields", async () => {
    const r = await call("PATCH", `${CMS}/applied?fieldManager=alice`, config({ a: "1", b: "2" }, { team: "x" }));
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.deepEqual(r.body.data, { a: "1", b: "2" });
    const entries = r.body.metadata.managedFields!;
    assert.equal(entries.length, 1);
    assert.equal(entries[0].manager, "alice");
    assert.equal(entries[0].operation, "Apply");
    assert.equal(entries[0].fieldsType, "FieldsV1");
    assert.deepEqual(entries[0].fieldsV1, { "f:data": { "f:a": {}, "f:b": {} }, "f:metadata": { "f:labels": { "f:team": {} } } });
  });

  it("attributes a plain merge patch to its fieldManager as an Update", async () => {
    const r = await call("PATCH", `${CMS}/applied?fieldManager=bob`, JSON.stringify({ data: { a: "changed", c: "3" } }), "application/merge-patch+json");
    assert.equal(r.status, 200);
    const bob = r.body.metadata.managedFields!.find((e) => e.manager === "bob")!;
    assert.equal(bob.operation, "Update");
    assert.deepEqual(bob.fieldsV1, { "f:data": { "f:a": {}, "f:c": {} } });
    const alice = r.body.metadata.managedFields!.find((e) => e.manager === "alice")!;
    assert.deepEqual(alice.fieldsV1["f:data"], { "f:b": {} }, "bob took data.a from alice");
  });

  it("refuses to take a field another manager set to another value, naming manager and field", async () => {
    const r = await call("PATCH", `${CMS}/applied?fieldManager=carol`, config({ a: "carol" }));
    assert.equal(r.status, 409);
    assert.equal(r.body.reason, "Conflict");
    assert.match(r.body.message!, /^Apply failed with 1 conflict: conflict with "bob" using v1 at \d{4}-\d\d-\d\dT[\d:]+Z: \.data\.a$/);
    assert.deepEqual(r.body.details!.causes!.map((c) => [c.reason, c.field]), [["FieldManagerConflict", ".data.a"]]);
    const still = await call("GET", `${CMS}/applied`);
    assert.equal(still.body.data!.a, "changed");
  });

  it("lists every conflict, grouped by manager", async () => {
    const r = await call("PATCH", `${CMS}/applied?fieldManager=carol`, config({ a: "carol", b: "carol", c: "carol" }));
    assert.equal(r.status, 409);
    assert.match(r.body.message!, /^Apply failed with 3 conflicts: conflicts with "alice":\n- \.data\.b\nconflicts with "bob" using v1 at [^:]+:\d\d:\d\dZ:\n- \.data\.a\n- \.data\.c$/);
  });

  it("shares a field set to the same value instead of conflicting", async () => {
    const r = await call("PATCH", `${CMS}/applied?fieldManager=dave`, config({ c: "3" }));
    assert.equal(r.status, 200, r.body.message);
    const owners = r.body.metadata.managedFields!.filter((e) => "f:c" in (e.fieldsV1["f:data"] ?? {})).map((e) => e.manager).sort();
    assert.deepEqual(owners, ["bob", "dave"]);
  });

  it("takes fields over with force=true", async () => {
    const r = await call("PATCH", `${CMS}/applied?fieldManager=carol&force=true`, config({ a: "carol" }));
    assert.equal(r.status, 200, r.body.message);
    assert.equal(r.body.data!.a, "carol");
    const bob = r.body.metadata.managedFields!.find((e) => e.manager === "bob")!;
    assert.deepEqual(bob.fieldsV1["f:data"], { "f:c": {} });
  });

  it("removes what the applier no longer applies, unless someone else owns it", async () => {
    const r = await call("PATCH", `${CMS}/applied?fieldManager=alice`, config({}, {}));
    assert.equal(r.status, 200, r.body.message);
    assert.equal(r.body.data!.b, undefined, "b was only alice's: removed");
    assert.equal(r.body.metadata.labels?.team, undefined, "alice's label removed");
    assert.equal(r.body.data!.c, "3", "c is bob's and dave's: kept");
    assert.equal(r.body.data!.a, "carol", "a is carol's: kept");
  });

  it("answers a dryRun=All apply without storing it", async () => {
    const before = await call("GET", `${CMS}/applied`);
    const r = await call("PATCH", `${CMS}/applied?fieldManager=erin&dryRun=All`, config({ e: "5" }));
    assert.equal(r.status, 200, r.body.message);
    assert.equal(r.body.data!.e, "5");
    const afterwards = await call("GET", `${CMS}/applied`);
    assert.equal(afterwards.body.data!.e, undefined);
    assert.equal(afterwards.body.metadata.resourceVersion, before.body.metadata.resourceVersion);
    const created = await call("PATCH", `${CMS}/never?fieldManager=erin&dryRun=All`, config({ e: "5" }).replace("name: applied", "name: never"));
    assert.equal(created.status, 201);
    assert.equal((await call("GET", `${CMS}/never`)).status, 404);
  });

  it("leaves the resourceVersion alone when an apply changes nothing", async () => {
    const first = await call("PATCH", `${CMS}/applied?fieldManager=dave`, config({ c: "3" }));
    const second = await call("PATCH", `${CMS}/applied?fieldManager=dave`, config({ c: "3" }));
    assert.equal(second.body.metadata.resourceVersion, first.body.metadata.resourceVersion);
  });

  it("conflicts with a scale made through the /scale subresource, as an autoscaler's would", async () => {
    const deployment = (replicas: number) => `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: scaled}\nspec:\n  replicas: ${replicas}\n  selector: {matchLabels: {app: scaled}}\n  template:\n    metadata: {labels: {app: scaled}}\n    spec: {containers: [{name: c, image: "nginx:1.27"}]}\n`;
    const path = "/apis/apps/v1/namespaces/default/deployments/scaled";
    assert.equal((await call("PATCH", `${path}?fieldManager=gitops`, deployment(2))).status, 201);
    const scaled = await call("PATCH", `${path}/scale?fieldManager=hpa`, JSON.stringify({ spec: { replicas: 5 } }), "application/merge-patch+json");
    assert.equal(scaled.status, 200);
    const d = await call("GET", path);
    const hpa = d.body.metadata.managedFields!.find((e) => e.manager === "hpa")! as Entry & { subresource?: string };
    assert.equal(hpa.subresource, "scale");
    assert.deepEqual(hpa.fieldsV1, { "f:spec": { "f:replicas": {} } });
    const r = await call("PATCH", `${path}?fieldManager=gitops`, deployment(2));
    assert.equal(r.status, 409);
    assert.match(r.body.message!, /conflict with "hpa" using apps\/v1 at [^:]+:\d\d:\d\dZ: \.spec\.replicas$/);
  });
});
