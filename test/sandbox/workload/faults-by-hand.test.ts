/**
 * Breaking a healthy app by hand through the Kubernetes API, as an operator (or a chaos tool)
 * would, and watching the symptoms appear where a real cluster shows them — the call edges'
 * metrics, the callers' logs, pod states — and go away once the change is undone: a Deployment
 * scaled to zero, a NetworkPolicy, a database user removed or stripped of its role, a bad release,
 * a wrong MONGO_ADDR, a Service targetPort nothing listens on, chaos delay, loss and CPU stress,
 * and on social-network a container running another service's binary.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { histogramQuantile } from "../../../src/telemetry/rates.ts";
import type { Sample } from "../../../src/telemetry/exposition.ts";
import { errorRatio, increase, startApp, type AppFixture } from "../apps/app-fixture.ts";

const HR = "/apis/apps/v1/namespaces/hotel-reservation";
const CORE = "/api/v1/namespaces/hotel-reservation";
const CHAOS = "/apis/chaos-mesh.org/v1alpha1/namespaces/hotel-reservation";

type Window = { before: Sample[]; after: Sample[] };

/** p99 of a service's latency between two scrapes, in seconds. */
function p99(w: Window, service: string): number {
  const les = new Map<number, number>();
  const prev = new Map(w.before.filter((s) => s.name === "http_request_duration_seconds_bucket" && s.labels.service === service).map((s) => [`${s.labels.pod}|${s.labels.le}`, s.value]));
  for (const s of w.after) {
    if (s.name !== "http_request_duration_seconds_bucket" || s.labels.service !== service) continue;
    const le = s.labels.le === "+Inf" ? Infinity : Number(s.labels.le);
    const p = prev.get(`${s.labels.pod}|${s.labels.le}`);
    les.set(le, (les.get(le) ?? 0) + (p === undefined || s.value < p ? s.value : s.value - p));
  }
  return histogramQuantile(0.99, [...les].map(([le, count]) => ({ le, count }))) ?? NaN;
}

