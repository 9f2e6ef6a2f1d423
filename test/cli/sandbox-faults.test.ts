/**
 * `stratus sandbox faults` and `stratus sandbox inject` as a user types them: the catalog listing,
 * one kind's params, an injection into a running sandbox found through its kubeconfig (namespace
 * found when not given), and clear errors — unknown kind (listing the kinds), bad target, object
 * missing, bad params, no kubeconfig — with exit code 2 for usage errors.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { main } from "../../src/cli/main.ts";
import { RealClock } from "../../sandbox/index.ts";
import { FAULT_KINDS, KubeClient } from "../../sandbox/faults/index.ts";
import { startTestCluster, type TestCluster } from "../helpers/sandbox.ts";

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(argv, { out: (s) => (out += s.endsWith("\n") ? s : `${s}\n`), err: (s) => (err += s.endsWith("\n") ? s : `${s}\n`) });
  return { code, out, err };
}

describe("stratus sandbox faults / inject", () => {
  let cluster: TestCluster;
  let kube: KubeClient;
  before(async () => {
    cluster = await startTestCluster({ clock: new RealClock(20) });
    kube = KubeClient.fromKubeConfig(cluster.kc);
    await kube.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } });
    await kube.create({
      apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "cart", namespace: "shop", labels: { app: "cart" } },
      spec: { replicas: 2, selector: { matchLabels: { app: "cart" } }, template: { metadata: { labels: { app: "cart" } }, spec: { containers: [{ name: "cart", image: "nginx:1.25", ports: [{ containerPort: 80 }] }] } } },
    });
    await kube.create({ apiVersion: "v1", kind: "Service", metadata: { name: "cart", namespace: "shop" }, spec: { selector: { app: "cart" }, ports: [{ port: 80, targetPort: 80 }] } });
  });
  after(async () => {
    await cluster.close();
  });

  it("lists every kind with its target, ground truth and what it breaks", async () => {
    const r = await run(["sandbox", "faults"]);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trim().split("\n");
    assert.match(lines[0], /^KIND\s+TARGET\s+GROUND TRUTH\s+WHAT IT BREAKS$/);
    assert.equal(lines.length, FAULT_KINDS.length + 1);
    assert.match(r.out, /\nservice-target-port\s+Service\s+virtualization\/misconfiguration\s+targetPort set to a port/);
    assert.match(r.out, /\nnoise-rollout\s+Deployment\s+benign \(noise\)/);
  });

  it("shows one kind's params and defaults", async () => {
    const r = await run(["sandbox", "faults", "service-target-port"]);
    assert.equal(r.code, 0);
    assert.match(r.out, /port\s+default 9999/);
  });

  it("injects into the sandbox through its kubeconfig, finding the namespace, and prints what changed", async () => {
    const r = await run(["sandbox", "inject", "service-target-port", "--target", "svc/cart", "--param", "port=8080", "--kubeconfig", cluster.kubeconfigFile]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^injected service-target-port into Service shop\/cart at \S+Z\n  patch Service shop\/cart: spec.ports\[0\].targetPort 80 -> 8080\n  ground truth: Service\/cart, virtualization\/misconfiguration\n$/);
    const svc = await kube.require(KubeClient.ref("Service", "shop", "cart"));
    assert.equal(svc.spec.ports[0].targetPort, 8080);
    const flat = JSON.stringify(svc.metadata);
    assert.doesNotMatch(flat, /fault|chaos|inject|broken|bad/i);
  });

  it("scale-zero with an explicit namespace", async () => {
    const r = await run(["sandbox", "inject", "scale-zero", "--target", "Deployment/cart", "-n", "shop", "--kubeconfig", cluster.kubeconfigFile]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /spec.replicas 2 -> 0/);
  });

  it("refuses an unknown kind with exit 2, listing the kinds", async () => {
    const r = await run(["sandbox", "inject", "target-port", "--target", "Service/cart"]);
    assert.equal(r.code, 2);
    assert.match(r.err, /unknown fault kind "target-port"; kinds: service-target-port, service-selector, /);
  });

  it("refuses a target the kind does not take, or a malformed one, with exit 2", async () => {
    let r = await run(["sandbox", "inject", "scale-zero", "--target", "Service/cart"]);
    assert.equal(r.code, 2);
    assert.match(r.err, /scale-zero targets a Deployment, not a Service: use --target Deployment\/NAME/);
    r = await run(["sandbox", "inject", "scale-zero", "--target", "cart"]);
    assert.equal(r.code, 2);
    assert.match(r.err, /--target must be Kind\/name/);
    r = await run(["sandbox", "inject", "scale-zero"]);
    assert.equal(r.code, 2);
    assert.match(r.err, /--target Kind\/name is required/);
  });

  it("refuses bad params with exit 2 before touching the cluster, naming them and the known ones", async () => {
    let r = await run(["sandbox", "inject", "service-target-port", "--target", "Service/cart", "--param", "prot=1", "--kubeconfig", "/nonexistent"]);
    assert.equal(r.code, 2);
    assert.match(r.err, /unknown param prot for service-target-port \(known: port, index\)/);
    r = await run(["sandbox", "inject", "memory-limit", "--target", "Deployment/cart", "--param", "limit"]);
    assert.equal(r.code, 2);
    assert.match(r.err, /--param must be key=value/);
  });

  it("says when the object is missing (exit 1) or there is no kubeconfig", async () => {
    let r = await run(["sandbox", "inject", "scale-zero", "--target", "Deployment/nope", "--kubeconfig", cluster.kubeconfigFile]);
    assert.equal(r.code, 1);
    assert.match(r.err, /Deployment nope not found in any namespace/);
    r = await run(["sandbox", "inject", "scale-zero", "--target", "Deployment/nope", "-n", "shop", "--kubeconfig", cluster.kubeconfigFile]);
    assert.equal(r.code, 1);
    assert.match(r.err, /Deployment nope not found in namespace shop/);
    r = await run(["sandbox", "inject", "scale-zero", "--target", "Deployment/cart", "--kubeconfig", join(cluster.kubeconfigFile, "..", "missing.kubeconfig")]);
    assert.equal(r.code, 1);
    assert.match(r.err, /no kubeconfig at .*missing\.kubeconfig: start a sandbox with `stratus sandbox up`/);
  });
});
