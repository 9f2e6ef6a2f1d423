/**
 * Detection and verification agree on a real cluster: the sandbox over HTTP with its controllers,
 * watched by the detection agent with its default holds (on a clock running 20× faster). A Service
 * whose targetPort nothing serves, and a release whose image cannot be pulled, each open one
 * incident naming the failing check keys (the old pods keep serving through the bad rollout); the health measurement the transaction takes fails
 * those keys; the fix clears them and the transaction's verdict is Successful.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { RealClock } from "../../../sandbox/index.ts";
import type { KubeObject } from "../../../src/kube/types.ts";
import { KubeClient } from "../../../src/kube/kube-client.ts";
import type { AgentContext } from "../../../src/incident/agent.ts";
import type { Incident } from "../../../src/incident/types.ts";
import type { HealthInput, HealthReport } from "../../../src/telemetry/health-check.ts";
import { measureHealth } from "../../../src/telemetry/health.ts";
import { judge } from "../../../src/core/verdict.ts";
import { EmbeddedDetectionAgent } from "../../../agents/detection/detector.ts";
import { eventually, startTestCluster, type TestCluster } from "../../helpers/sandbox.ts";

const NS = "shop";
const WAIT = 60_000;

const deployment = (name: string): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace: NS },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "main", image: "nginx:1.27", ports: [{ containerPort: 80 }] }] } },
  },
});
const service = (name: string): KubeObject => ({ apiVersion: "v1", kind: "Service", metadata: { name, namespace: NS }, spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 80 }] } });
const statusOf = (h: HealthReport, key: string) => h.results.find((r) => `${r.check}:${r.entity}` === key)?.status;

describe("detection and verification agree on the sandbox", { timeout: 240_000 }, () => {
  let cluster: TestCluster;
  let client: KubeClient;
  let input: HealthInput;
  let ctx: AgentContext;
  let clock: RealClock;

  before(async () => {
    clock = new RealClock(20);
    cluster = await startTestCluster({ clock });
    client = new KubeClient(cluster.kc);
    await client.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
    input = { cluster: client, namespaces: [NS], clock };
    ctx = { client, clock, namespaces: [NS] };
  });
  after(() => cluster?.close());

  /** Observes every 5 s of cluster time until the detector opens an incident. */
  const detected = (agent: EmbeddedDetectionAgent, what: string): Promise<Incident> =>
    eventually(async () => {
      const inc = await agent.observe(ctx);
      if (!inc) await clock.sleep(5_000);
      return inc ?? undefined;
    }, WAIT, what);
  const measuredWhen = (pred: (h: HealthReport) => boolean, what: string, extra: Partial<HealthInput> = {}) =>
    eventually(async () => {
      const h = await measureHealth({ ...input, ...extra });
      return pred(h) ? h : undefined;
    }, WAIT, what);

  async function agrees(app: string, breakIt: () => Promise<unknown>, fix: () => Promise<unknown>, expected: string[]): Promise<Incident> {
    await client.create(deployment(app));
    await client.create(service(app));
    await measuredWhen((h) => h.failing.length === 0 && statusOf(h, `endpoints-ready:${NS}/${app}`) === "pass", `${app} healthy`);
    const agent = new EmbeddedDetectionAgent();
    for (let i = 0; i < 3; i++) assert.equal(await agent.observe(ctx), null, "healthy: no incident");

    await breakIt();
    const inc = await detected(agent, `an incident on ${app}`);
    for (const k of expected) assert.ok(inc.checks?.includes(k), `incident opened on ${inc.checks?.join(", ")}; expected ${k}`);
    for (const k of inc.checks!) assert.ok(agent.last!.report.failing.includes(k));

    const h0 = await measuredWhen((h) => inc.checks!.every((k) => h.failing.includes(k)), "the transaction's baseline to weigh the incident's checks");
    await fix();
    const h1 = await measuredWhen((h) => h.failing.length === 0, `${app} to recover`, { previous: h0 });
    const verdict = judge(h0, h1, "mitigation");
    assert.equal(verdict.phase, "Successful", verdict.reason);
    await client.delete({ apiVersion: "apps/v1", kind: "Deployment", namespace: NS, name: app });
    await client.delete({ apiVersion: "v1", kind: "Service", namespace: NS, name: app });
    return inc;
  }

  it("a Service targeting a port no pod serves: service-ports opens the incident, restoring the port closes it", async () => {
    const ref = { apiVersion: "v1", kind: "Service", namespace: NS, name: "web" };
    const inc = await agrees(
      "web",
      () => client.patch(ref, [{ op: "replace", path: "/spec/ports/0/targetPort", value: 9999 }], "json"),
      () => client.patch(ref, [{ op: "replace", path: "/spec/ports/0/targetPort", value: 80 }], "json"),
      [`service-ports:${NS}/web`],
    );
    assert.equal(inc.severity, "critical");
    assert.deepEqual(inc.affected, ["web"]);
    assert.ok(inc.evidence.some((e) => e.source === "spec" && e.entity?.kind === "Service" && /targetPort 9999/.test(e.fact)), JSON.stringify(inc.evidence));
  });

  it("a release whose image cannot be pulled: container-states opens the incident, restoring the image closes it", async () => {
    const ref = { apiVersion: "apps/v1", kind: "Deployment", namespace: NS, name: "api" };
    const image = (tag: string) => client.patch(ref, { spec: { template: { spec: { containers: [{ name: "main", image: `nginx:${tag}` }] } } } }, "strategic");
    const inc = await agrees("api", () => image("9.9.9-missing"), () => image("1.27"), [`container-states:${NS}/api`]);
    assert.ok(inc.symptoms.some((s) => /^container-states:shop\/api: pod api-.* (ImagePullBackOff|ErrImagePull)/.test(s)), inc.symptoms.join("\n"));
  });
});
