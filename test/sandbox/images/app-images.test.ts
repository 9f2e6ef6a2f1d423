/**
 * The apps' image behaviour models, started directly with a container spec: the Go and Thrift
 * service binaries (config parsing with their languages' errors, a command naming another binary,
 * MongoDB reachability at start, the bad release), mongod (its config file and users Secret),
 * memcached, redis and OpenResty — and what each records in the instance table.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KObject } from "../../../sandbox/api/types.ts";
import { ImageCatalog, type ContainerRun, type ContainerStartContext } from "../../../sandbox/images/catalog.ts";
import { appImages } from "../../../sandbox/images/index.ts";
import { InstanceTable } from "../../../sandbox/images/instances.ts";
import { authorize, parseUsers } from "../../../sandbox/images/mongo.ts";

const NS = "hotel-reservation";
const HOTEL = "docker.io/deathstarbench/hotel-reservation";
const SOCIAL = "docker.io/deathstarbench/social-network-microservices";

/** A cluster where mongodb-geo is a Service with one ready endpoint. */
function lookupWithMongo(ready = true) {
  const objects: Record<string, KObject> = {
    "Service/mongodb-geo": { apiVersion: "v1", kind: "Service", metadata: { name: "mongodb-geo", namespace: NS }, spec: { ports: [{ name: "mongo", port: 27017, targetPort: 27017 }] } },
    "Endpoints/mongodb-geo": {
      apiVersion: "v1", kind: "Endpoints", metadata: { name: "mongodb-geo", namespace: NS },
      subsets: [{ [ready ? "addresses" : "notReadyAddresses"]: [{ ip: "10.244.1.9", targetRef: { kind: "Pod", name: "mongodb-geo-x", uid: "m1" } }], ports: [{ name: "mongo", port: 27017 }] }],
    },
    "Pod/mongodb-geo-x": {
      apiVersion: "v1", kind: "Pod", metadata: { name: "mongodb-geo-x", namespace: NS, uid: "m1" }, spec: { nodeName: "node-1" },
      status: { containerStatuses: [{ name: "mongodb-geo", state: { waiting: { reason: "ContainerCreating" } } }] },
    },
  };
  return (_v: string, kind: string, _ns: string | undefined, name: string) => objects[`${kind}/${name}`];
}

function setup() {
  const instances = new InstanceTable();
  const catalog = new ImageCatalog(appImages(instances));
  const start = (image: string, container: Record<string, unknown>, extra: Partial<ContainerStartContext> = {}): ContainerRun => {
    const found = catalog.resolve(image);
    assert.ok(found, `${image} resolves`);
    return found.entry.behaviour.start({
      pod: { apiVersion: "v1", kind: "Pod", metadata: { name: "p-1", namespace: NS, uid: "pod-uid" }, spec: {} },
      container: { name: "c", image, ...container },
      image: found.entry.repository,
      tag: found.tag,
      env: {},
      files: {},
      restartCount: 0,
      now: Date.parse("2026-01-01T00:00:00Z"),
      random: () => 0.5,
      lookup: lookupWithMongo(),
      ...extra,
    });
  };
  return { instances, catalog, start };
}

const geoConfig = (over: Record<string, unknown> = {}) => ({ "/config/config.json": JSON.stringify({ service: "geo", port: 8083, callees: {}, timeoutMs: 1000, database: "geo-db", ...over }) });
const geoEnv = { MONGO_ADDR: "mongodb-geo:27017", MONGO_USER: "geo", MONGO_PASSWORD: "pw" };

