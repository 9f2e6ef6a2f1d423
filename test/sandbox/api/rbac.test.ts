/**
 * Authentication and RBAC in the sandbox, through the real kubectl and raw HTTP: the admin token
 * in the kubeconfig, `kubectl create token` for a ServiceAccount, a Role and RoleBinding that let
 * it patch Deployments in one namespace — allowed there (dry-run too), refused elsewhere with
 * kube-apiserver's exact 403 — subresources and resourceNames, 401 for bad, expired and revoked
 * tokens, anonymous requests, impersonation (`--as`), `kubectl auth can-i|whoami`, TokenReview
 * and SubjectAccessReview round trips, and the RBAC kinds' validation.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { VirtualClock } from "../../../sandbox/index.ts";
import { startTestCluster, type TestCluster } from "../../helpers/sandbox.ts";

type Json = Record<string, any>;
const SA_USER = "system:serviceaccount:ops:stratus";

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
metadata: {name: stratus, namespace: ops}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: deployer, namespace: shop}
rules:
- apiGroups: [apps]
  resources: [deployments, deployments/scale]
  verbs: [get, list, watch, patch]
- apiGroups: [""]
  resources: [pods]
  verbs: [list]
- apiGroups: [""]
  resources: [configmaps]
  resourceNames: [app-config]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: stratus, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer}
subjects:
- {kind: ServiceAccount, name: stratus, namespace: ops}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: dangling, namespace: other}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ghost}
subjects:
- {kind: ServiceAccount, name: stratus, namespace: ops}
`;

const deployment = (ns: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${ns}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: "nginx:1.27"}]}
`;

describe("authentication and RBAC", () => {
  let cluster: TestCluster;
  let clock: VirtualClock;
  let saToken: string;
  let saKubeconfig: string;

  /** A raw request to the API as `token` (none: anonymous). */
  async function call(method: string, path: string, token?: string, body?: unknown, contentType = "application/json"): Promise<{ status: number; body: Json }> {
    const res = await fetch(cluster.sandbox.url + path, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { "content-type": contentType } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text.startsWith("{") ? (JSON.parse(text) as Json) : { text } };
  }
  const asSa = (args: string[]) => cluster.kubectl(["--kubeconfig", saKubeconfig, ...args]);
  const admin = () => cluster.sandbox.adminToken;

  before(async () => {
    clock = new VirtualClock();
    cluster = await startTestCluster({ clock });
    const applied = await cluster.kubectl(["apply", "-f", "-"], SETUP + "---" + deployment("shop") + "---" + deployment("other"));
    assert.equal(applied.code, 0, applied.stderr);
    for (const ns of ["shop", "other"]) {
      const cm = await cluster.kubectl(["create", "configmap", "app-config", "-n", ns, "--from-literal=k=v"]);
      assert.equal(cm.code, 0, cm.stderr);
      assert.equal((await cluster.kubectl(["create", "configmap", "secret-ish", "-n", ns, "--from-literal=k=v"])).code, 0);
    }
    const token = await cluster.kubectl(["create", "token", "stratus", "-n", "ops"]);
    assert.equal(token.code, 0, token.stderr);
    saToken = token.stdout.trim();
    saKubeconfig = cluster.kubeconfigFor(saToken, "stratus");
  });
  after(async () => {
    await cluster?.close();
  });

  describe("authentication", () => {
    it("the kubeconfig's admin is system:masters, over HTTPS", async () => {
      const who = await cluster.kubectl(["auth", "whoami", "-o", "json"]);
      assert.equal(who.code, 0, who.stderr);
      const info = JSON.parse(who.stdout).status.userInfo;
      assert.equal(info.username, "sandbox-admin");
      assert.deepEqual(info.groups, ["system:masters", "system:authenticated"]);
      assert.match(cluster.kc.getCurrentCluster()!.server, /^https:\/\/127\.0\.0\.1:\d+$/);
    });

    it("a ServiceAccount token from `kubectl create token` is that account", async () => {
      const who = await asSa(["auth", "whoami", "-o", "json"]);
      assert.equal(who.code, 0, who.stderr);
      const info = JSON.parse(who.stdout).status.userInfo;
      assert.equal(info.username, SA_USER);
      assert.deepEqual(info.groups, ["system:serviceaccounts", "system:serviceaccounts:ops", "system:authenticated"]);
      const sa = JSON.parse((await cluster.kubectl(["get", "sa", "stratus", "-n", "ops", "-o", "json"])).stdout);
      assert.equal(info.uid, sa.metadata.uid);
    });

    it("an unknown token is 401 Unauthorized, never anonymous", async () => {
      const r = await call("GET", "/version", "not-a-token");
      assert.equal(r.status, 401);
      assert.deepEqual(r.body, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "Unauthorized", reason: "Unauthorized", code: 401 });
      const forged = saToken.slice(0, -4) + (saToken.endsWith("AAAA") ? "BBBB" : "AAAA");
      assert.equal((await call("GET", "/api/v1/namespaces/shop/pods", forged)).status, 401);
      const k = await cluster.kubectl(["--kubeconfig", cluster.kubeconfigFor("nope", "nope"), "get", "pods"]);
      assert.notEqual(k.code, 0);
      assert.match(k.stderr, /You must be logged in to the server \(Unauthorized\)/);
    });

    it("no token is system:anonymous: public info only", async () => {
      for (const path of ["/version", "/healthz", "/readyz", "/livez"]) assert.equal((await call("GET", path)).status, 200, path);
      const api = await call("GET", "/api");
      assert.equal(api.status, 403);
      assert.equal(api.body.message, 'forbidden: User "system:anonymous" cannot get path "/api"');
      assert.deepEqual(api.body.details, {});
      const pods = await call("GET", "/api/v1/namespaces/shop/pods");
      assert.equal(pods.body.message, 'pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" in the namespace "shop"');
    });

    it("TokenRequest validates expirationSeconds as kube-apiserver does", async () => {
      const r = await call("POST", "/api/v1/namespaces/ops/serviceaccounts/stratus/token", admin(), { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: 599 } });
      assert.equal(r.status, 422);
      assert.equal(r.body.message, 'TokenRequest.authentication.k8s.io "stratus" is invalid: spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes');
      const missing = await cluster.kubectl(["create", "token", "nobody", "-n", "ops"]);
      assert.match(missing.stderr, /serviceaccounts "nobody" not found/);
    });
  });

  describe("RBAC", () => {
    it("allows what the Role grants in its namespace and refuses it elsewhere with the exact message", async () => {
      const ok = await asSa(["get", "deployments", "-n", "shop", "-o", "name"]);
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(ok.stdout.trim(), "deployment.apps/web");
      const no = await asSa(["get", "deployments", "-n", "other"]);
      assert.notEqual(no.code, 0);
      assert.match(no.stderr, /Error from server \(Forbidden\): deployments\.apps is forbidden: User "system:serviceaccount:ops:stratus" cannot list resource "deployments" in API group "apps" in the namespace "other"/);

      const patch = { spec: { replicas: 3 } };
      const denied = await call("PATCH", "/apis/apps/v1/namespaces/other/deployments/web", saToken, patch, "application/merge-patch+json");
      assert.equal(denied.status, 403);
      assert.equal(denied.body.reason, "Forbidden");
      assert.deepEqual(denied.body.details, { name: "web", group: "apps", kind: "deployments" });
      assert.equal(denied.body.message, 'deployments.apps "web" is forbidden: User "system:serviceaccount:ops:stratus" cannot patch resource "deployments" in API group "apps" in the namespace "other": RBAC: role.rbac.authorization.k8s.io "ghost" not found');
      const allowed = await call("PATCH", "/apis/apps/v1/namespaces/shop/deployments/web", saToken, patch, "application/merge-patch+json");
      assert.equal(allowed.status, 200, JSON.stringify(allowed.body));
      assert.equal(allowed.body.spec.replicas, 3);
    });

    it("dry-run writes need the same permission", async () => {
      const patch = { spec: { replicas: 5 } };
      const denied = await call("PATCH", "/apis/apps/v1/namespaces/other/deployments/web?dryRun=All", saToken, patch, "application/merge-patch+json");
      assert.equal(denied.status, 403);
      const dry = await call("PATCH", "/apis/apps/v1/namespaces/shop/deployments/web?dryRun=All", saToken, patch, "application/merge-patch+json");
      assert.equal(dry.status, 200);
      assert.equal(dry.body.spec.replicas, 5);
      const stored = await call("GET", "/apis/apps/v1/namespaces/shop/deployments/web", saToken);
      assert.equal(stored.body.spec.replicas, 3, "a dry run stores nothing");
      const create = await call("POST", "/apis/apps/v1/namespaces/shop/deployments?dryRun=All", saToken, { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x" } });
      assert.equal(create.body.message, 'deployments.apps is forbidden: User "system:serviceaccount:ops:stratus" cannot create resource "deployments" in API group "apps" in the namespace "shop"');
    });

    it("says cluster scope, subresources and resourceNames the way kube-apiserver does", async () => {
      const all = await asSa(["get", "pods", "-A"]);
      assert.match(all.stderr, /pods is forbidden: User "system:serviceaccount:ops:stratus" cannot list resource "pods" in API group "" at the cluster scope/);
      const scale = await call("GET", "/apis/apps/v1/namespaces/shop/deployments/web/scale", saToken);
      assert.equal(scale.status, 200, "deployments/scale is granted by name");
      const status = await call("GET", "/apis/apps/v1/namespaces/shop/deployments/web/status", saToken);
      assert.equal(status.status, 403, "deployments does not grant deployments/status");
      assert.equal(status.body.message, 'deployments.apps "web" is forbidden: User "system:serviceaccount:ops:stratus" cannot get resource "deployments/status" in API group "apps" in the namespace "shop"');
      const log = await call("GET", "/api/v1/namespaces/shop/pods/web-1/log", saToken);
      assert.equal(log.body.message, 'pods "web-1" is forbidden: User "system:serviceaccount:ops:stratus" cannot get resource "pods/log" in API group "" in the namespace "shop"');
      assert.equal((await call("GET", "/api/v1/namespaces/shop/configmaps/app-config", saToken)).status, 200);
      assert.equal((await call("GET", "/api/v1/namespaces/shop/configmaps/secret-ish", saToken)).status, 403);
      assert.equal((await call("GET", "/api/v1/namespaces/shop/configmaps", saToken)).status, 403, "a named rule never grants an unfiltered list");
      assert.equal((await call("GET", "/api/v1/namespaces/shop/configmaps?fieldSelector=metadata.name%3Dapp-config", saToken)).status, 200, "a list of that one name is");
    });

    it("kubectl auth can-i answers for the account, with --as and --list", async () => {
      const yes = await cluster.kubectl(["auth", "can-i", "patch", "deployments", "-n", "shop", "--as", SA_USER]);
      assert.equal(yes.stdout.trim(), "yes", yes.stderr);
      const no = await cluster.kubectl(["auth", "can-i", "patch", "deployments", "-n", "other", "--as", SA_USER]);
      // kubectl prints the authorizer's reason after "no": here, the dangling binding in "other".
      assert.equal(no.stdout.trim(), 'no - RBAC: role.rbac.authorization.k8s.io "ghost" not found');
      assert.equal(no.code, 1);
      const self = await asSa(["auth", "can-i", "get", "deployments.apps/web", "-n", "shop"]);
      assert.equal(self.stdout.trim(), "yes");
      const list = await asSa(["auth", "can-i", "--list", "-n", "shop"]);
      assert.equal(list.code, 0, list.stderr);
      assert.match(list.stdout, /deployments\.apps\s+\[\]\s+\[\]\s+\[get list watch patch\]/);
      assert.match(list.stdout, /configmaps\s+\[\]\s+\[app-config\]\s+\[get list\]/);
    });

    it("impersonation needs the impersonate verb; the admin may, the account may not", async () => {
      const as = await cluster.kubectl(["get", "deployments", "-n", "other", "--as", SA_USER]);
      assert.match(as.stderr, /deployments\.apps is forbidden: User "system:serviceaccount:ops:stratus" cannot list resource "deployments" in API group "apps" in the namespace "other"/);
      const ok = await cluster.kubectl(["get", "deployments", "-n", "shop", "--as", SA_USER, "-o", "name"]);
      assert.equal(ok.stdout.trim(), "deployment.apps/web");
      const escalate = await asSa(["get", "pods", "-n", "shop", "--as", "bob"]);
      assert.match(escalate.stderr, /users "bob" is forbidden: User "system:serviceaccount:ops:stratus" cannot impersonate resource "users" in API group "" at the cluster scope/);
    });

    it("validates the RBAC kinds and keeps roleRef immutable", async () => {
      const bad = await cluster.kubectl(["create", "-f", "-"], "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: bad, namespace: shop}\nrules:\n- apiGroups: ['']\n  resources: [pods]\n- nonResourceURLs: [/healthz]\n  verbs: [get]\n");
      assert.match(bad.stderr, /rules\[0\]\.verbs: Required value: verbs must contain at least one value/);
      assert.match(bad.stderr, /rules\[1\]\.nonResourceURLs: Invalid value: \[\]string\{"\/healthz"\}: namespaced rules cannot apply to non-resource URLs/);
      const changed = await cluster.kubectl(["patch", "rolebinding", "stratus", "-n", "shop", "--type", "merge", "-p", '{"roleRef":{"name":"other"}}']);
      assert.match(changed.stderr, /roleRef: Invalid value: rbac\.RoleRef\{APIGroup:"rbac\.authorization\.k8s\.io", Kind:"Role", Name:"other"\}: cannot change roleRef/);
      const crb = await cluster.kubectl(["create", "clusterrolebinding", "wrong", "--clusterrole", "view", "--serviceaccount", "ops:stratus", "--dry-run=server", "-o", "name"]);
      assert.equal(crb.code, 0, crb.stderr);
      const roleKind = await call("POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", admin(), { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", metadata: { name: "w" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "deployer" }, subjects: [{ kind: "ServiceAccount", name: "stratus" }] });
      assert.equal(roleKind.status, 422);
      assert.match(roleKind.body.message, /^ClusterRoleBinding\.rbac\.authorization\.k8s\.io "w" is invalid: /);
      assert.match(roleKind.body.message, /roleRef\.kind: Unsupported value: "Role": supported values: "ClusterRole"/);
      assert.match(roleKind.body.message, /subjects\[0\]\.namespace: Required value/);
    });

    it("serves the default roles: view through a RoleBinding, system:auth-delegator for reviews", async () => {
      const bind = await cluster.kubectl(["create", "rolebinding", "viewers", "-n", "other", "--clusterrole", "view", "--serviceaccount", "ops:stratus"]);
      assert.equal(bind.code, 0, bind.stderr);
      assert.equal((await call("GET", "/api/v1/namespaces/other/pods", saToken)).status, 200);
      assert.equal((await call("GET", "/api/v1/namespaces/other/secrets", saToken)).status, 403, "view never reads secrets");
      const review = { apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec: { token: saToken } };
      const refused = await call("POST", "/apis/authentication.k8s.io/v1/tokenreviews", saToken, review);
      assert.equal(refused.body.message, 'tokenreviews.authentication.k8s.io is forbidden: User "system:serviceaccount:ops:stratus" cannot create resource "tokenreviews" in API group "authentication.k8s.io" at the cluster scope');
      assert.equal((await cluster.kubectl(["create", "clusterrolebinding", "stratus-delegator", "--clusterrole", "system:auth-delegator", "--serviceaccount", "ops:stratus"])).code, 0);
      const reviewed = await call("POST", "/apis/authentication.k8s.io/v1/tokenreviews", saToken, review);
      assert.equal(reviewed.status, 201);
      assert.equal(reviewed.body.status.authenticated, true);
    });
  });

  describe("reviews", () => {
    it("TokenReview says who a token is, for which audience, and why not", async () => {
      const review = async (token: string, audiences?: string[]) =>
        (await call("POST", "/apis/authentication.k8s.io/v1/tokenreviews", admin(), { apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec: { token, ...(audiences ? { audiences } : {}) } })).body;
      const ok = await review(saToken);
      assert.equal(ok.kind, "TokenReview");
      assert.equal(ok.status.authenticated, true);
      assert.equal(ok.status.user.username, SA_USER);
      assert.deepEqual(ok.status.audiences, ["https://kubernetes.default.svc.cluster.local"]);
      const bad = await review("garbage");
      assert.equal(bad.status.authenticated, undefined);
      assert.match(bad.status.error, /^\[invalid bearer token, /);

      const scoped = cluster.sandbox.createToken("ops", "stratus", { audiences: ["stratus-watchdog"] });
      assert.equal((await review(scoped, ["stratus-watchdog"])).status.authenticated, true);
      assert.match((await review(scoped)).status.error, /token audiences \["stratus-watchdog"\] is invalid for the target audiences/);
      assert.equal((await call("GET", "/version", scoped)).status, 401, "a token for another audience does not reach the API");
    });

    it("SubjectAccessReview decides for another user and names the binding that allowed it", async () => {
      const sar = async (namespace: string) =>
        (await call("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", admin(), {
          apiVersion: "authorization.k8s.io/v1", kind: "SubjectAccessReview",
          spec: { user: SA_USER, groups: ["system:serviceaccounts", "system:serviceaccounts:ops", "system:authenticated"], resourceAttributes: { namespace, verb: "patch", group: "apps", resource: "deployments", name: "web" } },
        })).body;
      const yes = await sar("shop");
      assert.equal(yes.status.allowed, true);
      assert.equal(yes.status.reason, 'RBAC: allowed by RoleBinding "stratus/shop" of Role "deployer" to ServiceAccount "stratus/ops"');
      const no = await sar("payments");
      assert.equal(no.status.allowed, false);
      const invalid = await call("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", admin(), { apiVersion: "authorization.k8s.io/v1", kind: "SubjectAccessReview", spec: { resourceAttributes: { verb: "get", resource: "pods" } } });
      assert.equal(invalid.status, 422);
      assert.match(invalid.body.message, /spec\.user: Invalid value: "": at least one of user or group must be specified/);
    });
  });

  describe("revocation and expiry", () => {
    it("a token dies with its ServiceAccount, and stays dead when the name comes back", async () => {
      assert.equal((await cluster.kubectl(["create", "sa", "temp", "-n", "ops"])).code, 0);
      const token = cluster.sandbox.createToken("ops", "temp");
      assert.equal((await call("GET", "/version", token)).status, 200);
      assert.equal((await cluster.kubectl(["delete", "sa", "temp", "-n", "ops"])).code, 0);
      assert.equal((await call("GET", "/version", token)).status, 401);
      assert.equal((await cluster.kubectl(["create", "sa", "temp", "-n", "ops"])).code, 0);
      assert.equal((await call("GET", "/version", token)).status, 401);
    });

    it("a token expires on the cluster's clock", async () => {
      const token = cluster.sandbox.createToken("ops", "stratus", { expirationSeconds: 600 });
      assert.equal((await call("GET", "/version", token)).status, 200);
      await clock.advanceAsync(601_000, 1_000);
      assert.equal((await call("GET", "/version", token)).status, 401);
    });
  });
});