describe("hotel-reservation broken by hand", { timeout: 180_000 }, () => {
  let fx: AppFixture;
  /** Scrapes, moves simulated time, scrapes again. */
  const observe = async (ms = 30_000): Promise<Window> => {
    const b = await fx.scrape();
    await fx.advance(ms);
    return { before: b, after: await fx.scrape() };
  };
  const edgeErrors = (w: Window, service: string, callee: string) => errorRatio(w.before, w.after, "rpc_client_requests_total", { service, callee });
  const success = () => fx.cluster.sandbox.workload.successRatio(20_000, "hotel-reservation");
  /** After undoing a change: the app serves again (success over the last 20 s). */
  const healed = async (what: string) => {
    await fx.advance(60_000);
    assert.ok(success() >= 0.99, `after undoing ${what}, success is ${success()}`);
  };

  before(async () => {
    fx = await startApp("hotel-reservation");
    await fx.advance(20_000);
  });
  after(async () => {
    await fx?.close();
  });

  it("geo scaled to zero: search's calls to geo are refused, search logs it, users see errors", async () => {
    await fx.api("PATCH", `${HR}/deployments/geo`, { spec: { replicas: 0 } });
    await fx.advance(10_000);
    const w = await observe();
    assert.equal(edgeErrors(w, "search", "geo"), 1);
    assert.ok(increase(w.before, w.after, "rpc_client_requests_total", { service: "search", callee: "geo", code: "503" }) > 0, "refused is a 503");
    assert.equal(increase(w.before, w.after, "rpc_client_requests_total", { service: "search", callee: "rate" }), 0, "search gives up before asking rate");
    assert.equal(errorRatio(w.before, w.after, "rpc_client_requests_total", { service: "frontend", callee: "recommendation" }), 0, "other paths are fine");
    assert.ok(errorRatio(w.before, w.after, "http_requests_total", { service: "frontend" }) > 0.5, "frontend answers /hotels with errors");
    assert.match(fx.logsOf("search", { tail: 5 }), /geo\.Nearby failed: rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp 10\.96\.\d+\.\d+:8083: connect: connection refused"/);
    assert.ok(success() < 0.6);
    await fx.api("PATCH", `${HR}/deployments/geo`, { spec: { replicas: 1 } });
    await healed("the scale-down");
  });

  it("a NetworkPolicy that denies ingress to rate drops search's calls: deadline exceeded", async () => {
    const policy = { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "rate-ingress" }, spec: { podSelector: { matchLabels: { app: "rate" } }, policyTypes: ["Ingress"] } };
    await fx.api("POST", `/apis/networking.k8s.io/v1/namespaces/hotel-reservation/networkpolicies`, policy);
    const w = await observe();
    assert.equal(edgeErrors(w, "search", "rate"), 1);
    assert.ok(increase(w.before, w.after, "rpc_client_requests_total", { service: "search", callee: "rate", code: "504" }) > 0, "a dropped connection is a 504");
    assert.match(fx.logsOf("search", { tail: 5 }), /rate\.GetRates failed: rpc error: code = DeadlineExceeded desc = context deadline exceeded/);
    assert.ok(p99(w, "search") >= 0.9, "callers wait for their deadline");
    // Allowing search in (policies add up) lets its calls through again.
    await fx.api("POST", `/apis/networking.k8s.io/v1/namespaces/hotel-reservation/networkpolicies`, {
      ...policy, metadata: { name: "rate-from-search" }, spec: { podSelector: { matchLabels: { app: "rate" } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: "search" } } }], ports: [{ port: 8084 }] }] },
    });
    const allowed = await observe(20_000);
    assert.equal(edgeErrors(allowed, "search", "rate"), 0);
    await fx.api("DELETE", `/apis/networking.k8s.io/v1/namespaces/hotel-reservation/networkpolicies/rate-ingress`);
    await fx.api("DELETE", `/apis/networking.k8s.io/v1/namespaces/hotel-reservation/networkpolicies/rate-from-search`);
    await healed("the NetworkPolicy");
  });

  it("the geo user removed from mongodb-geo-users: geo's queries fail authentication, mongod logs the refusals", async () => {
    const secret = await fx.api("GET", `${CORE}/secrets/mongodb-geo-users`);
    const users = JSON.parse(Buffer.from(secret.data["users.json"], "base64").toString());
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64");
    await fx.api("PATCH", `${CORE}/secrets/mongodb-geo-users`, { data: { "users.json": b64([]) } });
    const w = await observe();
    assert.equal(edgeErrors(w, "geo", "mongodb-geo"), 1);
    assert.match(fx.logsOf("geo", { tail: 5 }), /Failed to query geo-db: server returned error on SASL authentication step: Authentication failed\./);
    assert.match(fx.logsOf("mongodb-geo", { tail: 3 }), /"msg":"Authentication failed".*UserNotFound: Could not find user \\"geo\\"/);
    assert.match(fx.logsOf("search", { tail: 3 }), /geo\.Nearby failed: rpc error: code = Unknown desc = server returned error on SASL authentication step/);
    // The user back without its role: authenticated, but not authorized on geo-db.
    await fx.api("PATCH", `${CORE}/secrets/mongodb-geo-users`, { data: { "users.json": b64(users.map((u: any) => ({ ...u, roles: [] }))) } });
    await fx.advance(15_000);
    assert.match(fx.logsOf("geo", { tail: 2 }), /\(Unauthorized\) not authorized on geo-db to execute command \{ find: /);
    await fx.api("PATCH", `${CORE}/secrets/mongodb-geo-users`, { data: { "users.json": secret.data["users.json"] } });
    await healed("the user change");
  });

  it("geo's image set to the bad release 1.0.1: it runs and is Ready, but fails most requests with a recovered panic", async () => {
    const image = (tag: string) => ({ spec: { template: { spec: { containers: [{ name: "geo", image: `docker.io/deathstarbench/hotel-reservation:${tag}` }] } } } });
    await fx.api("PATCH", `${HR}/deployments/geo`, image("1.0.1"), "application/strategic-merge-patch+json");
    await fx.advance(30_000);
    const [geo] = fx.pods("app=geo");
    assert.equal(geo.spec.containers[0].image, "docker.io/deathstarbench/hotel-reservation:1.0.1");
    assert.equal(geo.status.phase, "Running");
    const w = await observe();
    const r = edgeErrors(w, "search", "geo");
    assert.ok(r > 0.7 && r < 0.97, `most, not all, of geo's answers fail: ${r}`);
    assert.ok(errorRatio(w.before, w.after, "http_requests_total", { service: "geo" }) > 0.7, "geo itself answers 500s");
    assert.match(fx.logsOf("geo", { tail: 10 }), /panic serving geo\.Geo\/Nearby: runtime error: index out of range[\s\S]*goroutine \d+ \[running\]/);
    await fx.api("PATCH", `${HR}/deployments/geo`, image("1.0.0"), "application/strategic-merge-patch+json");
    await healed("the bad release");
  });

  it("MONGO_ADDR set wrong: the new pod crash-loops with panic: no reachable servers, while the old one serves", async () => {
    const deploy = await fx.api("GET", `${HR}/deployments/geo`);
    const env = deploy.spec.template.spec.containers[0].env;
    const patch = (addr: string) => [{ op: "replace", path: "/spec/template/spec/containers/0/env/0", value: { name: "MONGO_ADDR", value: addr } }];
    assert.equal(env[0].name, "MONGO_ADDR");
    await fx.api("PATCH", `${HR}/deployments/geo`, patch("mongodb-geo:27018"), "application/json-patch+json");
    await fx.advance(90_000);
    const pods = fx.pods("app=geo");
    assert.equal(pods.length, 2, "the rollout is stuck: old pod kept, new one failing");
    const crashing = pods.find((p) => p.status?.containerStatuses?.[0]?.restartCount > 0)!;
    assert.ok(crashing, "a pod restarts");
    assert.equal(crashing.status.containerStatuses[0].state.waiting?.reason, "CrashLoopBackOff");
    assert.equal(crashing.status.containerStatuses[0].lastState.terminated.exitCode, 1);
    assert.match(fx.logsOf("geo", { previous: true }), /Read database URL: mongodb-geo:27018[\s\S]*panic: no reachable servers/);
    const samples = await fx.scrape();
    assert.ok(samples.some((s) => s.name === "kube_pod_container_status_waiting_reason" && s.labels.pod === crashing.metadata.name && s.labels.reason === "CrashLoopBackOff"));
    assert.ok(success() >= 0.99, "the old pod still serves");
    await fx.api("PATCH", `${HR}/deployments/geo`, patch("mongodb-geo:27017"), "application/json-patch+json");
    await fx.advance(60_000);
    assert.equal(fx.pods("app=geo").length, 1);
    await healed("the env change");
  });

  it("rate's Service targetPort set to a port nothing listens on: connection refused", async () => {
    await fx.api("PATCH", `${CORE}/services/rate`, [{ op: "replace", path: "/spec/ports/0/targetPort", value: 9999 }], "application/json-patch+json");
    const w = await observe();
    assert.equal(edgeErrors(w, "search", "rate"), 1);
    assert.match(fx.logsOf("search", { tail: 5 }), /rate\.GetRates failed: .*dial tcp 10\.96\.\d+\.\d+:8084: connect: connection refused/);
    await fx.api("PATCH", `${CORE}/services/rate`, [{ op: "replace", path: "/spec/ports/0/targetPort", value: 8084 }], "application/json-patch+json");
    await healed("the targetPort");
  });

  it("chaos: a NetworkChaos delay slows geo's callers, loss fails a share of calls, CPU stress blows up p99", async () => {
    const experiment = (kind: string, name: string, app: string, spec: Record<string, unknown>) => ({
      apiVersion: "chaos-mesh.org/v1alpha1", kind, metadata: { name }, spec: { mode: "all", selector: { namespaces: ["hotel-reservation"], labelSelectors: { app } }, ...spec },
    });
    const calm = await observe(20_000);
    const calmSearch = p99(calm, "search");
    await fx.api("POST", `${CHAOS}/networkchaos`, experiment("NetworkChaos", "geo-delay", "geo", { action: "delay", delay: { latency: "200ms", jitter: "10ms" } }));
    const slow = await observe();
    assert.ok(p99(slow, "search") > calmSearch + 0.3, `search p99 ${p99(slow, "search")} vs ${calmSearch}`);
    assert.equal(edgeErrors(slow, "search", "geo"), 0, "delay alone fails nothing");
    await fx.api("DELETE", `${CHAOS}/networkchaos/geo-delay`);

    await fx.api("POST", `${CHAOS}/networkchaos`, experiment("NetworkChaos", "rate-loss", "rate", { action: "loss", loss: { loss: "50" } }));
    const lossy = await observe();
    // Loss hits all of rate's traffic: its answers to search and its own calls to its stores.
    const own = edgeErrors(lossy, "rate", "memcached-rate");
    assert.ok(own > 0.35 && own < 0.65, `about half of rate's calls to memcached time out: ${own}`);
    const r = edgeErrors(lossy, "search", "rate");
    assert.ok(r > 0.75 && r < 0.97, `most of search's calls to rate fail: ${r}`);
    assert.ok(increase(lossy.before, lossy.after, "rpc_client_requests_total", { service: "search", callee: "rate", code: "504" }) > 0);
    await fx.api("DELETE", `${CHAOS}/networkchaos/rate-loss`);

    await fx.api("POST", `${CHAOS}/stresschaos`, experiment("StressChaos", "profile-cpu", "profile", { stressors: { cpu: { workers: 4, load: 100 } } }));
    const stressed = await observe();
    assert.ok(p99(stressed, "profile") > 1, `profile p99 ${p99(stressed, "profile")}s under CPU stress`);
    assert.ok(p99(stressed, "frontend") > 1, "its callers wait for it");
    assert.equal(errorRatio(stressed.before, stressed.after, "http_requests_total", { service: "profile" }), 0, "stress slows, it does not fail");
    const cpu = stressed.after.find((s) => s.name === "container_cpu_usage_seconds_total" && s.labels.container === "profile")!;
    const cpuBefore = stressed.before.find((s) => s.name === "container_cpu_usage_seconds_total" && s.labels.container === "profile")!;
    assert.ok((cpu.value - cpuBefore.value) / 30 > 0.9, "the container burns its whole CPU limit");
    await fx.api("DELETE", `${CHAOS}/stresschaos/profile-cpu`);
    await healed("the chaos experiments");
    const after = await observe(20_000);
    assert.ok(p99(after, "frontend") < 0.25, "latency is back to normal");
  });
});

