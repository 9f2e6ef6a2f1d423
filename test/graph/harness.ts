/**
 * Test fixture for the incident graph: a TNR fixture (sandbox on a sped-up clock, KubeClient,
 * ledger file) plus GraphDeps wired to it, a checkpointer file, a runner, the events the graph
 * emitted, and helpers to deploy a healthy Deployment and break its image.
 */
import { join, dirname } from "node:path";
import type { Agents } from "../../src/incident/agent.ts";
import type { Incident } from "../../src/incident/types.ts";
import { DEFAULT_POLICY, type Policy } from "../../src/core/policy.ts";
import { WriterLock } from "../../src/core/lock.ts";
import { measureHealth } from "../../src/telemetry/health.ts";
import { IncidentRunner, openCheckpointer, closeCheckpointer, type GraphDeps, type GraphEvent } from "../../src/graph/index.ts";
import { eventually } from "../helpers/sandbox.ts";
import { startTnrFixture, type TnrFixture } from "../helpers/tnr.ts";

export type GraphHarness = {
  f: TnrFixture;
  runner: IncidentRunner;
  deps: GraphDeps;
  events: GraphEvent[];
  close(): Promise<void>;
};

export async function startGraphHarness(agents: Agents, opts: { policy?: Policy; maxAttempts?: number; dryRun?: boolean; f?: TnrFixture } = {}): Promise<GraphHarness> {
  const f = opts.f ?? (await startTnrFixture());
  const events: GraphEvent[] = [];
  const namespaces = ["default"];
  const deps: GraphDeps = {
    agents,
    context: (_i, baselineReplicas) => ({ client: f.client, clock: f.clock, namespaces, baselineReplicas }),
    ledger: f.ledger,
    client: f.client,
    clock: f.clock,
    lock: new WriterLock({ client: f.client, clock: f.clock, identity: "graph-test" }),
    health: (_i, baselineReplicas) => ({ measure: () => measureHealth({ cluster: f.client, namespaces, clock: f.clock, baselineReplicas }) }),
    policy: opts.policy ?? DEFAULT_POLICY,
    maxAttempts: opts.maxAttempts,
    dryRun: opts.dryRun,
    transactionSettings: { stabilizationMs: 20_000, apiRetryBaseMs: 50 },
    onEvent: (e) => events.push(e),
  };
  const saver = openCheckpointer(join(dirname(f.ledgerPath), "checkpoints.db"));
  const runner = new IncidentRunner(deps, saver);
  return {
    f, runner, deps, events,
    async close() {
      closeCheckpointer(saver);
      if (!opts.f) await f.close();
    },
  };
}

export const deployment = (name: string, image = "nginx:1.27", replicas = 2) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace: "default", labels: { app: name } },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "nginx", image, ports: [{ containerPort: 80 }] }] } },
  },
});

export const deploymentRef = (name: string) => ({ apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name });

/** Deploys `name` healthy, then releases an image tag that does not exist; resolves once pods show ImagePullBackOff. */
export async function brokenRelease(f: TnrFixture, name: string): Promise<void> {
  await f.client.create(deployment(name));
  await eventually(async () => (await f.client.read(deploymentRef(name)))?.status?.availableReplicas === 2, 30_000, `${name} available`);
  await f.client.patch(deploymentRef(name), { spec: { template: { spec: { containers: [{ name: "nginx", image: "nginx:9.9.9" }] } } } }, "strategic");
  await eventually(async () => {
    const pods = await f.client.list("v1", "Pod", { namespace: "default", labelSelector: `app=${name}` });
    return pods.some((p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === "ImagePullBackOff");
  }, 30_000, `${name} ImagePullBackOff`);
}

export function incidentFor(name: string, id = `INC-test-${name}`): Incident {
  const at = new Date().toISOString();
  return {
    id, namespace: "default", openedAt: at, onsetAt: at, severity: "critical", fingerprint: `default/${name}`,
    symptoms: [`container-states:default/${name}`], affected: [name],
    evidence: [{ source: "pod-status", entity: { kind: "Deployment", namespace: "default", name }, fact: "pods are in ImagePullBackOff" }],
  };
}

export const baselineOf = (name: string) => new Map([[`default/${name}`, 2]]);