describe("app images", () => {
  it("publishes exactly the contract's tags: 1.0.0 and the bad 1.0.1; anything else does not exist", () => {
    const { catalog } = setup();
    for (const ref of [`${HOTEL}:1.0.0`, `${HOTEL}:1.0.1`, `${SOCIAL}:1.0.0`, `${SOCIAL}:1.0.1`, "mongo:4.4.6", "memcached:1.6.7", "redis:6.2.4", "yg397/openresty-thrift:xenial", "yg397/media-frontend:xenial"]) {
      assert.ok(catalog.resolve(ref), ref);
    }
    assert.equal(catalog.resolve(`${HOTEL}:1.0.2`), undefined);
    assert.equal(catalog.hasRepository(`${HOTEL}:9.9.9`), true);
  });

  it("a Go service serves its configured port and records what it read", () => {
    const { start, instances } = setup();
    const run = start(`${HOTEL}:1.0.0`, { command: ["geo"] }, { env: geoEnv, files: geoConfig() });
    assert.equal(run.outcome, "run");
    assert.deepEqual(run.outcome === "run" && run.serves.map((s) => s.port), [8083]);
    assert.match(run.logs.join("\n"), /INF cmd\/geo\/main\.go:\d+ > Read database URL: mongodb-geo:27017/);
    const inst = instances.get("pod-uid", "c")!;
    assert.equal(inst.role, "geo");
    assert.equal(inst.buggy, false);
    assert.deepEqual(inst.mongo, { addr: "mongodb-geo:27017", user: "geo", password: "pw", database: "geo-db" });
    start(`${HOTEL}:1.0.1`, { command: ["geo"] }, { env: geoEnv, files: geoConfig() });
    assert.equal(instances.get("pod-uid", "c")!.buggy, true, "1.0.1 is the bad release");
  });

  it("a config value of the wrong type ends a Go service at once with exit 2 and encoding/json's error", () => {
    const { start, instances } = setup();
    const run = start(`${HOTEL}:1.0.0`, { command: ["geo"] }, { env: geoEnv, files: geoConfig({ port: "8083" }) });
    assert.equal(run.outcome, "exit");
    assert.equal(run.outcome === "exit" && run.exitCode, 2);
    assert.ok(run.logs.includes("panic: json: cannot unmarshal string into Go struct field Config.port of type int"), run.logs.join("\n"));
    assert.equal(instances.get("pod-uid", "c"), undefined, "nothing listens");
    const broken = start(`${HOTEL}:1.0.0`, { command: ["geo"] }, { env: geoEnv, files: { "/config/config.json": "{port: 1}" } });
    assert.ok(broken.logs.includes("panic: invalid character 'p' looking for beginning of value"), broken.logs.join("\n"));
  });

  it("a Thrift service aborts with nlohmann::json's error (exit 134)", () => {
    const { start } = setup();
    const run = start(`${SOCIAL}:1.0.0`, { command: ["TextService"] }, { files: { "/config/config.json": JSON.stringify({ service: "text-service", port: "9090" }) } });
    assert.equal(run.outcome === "exit" && run.exitCode, 134);
    assert.deepEqual(run.logs.slice(-2), ["terminate called after throwing an instance of 'nlohmann::detail::type_error'", "  what():  [json.exception.type_error.302] type must be number, but is string"]);
  });

  it("a MONGO_ADDR with no ready server behind it ends the service after the dial timeout: panic: no reachable servers", () => {
    const { start } = setup();
    const run = start(`${HOTEL}:1.0.0`, { command: ["geo"] }, { env: { ...geoEnv, MONGO_ADDR: "mongodb-geo:27018" }, files: geoConfig() });
    assert.equal(run.outcome, "exit");
    if (run.outcome !== "exit") return;
    assert.equal(run.exitCode, 1);
    assert.equal(run.afterMs, 5_000);
    assert.ok(run.logs.includes("panic: no reachable servers"));
    const noHost = start(`${HOTEL}:1.0.0`, { command: ["geo"] }, { env: { ...geoEnv, MONGO_ADDR: "mongodb-gep:27017" }, files: geoConfig() });
    assert.equal(noHost.outcome === "exit" && noHost.exitCode, 1);
    // A database pod that is still starting counts: the driver's retries reach it.
    const soon = start(`${HOTEL}:1.0.0`, { command: ["geo"] }, { env: geoEnv, files: geoConfig(), lookup: lookupWithMongo(false) });
    assert.equal(soon.outcome, "run");
  });

  it("a command naming another binary runs that service on its own port; a missing binary does not start", () => {
    const { start, instances } = setup();
    // profile's config, geo's binary: geo ignores a config that is not its own.
    const profileConfig = { "/config/config.json": JSON.stringify({ service: "profile", port: 8081, callees: {}, timeoutMs: 1000, database: "profile-db" }) };
    const run = start(`${HOTEL}:1.0.0`, { command: ["geo"] }, { env: { MONGO_ADDR: "mongodb-geo:27017" }, files: profileConfig });
    assert.deepEqual(run.outcome === "run" && run.serves.map((s) => s.port), [8083]);
    assert.equal(instances.get("pod-uid", "c")!.role, "geo");
    const missing = start(`${HOTEL}:1.0.0`, { command: ["geoo"] });
    assert.equal(missing.outcome === "exit" && missing.reason, "StartError");
    assert.match(missing.outcome === "exit" ? missing.message ?? "" : "", /exec: "geoo": executable file not found in \$PATH/);
  });

  it("mongod reads its config and users, and stops on a bad config with mongod's error", () => {
    const { start, instances } = setup();
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "mongodb-geo-1", namespace: NS, uid: "pod-uid" }, spec: { volumes: [{ name: "users", secret: { secretName: "mongodb-geo-users" } }] } };
    const container = { command: ["mongod", "--config", "/etc/mongo/mongod.conf"], volumeMounts: [{ name: "users", mountPath: "/etc/mongo-users" }] };
    const files = { "/etc/mongo/mongod.conf": "net:\n  port: 27017\n  tls:\n    mode: disabled\n", "/etc/mongo-users/users.json": '[{"user":"geo","password":"pw","roles":[{"role":"readWrite","db":"geo-db"}]}]' };
    const run = start("mongo:4.4.6", container, { pod, files });
    assert.deepEqual(run.outcome === "run" && run.serves.map((s) => s.port), [27017]);
    assert.match(run.logs.join("\n"), /"msg":"Waiting for connections"/);
    assert.deepEqual(instances.get("pod-uid", "c")!.usersSecret, { name: "mongodb-geo-users", key: "users.json" });
    const bad = start("mongo:4.4.6", container, { pod, files: { ...files, "/etc/mongo/mongod.conf": "net:\n  port: abc\n" } });
    assert.equal(bad.outcome === "exit" && bad.exitCode, 2);
    assert.match(bad.logs[0], /Error parsing option "net\.port" as int/);
    const tls = start("mongo:4.4.6", container, { pod, files: { ...files, "/etc/mongo/mongod.conf": "net:\n  tls:\n    mode: bogus\n" } });
    assert.deepEqual(tls.logs[0], "Bad value for net.tls.mode: bogus");
  });

  it("MongoDB users: a missing user or wrong password fails authentication, a user without a role on the db is unauthorized", () => {
    const users = parseUsers('[{"user":"geo","password":"pw","roles":[{"role":"readWrite","db":"geo-db"}]},{"user":"ro","password":"x","roles":[]}]');
    assert.equal(authorize(users, "geo", "pw", "geo-db"), "ok");
    assert.equal(authorize(users, "geo", "nope", "geo-db"), "auth-failed");
    assert.equal(authorize(users, "someone", "pw", "geo-db"), "auth-failed");
    assert.equal(authorize(users, "ro", "x", "geo-db"), "unauthorized");
    assert.equal(authorize(users, "geo", "pw", "rate-db"), "unauthorized");
    assert.equal(parseUsers("not json"), undefined);
  });

  it("memcached, redis and OpenResty serve their ports and fail on bad flags or config as the real ones do", () => {
    const { start } = setup();
    const mc = start("memcached:1.6.7", { command: ["memcached", "-m", "64"] });
    assert.deepEqual(mc.outcome === "run" && [mc.serves[0].port, mc.logs.length], [11211, 0]);
    const redis = start("redis:6.2.4", { command: ["redis-server", "--port", "6380"] });
    assert.deepEqual(redis.outcome === "run" && redis.serves[0].port, 6380);
    assert.match(redis.logs.join("\n"), /Ready to accept connections/);
    const conf = "http {\n  init_by_lua_block {\n  }\n  server {\n    listen 8080 reuseport;\n  }\n}\n";
    const files = { "/usr/local/openresty/nginx/conf/nginx.conf": conf, "/config/config.json": JSON.stringify({ service: "nginx-thrift", port: 8080, callees: {} }) };
    const ok = start("yg397/openresty-thrift:xenial", {}, { files });
    assert.deepEqual(ok.outcome === "run" && ok.serves[0].port, 8080);
    const badListen = start("yg397/openresty-thrift:xenial", {}, { files: { ...files, "/usr/local/openresty/nginx/conf/nginx.conf": conf.replace("8080", "80a0") } });
    assert.equal(badListen.outcome === "exit" && badListen.exitCode, 1);
    assert.match(badListen.logs[0], /nginx: \[emerg\] invalid port in "80a0" of the "listen" directive/);
    const badJson = start("yg397/openresty-thrift:xenial", {}, { files: { ...files, "/config/config.json": "{" } });
    assert.match(badJson.logs[0], /init_by_lua error/);
  });
});
