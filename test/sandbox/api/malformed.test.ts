/**
 * Bad input never hurts the sandbox API server. Each malformed request below is sent over raw HTTP
 * and must be answered with a 4xx `Status` (kind, code, reason, and a message that names the
 * problem in words a person can act on); after each one the server must still list namespaces.
 * A raw socket speaking garbage instead of HTTP must not take it down either.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { connect } from "node:net";
import { startTestCluster, type TestCluster } from "../../helpers/sandbox.ts";

type Case = {
  name: string;
  method: string;
  path: string;
  body?: string | Uint8Array<ArrayBuffer>;
  contentType?: string;
  accept?: string;
  code: number;
  reason: string;
  /** Words the message must contain, so a person can tell what was wrong. */
  message: RegExp;
};

const CMS = "/api/v1/namespaces/default/configmaps";
const json = (v: unknown) => JSON.stringify(v);
const token = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
const cm = (metadata: unknown, extra: Record<string, unknown> = {}) => json({ apiVersion: "v1", kind: "ConfigMap", metadata, ...extra });

const CASES: Case[] = [
  { name: "broken JSON", method: "POST", path: CMS, body: '{"apiVersion": "v1", "kind":', code: 400, reason: "BadRequest", message: /not valid JSON/ },
  { name: "a JSON array body", method: "POST", path: CMS, body: json([{ apiVersion: "v1", kind: "ConfigMap" }]), code: 400, reason: "BadRequest", message: /must be a JSON object/ },
  { name: "an empty body", method: "POST", path: CMS, body: "", code: 400, reason: "BadRequest", message: /body is empty/ },
  { name: "YAML that does not parse", method: "POST", path: CMS, contentType: "application/yaml", body: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [unclosed\n", code: 400, reason: "BadRequest", message: /not valid YAML/ },
  { name: "the wrong apiVersion", method: "POST", path: CMS, body: json({ apiVersion: "apps/v1", kind: "ConfigMap", metadata: { name: "x" } }), code: 400, reason: "BadRequest", message: /API version.*apps\/v1.*does not match.*v1/ },
  { name: "the wrong kind", method: "POST", path: CMS, body: json({ apiVersion: "v1", kind: "Secret", metadata: { name: "x" } }), code: 400, reason: "BadRequest", message: /kind.*Secret.*does not match.*ConfigMap/ },
  { name: "no metadata.name", method: "POST", path: CMS, body: cm({}), code: 422, reason: "Invalid", message: /metadata\.name.*name or generateName is required/ },
  { name: "an uppercase name", method: "POST", path: CMS, body: cm({ name: "MyConfig" }), code: 422, reason: "Invalid", message: /metadata\.name.*"MyConfig".*lower case/ },
  { name: "a name over 253 characters", method: "POST", path: CMS, body: cm({ name: "a".repeat(254) }), code: 422, reason: "Invalid", message: /metadata\.name.*no more than 253 characters/ },
  { name: "an underscore in the name", method: "POST", path: CMS, body: cm({ name: "my_config" }), code: 422, reason: "Invalid", message: /metadata\.name.*"my_config".*alphanumeric/ },
  { name: "an invalid label value", method: "POST", path: CMS, body: cm({ name: "x", labels: { app: "not a valid value!" } }), code: 422, reason: "Invalid", message: /metadata\.labels.*valid label/ },
  { name: "labels as a list", method: "POST", path: CMS, body: cm({ name: "x", labels: ["app=web"] }), code: 422, reason: "Invalid", message: /metadata\.labels.*map/ },
  { name: "a name that is a number", method: "POST", path: CMS, body: cm({ name: 42 }), code: 400, reason: "BadRequest", message: /metadata\.name must be a string, not a number/ },
  { name: "finalizers that are not a list of strings", method: "POST", path: CMS, body: cm({ name: "x", finalizers: "example.com/f" }), code: 400, reason: "BadRequest", message: /metadata\.finalizers must be a list of strings/ },
  { name: "a spec that is not an object", method: "POST", path: "/apis/apps/v1/namespaces/default/deployments", body: json({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x" }, spec: "replicas: 3" }), code: 400, reason: "BadRequest", message: /spec must be an object, not a string/ },
  { name: "configmap data that is not a string", method: "POST", path: CMS, body: cm({ name: "x" }, { data: { replicas: 3 } }), code: 422, reason: "Invalid", message: /data\[replicas\].*must be a string/ },
  { name: "metadata as a string", method: "POST", path: CMS, body: json({ apiVersion: "v1", kind: "ConfigMap", metadata: "x" }), code: 400, reason: "BadRequest", message: /metadata must be an object/ },
  { name: "a namespace in the body that differs from the URL", method: "POST", path: CMS, body: cm({ name: "x", namespace: "kube-system" }), code: 400, reason: "BadRequest", message: /namespace.*kube-system.*does not match.*default/ },
  { name: "an ownerReference without a uid", method: "POST", path: CMS, body: cm({ name: "x", ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "y" }] }), code: 422, reason: "Invalid", message: /ownerReferences\[0\]\.uid/ },
  { name: "a POST to a namespace that does not exist", method: "POST", path: "/api/v1/namespaces/nowhere/configmaps", body: cm({ name: "x" }), code: 404, reason: "NotFound", message: /namespaces "nowhere" not found/ },
  { name: "an unknown resource", method: "GET", path: "/api/v1/namespaces/default/widgets", code: 404, reason: "NotFound", message: /could not find the requested resource.*widgets/ },
  { name: "an unknown API group", method: "GET", path: "/apis/nope.example.com/v1/things", code: 404, reason: "NotFound", message: /things\.nope\.example\.com/ },
  { name: "an unknown API version", method: "GET", path: "/api/v2", code: 404, reason: "NotFound", message: /v2 is not served/ },
  { name: "a path with a broken percent-escape", method: "GET", path: `${CMS}/bad%zzname`, code: 400, reason: "BadRequest", message: /not a valid URL path/ },
  { name: "an unknown subresource", method: "GET", path: `${CMS}/existing/frobnicate`, code: 404, reason: "NotFound", message: /no subresource "frobnicate"/ },
  { name: "a PUT whose body names another object", method: "PUT", path: `${CMS}/existing`, body: cm({ name: "other" }), code: 400, reason: "BadRequest", message: /name.*other.*does not match.*existing/ },
  { name: "a PUT with a stale resourceVersion", method: "PUT", path: `${CMS}/existing`, body: cm({ name: "existing", resourceVersion: "2" }, { data: { k: "v" } }), code: 409, reason: "Conflict", message: /has been modified.*latest version/ },
  { name: "a PATCH with an unsupported content type", method: "PATCH", path: `${CMS}/existing`, contentType: "text/plain", body: json({ data: { k: "v" } }), code: 415, reason: "UnsupportedMediaType", message: /unknown format.*merge-patch/ },
  { name: "a server-side apply PATCH without a field manager", method: "PATCH", path: `${CMS}/existing`, contentType: "application/apply-patch+yaml", body: "apiVersion: v1\nkind: ConfigMap\ndata: {k: v}", code: 422, reason: "Invalid", message: /fieldManager: Required value: is required for apply patch/ },
  { name: "a server-side apply PATCH of another kind", method: "PATCH", path: `${CMS}/existing?fieldManager=t`, contentType: "application/apply-patch+yaml", body: "apiVersion: v1\nkind: Secret\ndata: {k: v}", code: 400, reason: "BadRequest", message: /must be v1 ConfigMap/ },
  { name: "a server-side apply PATCH with an unknown field", method: "PATCH", path: `${CMS}/existing?fieldManager=t`, contentType: "application/apply-patch+yaml", body: "apiVersion: v1\nkind: ConfigMap\ndatum: {k: v}", code: 400, reason: "BadRequest", message: /failed to create typed patch object \(default\/existing; v1, Kind=ConfigMap\): \.datum: field not declared in schema/ },
  { name: "a create with an unknown field under fieldValidation=Strict", method: "POST", path: `${CMS}?fieldValidation=Strict`, body: cm({ name: "x" }, { datum: { k: "v" } }), code: 400, reason: "BadRequest", message: /ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "datum"/ },
  { name: "a merge patch adding an unknown field under fieldValidation=Strict", method: "PATCH", path: `${CMS}/existing?fieldValidation=Strict`, contentType: "application/merge-patch+json", body: json({ metadata: { labelz: { a: "b" } } }), code: 422, reason: "Invalid", message: /strict decoding error: unknown field "metadata\.labelz"/ },
  { name: "force=true on a merge patch", method: "PATCH", path: `${CMS}/existing?force=true`, contentType: "application/merge-patch+json", body: json({ data: { k: "forced" } }), code: 422, reason: "Invalid", message: /force: Forbidden: may not be specified for non-apply patch/ },
  { name: "fieldValidation=Loose", method: "POST", path: `${CMS}?fieldValidation=Loose`, body: cm({ name: "x" }), code: 400, reason: "BadRequest", message: /fieldValidation: Unsupported value: "Loose"/ },
  { name: "includeObject=Everything on a Table", method: "GET", path: `${CMS}?includeObject=Everything`, accept: "application/json;as=Table;v=v1;g=meta.k8s.io", code: 400, reason: "BadRequest", message: /unrecognized includeObject value: "Everything"/ },
  { name: "a json-patch that is not an array", method: "PATCH", path: `${CMS}/existing`, contentType: "application/json-patch+json", body: json({ op: "add", path: "/data/k", value: "v" }), code: 400, reason: "BadRequest", message: /json patch must be a JSON array of operations/ },
  { name: "a json-patch op on a missing path", method: "PATCH", path: `${CMS}/existing`, contentType: "application/json-patch+json", body: json([{ op: "remove", path: "/data/nothing-here" }]), code: 422, reason: "Invalid", message: /remove \/data\/nothing-here/ },
  { name: "a json-patch with an unknown op", method: "PATCH", path: `${CMS}/existing`, contentType: "application/json-patch+json", body: json([{ op: "frob", path: "/data" }]), code: 422, reason: "Invalid", message: /unknown op "frob"/ },
  { name: "a merge patch that is an array", method: "PATCH", path: `${CMS}/existing`, contentType: "application/merge-patch+json", body: json([{ data: {} }]), code: 400, reason: "BadRequest", message: /merge patch must be a JSON object/ },
  { name: "a PATCH that would rename the object", method: "PATCH", path: `${CMS}/existing`, contentType: "application/merge-patch+json", body: json({ metadata: { name: "renamed" } }), code: 400, reason: "BadRequest", message: /name.*renamed.*does not match/ },
  { name: "a labelSelector that does not parse", method: "GET", path: `${CMS}?labelSelector=${encodeURIComponent("app in (web")}`, code: 400, reason: "BadRequest", message: /selector|parse|\)/i },
  { name: "an unsupported fieldSelector field", method: "GET", path: `${CMS}?fieldSelector=${encodeURIComponent("spec.color=blue")}`, code: 400, reason: "BadRequest", message: /field label not supported: spec\.color/ },
  { name: "a continue token that was never issued", method: "GET", path: `${CMS}?limit=1&continue=garbage!!`, code: 400, reason: "BadRequest", message: /invalid continue token: continue key is not valid/ },
  { name: "a continue token whose start key climbs out of the listing", method: "GET", path: `${CMS}?limit=1&continue=${token({ v: "meta.k8s.io/v1", rv: 5, start: "../kube-system/x\u0000" })}`, code: 400, reason: "BadRequest", message: /invalid continue token: continue key is not valid: \.\.\/kube-system/ },
  { name: "a continue token from a list in one namespace used across all namespaces", method: "GET", path: `/api/v1/configmaps?limit=1&continue=${token({ v: "meta.k8s.io/v1", rv: 5, start: "existing\u0000" })}`, code: 400, reason: "BadRequest", message: /invalid continue token/ },
  { name: "a continue token of an unknown encoding version", method: "GET", path: `${CMS}?limit=1&continue=${token({ v: "v9", rv: 5, start: "a\u0000" })}`, code: 400, reason: "BadRequest", message: /does not recognize this encoded version/ },
  { name: "a continue token without a resourceVersion", method: "GET", path: `${CMS}?limit=1&continue=${token({ v: "meta.k8s.io/v1", rv: 0, start: "a\u0000" })}`, code: 400, reason: "BadRequest", message: /incorrect encoded start resourceVersion/ },
  { name: "limit=abc", method: "GET", path: `${CMS}?limit=abc`, code: 400, reason: "BadRequest", message: /strconv\.ParseInt: parsing "abc": invalid syntax/ },
  { name: "timeoutSeconds=soon on a watch", method: "GET", path: `${CMS}?watch=true&timeoutSeconds=soon`, code: 400, reason: "BadRequest", message: /strconv\.ParseInt: parsing "soon"/ },
  { name: "resourceVersion=abc", method: "GET", path: `${CMS}?resourceVersion=abc`, code: 400, reason: "BadRequest", message: /resourceVersion: Invalid value: "abc"/ },
  { name: "resourceVersion=abc on a watch", method: "GET", path: `${CMS}?watch=1&resourceVersion=abc`, code: 400, reason: "BadRequest", message: /resourceVersion: Invalid value: "abc"/ },
  { name: "an unsupported resourceVersionMatch", method: "GET", path: `${CMS}?resourceVersion=1&resourceVersionMatch=Newest`, code: 400, reason: "BadRequest", message: /resourceVersionMatch: Unsupported value: "Newest"/ },
  { name: "a namespace segment %2e%2e (no escape to every namespace)", method: "GET", path: "/api/v1/namespaces/%2e%2e/secrets", code: 400, reason: "BadRequest", message: /Name parameter invalid: "\.\.": may not be '\.\.'/ },
  { name: "a namespace segment %2E (no escape to the collection)", method: "GET", path: "/api/v1/namespaces/%2E/secrets", code: 400, reason: "BadRequest", message: /may not be '\.'/ },
  { name: "a name that is %2e%2e", method: "GET", path: `${CMS}/%2e%2e`, code: 400, reason: "BadRequest", message: /Name parameter invalid: "\.\."/ },
  { name: "a name with an encoded slash", method: "DELETE", path: `${CMS}/a%2Fb`, code: 400, reason: "BadRequest", message: /Name parameter invalid: "a\/b": may not contain '\/'/ },
  { name: "a truncated multi-byte percent-escape", method: "GET", path: `${CMS}/%E0%A4%A`, code: 400, reason: "BadRequest", message: /not a valid URL path/ },
  { name: "a body nested 100k deep", method: "POST", path: CMS, body: "[".repeat(100_000) + "]".repeat(100_000), code: 400, reason: "BadRequest", message: /exceeded max depth/ },
  { name: "a body nested 100k deep inside an object", method: "POST", path: CMS, body: `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"data":${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}}`, code: 400, reason: "BadRequest", message: /exceeded max depth/ },
  { name: "a deep merge patch", method: "PATCH", path: `${CMS}/existing`, contentType: "application/merge-patch+json", body: `{"data":${'{"a":'.repeat(20_000)}1${"}".repeat(20_000)}}`, code: 400, reason: "BadRequest", message: /exceeded max depth/ },
  { name: "a labelSelector with a bad operator", method: "GET", path: `${CMS}?labelSelector=${encodeURIComponent("app=>web")}`, code: 400, reason: "BadRequest", message: /./ },
  { name: "a fieldSelector with no operator", method: "GET", path: `${CMS}?fieldSelector=metadata.name`, code: 400, reason: "BadRequest", message: /./ },
  { name: "negative tailLines on a pod log", method: "GET", path: "/api/v1/namespaces/default/pods/logger/log?tailLines=-1", code: 400, reason: "BadRequest", message: /tailLines.*non-negative/ },
  { name: "dryRun=Foo", method: "POST", path: `${CMS}?dryRun=Foo`, body: cm({ name: "dry" }), code: 400, reason: "BadRequest", message: /dryRun.*"Foo".*"All"/ },
  { name: "a body over 3 MiB", method: "POST", path: CMS, body: cm({ name: "huge" }, { data: { blob: "x".repeat(3 * 1024 * 1024 + 1024) } }), code: 413, reason: "RequestEntityTooLarge", message: /^Request entity too large: limit is 3145728$/ },
  { name: "a DELETE with an invalid propagationPolicy", method: "DELETE", path: `${CMS}/existing?propagationPolicy=Sideways`, code: 400, reason: "BadRequest", message: /propagationPolicy.*"Sideways".*Orphan/ },
  { name: "a DELETE whose dryRun is not a list (it must not delete for real)", method: "DELETE", path: `${CMS}/existing`, body: json({ kind: "DeleteOptions", apiVersion: "v1", dryRun: "All" }), code: 400, reason: "BadRequest", message: /dryRun.*list.*"All"/ },
  { name: "a DELETE whose options body is broken", method: "DELETE", path: `${CMS}/existing`, body: "{not json", code: 400, reason: "BadRequest", message: /not valid JSON/ },
  { name: "a scale to -1 replicas", method: "PUT", path: "/apis/apps/v1/namespaces/default/deployments/web/scale", body: json({ apiVersion: "autoscaling/v1", kind: "Scale", metadata: { name: "web" }, spec: { replicas: -1 } }), code: 422, reason: "Invalid", message: /spec\.replicas.*greater than or equal to 0/ },
  { name: "a protobuf body that is garbage", method: "POST", path: CMS, contentType: "application/vnd.kubernetes.protobuf", body: new Uint8Array([0xde, 0xad, 0xbe, 0xef, 0x01, 0x02]), code: 400, reason: "BadRequest", message: /protobuf.*send JSON/ },
  { name: "a truncated protobuf body", method: "POST", path: CMS, contentType: "application/vnd.kubernetes.protobuf", body: new Uint8Array([0x6b, 0x38, 0x73, 0x00, 0x0a, 0x7f, 0x0a]), code: 400, reason: "BadRequest", message: /protobuf body could not be decoded/ },
  { name: "a POST to a named object (method not allowed)", method: "POST", path: `${CMS}/existing`, body: cm({ name: "existing" }), code: 405, reason: "MethodNotAllowed", message: /POST is not allowed/ },
  { name: "a PUT to a collection (method not allowed)", method: "PUT", path: CMS, body: cm({ name: "x" }), code: 405, reason: "MethodNotAllowed", message: /PUT is not allowed/ },
];

function rawRequest(port: number, method: string, path: string, headers: Record<string, string>, body?: string | Uint8Array): Promise<{ status: number; contentType: string; text: string }> {
  return new Promise((resolve, reject) => {
    const withLength = body === undefined ? headers : { ...headers, "Content-Length": String(Buffer.byteLength(body)) };
    const req = request({ host: "127.0.0.1", port, method, path, headers: withLength }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers["content-type"] ?? ""), text: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("malformed requests", () => {
  let cluster: TestCluster;
  let base: string;

  before(async () => {
    cluster = await startTestCluster();
    base = cluster.sandbox.url;
    const post = async (path: string, body: unknown) => {
      const res = await fetch(base + path, { method: "POST", headers: { ...cluster.auth, "Content-Type": "application/json" }, body: json(body) });
      assert.equal(res.status, 201, `${path}: ${await res.text()}`);
    };
    await post(CMS, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "existing" }, data: { k: "v" } });
    await post("/apis/apps/v1/namespaces/default/deployments", {
      apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" },
      spec: { replicas: 1, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx:1.27" }] } } },
    });
    await post("/api/v1/namespaces/default/pods", { apiVersion: "v1", kind: "Pod", metadata: { name: "logger" }, spec: { nodeName: "ghost", containers: [{ name: "main", image: "busybox:1.36" }] } });
  });
  after(async () => {
    await cluster.close();
  });

  async function stillServes(after: string): Promise<void> {
    const res = await fetch(`${base}/api/v1/namespaces`, { headers: cluster.auth });
    assert.equal(res.status, 200, `the server stopped serving after ${after}`);
    const body = await res.json() as { kind: string; items: Array<{ metadata: { name: string } }> };
    assert.equal(body.kind, "NamespaceList");
    assert.ok(body.items.some((n) => n.metadata.name === "default"));
  }

  it("has at least 25 distinct cases", () => {
    assert.ok(CASES.length >= 25);
    assert.equal(new Set(CASES.map((c) => c.name)).size, CASES.length);
  });

  for (const c of CASES) {
    it(`answers ${c.name} with ${c.code} ${c.reason}`, async () => {
      const headers: Record<string, string> = { ...cluster.auth, Accept: c.accept ?? "application/json" };
      if (c.body !== undefined) headers["Content-Type"] = c.contentType ?? "application/json";
      // node:http sends the path as written; fetch would normalise "%2e%2e" away before sending.
      const res = await rawRequest(cluster.sandbox.port, c.method, c.path, headers, c.body);
      const text = res.text;
      assert.equal(res.status, c.code, `status for ${c.name}: ${text.slice(0, 300)}`);
      assert.match(res.contentType, /application\/json/);
      const status = JSON.parse(text);
      assert.equal(status.kind, "Status");
      assert.equal(status.apiVersion, "v1");
      assert.equal(status.status, "Failure");
      assert.equal(status.code, c.code);
      assert.equal(status.reason, c.reason);
      assert.equal(typeof status.message, "string");
      assert.match(status.message, c.message);
      await stillServes(c.name);
    });
  }

  it("left the objects the bad requests aimed at untouched", async () => {
    const res = await fetch(`${base}${CMS}/existing`, { headers: cluster.auth });
    const obj = await res.json() as { data: Record<string, string>; metadata: { labels?: unknown } };
    assert.deepEqual(obj.data, { k: "v" });
    const list = await (await fetch(`${base}${CMS}`, { headers: cluster.auth })).json() as { items: Array<{ metadata: { name: string } }> };
    const stored = list.items.map((i) => i.metadata.name);
    assert.ok(stored.includes("existing"));
    for (const name of ["x", "dry", "huge", "other", "renamed", "MyConfig", "my_config"]) assert.ok(!stored.includes(name), `${name} was stored`);
    const scale = await (await fetch(`${base}/apis/apps/v1/namespaces/default/deployments/web/scale`, { headers: cluster.auth })).json() as { spec: { replicas: number } };
    assert.equal(scale.spec.replicas, 1);
  });

  it("survives a raw socket sending garbage instead of HTTP", async () => {
    const send = (payload: string, end = true) =>
      new Promise<string>((resolve) => {
        const socket = connect(cluster.sandbox.port, "127.0.0.1");
        let reply = "";
        socket.on("data", (d) => { reply += d.toString(); });
        socket.on("error", () => resolve(reply));
        socket.on("close", () => resolve(reply));
        socket.write(payload, () => { if (end) socket.end(); else setTimeout(() => socket.destroy(), 100); });
      });
    const garbage = await send("\x00\x01GARBAGE ???? HTTP/9.9\r\n\r\n");
    assert.match(garbage, /^HTTP\/1\.1 400/);
    await stillServes("a garbage request line");
    const badHeader = await send("GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nBroken Header Line\r\n\r\n");
    assert.match(badHeader, /^HTTP\/1\.1 400/);
    await stillServes("a broken header");
    await send("POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"apiVer", false);
    await stillServes("a body cut off mid-way");
    await send("GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n");
    await stillServes("a negative Content-Length");
    const badTarget = await send("GET http://[::1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert.match(badTarget, /^HTTP\/1\.1 400/);
    assert.match(badTarget, /"kind":"Status".*not a valid URL path/);
    await stillServes("a request target that is not a URL");
  });
});
