/**
 * RBAC privilege-escalation prevention in the sandbox, through the real kubectl with
 * ServiceAccount tokens from `kubectl create token`: a Role or ClusterRole may only grant what its
 * writer already holds (there, or cluster-wide) unless they may `escalate`; a binding may only
 * point at a role whose rules its writer holds unless they may `bind` that role by name; an
 * aggregationRule takes cluster-admin's rights. Refusals are kube-apiserver's 403 word for word
 * (ConfirmNoEscalation's message, the missing rules in compact form), for creates, updates,
 * server-side apply and dry runs alike; system:masters is never refused.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startTestCluster, type TestCluster } from "../../helpers/sandbox.ts";

type Json = Record<string, any>;
const RBAC = "rbac.authorization.k8s.io";
const SA_GROUPS = '(groups=["system:serviceaccounts" "system:serviceaccounts:ops" "system:authenticated"])';
const NOT_HELD = "is attempting to grant RBAC permissions not currently held:";

/** ServiceAccounts in `ops`, each allowed to write RBAC objects but holding little else. */
const SETUP = `
apiVersion: v1
kind: Namespace
metadata: {name: ops}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Namespace
metadata: {name: other}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: maker, namespace: ops}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: binder, namespace: ops}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: nsadmin, namespace: ops}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: crmaker, namespace: ops}
---
apiVersion: ${RBAC}/v1
kind: Role
metadata: {name: role-maker, namespace: shop}
rules:
- {apiGroups: [${RBAC}], resources: [roles], verbs: [create, get, update, patch]}
- {apiGroups: [""], resources: [pods], verbs: [get]}
---
apiVersion: ${RBAC}/v1
kind: RoleBinding
metadata: {name: maker, namespace: shop}
roleRef: {apiGroup: ${RBAC}, kind: Role, name: role-maker}
subjects: [{kind: ServiceAccount, name: maker, namespace: ops}]
---
apiVersion: ${RBAC}/v1
kind: ClusterRole
metadata: {name: role-creator}
rules:
- {apiGroups: [${RBAC}], resources: [roles], verbs: [create]}
---
apiVersion: ${RBAC}/v1
kind: RoleBinding
metadata: {name: maker, namespace: other}
roleRef: {apiGroup: ${RBAC}, kind: ClusterRole, name: role-creator}
subjects: [{kind: ServiceAccount, name: maker, namespace: ops}]
---
apiVersion: ${RBAC}/v1
kind: RoleBinding
metadata: {name: dangling, namespace: other}
roleRef: {apiGroup: ${RBAC}, kind: Role, name: ghost}
subjects: [{kind: ServiceAccount, name: maker, namespace: ops}]
---
apiVersion: ${RBAC}/v1
kind: Role
metadata: {name: binder, namespace: shop}
rules:
- {apiGroups: [${RBAC}], resources: [rolebindings], verbs: [create, update, patch]}
- {apiGroups: [""], resources: [pods], verbs: [get, list]}
---
apiVersion: ${RBAC}/v1
kind: RoleBinding
metadata: {name: binder, namespace: shop}
roleRef: {apiGroup: ${RBAC}, kind: Role, name: binder}
subjects: [{kind: ServiceAccount, name: binder, namespace: ops}]
---
apiVersion: ${RBAC}/v1
kind: Role
metadata: {name: pod-reader, namespace: shop}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
---
apiVersion: ${RBAC}/v1
kind: Role
metadata: {name: pod-deleter, namespace: shop}
rules: [{apiGroups: [""], resources: [pods], verbs: [delete]}]
---
apiVersion: ${RBAC}/v1
kind: Role
metadata: {name: secret-reader, namespace: shop}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
---
apiVersion: ${RBAC}/v1
kind: RoleBinding
metadata: {name: nsadmin, namespace: shop}
roleRef: {apiGroup: ${RBAC}, kind: ClusterRole, name: admin}
subjects: [{kind: ServiceAccount, name: nsadmin, namespace: ops}]
---
apiVersion: ${RBAC}/v1
kind: ClusterRole
metadata: {name: crb-creator}
rules:
- {apiGroups: [${RBAC}], resources: [clusterrolebindings], verbs: [create]}
---
apiVersion: ${RBAC}/v1
kind: ClusterRoleBinding
metadata: {name: nsadmin-crb-creator}
roleRef: {apiGroup: ${RBAC}, kind: ClusterRole, name: crb-creator}
subjects: [{kind: ServiceAccount, name: nsadmin, namespace: ops}]
---
apiVersion: ${RBAC}/v1
kind: ClusterRole
metadata: {name: clusterrole-maker}
rules:
- {apiGroups: [${RBAC}], resources: [clusterroles], verbs: [create]}
- {apiGroups: [""], resources: [pods], verbs: [get]}
---
apiVersion: ${RBAC}/v1
kind: ClusterRoleBinding
metadata: {name: crmaker}
roleRef: {apiGroup: ${RBAC}, kind: ClusterRole, name: clusterrole-maker}
subjects: [{kind: ServiceAccount, name: crmaker, namespace: ops}]
`;

