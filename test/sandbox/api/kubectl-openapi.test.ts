/**
 * A new user's kubectl story against the sandbox, with client-side validation left on (no
 * `--validate=false`): the real /usr/bin/kubectl reads the sandbox's OpenAPI, explains a field,
 * applies and creates manifests, is refused an unknown field, diffs, applies server-side (a
 * conflict first, then forced), waits for a condition, sorts events by lastTimestamp and watches
 * a Deployment until its first lines arrive.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestCluster, type TestCluster } from "../../helpers/sandbox.ts";

const deployment = (replicas: number, extra = "") => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: story
  namespace: default
spec:
  replicas: ${replicas}${extra}
  selector:
    matchLabels: {app: story}
  template:
    metadata:
      labels: {app: story}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports:
        - containerPort: 80
`;

const configMap = `apiVersion: v1
kind: ConfigMap
metadata:
  name: story-config
  namespace: default
data:
  mode: fast
`;

describe("kubectl with OpenAPI, validation on", () => {
  let cluster: TestCluster;
  let watchCache: string;

  before(async () => {
    cluster = await startTestCluster();
    watchCache = mkdtempSync(join(tmpdir(), "stratus-kubectl-watch-"));
  });
  after(async () => {
    await cluster.close();
    rmSync(watchCache, { recursive: true, force: true });
  });

  const ok = async (args: string[], input?: string) => {
    const r = await cluster.kubectl(args, input);
    assert.equal(r.code, 0, `kubectl ${args.join(" ")} failed: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /openapi|validat/i, `kubectl ${args.join(" ")} warned: ${r.stderr}`);
    return r.stdout;
  };

  it("explains deployment.spec from the served schema", async () => {
    const out = await ok(["explain", "deployment.spec"]);
    assert.match(out, /GROUP:\s+apps/);
    assert.match(out, /FIELD: spec <DeploymentSpec>/);
    assert.match(out, /replicas\s+<integer>/);
    assert.match(out, /template\s+<PodTemplateSpec> -required-/);
    assert.match(out, /Number of desired pods/);
  });

  it("applies a manifest, and refuses one with an unknown field by name", async () => {
    assert.match(await ok(["apply", "-f", "-"], deployment(2)), /deployment\.apps\/story created/);
    const bad = await cluster.kubectl(["apply", "-f", "-"], deployment(2, "\n  bogusField: 1"));
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /strict decoding error: unknown field "spec\.bogusField"/);
  });

  it("validates a kind: List client-side from /openapi/v2, as against a real cluster", async () => {
    const list = (extra: string) => `apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: listed, namespace: default}\n  data: {a: "1"}${extra}\n`;
    assert.match(await ok(["apply", "-f", "-"], list("")), /configmap\/listed created/);
    const bad = await cluster.kubectl(["apply", "-f", "-"], list("\n  bogus: 2"));
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /ValidationError\(ConfigMap\): unknown field "bogus" in io\.k8s\.api\.v1\.ConfigMap/);
  });

  it("creates a manifest, and says AlreadyExists the second time", async () => {
    assert.match(await ok(["create", "-f", "-"], configMap), /configmap\/story-config created/);
    const again = await cluster.kubectl(["create", "-f", "-"], configMap);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /AlreadyExists.*configmaps "story-config" already exists/);
  });

  it("diffs a change without making it", async () => {
    const r = await cluster.kubectl(["diff", "-f", "-"], deployment(3));
    assert.equal(r.code, 1, `kubectl diff exits 1 when there is a difference: ${r.stderr}`);
    assert.match(r.stdout, /^-\s+replicas: 2$/m);
    assert.match(r.stdout, /^\+\s+replicas: 3$/m);
    assert.equal(await ok(["get", "deployment", "story", "-o", "jsonpath={.spec.replicas}"]), "2");
  });

  it("applies server-side: a conflict with the client-side applier, then forced", async () => {
    const conflict = await cluster.kubectl(["apply", "--server-side", "-f", "-"], deployment(3));
    assert.notEqual(conflict.code, 0);
    assert.match(conflict.stderr, /Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps\/v1 at [0-9T:-]+Z: \.spec\.replicas/);
    assert.match(await ok(["apply", "--server-side", "--force-conflicts", "-f", "-"], deployment(3)), /deployment\.apps\/story serverside-applied/);
    assert.equal(await ok(["get", "deployment", "story", "-o", "jsonpath={.spec.replicas}"]), "3");
    const managers = JSON.parse(await ok(["get", "deployment", "story", "-o", "jsonpath={.metadata.managedFields}", "--show-managed-fields"])) as Array<{ manager: string; operation: string; fieldsV1: Record<string, unknown> }>;
    const applied = managers.find((m) => m.manager === "kubectl" && m.operation === "Apply");
    assert.ok(applied, `no Apply entry for kubectl in ${JSON.stringify(managers.map((m) => m.manager))}`);
    assert.ok("f:replicas" in (applied.fieldsV1["f:spec"] as Record<string, unknown>));
    const unknown = await cluster.kubectl(["apply", "--server-side", "-f", "-"], deployment(3, "\n  bogusField: 1"));
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /failed to create typed patch object \(default\/story; apps\/v1, Kind=Deployment\): \.spec\.bogusField: field not declared in schema/);
  });

  it("diffs server-side (a dry-run apply) without making the change", async () => {
    const r = await cluster.kubectl(["diff", "--server-side", "--force-conflicts", "-f", "-"], deployment(3).replace("nginx:1.27", "nginx:1.28"));
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^\+\s+- image: nginx:1\.28$|^\+\s+image: nginx:1\.28$/m);
    assert.equal(await ok(["get", "deployment", "story", "-o", "jsonpath={.spec.template.spec.containers[0].image}"]), "nginx:1.27");
  });

  it("waits for the Deployment to be Available", async () => {
    const out = await ok(["wait", "--for=condition=Available", "deployment/story", "--timeout=60s"]);
    assert.match(out, /deployment\.apps\/story condition met/);
  });

  it("sorts events by lastTimestamp", async () => {
    const table = await ok(["get", "events", "--sort-by=.lastTimestamp"]);
    assert.match(table, /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE/);
    assert.match(table, /ScalingReplicaSet\s+deployment\/story/);
    const stamps = (await ok(["get", "events", "--sort-by=.lastTimestamp", "-o", "jsonpath={.items[*].lastTimestamp}"])).split(/\s+/).filter(Boolean);
    assert.ok(stamps.length >= 3, `events carry lastTimestamp: ${stamps.join(" ")}`);
    assert.deepEqual([...stamps].sort(), stamps);
  });

  it("watches a Deployment with get -w until its first lines arrive", async () => {
    const child = spawn("kubectl", ["--kubeconfig", cluster.kubeconfigFile, "--cache-dir", watchCache, "get", "deployment", "story", "-w"], { env: { ...process.env, HOME: watchCache } });
    let out = "";
    try {
      const lines = await new Promise<string[]>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`kubectl get -w printed only: ${out}`)), 30_000);
        let scaled = false;
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          const got = out.split("\n").filter(Boolean);
          if (got.length >= 2 && !scaled) {
            scaled = true;
            void cluster.kubectl(["scale", "deployment", "story", "--replicas=1"]);
          }
          if (got.some((l, i) => i > 0 && /^story\s+\S+\/1\s/.test(l))) {
            clearTimeout(timer);
            resolve(got);
          }
        });
        child.on("exit", () => reject(new Error(`kubectl get -w exited early: ${out}`)));
      });
      assert.match(lines[0], /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE/);
      assert.match(lines[1], /^story\s+\d+\/3\s/);
      assert.equal(lines.filter((l) => l.startsWith("NAME")).length, 1, "headers come once");
    } finally {
      child.kill();
    }
  });
});
