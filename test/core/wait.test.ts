/**
 * waitFor: first judged on canned objects with a hand-stepped clock (what "available" means, how
 * timeouts and failed reads are reported), then against the sandbox in virtual time: a Deployment
 * becomes available, its pods ready and its Service's endpoints filled; one with a missing image
 * never does and the wait times out with a detail that says why; a deleted pod is absent.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Clock } from "../../src/base/clock.ts";
import { KubeApiError } from "../../src/base/errors.ts";
import { waitFor, type WaitCondition } from "../../src/core/wait.ts";
import type { ClusterClient } from "../../src/kube/cluster-client.ts";
import { KubeClient } from "../../src/kube/kube-client.ts";
import type { KubeObject } from "../../src/kube/types.ts";
import { VirtualClock } from "../../sandbox/index.ts";
import { startTestCluster, type TestCluster } from "../helpers/sandbox.ts";
import { deployment, namespace, NS } from "./actions/fixtures.ts";

/** A clock that moves only when waited on. */
const steppedClock = (): Clock & { t: number } => {
  const c = { t: 0, now: () => c.t, sleep: async (ms: number) => { c.t += ms; } };
  return c;
};

/** A client whose read answers from `answer(call number)`. */
function cannedClient(answer: (n: number) => KubeObject | undefined | Error): ClusterClient {
  let n = 0;
  const no = () => Promise.reject(new Error("not used"));
  return {
    server: "canned",
    async read() {
      const a = answer(n++);
      if (a instanceof Error) throw a;
      return a;
    },
    list: no, create: no, replace: no, patch: no, delete: no, podLogs: no,
  };
}

const deploy = (status: Record<string, number>, generation = 2, replicas = 2): KubeObject => ({
  apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "geo", namespace: NS, generation }, spec: { replicas }, status,
});
const available = { deploymentAvailable: { namespace: NS, name: "geo" } };

describe("waitFor (canned answers)", () => {
  it("is not satisfied until the controller has observed the generation and every replica is updated and available", async () => {
    const answers = [
      deploy({ observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 2 }),
      deploy({ observedGeneration: 2, replicas: 3, updatedReplicas: 2, availableReplicas: 2 }),
      deploy({ observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 1 }),
      deploy({ observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 2 }),
    ];
    const clock = steppedClock();
    const r = await waitFor(available, { client: cannedClient((n) => answers[n]), clock, timeoutMs: 60_000, pollMs: 1000 });
    assert.deepEqual(r, { ok: true, waitedMs: 3000, detail: `Deployment ${NS}/geo: 2/2 replicas available` });
  });

  it("times out with the last thing it saw, having waited no longer than the timeout", async () => {
    const clock = steppedClock();
    const r = await waitFor(available, { client: cannedClient(() => deploy({ observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 0 })), clock, timeoutMs: 2500, pollMs: 1000 });
    assert.equal(r.ok, false);
    assert.equal(r.waitedMs, 2500);
    assert.equal(r.detail, `timed out after 2500 ms: Deployment ${NS}/geo: 0 of 2 replicas available`);
  });

  it("treats a failed read as not yet, and a missing object as not available", async () => {
    const answers = [new KubeApiError(503, "ServiceUnavailable", "read Deployment: busy"), undefined, deploy({ observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 2 })];
    const clock = steppedClock();
    const client = cannedClient((n) => answers[n]);
    const r = await waitFor(available, { client, clock, timeoutMs: 1000, pollMs: 1000 });
    assert.equal(r.ok, false);
    assert.match(r.detail, /Deployment shop\/geo does not exist/);
    const again = await waitFor(available, { client, clock, timeoutMs: 10_000, pollMs: 1000 });
    assert.equal(again.ok, true);
  });
});

describe("waitFor against the sandbox in virtual time", () => {
  let cluster: TestCluster;
  let client: KubeClient;
  let clock: VirtualClock;
  let stop: () => void;
  const wait = (until: WaitCondition, timeoutMs = 120_000) => waitFor(until, { client, clock, timeoutMs, pollMs: 1000 });

  before(async () => {
    clock = new VirtualClock();
    cluster = await startTestCluster({ clock });
    client = new KubeClient(cluster.kc);
    stop = clock.run(500);
    await client.create(namespace());
    await client.create(deployment("web"));
    await client.create({ apiVersion: "v1", kind: "Service", metadata: { name: "web", namespace: NS }, spec: { selector: { app: "web" }, ports: [{ port: 80, targetPort: 80 }] } });
    const broken = deployment("broken");
    broken.spec.template.spec.containers = [{ name: "app", image: "nginx:no-such-tag" }];
    await client.create(broken);
  });
  after(async () => {
    stop();
    await cluster.close();
  });

  it("a Deployment becomes available, its pods ready, its Service's endpoints filled", async () => {
    const d = await wait({ deploymentAvailable: { namespace: NS, name: "web" } });
    assert.equal(d.ok, true, d.detail);
    assert.match(d.detail, /1\/1 replicas available/);
    const pods = await wait({ podsReady: { namespace: NS, labelSelector: "app=web" } });
    assert.equal(pods.ok, true, pods.detail);
    assert.match(pods.detail, /1\/1 pods matching app=web ready/);
    const ep = await wait({ endpointsReady: { namespace: NS, name: "web" } });
    assert.equal(ep.ok, true, ep.detail);
  });

  it("a Deployment whose image does not exist never becomes available: the wait times out saying why", async () => {
    const r = await wait({ deploymentAvailable: { namespace: NS, name: "broken" } }, 30_000);
    assert.equal(r.ok, false);
    assert.ok(r.waitedMs >= 30_000);
    assert.match(r.detail, /timed out after \d+ ms: Deployment shop\/broken: 0 of 1 replicas available/);
  });

  it("a deleted pod is absent", async () => {
    const [pod] = await client.list("v1", "Pod", { namespace: NS, labelSelector: "app=web" });
    await client.delete({ apiVersion: "v1", kind: "Pod", namespace: NS, name: pod.metadata.name });
    const r = await wait({ objectAbsent: { apiVersion: "v1", kind: "Pod", namespace: NS, name: pod.metadata.name } }, 10_000);
    assert.equal(r.ok, true, r.detail);
  });
});