const role = (name: string, ns: string, rules: Json[]) => ({ apiVersion: `${RBAC}/v1`, kind: "Role", metadata: { name, namespace: ns }, rules });

describe("RBAC escalation prevention", () => {
  let cluster: TestCluster;
  const tokens: Record<string, string> = {};
  const kubeconfigs: Record<string, string> = {};
  const as = (sa: string, args: string[], input?: string) => cluster.kubectl(["--kubeconfig", kubeconfigs[sa], ...args], input);
  const user = (sa: string) => `user "system:serviceaccount:ops:${sa}" ${SA_GROUPS}`;

  /** A raw request as `sa`, to see the Status kube-apiserver would answer. */
  async function call(sa: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
    const res = await fetch(cluster.sandbox.url + path, {
      method,
      headers: { authorization: `Bearer ${tokens[sa]}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Json };
  }

  before(async () => {
    cluster = await startTestCluster();
    const applied = await cluster.kubectl(["apply", "-f", "-"], SETUP);
    assert.equal(applied.code, 0, applied.stderr);
    for (const sa of ["maker", "binder", "nsadmin", "crmaker"]) {
      const t = await cluster.kubectl(["create", "token", sa, "-n", "ops"]);
      assert.equal(t.code, 0, t.stderr);
      tokens[sa] = t.stdout.trim();
      kubeconfigs[sa] = cluster.kubeconfigFor(tokens[sa], sa);
    }
  });
  after(async () => {
    await cluster?.close();
  });

  describe("Roles and ClusterRoles", () => {
    it("refuses a Role granting what its writer does not hold, with kube-apiserver's message", async () => {
      const no = await as("maker", ["create", "role", "deleter", "--verb=delete", "--resource=pods", "-n", "shop"]);
      assert.notEqual(no.code, 0);
      assert.ok(
        no.stderr.includes(`roles.rbac.authorization.k8s.io "deleter" is forbidden: ${user("maker")} ${NOT_HELD}\n{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}`),
        no.stderr,
      );
      assert.equal((await cluster.kubectl(["get", "role", "deleter", "-n", "shop"])).code, 1, "nothing was stored");

      const raw = await call("maker", "POST", `/apis/${RBAC}/v1/namespaces/shop/roles`, role("deleter", "shop", [{ apiGroups: [""], resources: ["pods", "secrets"], verbs: ["get", "delete", "create"] }]));
      assert.equal(raw.status, 403);
      assert.equal(raw.body.reason, "Forbidden");
      assert.deepEqual(raw.body.details, { name: "deleter", group: RBAC, kind: "roles" });
      // Broken down per verb and resource, merged back per resource, one a line, sorted.
      assert.equal(
        raw.body.message,
        `roles.rbac.authorization.k8s.io "deleter" is forbidden: ${user("maker")} ${NOT_HELD}\n` +
          `{APIGroups:[""], Resources:["pods"], Verbs:["delete" "create"]}\n{APIGroups:[""], Resources:["secrets"], Verbs:["get" "delete" "create"]}`,
      );
    });

    it("allows a Role granting only what its writer holds there, and checks only that namespace", async () => {
      const ok = await as("maker", ["create", "role", "getter", "--verb=get", "--resource=pods", "-n", "shop"]);
      assert.equal(ok.code, 0, ok.stderr);
      // maker may create roles in "other" too, but holds `get pods` only in "shop"; the binding
      // there to a missing Role is reported as the registry names it.
      const elsewhere = await as("maker", ["create", "role", "getter", "--verb=get", "--resource=pods", "-n", "other"]);
      assert.ok(
        elsewhere.stderr.includes(`roles.rbac.authorization.k8s.io "getter" is forbidden: ${user("maker")} ${NOT_HELD}\n{APIGroups:[""], Resources:["pods"], Verbs:["get"]}; resolution errors: [roles.rbac.authorization.k8s.io "ghost" not found]`),
        elsewhere.stderr,
      );
    });

    it("checks dry runs, updates and server-side apply the same way", async () => {
      const dry = await as("maker", ["create", "role", "deleter", "--verb=delete", "--resource=pods", "-n", "shop", "--dry-run=server"]);
      assert.match(dry.stderr, /roles\.rbac\.authorization\.k8s\.io "deleter" is forbidden: .*not currently held:\n\{APIGroups:\[""\], Resources:\["pods"\], Verbs:\["delete"\]\}/);
      const patch = await as("maker", ["patch", "role", "getter", "-n", "shop", "--type=json", "-p", '[{"op":"add","path":"/rules/0/verbs/-","value":"delete"}]']);
      assert.match(patch.stderr, /roles\.rbac\.authorization\.k8s\.io "getter" is forbidden: .*not currently held:\n\{APIGroups:\[""\], Resources:\["pods"\], Verbs:\["delete"\]\}/);
      const apply = await as("maker", ["apply", "--server-side", "-f", "-"], JSON.stringify(role("applied", "shop", [{ apiGroups: [""], resources: ["pods"], verbs: ["delete"] }])));
      assert.match(apply.stderr, /roles\.rbac\.authorization\.k8s\.io "applied" is forbidden: .*not currently held/);
      const stored = JSON.parse((await cluster.kubectl(["get", "role", "getter", "-n", "shop", "-o", "json"])).stdout);
      assert.deepEqual(stored.rules[0].verbs, ["get"]);
    });

    it("lets an update that touches only finalizers or ownerReferences through", async () => {
      // pod-deleter grants `delete pods`, which maker does not hold: any other change is refused.
      const labels = await as("maker", ["label", "role", "pod-deleter", "-n", "shop", "team=web"]);
      assert.match(labels.stderr, /roles\.rbac\.authorization\.k8s\.io "pod-deleter" is forbidden/);
      const fin = await as("maker", ["patch", "role", "pod-deleter", "-n", "shop", "--type=merge", "-p", '{"metadata":{"finalizers":["example.com/keep"]}}']);
      assert.equal(fin.code, 0, fin.stderr);
    });

    it("allows any Role to whoever may escalate roles, but never by name on a create", async () => {
      const byName = await cluster.kubectl(["create", "role", "escalate-deleter", "-n", "shop", "--verb=escalate", `--resource=roles.${RBAC}`, "--resource-name=deleter"]);
      assert.equal(byName.code, 0, byName.stderr);
      assert.equal((await cluster.kubectl(["create", "rolebinding", "maker-escalate-deleter", "-n", "shop", "--role=escalate-deleter", "--serviceaccount=ops:maker"])).code, 0);
      const still = await as("maker", ["create", "role", "deleter", "--verb=delete", "--resource=pods", "-n", "shop"]);
      assert.match(still.stderr, /is attempting to grant RBAC permissions not currently held/, "a create has no name to match");

      assert.equal((await cluster.kubectl(["create", "role", "escalate", "-n", "shop", "--verb=escalate", `--resource=roles.${RBAC}`])).code, 0);
      assert.equal((await cluster.kubectl(["create", "rolebinding", "maker-escalate", "-n", "shop", "--role=escalate", "--serviceaccount=ops:maker"])).code, 0);
      const ok = await as("maker", ["create", "role", "deleter", "--verb=delete", "--resource=pods", "-n", "shop"]);
      assert.equal(ok.code, 0, ok.stderr);
    });

    it("checks a ClusterRole cluster-wide, and an aggregationRule takes cluster-admin's rights", async () => {
      assert.equal((await as("crmaker", ["create", "clusterrole", "pod-getter", "--verb=get", "--resource=pods"])).code, 0);
      const no = await as("crmaker", ["create", "clusterrole", "pod-killer", "--verb=delete", "--resource=pods"]);
      assert.ok(no.stderr.includes(`clusterroles.rbac.authorization.k8s.io "pod-killer" is forbidden: ${user("crmaker")} ${NOT_HELD}\n{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}`), no.stderr);
      const aggregated = await call("crmaker", "POST", `/apis/${RBAC}/v1/clusterroles`, {
        apiVersion: `${RBAC}/v1`, kind: "ClusterRole", metadata: { name: "gather" },
        aggregationRule: { clusterRoleSelectors: [{ matchLabels: { "example.com/gather": "true" } }] }, rules: [],
      });
      assert.equal(aggregated.status, 403);
      assert.equal(aggregated.body.message, 'clusterroles.rbac.authorization.k8s.io "gather" is forbidden: must have cluster-admin privileges to use the aggregationRule');
      assert.deepEqual(aggregated.body.details, { name: "gather", group: RBAC, kind: "clusterroles" });
    });
  });

  describe("RoleBindings and ClusterRoleBindings", () => {
    it("refuses binding a role whose permissions the writer does not hold; allows one it does", async () => {
      const ok = await as("binder", ["create", "rolebinding", "readers", "--role=pod-reader", "--serviceaccount=ops:binder", "-n", "shop"]);
      assert.equal(ok.code, 0, ok.stderr);
      const no = await as("binder", ["create", "rolebinding", "deleters", "--role=pod-deleter", "--serviceaccount=ops:binder", "-n", "shop"]);
      assert.ok(no.stderr.includes(`rolebindings.rbac.authorization.k8s.io "deleters" is forbidden: ${user("binder")} ${NOT_HELD}\n{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}`), no.stderr);
      const missing = await call("binder", "POST", `/apis/${RBAC}/v1/namespaces/shop/rolebindings`, {
        apiVersion: `${RBAC}/v1`, kind: "RoleBinding", metadata: { name: "ghostly" },
        roleRef: { apiGroup: RBAC, kind: "Role", name: "ghost" }, subjects: [{ kind: "ServiceAccount", name: "binder", namespace: "ops" }],
      });
      assert.equal(missing.status, 404, "the registry looks the role up and answers its NotFound");
      assert.equal(missing.body.message, 'roles.rbac.authorization.k8s.io "ghost" not found');
    });

    it("allows binding exactly the roles the writer may `bind` by name", async () => {
      assert.equal((await cluster.kubectl(["create", "role", "bind-pod-deleter", "-n", "shop", "--verb=bind", `--resource=roles.${RBAC}`, "--resource-name=pod-deleter"])).code, 0);
      assert.equal((await cluster.kubectl(["create", "rolebinding", "binder-bind", "-n", "shop", "--role=bind-pod-deleter", "--serviceaccount=ops:binder"])).code, 0);
      const ok = await as("binder", ["create", "rolebinding", "deleters", "--role=pod-deleter", "--serviceaccount=ops:binder", "-n", "shop"]);
      assert.equal(ok.code, 0, ok.stderr);
      const other = await as("binder", ["create", "rolebinding", "secrets", "--role=secret-reader", "--serviceaccount=ops:binder", "-n", "shop", "--dry-run=server"]);
      assert.match(other.stderr, /rolebindings\.rbac\.authorization\.k8s\.io "secrets" is forbidden: .*not currently held:\n\{APIGroups:\[""\], Resources:\["secrets"\], Verbs:\["get"\]\}/);
    });

    it("stops a namespace admin from binding cluster-admin, or anything cluster-wide", async () => {
      const crb = await as("nsadmin", ["create", "clusterrolebinding", "take-over", "--clusterrole=cluster-admin", "--serviceaccount=ops:nsadmin"]);
      assert.notEqual(crb.code, 0);
      assert.ok(
        crb.stderr.includes(`clusterrolebindings.rbac.authorization.k8s.io "take-over" is forbidden: ${user("nsadmin")} ${NOT_HELD}\n{APIGroups:["*"], Resources:["*"], Verbs:["*"]}\n{NonResourceURLs:["*"], Verbs:["*"]}`),
        crb.stderr,
      );
      const inNs = await as("nsadmin", ["create", "rolebinding", "take-over", "--clusterrole=cluster-admin", "--serviceaccount=ops:nsadmin", "-n", "shop"]);
      assert.match(inNs.stderr, /rolebindings\.rbac\.authorization\.k8s\.io "take-over" is forbidden: .*not currently held/);
      // view is within admin in "shop", but not held cluster-wide.
      const view = await as("nsadmin", ["create", "clusterrolebinding", "viewers", "--clusterrole=view", "--serviceaccount=ops:nsadmin"]);
      assert.match(view.stderr, /clusterrolebindings\.rbac\.authorization\.k8s\.io "viewers" is forbidden: .*not currently held/);
      const edit = await as("nsadmin", ["create", "rolebinding", "editors", "--clusterrole=edit", "--serviceaccount=ops:binder", "-n", "shop"]);
      assert.equal(edit.code, 0, `admin (aggregated) holds all of edit in its namespace: ${edit.stderr}`);
    });

    it("never refuses system:masters, and judges an impersonated user as that user", async () => {
      const admin = await cluster.kubectl(["create", "clusterrolebinding", "everyone-admin", "--clusterrole=cluster-admin", "--serviceaccount=ops:binder", "--dry-run=server"]);
      assert.equal(admin.code, 0, admin.stderr);
      // binder holds edit in "shop" by now (bound by nsadmin above), but not admin.
      const impersonated = await cluster.kubectl(["create", "rolebinding", "via-as", "--clusterrole=admin", "--serviceaccount=ops:binder", "-n", "shop", "--as=system:serviceaccount:ops:binder"]);
      assert.match(impersonated.stderr, /rolebindings\.rbac\.authorization\.k8s\.io "via-as" is forbidden: user "system:serviceaccount:ops:binder" .*not currently held/);
    });
  });
});
