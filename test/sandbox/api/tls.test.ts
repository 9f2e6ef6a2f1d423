/**
 * The API over HTTPS: the certificate the sandbox mints at start, verified by the CA data its
 * kubeconfig carries; a certificate given as an option (made here with the openssl CLI, never
 * committed); and a client with in-cluster settings (@kubernetes/client-node `loadFromCluster`
 * reading token, ca.crt and namespace files plus KUBERNETES_SERVICE_HOST/PORT), authorized by RBAC
 * as its ServiceAccount. Plain HTTP keeps working on the same port.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:tls";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as k8s from "@kubernetes/client-node";
import { startTestCluster, type TestCluster } from "../../helpers/sandbox.ts";

const SA_DIR = "var/run/secrets/kubernetes.io/serviceaccount";

/** A KubeConfig loaded exactly as a pod loads it, from files under `prefix` and the service env. */
function inClusterConfig(prefix: string, port: number, files: { token: string; ca: string; namespace: string }): k8s.KubeConfig {
  const dir = join(prefix, SA_DIR);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "token"), files.token);
  writeFileSync(join(dir, "ca.crt"), files.ca);
  writeFileSync(join(dir, "namespace"), files.namespace);
  const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
  process.env.KUBERNETES_SERVICE_HOST = "127.0.0.1";
  process.env.KUBERNETES_SERVICE_PORT = String(port);
  try {
    const kc = new k8s.KubeConfig();
    kc.loadFromCluster(prefix);
    return kc;
  } finally {
    for (const [k, v] of [["KUBERNETES_SERVICE_HOST", saved.host], ["KUBERNETES_SERVICE_PORT", saved.port]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe("the API over HTTPS", () => {
  describe("with the certificate minted at start", () => {
    let cluster: TestCluster;
    let dir: string;
    before(async () => {
      cluster = await startTestCluster();
      dir = mkdtempSync(join(tmpdir(), "stratus-tls-"));
      const setup = `
apiVersion: v1
kind: Namespace
metadata: {name: stratus-system}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: stratus, namespace: stratus-system}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: stratus-system}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: stratus-reads, namespace: stratus-system}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects: [{kind: ServiceAccount, name: stratus}]
`;
      const r = await cluster.kubectl(["apply", "-f", "-"], setup);
      assert.equal(r.code, 0, r.stderr);
    });
    after(async () => {
      await cluster.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("kubectl verifies the server with the kubeconfig's CA data", async () => {
      const cfg = readFileSync(cluster.kubeconfigFile, "utf8");
      assert.match(cfg, /certificate-authority-data: /);
      assert.doesNotMatch(cfg, /insecure-skip-tls-verify/);
      const r = await cluster.kubectl(["get", "namespace", "stratus-system", "-o", "name"]);
      assert.equal(r.stdout.trim(), "namespace/stratus-system", r.stderr);
    });

    it("an in-cluster client is its ServiceAccount: allowed in its Role's namespace, refused elsewhere", async () => {
      const kc = inClusterConfig(dir, cluster.sandbox.port, {
        token: cluster.sandbox.createToken("stratus-system", "stratus"),
        ca: cluster.sandbox.caPem,
        namespace: "stratus-system",
      });
      assert.equal(kc.getCurrentCluster()!.server, `https://127.0.0.1:${cluster.sandbox.port}`);
      const core = kc.makeApiClient(k8s.CoreV1Api);
      const list = await core.listNamespacedConfigMap({ namespace: "stratus-system" });
      assert.ok(Array.isArray(list.items));
      await assert.rejects(core.listNamespacedConfigMap({ namespace: "default" }), (e: unknown) => {
        assert.ok(e instanceof k8s.ApiException, String(e));
        assert.equal(e.code, 403);
        const body = typeof e.body === "string" ? JSON.parse(e.body) : e.body;
        assert.equal(body.message, 'configmaps is forbidden: User "system:serviceaccount:stratus-system:stratus" cannot list resource "configmaps" in API group "" in the namespace "default"');
        return true;
      });
    });

    it("still speaks plain HTTP on the same port", async () => {
      const res = await fetch(`${cluster.sandbox.url}/api/v1/namespaces/stratus-system/configmaps`, { headers: cluster.auth });
      assert.equal(res.status, 200);
    });
  });

  describe("with a certificate given as an option", () => {
    let cluster: TestCluster;
    let dir: string;
    let cert: string;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), "stratus-tls-given-"));
      execFileSync("openssl", [
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
        "-subj", "/CN=sandbox-test", "-addext", "subjectAltName=IP:127.0.0.1",
        "-keyout", join(dir, "tls.key"), "-out", join(dir, "tls.crt"),
      ], { stdio: "ignore" });
      cert = readFileSync(join(dir, "tls.crt"), "utf8");
      cluster = await startTestCluster({ tls: { cert, key: readFileSync(join(dir, "tls.key"), "utf8") } });
    });
    after(async () => {
      await cluster.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("serves it, and the kubeconfig trusts it", async () => {
      assert.equal(cluster.sandbox.caPem, cert);
      const r = await cluster.kubectl(["auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"]);
      assert.equal(r.stdout, "sandbox-admin", r.stderr);
      const peer = await new Promise<string>((resolve, reject) => {
        const socket = connect({ host: "127.0.0.1", port: cluster.sandbox.port, ca: cert }, () => {
          resolve(String(socket.getPeerCertificate().subject.CN));
          socket.end();
        });
        socket.on("error", reject);
      });
      assert.equal(peer, "sandbox-test");
    });
  });
});
