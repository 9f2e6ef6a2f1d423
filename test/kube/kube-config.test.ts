/**
 * Finding the cluster as kubectl does — --kubeconfig, $KUBECONFIG (merged), ~/.kube/config, the
 * pod's ServiceAccount — and, with none of them, a typed error that says what to do instead of
 * client-node's silent fallback to http://localhost:8080.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { findKubeConfig, NO_CLUSTER_MESSAGE } from "../../src/kube/kube-client.ts";
import { isStratusError } from "../../src/base/errors.ts";

const kubeconfig = (name: string, server: string) => `apiVersion: v1
kind: Config
clusters: [{name: ${name}, cluster: {server: "${server}"}}]
users: [{name: u-${name}, user: {token: t}}]
contexts: [{name: ${name}, context: {cluster: ${name}, user: u-${name}}}]
current-context: ${name}
`;

function home(): string {
  return mkdtempSync(join(tmpdir(), "stratus-home-"));
}

describe("findKubeConfig", () => {
  it("with no kubeconfig anywhere and not in a pod, refuses with what to do — never localhost:8080", () => {
    const env = { HOME: home() };
    assert.throws(() => findKubeConfig({ env }), (e: unknown) => isStratusError(e) && e.code === "KUBECONFIG" && e.message === NO_CLUSTER_MESSAGE);
  });

  it("reads ~/.kube/config from HOME", () => {
    const h = home();
    mkdirSync(join(h, ".kube"));
    writeFileSync(join(h, ".kube", "config"), kubeconfig("homecluster", "https://home.example:6443"));
    const { kc, source } = findKubeConfig({ env: { HOME: h } });
    assert.equal(kc.getCurrentCluster()?.server, "https://home.example:6443");
    assert.equal(source, join(h, ".kube", "config"));
  });

  it("prefers $KUBECONFIG over ~/.kube/config and merges every file it lists; --kubeconfig wins over both", () => {
    const h = home();
    mkdirSync(join(h, ".kube"));
    writeFileSync(join(h, ".kube", "config"), kubeconfig("homecluster", "https://home.example:6443"));
    const a = join(h, "a.yaml");
    const b = join(h, "b.yaml");
    writeFileSync(a, kubeconfig("first", "https://first.example:6443"));
    writeFileSync(b, kubeconfig("second", "https://second.example:6443"));
    const env = { HOME: h, KUBECONFIG: `${a}:${b}` };
    const found = findKubeConfig({ env });
    assert.equal(found.kc.getCurrentCluster()?.server, "https://first.example:6443", "the first file's current-context");
    assert.match(found.source, /^\$KUBECONFIG/);
    assert.equal(findKubeConfig({ env, context: "second" }).kc.getCurrentCluster()?.server, "https://second.example:6443", "contexts of later files are merged in");
    assert.equal(findKubeConfig({ env, kubeconfig: b }).kc.getCurrentCluster()?.server, "https://second.example:6443");
    assert.throws(() => findKubeConfig({ env, context: "nope" }), /context "nope" is not in the kubeconfig .* it has: first, second/);
  });

  it("in a pod (KUBERNETES_SERVICE_HOST set, no kubeconfig) uses the ServiceAccount", () => {
    const root = home();
    const sa = join(root, "var/run/secrets/kubernetes.io/serviceaccount");
    mkdirSync(sa, { recursive: true });
    writeFileSync(join(sa, "token"), "sa-token");
    writeFileSync(join(sa, "ca.crt"), "");
    writeFileSync(join(sa, "namespace"), "stratus-system");
    // client-node's loadFromCluster reads host and port from process.env itself.
    const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
    process.env.KUBERNETES_SERVICE_HOST = "10.96.0.1";
    process.env.KUBERNETES_SERVICE_PORT = "443";
    try {
      const { kc, source } = findKubeConfig({ env: { HOME: home(), KUBERNETES_SERVICE_HOST: "10.96.0.1" }, inClusterRoot: root });
      assert.equal(kc.getCurrentCluster()?.server, "https://10.96.0.1:443");
      assert.equal(kc.getContextObject(kc.getCurrentContext())?.namespace, "stratus-system");
      assert.match(source, /in-cluster/);
    } finally {
      for (const [k, v] of [["KUBERNETES_SERVICE_HOST", saved.host], ["KUBERNETES_SERVICE_PORT", saved.port]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
