/**
 * The two apps as an operator deploys them: the manifests follow the contract in
 * sandbox/apps/README.md (names, images, commands, ports, probes, resources, config, credentials,
 * volumes), and each app comes up fully — every Deployment available, every pod Running and Ready,
 * no restarts — in virtual time, looking to kubectl like a real deployment.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { APPS, getApp } from "../../../sandbox/apps/index.ts";
import type { KObject } from "../../../sandbox/api/types.ts";
import { startApp, type AppFixture } from "./app-fixture.ts";

const byKind = (objs: KObject[], kind: string) => objs.filter((o) => o.kind === kind);
const named = (objs: KObject[], kind: string, name: string) => objs.find((o) => o.kind === kind && o.metadata.name === name);

describe("app manifests follow the contract", () => {
  it("hotel-reservation: 17 Deployments and Services with the contract's images, commands and ports", () => {
    const app = getApp("hotel-reservation");
    const objs = app.manifests();
    assert.equal(app.namespace, "hotel-reservation");
    const ports: Record<string, number> = {
      frontend: 5000, search: 8082, geo: 8083, rate: 8084, profile: 8081, recommendation: 8085, user: 8086, reservation: 8087,
    };
    for (const [name, port] of Object.entries(ports)) {
      const d = named(objs, "Deployment", name)!;
      const c = d.spec.template.spec.containers[0];
      assert.equal(c.name, name);
      assert.equal(c.image, "docker.io/deathstarbench/hotel-reservation:1.0.0");
      assert.deepEqual(c.command, [name]);
      assert.equal(c.ports[0].containerPort, port);
      assert.deepEqual(c.readinessProbe.tcpSocket, { port });
      assert.deepEqual(c.resources, { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "1", memory: "256Mi" } });
      const svc = named(objs, "Service", name)!;
      assert.deepEqual(svc.spec.selector, { app: name });
      assert.deepEqual(svc.spec.ports, [{ name: name === "frontend" ? "http" : "grpc", port, targetPort: port, protocol: "TCP" }]);
      const config = JSON.parse(named(objs, "ConfigMap", `${name}-config`)!.data["config.json"]);
      assert.equal(config.port, port);
      assert.equal(config.service, name);
    }
    assert.deepEqual(JSON.parse(named(objs, "ConfigMap", "search-config")!.data["config.json"]).callees, { geo: "geo:8083", rate: "rate:8084" });
    for (const db of ["geo", "profile", "rate", "recommendation", "reservation", "user"]) {
      const name = `mongodb-${db}`;
      const c = named(objs, "Deployment", name)!.spec.template.spec.containers[0];
      assert.equal(c.image, "docker.io/library/mongo:4.4.6");
      assert.deepEqual(c.command, ["mongod", "--config", "/etc/mongo/mongod.conf"]);
      assert.equal(c.resources.limits.memory, "1Gi");
      const pvc = named(objs, "PersistentVolumeClaim", `${name}-pvc`)!;
      assert.deepEqual(pvc.spec, { accessModes: ["ReadWriteOnce"], storageClassName: "standard", resources: { requests: { storage: "1Gi" } } });
      const creds = named(objs, "Secret", `${name}-credentials`)!.stringData;
      const users = JSON.parse(named(objs, "Secret", `${name}-users`)!.stringData["users.json"]);
      assert.deepEqual(users, [{ user: creds.username, password: creds.password, roles: [{ role: "readWrite", db: `${db}-db` }] }]);
      assert.match(named(objs, "ConfigMap", `${name}-config`)!.data["mongod.conf"], /port: 27017[\s\S]*mode: disabled/);
      // The service that uses it reads its address and credentials from env and the Secret.
      const env = named(objs, "Deployment", db)!.spec.template.spec.containers[0].env;
      assert.deepEqual(env.find((e: any) => e.name === "MONGO_ADDR"), { name: "MONGO_ADDR", value: `${name}:27017` });
      assert.deepEqual(env.find((e: any) => e.name === "MONGO_PASSWORD").valueFrom, { secretKeyRef: { name: `${name}-credentials`, key: "password" } });
    }
    for (const name of ["memcached-profile", "memcached-rate", "memcached-reserve"]) {
      const c = named(objs, "Deployment", name)!.spec.template.spec.containers[0];
      assert.equal(c.image, "docker.io/library/memcached:1.6.7");
      assert.deepEqual(c.command, ["memcached", "-m", "64"]);
      assert.equal(c.resources.limits.memory, "128Mi");
    }
    assert.equal(byKind(objs, "Deployment").length, 17);
    assert.equal(byKind(objs, "Service").length, 17);
    for (const o of objs) if (o.kind !== "Namespace") assert.equal(o.metadata.namespace, "hotel-reservation");
  });

  it("social-network: its services, stores and binaries, with the entry at nginx-thrift", () => {
    const app = getApp("social-network");
    const objs = app.manifests();
    const deployments = byKind(objs, "Deployment").map((d) => d.metadata.name).sort();
    assert.deepEqual(deployments, [
      "compose-post-service", "home-timeline-redis", "home-timeline-service", "media-frontend", "media-memcached", "media-mongodb",
      "media-service", "nginx-thrift", "post-storage-memcached", "post-storage-mongodb", "post-storage-service", "social-graph-mongodb",
      "social-graph-redis", "social-graph-service", "text-service", "unique-id-service", "url-shorten-memcached", "url-shorten-mongodb",
      "url-shorten-service", "user-memcached", "user-mention-service", "user-mongodb", "user-service", "user-timeline-mongodb",
      "user-timeline-redis", "user-timeline-service",
    ]);
    const c = (n: string) => named(objs, "Deployment", n)!.spec.template.spec.containers[0];
    assert.deepEqual(c("compose-post-service").command, ["ComposePostService"]);
    assert.deepEqual(c("url-shorten-service").command, ["UrlShortenService"]);
    assert.equal(c("text-service").image, "docker.io/deathstarbench/social-network-microservices:1.0.0");
    assert.equal(c("nginx-thrift").image, "docker.io/yg397/openresty-thrift:xenial");
    assert.equal(c("nginx-thrift").command, undefined);
    assert.equal(c("media-frontend").ports[0].containerPort, 8081);
    assert.deepEqual(c("home-timeline-redis").command, ["redis-server"]);
    assert.equal(c("user-service").env.find((e: any) => e.name === "MONGO_ADDR").value, "user-mongodb:27017");
    assert.equal(c("user-timeline-service").env.find((e: any) => e.name === "REDIS_ADDR").value, "user-timeline-redis:6379");
    assert.equal(app.requests.reduce((a, r) => a + r.weight, 0).toFixed(6), "1.000000");
    assert.ok(app.requests.every((r) => ["nginx-thrift", "media-frontend"].includes(r.entry)));
  });

  it("request mixes sum to 1 and every call edge of issue 3 is exercised by some request type", () => {
    const edges: Record<string, string[]> = {
      "hotel-reservation": ["frontend>search", "search>geo", "search>rate", "frontend>reservation", "frontend>profile", "frontend>recommendation", "frontend>user",
        "geo>mongodb-geo", "profile>mongodb-profile", "profile>memcached-profile", "rate>mongodb-rate", "rate>memcached-rate",
        "recommendation>mongodb-recommendation", "reservation>mongodb-reservation", "reservation>memcached-reserve", "user>mongodb-user"],
      "social-network": ["nginx-thrift>compose-post-service", "nginx-thrift>user-timeline-service", "nginx-thrift>home-timeline-service", "nginx-thrift>user-service",
        "nginx-thrift>social-graph-service", "compose-post-service>text-service", "compose-post-service>unique-id-service", "compose-post-service>media-service",
        "compose-post-service>user-service", "compose-post-service>post-storage-service", "compose-post-service>user-timeline-service",
        "compose-post-service>home-timeline-service", "text-service>url-shorten-service", "text-service>user-mention-service",
        "home-timeline-service>social-graph-service", "home-timeline-service>post-storage-service", "home-timeline-service>home-timeline-redis",
        "user-timeline-service>post-storage-service", "user-timeline-service>user-timeline-redis", "user-timeline-service>user-timeline-mongodb",
        "social-graph-service>user-service", "social-graph-service>social-graph-mongodb", "social-graph-service>social-graph-redis",
        "user-service>social-graph-service", "user-service>user-mongodb", "user-service>user-memcached", "user-mention-service>user-mongodb",
        "user-mention-service>user-memcached", "post-storage-service>post-storage-mongodb", "post-storage-service>post-storage-memcached",
        "url-shorten-service>url-shorten-mongodb", "url-shorten-service>url-shorten-memcached", "media-frontend>media-mongodb"],
    };
    for (const app of APPS) {
      assert.ok(Math.abs(app.requests.reduce((a, r) => a + r.weight, 0) - 1) < 1e-9, app.name);
      const used = new Set(app.requests.flatMap((r) => Object.entries(r.calls).flatMap(([from, tos]) => tos.map((t) => `${from}>${t}`))));
      assert.deepEqual([...used].sort(), [...edges[app.name]].sort(), app.name);
    }
    if (getApp("hotel-reservation").requests.map((r) => `${r.name}:${r.weight}`).join(" ") !== "/hotels:0.6 /recommendations:0.39 /user:0.005 /reservation:0.005") {
      assert.fail("hotel-reservation's mix is 60% hotels, 39% recommendations, 0.5% user, 0.5% reservation");
    }
  });
});

for (const name of ["hotel-reservation", "social-network"]) {
  describe(`${name} comes up`, { timeout: 120_000 }, () => {
    let fx: AppFixture;
    before(async () => {
      fx = await startApp(name);
    });
    after(async () => {
      await fx?.close();
    });

    it("with every Deployment available and every pod Running and Ready, without restarts, in virtual time", () => {
      const { store, context } = fx.cluster.sandbox;
      const deployments = store.list(context.rt("Deployment"), fx.app.namespace);
      assert.equal(deployments.length, fx.app.services.length + fx.app.stores.length);
      for (const d of deployments) assert.equal(d.status?.availableReplicas, 1, `${d.metadata.name} available`);
      const pods = fx.pods();
      assert.equal(pods.length, deployments.length);
      for (const p of pods) {
        assert.equal(p.status?.phase, "Running", p.metadata.name);
        assert.ok(p.status.conditions.some((c: any) => c.type === "Ready" && c.status === "True"), `${p.metadata.name} Ready`);
        assert.equal(p.status.containerStatuses[0].restartCount, 0, `${p.metadata.name} restarts`);
      }
      const pvcs = store.list(context.rt("PersistentVolumeClaim"), fx.app.namespace);
      assert.ok(pvcs.length >= 6 && pvcs.every((c) => c.status?.phase === "Bound"), "every MongoDB volume is Bound");
      // Simulated time, not wall time, did the waiting.
      assert.ok(fx.clock.now() - Date.parse("2026-01-01T00:00:00Z") < 120_000, "up within two simulated minutes");
    });

    it("looks to kubectl like a real deployment: READY 1/1 everywhere, startup logs as the real programs print them", async () => {
      const ns = fx.app.namespace;
      const get = await fx.cluster.kubectl(["get", "deploy", "-n", ns, "--no-headers"]);
      assert.equal(get.code, 0, get.stderr);
      const rows = get.stdout.trim().split("\n");
      assert.equal(rows.length, fx.app.services.length + fx.app.stores.length);
      for (const row of rows) assert.match(row, /^\S+\s+1\/1\s+1\s+1\s+/);
      const mongo = fx.app.stores.find((s) => s.kind === "mongo")!.name;
      const logs = await fx.cluster.kubectl(["logs", "-n", ns, `deploy/${mongo}`]);
      assert.equal(logs.code, 0, logs.stderr);
      assert.match(logs.stdout, /"msg":"Waiting for connections","attr":\{"port":27017,"ssl":"off"\}/);
      const entry = fx.app.requests[0].entry;
      const svc = fx.app.services.find((s) => s.name !== entry && s.runtime !== "openresty")!;
      const svcLogs = fx.logsOf(svc.name);
      if (svc.runtime === "go") assert.match(svcLogs, /INF cmd\/\w+\/main\.go:\d+ > Starting server\.\.\./);
      else assert.match(svcLogs, /<info>: \(\w+\.cpp:\d+:main\) Starting the [\w-]+ server\.\.\./);
    });
  });
}
