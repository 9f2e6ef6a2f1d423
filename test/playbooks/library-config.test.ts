/**
 * The library's configuration and storage playbooks as stories against the sandbox: a ConfigMap
 * value made invalid (its last good value read from the last-applied-configuration), a database's
 * users Secret that lost the app user's roles (its last good value read from a ledger snapshot
 * taken before the onset), and a database claim stuck Pending on a StorageClass that does not
 * exist (replaced by a claim of the default class, after a person approves). Each commits.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_POLICY } from "../../src/core/policy.ts";
import { parsePlan } from "../../src/core/plan.ts";
import { digestOf, runTransaction } from "../../src/core/transaction.ts";
import { selectPlaybook, type PlaybookInput } from "../../src/playbooks/index.ts";
import { eventually } from "../helpers/sandbox.ts";
import { startTnrFixture, type TnrFixture } from "../helpers/tnr.ts";
import { available, deployment, deployRef, diagnosis, library, namespace, podsOf, probe, runPlaybookTx, signal } from "./helpers.ts";

async function choose(f: TnrFixture, input: PlaybookInput) {
  const sel = await selectPlaybook(library(), input, { client: f.client, ledger: f.ledger, now: () => f.clock.now() });
  assert.ok(sel.playbook, `a playbook binds; tried: ${JSON.stringify(sel.tried, null, 1)}`);
  return sel;
}

const sleeper = (ns: string, name: string, extra: Record<string, unknown> = {}) =>
  deployment(ns, name, 1, { containers: [{ name, image: "busybox:1.36", command: ["sh", "-c", "sleep infinity"] }], ...extra });

describe("library: configuration and storage playbooks against the sandbox", () => {
  let f: TnrFixture;
  before(async () => { f = await startTnrFixture(); });
  after(async () => { await f.close(); });

  it("restore-config-value puts a ConfigMap key back to its last-applied value and restarts its reader", async () => {
    const ns = "config";
    await namespace(f, ns);
    const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "worker-config", namespace: ns }, data: { DELAY: "infinity" } };
    // As `kubectl apply` leaves it: the applied object in an annotation, which later patches do not change.
    await f.client.create({ ...cm, metadata: { ...cm.metadata, annotations: { "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify(cm) } } });
    const worker = deployment(ns, "worker", 1, {
      containers: [{ name: "worker", image: "busybox:1.36", command: ["sh", "-c", "sleep $DELAY"], env: [{ name: "DELAY", valueFrom: { configMapKeyRef: { name: "worker-config", key: "DELAY" } } }] }],
    });
    await f.client.create(worker);
    await available(f, ns, "worker", 1);
    // The incident: a bad value, picked up by the next restart.
    await f.client.patch({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "worker-config" }, { data: { DELAY: "soon" } }, "merge");
    await f.client.patch(deployRef(ns, "worker"), { spec: { template: { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": "2025-01-01T00:00:00Z" } } } } }, "strategic");
    await eventually(async () => (await podsOf(f, ns, "worker")).some((p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === "CrashLoopBackOff"), 30_000, "CrashLoopBackOff");

    // What the diagnosis knows comes first: its own last good value, when it has one.
    const told = await choose(f, diagnosis(ns, "Deployment", "worker", "misconfiguration", "application", { configMap: "worker-config", key: "DELAY", lastGoodValue: "infinity" }));
    assert.equal(told.playbook.name, "restore-config-value");
    assert.equal((told.binding.params.change as Record<string, string>).source, "the diagnosis");

    const input = diagnosis(ns, "ConfigMap", "worker-config", "misconfiguration", "application");
    const sel = await choose(f, input);
    assert.equal(sel.playbook.name, "restore-config-value");
    assert.deepEqual(sel.binding.params.change, { name: "worker-config", key: "DELAY", value: "infinity", source: "the last-applied-configuration annotation" });
    assert.equal(sel.binding.params.reader, "worker");
    const run = await runPlaybookTx({ playbook: sel.playbook, binding: sel.binding, input, policy: DEFAULT_POLICY }, f.deps({ health: probe(f, [ns]) }));
    assert.equal(run.outcome, "committed", run.reason);
    assert.deepEqual(run.compiled!.decisions, [{ id: "reload", when: "params.reader exists true", took: "then" }]);
    assert.deepEqual(run.compiled!.stages.map((s) => s.map((x) => x.id)), [["restore"], ["restart"], ["available"]]);
    assert.equal((await f.client.read({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "worker-config" }))!.data.DELAY, "infinity");
  });

  it("restore-db-users restores the users Secret from the ledger's last snapshot before the onset", async () => {
    const ns = "orders";
    await namespace(f, ns);
    const users = (roles: unknown[]) => Buffer.from(JSON.stringify([{ user: "app", password: "s3cret-pw", roles }])).toString("base64");
    const secretRef = { apiVersion: "v1", kind: "Secret", namespace: ns, name: "orders-db-users" };
    await f.client.create({ ...secretRef, metadata: { name: "orders-db-users", namespace: ns }, data: { "users.json": users([{ role: "readWrite", db: "orders" }]) } });
    await f.client.create(sleeper(ns, "orders-db", { volumes: [{ name: "users", secret: { secretName: "orders-db-users" } }] }));
    await available(f, ns, "orders-db", 1);
    // Weeks earlier, Stratus rotated a key of this Secret: its snapshot holds the good users.
    const rotation = await runTransaction(
      { plan: parsePlan({ steps: [{ id: "rotate", action: { type: "set-config", params: { namespace: ns, kind: "Secret", name: "orders-db-users", key: "rotated-at", value: "2025-01-01" } } }] }), kind: "change", actor: "agent:test" },
      f.deps({ health: probe(f, [ns]) }),
    );
    assert.equal(rotation.outcome, "committed", rotation.reason);
    await f.clock.sleep(10_000);
    const onsetAt = new Date(f.clock.now()).toISOString();
    await f.client.patch(secretRef, { data: { "users.json": users([]) } }, "merge"); // the app user's roles revoked
    const auth = signal("db-auth", `${ns}/orders-db`, async () => {
      const s = await f.client.read(secretRef);
      const list = JSON.parse(Buffer.from(s!.data["users.json"], "base64").toString());
      return list[0]?.roles?.length ? undefined : "(Unauthorized) not authorized on orders to execute command { find: \"orders\" }";
    });

    const input = diagnosis(ns, "Deployment", "orders-db", "authentication", "application", {}, onsetAt);
    const sel = await choose(f, input);
    assert.equal(sel.playbook.name, "restore-db-users");
    const change = sel.binding.params.change as Record<string, string>;
    assert.equal(change.key, "users.json");
    assert.match(change.source, /^ledger snapshot/);
    // A write to a Secret needs a person by default (issue 11): unapproved it waits, approved it runs.
    const unapproved = await runPlaybookTx({ playbook: sel.playbook, binding: sel.binding, input, policy: DEFAULT_POLICY }, f.deps({ health: probe(f, [ns], [auth]) }));
    assert.equal(unapproved.outcome, "needs-approval", unapproved.reason);
    const run = await runPlaybookTx({ playbook: sel.playbook, binding: sel.binding, input, policy: DEFAULT_POLICY, approval: { by: "dba" } }, f.deps({ health: probe(f, [ns], [auth]) }));
    assert.equal(run.outcome, "committed", run.reason);
    const now = await f.client.read(secretRef);
    assert.deepEqual(JSON.parse(Buffer.from(now!.data["users.json"], "base64").toString())[0].roles, [{ role: "readWrite", db: "orders" }]);
    const intent = f.ledger.byTransaction(run.txId).find((e) => e.kind === "transaction" && e.payload.phase === "intent")!;
    const origin = intent.payload.origin as Record<string, unknown>;
    assert.equal((origin.params as Record<string, unknown>).change, "(hidden)");
    assert.ok(!JSON.stringify(origin).includes("s3cret-pw"), "the recorded origin never shows the password");
  });

  it("fix-pvc-storage-class replaces a claim stuck on a missing StorageClass, after a person approves", async () => {
    const ns = "storage";
    await namespace(f, ns);
    const pvcRef = (name: string) => ({ apiVersion: "v1", kind: "PersistentVolumeClaim", namespace: ns, name });
    await f.client.create({ ...pvcRef("mongo-pvc"), metadata: { name: "mongo-pvc", namespace: ns }, spec: { accessModes: ["ReadWriteOnce"], storageClassName: "fast-ssd", resources: { requests: { storage: "1Gi" } } } });
    await f.client.create(sleeper(ns, "mongo", { volumes: [{ name: "data", persistentVolumeClaim: { claimName: "mongo-pvc" } }] }));
    await eventually(async () => (await podsOf(f, ns, "mongo")).some((p) => p.status?.phase === "Pending"), 30_000, "a Pending pod");
    await f.clock.sleep(65_000); // past pods-pending's grace period

    const input = diagnosis(ns, "Deployment", "mongo", "misconfiguration", "storage");
    const sel = await choose(f, input);
    assert.equal(sel.playbook.name, "fix-pvc-storage-class");
    assert.equal(sel.binding.params.newClaim, "mongo-pvc-standard");
    const unapproved = await runPlaybookTx({ playbook: sel.playbook, binding: sel.binding, input, policy: DEFAULT_POLICY }, f.deps({ health: probe(f, [ns]) }));
    assert.equal(unapproved.outcome, "needs-approval", "the gate holds the plan until a person approves");
    assert.equal(await f.client.read(pvcRef("mongo-pvc-standard")), undefined, "nothing written before the approval");
    const run = await runPlaybookTx({ playbook: sel.playbook, binding: sel.binding, input, policy: DEFAULT_POLICY, approval: { by: "storage-admin" } }, f.deps({ health: probe(f, [ns]) }));
    assert.equal(run.outcome, "committed", run.reason);
    const bound = f.ledger.byTransaction(run.txId).filter((e) => e.kind === "approval");
    assert.deepEqual(bound.map((e) => [e.actor, e.payload.digest]), [["person:storage-admin", digestOf(run.compiled!.plan)]]);
    assert.equal((await f.client.read(pvcRef("mongo-pvc-standard")))!.status.phase, "Bound");
    assert.equal((await f.client.read(deployRef(ns, "mongo")))!.spec.template.spec.volumes[0].persistentVolumeClaim.claimName, "mongo-pvc-standard");
    assert.ok(await f.client.read(pvcRef("mongo-pvc")), "the old claim is never deleted");
  });
});
