/**
 * A watchdog with least privilege — a ServiceAccount token the sandbox authorizes with RBAC — keeps
 * working where it may and says what it lacks elsewhere: a namespace it may not read is left out and
 * named in /readyz as the permission to grant; a namespace it may read but not write is diagnosed
 * and escalated, never mitigated (the transaction's dry-run is refused with 403 before anything is
 * written, and the refusal names the permission); where it may write, it fixes.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { KubeConfig } from "@kubernetes/client-node";
import { RealClock } from "../../sandbox/index.ts";
import { openLedger } from "../../src/core/ledger/index.ts";
import { parsePolicy } from "../../src/core/policy.ts";
import { closeCheckpointer, openCheckpointer } from "../../src/graph/index.ts";
import { KubeClient } from "../../src/kube/kube-client.ts";
import type { KubeObject } from "../../src/kube/types.ts";
import { AlertStore, StratusMetrics } from "../../src/server/index.ts";
import { Watchdog } from "../../src/watchdog/index.ts";
import { eventually, startTestCluster, type TestCluster } from "../helpers/sandbox.ts";
import { setImage, stubAgents } from "../graph/stub-agents.ts";

const SPEED = 20;
const READ = { apiGroups: ["", "apps", "networking.k8s.io", "storage.k8s.io", "chaos-mesh.org"], resources: ["*"], verbs: ["get", "list", "watch"] };
const WRITE = [
  { apiGroups: ["apps"], resources: ["deployments", "deployments/scale"], verbs: ["update", "patch"] },
  { apiGroups: [""], resources: ["events"], verbs: ["create"] },
  { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "create", "update"] },
];

const deployment = (namespace: string, name: string, image: string): KubeObject => ({
  apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace, labels: { app: name } },
  spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "nginx", image }] } } },
});
const ref = (namespace: string, name: string) => ({ apiVersion: "apps/v1", kind: "Deployment", namespace, name });

describe("a watchdog with a ServiceAccount token limited to some namespaces", () => {
  let cluster: TestCluster;
  let clock: RealClock;
  let admin: KubeClient;
  before(async () => {
    clock = new RealClock(SPEED);
    cluster = await startTestCluster({ clock });
    admin = new KubeClient(cluster.kc, { clock, retryBaseMs: 20 });
  });
  after(async () => { await cluster.close(); });

  async function role(namespace: string, rules: unknown[]): Promise<void> {
    await admin.create({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "stratus", namespace }, rules });
    await admin.create({
      apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name: "stratus", namespace },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "stratus" },
      subjects: [{ kind: "ServiceAccount", name: "stratus", namespace: "shop" }],
    });
  }

  async function breakRelease(namespace: string, name: string): Promise<void> {
    await admin.create(deployment(namespace, name, "nginx:1.27"));
    await eventually(async () => (await admin.read(ref(namespace, name)))?.status?.availableReplicas === 1, 30_000, `${namespace}/${name} available`);
    await admin.patch(ref(namespace, name), { spec: { template: { spec: { containers: [{ name: "nginx", image: "nginx:9.9.9" }] } } } }, "strategic");
    await eventually(async () => (await admin.list("v1", "Pod", { namespace, labelSelector: `app=${name}` })).some((p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === "ImagePullBackOff"), 30_000, `${namespace}/${name} ImagePullBackOff`);
  }

  it("fixes where it may write, escalates where it may only read, and names what it lacks elsewhere", async () => {
    for (const ns of ["shop", "ro", "other"]) await admin.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
    await admin.create({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "stratus", namespace: "shop" } });
    await role("shop", [READ, ...WRITE]);
    await role("ro", [READ]);
    await breakRelease("shop", "web");
    await breakRelease("ro", "api");
    const apiBefore = (await admin.read(ref("ro", "api")))!.metadata.resourceVersion;

    const kc = new KubeConfig();
    kc.loadFromString(cluster.sandbox.kubeconfig(undefined, cluster.sandbox.createToken("shop", "stratus")));
    const dir = mkdtempSync(join(tmpdir(), "stratus-forbidden-"));
    const ledger = openLedger({ path: join(dir, "ledger.db"), now: () => clock.now() });
    const checkpointer = openCheckpointer(join(dir, "ledger.checkpoints.db"));
    const logs: string[] = [];
    const story: string[] = [];
    const fix = (incident: { namespace: string; affected: string[] }) => setImage(incident.namespace, incident.affected[0], "nginx:1.27");
    const wd = new Watchdog({
      kubeConfig: kc, client: new KubeClient(kc, { clock, retryBaseMs: 20 }), clock, namespaces: ["shop", "ro", "other"], leaseNamespace: "shop",
      ledger, checkpointer, policy: parsePolicy("requireApproval: [high]\n"), agents: stubAgents([fix, fix]), maxAttempts: 2,
      metrics: new StratusMetrics(() => clock.now(), { processMetrics: false }), alerts: new AlertStore(() => clock.now()),
      once: { quietMs: 20_000, timeoutMs: 600_000 }, identity: "least-privilege", informerSyncTimeoutMs: 5_000,
      story: (l) => story.push(l), log: (l) => logs.push(l),
    });
    try {
      const done = wd.run();
      const refused = await eventually(() => {
        const r = wd.readiness();
        return r.reasons.some((x) => x.includes("namespace other")) && r.reasons.some((x) => x.includes("nodes")) ? r : undefined;
      }, 30_000, "readiness naming the refused namespace").catch((e) => assert.fail(`${e.message}: ${wd.readiness().reasons.join("\n")}\n${logs.join("\n")}`));
      assert.equal(refused.ready, false);
      // One line per namespace, naming each refused permission.
      assert.ok(refused.reasons.some((x) => /^stratus lacks `list pods`, `list deployments\.apps`, .*`list secrets`.* in namespace other \(grant it in the Role; see deploy\/\)$/.test(x)), refused.reasons.join("\n"));
      assert.ok(refused.reasons.includes("stratus lacks `list nodes`, `list storageclasses.storage.k8s.io` at the cluster scope (grant it in the ClusterRole; see deploy/)"), refused.reasons.join("\n"));
      assert.ok(!refused.reasons.some((x) => /^stratus lacks .* in namespace (shop|ro) /.test(x)), "nothing is missing where it was granted");
      assert.deepEqual(wd.namespaces(), ["shop", "ro"], "a namespace it may not read is left out of the loop");

      const code = await done;
      assert.equal(code, 1, `not everything was fixed (ro is read-only):\n${story.join("\n")}\n${logs.join("\n")}`);
      assert.ok(logs.some((l) => /^degraded: .*`list pods`.* in namespace other/.test(l)), logs.join("\n"));
      assert.equal((await admin.read(ref("shop", "web")))!.spec.template.spec.containers[0].image, "nginx:1.27", "fixed where it may write");
      assert.equal((await admin.read(ref("ro", "api")))!.metadata.resourceVersion, apiBefore, "nothing written where it may only read");
      const api = wd.book.all().find((e) => e.incident.namespace === "ro");
      assert.equal(api?.status, "escalated", JSON.stringify(api));
      const aborts = ledger.byKind("abort").filter((e) => e.payload.phase === "dry-run");
      assert.ok(aborts.length >= 1 && aborts.every((e) => /stratus lacks `update deployments\.apps` in namespace ro/.test(String(e.payload.reason))), JSON.stringify(aborts.map((e) => e.payload.reason)));
    } finally {
      await wd.stop();
      closeCheckpointer(checkpointer);
      ledger.close();
    }
  });
});