describe("social-network broken by hand", { timeout: 180_000 }, () => {
  let fx: AppFixture;
  const SN = "/apis/apps/v1/namespaces/social-network";
  before(async () => {
    fx = await startApp("social-network");
    await fx.advance(20_000);
  });
  after(async () => {
    await fx?.close();
  });

  it("compose-post-service running TextService: Ready on 9090, but nginx-thrift's calls fail with Invalid method name", async () => {
    await fx.api("PATCH", `${SN}/deployments/compose-post-service`, [{ op: "replace", path: "/spec/template/spec/containers/0/command", value: ["TextService"] }], "application/json-patch+json");
    await fx.advance(30_000);
    const [pod] = fx.pods("app=compose-post-service");
    assert.deepEqual(pod.spec.containers[0].command, ["TextService"]);
    assert.ok(pod.status.containerStatuses[0].ready, "the wrong binary listens on the same port: Ready");
    const b = await fx.scrape();
    await fx.advance(30_000);
    const a = await fx.scrape();
    assert.equal(errorRatio(b, a, "rpc_client_requests_total", { service: "nginx-thrift", callee: "compose-post-service" }), 1);
    assert.match(fx.logsOf("nginx-thrift", { tail: 10 }), /\[error\] 7#7: \*\d+ \[lua\] post_compose\.lua:\d+: post_compose\(\): compose-post-service failure: TApplicationException: Invalid method name: 'ComposePost'/);
    await fx.api("PATCH", `${SN}/deployments/compose-post-service`, [{ op: "replace", path: "/spec/template/spec/containers/0/command", value: ["ComposePostService"] }], "application/json-patch+json");
    await fx.advance(60_000);
    assert.ok(fx.cluster.sandbox.workload.successRatio(20_000, "social-network") >= 0.99);
  });

  it("user-mongodb's user stripped of its role: user-service and user-mention-service are refused on db user", async () => {
    const path = "/api/v1/namespaces/social-network/secrets/user-mongodb-users";
    const secret = await fx.api("GET", path);
    const users = JSON.parse(Buffer.from(secret.data["users.json"], "base64").toString());
    await fx.api("PATCH", path, { data: { "users.json": Buffer.from(JSON.stringify(users.map((u: any) => ({ ...u, roles: [] })))).toString("base64") } });
    const b = await fx.scrape();
    await fx.advance(30_000);
    const a = await fx.scrape();
    assert.equal(errorRatio(b, a, "rpc_client_requests_total", { service: "user-service", callee: "user-mongodb" }), 1);
    assert.equal(errorRatio(b, a, "rpc_client_requests_total", { service: "user-mention-service", callee: "user-mongodb" }), 1);
    assert.equal(errorRatio(b, a, "rpc_client_requests_total", { service: "post-storage-service", callee: "post-storage-mongodb" }), 0);
    assert.match(fx.logsOf("user-service", { tail: 5 }), /<error>: \(UserHandler\.h:\d+:\w+\) Failed to query MongoDB user: not authorized on user to execute command/);
    await fx.api("PATCH", path, { data: { "users.json": secret.data["users.json"] } });
    await fx.advance(60_000);
    assert.ok(fx.cluster.sandbox.workload.successRatio(20_000, "social-network") >= 0.99);
  });
});
