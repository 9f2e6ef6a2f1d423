/**
 * Run in a pod, with no kubeconfig: findKubeConfig falls back to the ServiceAccount (token, ca.crt
 * and namespace files plus KUBERNETES_SERVICE_HOST/PORT) and reaches the sandbox over HTTPS as that
 * account — allowed where its Role says, refused elsewhere with the permission named. The Lease
 * namespace defaults to the pod's.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { findKubeConfig, KubeClient } from "../../src/kube/kube-client.ts";
import { podNamespace } from "../../src/kube/pod-namespace.ts";
import { startTestCluster, type TestCluster } from "../helpers/sandbox.ts";

describe("in a pod", () => {
  let cluster: TestCluster;
  before(async () => { cluster = await startTestCluster(); });
  after(async () => { await cluster.close(); });

  it("uses the ServiceAccount over HTTPS, and a refusal names the missing permission", async () => {
    const admin = new KubeClient(cluster.kc);
    await admin.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: "stratus-system" } });
    await admin.create({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "stratus", namespace: "stratus-system" } });
    await admin.create({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "reader", namespace: "stratus-system" }, rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["list"] }] });
    await admin.create({
      apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name: "reader", namespace: "stratus-system" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "reader" },
      subjects: [{ kind: "ServiceAccount", name: "stratus", namespace: "stratus-system" }],
    });
    const caData = cluster.kc.getCurrentCluster()?.caData;
    assert.ok(caData, "the sandbox's kubeconfig carries its CA");

    const root = mkdtempSync(join(tmpdir(), "stratus-pod-"));
    const sa = join(root, "var/run/secrets/kubernetes.io/serviceaccount");
    mkdirSync(sa, { recursive: true });
    writeFileSync(join(sa, "token"), cluster.sandbox.createToken("stratus-system", "stratus"));
    writeFileSync(join(sa, "ca.crt"), Buffer.from(caData, "base64"));
    writeFileSync(join(sa, "namespace"), "stratus-system");
    const port = String(cluster.sandbox.port);
    // client-node's loadFromCluster reads host and port from process.env itself.
    const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
    process.env.KUBERNETES_SERVICE_HOST = "127.0.0.1";
    process.env.KUBERNETES_SERVICE_PORT = port;
    try {
      const env = { HOME: mkdtempSync(join(tmpdir(), "stratus-home-")), KUBERNETES_SERVICE_HOST: "127.0.0.1", KUBERNETES_SERVICE_PORT: port };
      const { kc, source } = findKubeConfig({ env, inClusterRoot: root });
      assert.match(source, /ServiceAccount \(in-cluster\)/);
      assert.equal(kc.getCurrentCluster()?.server, `https://127.0.0.1:${port}`);
      const client = new KubeClient(kc, { readRetries: 0 });
      assert.deepEqual(await client.list("v1", "Pod", { namespace: "stratus-system" }), []);
      await assert.rejects(client.list("v1", "Pod", { namespace: "default" }), (e: Error) => {
        assert.match(e.message, /cannot list resource "pods" in API group "" in the namespace "default"; stratus lacks `list pods` in namespace default \(grant it in the Role; see deploy\/\)$/);
        return true;
      });
      assert.equal(podNamespace({}, join(sa, "namespace")), "stratus-system", "the Lease goes beside the pod");
    } finally {
      for (const [k, v] of [["KUBERNETES_SERVICE_HOST", saved.host], ["KUBERNETES_SERVICE_PORT", saved.port]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
