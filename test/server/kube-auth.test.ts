/**
 * The watchdog's API authenticated by the cluster, end to end against the sandbox's real
 * TokenReview and SubjectAccessReview: ServiceAccount tokens from `kubectl create token`, RBAC
 * (Role, ClusterRole, bindings) on incidents.stratus.dev created with kubectl, the watchdog itself
 * running as a ServiceAccount bound to system:auth-delegator. Unauthenticated → 401, not permitted
 * → 403 (in the incident's namespace), permitted → the decision recorded under the token's
 * identity; answers cached a few seconds, bounded; a watchdog that may not review tokens → 503.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { KubeConfig } from "@kubernetes/client-node";
import { openLedger, type SqliteLedger } from "../../src/core/ledger/index.ts";
import { decisionFor, recordApprovalRequest, recordDecision, type ApprovalBody } from "../../src/graph/approvals.ts";
import { approveCommand } from "../../src/cli/commands/approve.ts";
import { KubeClient } from "../../src/kube/kube-client.ts";
import type { KubeObject } from "../../src/kube/types.ts";
import { AlertStore, KubeAuthenticator, startServer, type RunningServer } from "../../src/server/index.ts";
import { incidentRbacYaml } from "../helpers/incident-rbac.ts";
import { eventually, startTestCluster, type TestCluster } from "../helpers/sandbox.ts";

const DIGEST = `sha256:${"b".repeat(64)}`;

const RBAC = `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Namespace
metadata: {name: payments}
---
apiVersion: v1
kind: Namespace
metadata: {name: stratus-system}
---${incidentRbacYaml("shop")}---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: stratus-auth-delegator}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:auth-delegator}
subjects:
- {kind: ServiceAccount, name: stratus, namespace: stratus-system}
`;

describe("the API authenticated by the cluster (TokenReview + SubjectAccessReview)", () => {
  let tc: TestCluster;
  let ledger: SqliteLedger;
  let api: RunningServer;
  let watchdogClient: KubeClient;
  let reviews = 0;
  const tokens: Record<string, string> = {};

  /** A client for the sandbox that authenticates as `token` (the watchdog's own ServiceAccount). */
  const clientAs = (token: string) => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "sandbox", server: tc.kc.getCurrentCluster()!.server, skipTLSVerify: true }],
      users: [{ name: "sa", token }],
      contexts: [{ name: "sa", cluster: "sandbox", user: "sa" }],
      currentContext: "sa",
    });
    return new KubeClient(kc, { readRetries: 0 });
  };
  const token = async (sa: string, ns: string) => {
    const r = await tc.kubectl(["create", "token", sa, "-n", ns]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim();
  };

  before(async () => {
    tc = await startTestCluster();
    const applied = await tc.kubectl(["create", "-f", "-"], RBAC);
    assert.equal(applied.code, 0, applied.stderr);
    for (const [sa, ns] of [["oncall", "shop"], ["viewer", "shop"], ["nobody", "shop"], ["stratus", "stratus-system"], ["bare", "stratus-system"]]) {
      const r = await tc.kubectl(["create", "serviceaccount", sa, "-n", ns]);
      assert.equal(r.code, 0, r.stderr);
      tokens[sa] = await token(sa, ns);
    }
    ledger = openLedger({ path: join(mkdtempSync(join(tmpdir(), "stratus-kube-auth-")), "ledger.db") });
    for (const [id, ns] of [["INC-SHOP", "shop"], ["INC-PAY", "payments"], ["INC-CLI", "shop"]]) {
      ledger.append({ kind: "incident", actor: "agent:detection", incidentId: id, payload: { step: "incident", incident: { id, namespace: ns } } });
      recordApprovalRequest(ledger, id, { attempt: 1, digest: DIGEST, reasons: ["high risk"] });
    }
    watchdogClient = clientAs(tokens.stratus);
    const counting = { server: watchdogClient.server, create: (o: KubeObject) => (reviews++, watchdogClient.create(o)) };
    api = await startServer("127.0.0.1:0", {
      alerts: new AlertStore(), ledger, readiness: () => ({ ready: true, reasons: [] }),
      authenticator: new KubeAuthenticator(counting, { ttlMs: 60_000 }),
      approve: async (id: string, body: ApprovalBody) => {
        const { attempt, decision } = recordDecision(ledger, id, body);
        return { incident: id, attempt, decision: decision.approved ? "approved" : "rejected", by: decision.by };
      },
    });
  });
  after(async () => {
    await api?.close();
    ledger?.close();
    await tc?.close();
  });

  const approve = (id: string, t?: string, body: unknown = {}) =>
    fetch(`${api.url}/approvals/${id}`, { method: "POST", headers: { "content-type": "application/json", ...(t ? { authorization: `Bearer ${t}` } : {}) }, body: JSON.stringify(body) });
  const read = (path: string, t?: string) => fetch(`${api.url}${path}`, { headers: t ? { authorization: `Bearer ${t}` } : {} });

  it("refuses an approval without a token (401, challenge) or with a token the cluster rejects (401)", async () => {
    const none = await approve("INC-SHOP");
    assert.equal(none.status, 401);
    assert.match(none.headers.get("www-authenticate") ?? "", /^Bearer/);
    assert.match((await none.json()).error, /kubectl create token/);
    const forged = await approve("INC-SHOP", `${tokens.oncall.slice(0, -4)}AAAA`);
    assert.equal(forged.status, 401);
    assert.match((await forged.json()).error, /not accepted by the cluster/);
    assert.equal(decisionFor(ledger, "INC-SHOP", 1), undefined);
  });

  it("refuses an authenticated caller without the RBAC verb: 403 in kube-apiserver's words", async () => {
    const r = await approve("INC-SHOP", tokens.nobody);
    assert.equal(r.status, 403);
    assert.match((await r.json()).error, /User "system:serviceaccount:shop:nobody" cannot approve resource "incidents" in API group "stratus.dev" in the namespace "shop"/);
    const viewer = await approve("INC-SHOP", tokens.viewer);
    assert.equal(viewer.status, 403, "get is not approve");
    const elsewhere = await approve("INC-PAY", tokens.oncall);
    assert.equal(elsewhere.status, 403, "the Role is in shop; INC-PAY is in payments");
    assert.match((await elsewhere.json()).error, /in the namespace "payments"/);
    assert.equal(decisionFor(ledger, "INC-SHOP", 1), undefined);
    assert.equal(decisionFor(ledger, "INC-PAY", 1), undefined);
  });

  it("records a permitted approval under the token's identity (username, uid, groups), not a typed name", async () => {
    const r = await approve("INC-SHOP", tokens.oncall, { note: "diff reviewed" });
    assert.equal(r.status, 200, JSON.stringify(await r.clone().json()));
    assert.equal((await r.json()).by, "system:serviceaccount:shop:oncall");
    const entry = ledger.query({ incidentId: "INC-SHOP", kind: "approval" }).find((e) => e.payload.phase === "decision")!;
    assert.equal(entry.actor, "person:system:serviceaccount:shop:oncall");
    const identity = entry.payload.identity as { username: string; uid?: string; groups: string[] };
    assert.equal(identity.username, "system:serviceaccount:shop:oncall");
    assert.ok(identity.uid, "the ServiceAccount's uid is recorded");
    assert.ok(identity.groups.includes("system:serviceaccounts:shop"), identity.groups.join(","));
    assert.equal(decisionFor(ledger, "INC-SHOP", 1)?.approved, true);
  });

  it("serves the ledger and incidents to readers only: cluster-wide for a ClusterRole, per namespace for a Role", async () => {
    assert.equal((await read("/api/ledger")).status, 401);
    assert.equal((await read("/api/ledger", tokens.nobody)).status, 403);
    assert.equal((await read("/api/ledger", tokens.viewer)).status, 200);
    assert.equal((await read("/api/incidents", tokens.viewer)).status, 200);
    assert.equal((await read("/api/ledger", tokens.oncall)).status, 403, "a namespaced Role does not read the whole ledger");
    const own = await read("/api/ledger?incident=INC-SHOP", tokens.oncall);
    assert.equal(own.status, 200);
    assert.ok((await own.json()).entries.length >= 2);
    assert.equal((await read("/api/ledger?incident=INC-PAY", tokens.oncall)).status, 403);
  });

  it("caches answers (one TokenReview per token within the TTL), bounded in size; a short TTL sees a revoked token", async () => {
    assert.equal((await read("/api/incidents", tokens.viewer)).status, 200);
    const before = reviews;
    for (let i = 0; i < 3; i++) assert.equal((await read("/api/incidents", tokens.viewer)).status, 200);
    assert.equal(reviews, before, "the token's identity and its permission come from the cache");

    const counted = { n: 0 };
    const small = new KubeAuthenticator({ server: watchdogClient.server, create: (o) => (counted.n++, watchdogClient.create(o)) }, { ttlMs: 60_000, maxEntries: 1 });
    const srv = await startServer("127.0.0.1:0", { alerts: new AlertStore(), ledger, readiness: () => ({ ready: true, reasons: [] }), authenticator: small });
    try {
      const get = (t: string) => fetch(`${srv.url}/api/incidents`, { headers: { authorization: `Bearer ${t}` } });
      await get(tokens.viewer);
      const afterFirst = counted.n;
      await get(tokens.viewer);
      assert.equal(counted.n, afterFirst, "cached");
      await get(tokens.nobody); // evicts viewer's entries (one each kept)
      const afterOther = counted.n;
      await get(tokens.viewer);
      assert.ok(counted.n > afterOther, "evicted, so asked again");
    } finally {
      await srv.close();
    }

    // Revocation: deleting the ServiceAccount invalidates its tokens at the API server; a short TTL sees it soon.
    const quick = await startServer("127.0.0.1:0", { alerts: new AlertStore(), ledger, readiness: () => ({ ready: true, reasons: [] }), authenticator: new KubeAuthenticator(watchdogClient, { ttlMs: 100 }) });
    try {
      assert.equal((await fetch(`${quick.url}/api/incidents`, { headers: { authorization: `Bearer ${tokens.viewer}` } })).status, 200);
      assert.equal((await tc.kubectl(["delete", "serviceaccount", "viewer", "-n", "shop"])).code, 0);
      await eventually(async () => (await fetch(`${quick.url}/api/incidents`, { headers: { authorization: `Bearer ${tokens.viewer}` } })).status === 401, 10_000, "the deleted ServiceAccount's token refused");
    } finally {
      await quick.close();
    }
  });

  it("lets `stratus approve --server URL --token-file FILE` decide as the token's identity", async () => {
    const dir = mkdtempSync(join(tmpdir(), "stratus-approve-cli-"));
    const run = async (sa: string) => {
      writeFileSync(join(dir, sa), `${tokens[sa]}\n`);
      const out: string[] = [];
      const err: string[] = [];
      const code = await approveCommand(["INC-CLI", "--server", api.url, "--token-file", join(dir, sa), "--note", "from the CLI"], { out: (l) => out.push(l), err: (l) => err.push(l) });
      return { code, out: out.join("\n"), err: err.join("\n") };
    };
    const refused = await run("nobody");
    assert.equal(refused.code, 1);
    assert.match(refused.err, /refused \(403\).*cannot approve resource "incidents"/);
    const ok = await run("oncall");
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /approved attempt 1 of INC-CLI as system:serviceaccount:shop:oncall/);
    assert.equal(decisionFor(ledger, "INC-CLI", 1)?.by, "system:serviceaccount:shop:oncall");
  });

  it("answers 503, naming system:auth-delegator, when the watchdog may not review tokens", async () => {
    const srv = await startServer("127.0.0.1:0", { alerts: new AlertStore(), ledger, readiness: () => ({ ready: true, reasons: [] }), authenticator: new KubeAuthenticator(clientAs(tokens.bare)) });
    try {
      const r = await fetch(`${srv.url}/api/incidents`, { headers: { authorization: `Bearer ${tokens.oncall}` } });
      assert.equal(r.status, 503);
      assert.match((await r.json()).error, /system:auth-delegator/);
    } finally {
      await srv.close();
    }
  });
});
