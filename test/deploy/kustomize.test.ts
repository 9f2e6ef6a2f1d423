/**
 * deploy/: every overlay rendered with the real `kubectl kustomize`, its security-relevant shape
 * checked (least-privilege RBAC, secrets never cluster-wide, two replicas with the Lease beside
 * them, a hardened pod, the ledger volume, the NetworkPolicy), then applied to a sandbox — first
 * `--dry-run=server`, then for real — and the watchdog's ServiceAccount asked what it may do
 * (`kubectl auth can-i --as`). The sandbox enforces RBAC as kube-apiserver does.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import { eventually, startTestCluster, type TestCluster } from "../helpers/sandbox.ts";

const ROOT = join(import.meta.dirname, "../..");
const DEPLOY = join(ROOT, "deploy");
const OVERLAYS = readdirSync(join(DEPLOY, "overlays")).sort();
const SA = "system:serviceaccount:stratus-system:stratus";
const WRITE_VERBS = new Set(["create", "update", "patch", "delete", "deletecollection", "approve", "bind", "escalate", "impersonate", "*"]);
/** Cluster-scoped writes that are not writes to the cluster: reviews are evaluated, never stored. */
const REVIEWS = new Set(["authentication.k8s.io/tokenreviews", "authorization.k8s.io/subjectaccessreviews"]);

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [k: string]: any };
type Rule = { apiGroups?: string[]; resources?: string[]; verbs: string[]; resourceNames?: string[]; nonResourceURLs?: string[] };

function render(overlay: string): Obj[] {
  const text = execFileSync("kubectl", ["kustomize", join(DEPLOY, "overlays", overlay)], { encoding: "utf8" });
  return parseAllDocuments(text).map((d) => d.toJS() as Obj).filter(Boolean);
}

const of = (objs: Obj[], kind: string) => objs.filter((o) => o.kind === kind);
const one = (objs: Obj[], kind: string, name?: string) => {
  const found = objs.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  assert.equal(found.length, 1, `exactly one ${kind}${name ? ` ${name}` : ""}`);
  return found[0];
};
const grants = (rule: Rule, group: string, resource: string, verb: string) =>
  (rule.apiGroups ?? []).some((g) => g === group || g === "*") && (rule.resources ?? []).some((r) => r === resource || r === "*") && rule.verbs.some((v) => v === verb || v === "*");
/** The watched namespaces, from the watchdog's --namespace/-n arguments. */
function watched(workload: Obj): string[] {
  const args: string[] = workload.spec.template.spec.containers[0].args;
  const out: string[] = [];
  args.forEach((a, i) => {
    const m = /^(?:--namespace|-n)(?:=(.+))?$/.exec(a);
    if (m) out.push(m[1] ?? args[i + 1]);
  });
  return out.sort();
}
/** Roles (and ClusterRoles bound through RoleBindings) that the watchdog's ServiceAccount holds, by namespace. */
function rolesOfStratus(objs: Obj[]): Array<{ namespace?: string; rules: Rule[]; via: string }> {
  const held: Array<{ namespace?: string; rules: Rule[]; via: string }> = [];
  const isStratus = (b: Obj) => (b.subjects ?? []).some((s: any) => s.kind === "ServiceAccount" && s.name === "stratus" && s.namespace === "stratus-system");
  for (const b of of(objs, "RoleBinding").filter(isStratus)) {
    const role = objs.find((o) => o.kind === b.roleRef.kind && o.metadata.name === b.roleRef.name && (o.kind === "ClusterRole" || o.metadata.namespace === b.metadata.namespace));
    assert.ok(role, `RoleBinding ${b.metadata.namespace}/${b.metadata.name} refers to ${b.roleRef.kind} ${b.roleRef.name}, which the overlay defines`);
    held.push({ namespace: b.metadata.namespace, rules: role.rules, via: `RoleBinding ${b.metadata.namespace}/${b.metadata.name}` });
  }
  for (const b of of(objs, "ClusterRoleBinding").filter(isStratus)) {
    const role = objs.find((o) => o.kind === "ClusterRole" && o.metadata.name === b.roleRef.name);
    assert.ok(role, `ClusterRoleBinding ${b.metadata.name} refers to ClusterRole ${b.roleRef.name}, which the overlay defines (never a built-in like cluster-admin or edit)`);
    held.push({ rules: role.rules, via: `ClusterRoleBinding ${b.metadata.name}` });
  }
  return held;
}

describe("deploy/ overlays, rendered", () => {
  it("there are overlays to check", () => assert.ok(OVERLAYS.includes("single-namespace") && OVERLAYS.length >= 2, OVERLAYS.join(", ")));

  for (const overlay of OVERLAYS) {
    describe(overlay, () => {
      const objs = render(overlay);
      const workload = objs.find((o) => o.kind === "StatefulSet" || o.kind === "Deployment")!;
      const pod = workload?.spec.template.spec;
      const container = pod?.containers[0];
      const args: string[] = container?.args ?? [];

      it("installs into stratus-system, watching namespaces named on the command line", () => {
        assert.ok(workload, "a StatefulSet or Deployment");
        one(objs, "Namespace", "stratus-system");
        for (const o of objs.filter((x) => ["ServiceAccount", "StatefulSet", "Deployment", "Service", "NetworkPolicy", "PodDisruptionBudget", "PersistentVolumeClaim"].includes(x.kind))) {
          assert.equal(o.metadata.namespace, "stratus-system", `${o.kind} ${o.metadata.name}`);
        }
        assert.ok(watched(workload).length >= 1, "an overlay watches named namespaces (not every namespace, which needs cluster-wide reads)");
      });

      it("no ClusterRole grants writes (reviews aside), and none touches Secrets", () => {
        for (const cr of of(objs, "ClusterRole")) {
          assert.equal(cr.aggregationRule, undefined, `${cr.metadata.name}: no aggregation (its rules would be whatever matches)`);
          for (const rule of cr.rules as Rule[]) {
            assert.equal(rule.nonResourceURLs, undefined);
            assert.ok(!rule.verbs.includes("*") && !(rule.resources ?? []).includes("*") && !(rule.apiGroups ?? []).includes("*"), `${cr.metadata.name}: no wildcards: ${JSON.stringify(rule)}`);
            assert.ok(!(rule.resources ?? []).some((r) => r === "secrets" || r.startsWith("secrets/")), `${cr.metadata.name} touches secrets: ${JSON.stringify(rule)}`);
            const writes = rule.verbs.filter((v) => WRITE_VERBS.has(v));
            if (!writes.length) continue;
            for (const g of rule.apiGroups ?? []) for (const r of rule.resources ?? []) {
              assert.ok(REVIEWS.has(`${g}/${r}`) && writes.every((v) => v === "create"), `${cr.metadata.name} grants ${writes.join(",")} on ${g || "core"}/${r}`);
            }
          }
        }
      });

      it("Secrets are read only in watched namespaces, and never written", () => {
        const ns = watched(workload);
        const secretGrants = rolesOfStratus(objs).filter((h) => h.rules.some((r) => grants(r, "", "secrets", "get") || grants(r, "", "secrets", "list")));
        assert.deepEqual(secretGrants.map((h) => h.namespace).sort(), ns, "exactly the watched namespaces read Secrets");
        for (const h of rolesOfStratus(objs)) {
          for (const v of WRITE_VERBS) assert.ok(!h.rules.some((r) => grants(r, "", "secrets", v)), `${h.via} grants ${v} on secrets (opt in with components/secret-remedies)`);
        }
      });

      it("each watched namespace has the watchdog's Role: reads, its mitigation writes, events", () => {
        const held = rolesOfStratus(objs);
        for (const ns of watched(workload)) {
          const rules = held.filter((h) => h.namespace === ns).flatMap((h) => h.rules);
          for (const [g, r, v] of [["", "pods", "watch"], ["apps", "deployments", "list"], ["apps", "replicasets", "list"], ["", "events", "list"], ["", "pods/log", "get"], ["apps", "deployments", "update"], ["apps", "deployments", "patch"], ["", "events", "create"]] as const) {
            assert.ok(rules.some((rule) => grants(rule, g, r, v)), `${ns}: ${v} ${r}${g ? `.${g}` : ""}`);
          }
          assert.ok(!rules.some((rule) => grants(rule, "coordination.k8s.io", "leases", "create")), `${ns}: no Lease writes outside stratus-system`);
          one(objs.filter((o) => o.metadata.namespace === ns), "Role", "stratus-incident-approver");
        }
      });

      it("the writer Lease: writable only in the pod's own namespace, found through the downward API", () => {
        const leaseWriters = rolesOfStratus(objs).filter((h) => h.rules.some((r) => grants(r, "coordination.k8s.io", "leases", "update")));
        assert.deepEqual(leaseWriters.map((h) => h.namespace), ["stratus-system"]);
        const env = container.env.find((e: any) => e.name === "POD_NAMESPACE");
        assert.equal(env?.valueFrom?.fieldRef?.fieldPath, "metadata.namespace");
        const lease = args.find((a) => a.startsWith("--lease-namespace"));
        assert.ok(lease === undefined || lease === "--lease-namespace=$(POD_NAMESPACE)", `the Lease follows the pod: ${lease}`);
      });

      it("runs two hardened replicas with probes and resources", () => {
        assert.equal(workload.spec.replicas, 2);
        assert.equal(pod.serviceAccountName, "stratus");
        assert.equal(pod.securityContext.runAsNonRoot, true);
        assert.ok(pod.securityContext.runAsUser > 0);
        assert.equal(pod.securityContext.seccompProfile.type, "RuntimeDefault");
        assert.equal(pod.hostNetwork ?? false, false);
        const sc = container.securityContext;
        assert.equal(sc.readOnlyRootFilesystem, true);
        assert.equal(sc.allowPrivilegeEscalation, false);
        assert.deepEqual(sc.capabilities.drop, ["ALL"]);
        assert.equal(sc.capabilities.add, undefined);
        assert.equal(container.livenessProbe.httpGet.path, "/healthz");
        assert.equal(container.readinessProbe.httpGet.path, "/readyz");
        assert.ok(container.resources.requests.cpu && container.resources.requests.memory && container.resources.limits.memory);
        assert.equal(args[0], "watch");
        assert.doesNotMatch(container.image, /:latest$|^[^:]+$/, "a pinned image tag");
      });

      it("keeps each replica's ledger on its own ReadWriteOnce volume", () => {
        const ledger = args.find((a) => a.startsWith("--ledger="))?.slice("--ledger=".length);
        assert.ok(ledger, "--ledger names the file");
        const mount = container.volumeMounts.find((m: any) => ledger.startsWith(m.mountPath + "/"));
        assert.ok(mount, `the ledger ${ledger} is on a mounted volume`);
        assert.equal(workload.kind, "StatefulSet", "one claim per replica (SQLite in WAL mode must not be shared over a network filesystem)");
        const claim = workload.spec.volumeClaimTemplates.find((t: any) => t.metadata.name === mount.name);
        assert.ok(claim, `volume ${mount.name} comes from a volumeClaimTemplate`);
        assert.deepEqual(claim.spec.accessModes, ["ReadWriteOnce"]);
        const tmp = container.volumeMounts.find((m: any) => m.mountPath === "/tmp");
        assert.ok(tmp, "a writable /tmp beside the read-only root");
      });

      it("serves the API and /metrics on the ports its Services and NetworkPolicy name", () => {
        const port = (flag: string) => Number(args.find((a) => a.startsWith(`${flag}=`))?.split(":").pop());
        const ports = Object.fromEntries(container.ports.map((p: any) => [p.name, p.containerPort]));
        assert.equal(ports.http, port("--listen"));
        assert.equal(ports.metrics, port("--metrics-listen"));
        const services = of(objs, "Service");
        assert.ok(services.some((s) => s.spec.ports.some((p: any) => p.targetPort === "http")), "a Service for the API");
        assert.ok(services.some((s) => s.spec.ports.some((p: any) => p.targetPort === "metrics")), "a Service for /metrics");
        if (workload.kind === "StatefulSet") assert.ok(services.some((s) => s.metadata.name === workload.spec.serviceName), "the StatefulSet's governing Service exists");
        for (const s of services) {
          for (const [k, v] of Object.entries(s.spec.selector)) assert.equal(workload.spec.template.metadata.labels[k], v, `Service ${s.metadata.name} selects the pods`);
        }
      });

      it("has a NetworkPolicy: in only to its ports, out only to the API server and DNS", () => {
        const np = one(objs, "NetworkPolicy", "stratus");
        for (const [k, v] of Object.entries(np.spec.podSelector.matchLabels)) assert.equal(workload.spec.template.metadata.labels[k], v);
        assert.deepEqual([...np.spec.policyTypes].sort(), ["Egress", "Ingress"]);
        const inPorts = np.spec.ingress.flatMap((r: any) => r.ports.map((p: any) => p.port)).sort();
        assert.deepEqual(inPorts, ["http", "metrics"]);
        const outPorts = new Set(np.spec.egress.flatMap((r: any) => (r.ports ?? [null]).map((p: any) => p && `${p.port}/${p.protocol}`)));
        assert.ok(!outPorts.has(null), "no egress rule without ports");
        assert.deepEqual([...outPorts].sort(), ["443/TCP", "53/TCP", "53/UDP", "6443/TCP"]);
      });
    });
  }
});

describe("deploy/components: the opt-in remedies widen exactly what they say", () => {
  // An overlay as an operator would write it: single-namespace, Secret writes in shop, Node writes.
  const dir = mkdtempSync(join(tmpdir(), "stratus-overlay-"));
  const rel = relative(dir, DEPLOY);
  mkdirSync(join(dir, "shop"));
  writeFileSync(join(dir, "kustomization.yaml"), `resources: [${rel}/overlays/single-namespace, shop]\ncomponents: [${rel}/components/node-remedies]\n`);
  writeFileSync(join(dir, "shop/kustomization.yaml"), `namespace: shop\ncomponents: [../${rel}/components/secret-remedies]\n`);
  const widened = parseAllDocuments(execFileSync("kubectl", ["kustomize", dir], { encoding: "utf8" })).map((d) => d.toJS() as Obj);
  rmSync(dir, { recursive: true, force: true });
  const key = (o: Obj) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
  const baseKeys = new Set(render("single-namespace").map(key));
  const added = widened.filter((o) => !baseKeys.has(key(o)));

  it("adds only the remedies' roles and bindings", () => {
    assert.deepEqual(added.map(key).sort(), ["ClusterRole//stratus-node-remedies", "ClusterRoleBinding//stratus-node-remedies", "Role/shop/stratus-secret-remedies", "RoleBinding/shop/stratus-secret-remedies"]);
  });

  it("node-remedies: update/patch on nodes, nothing else; secret-remedies: Secret writes in its namespace only", () => {
    const nodes = one(added, "ClusterRole", "stratus-node-remedies").rules as Rule[];
    assert.deepEqual(nodes, [{ apiGroups: [""], resources: ["nodes"], verbs: ["update", "patch"] }]);
    const secrets = one(added, "Role", "stratus-secret-remedies").rules as Rule[];
    assert.deepEqual(secrets, [{ apiGroups: [""], resources: ["secrets"], verbs: ["create", "update", "patch", "delete"] }]);
    for (const b of added.filter((o) => o.kind.endsWith("Binding"))) assert.deepEqual(b.subjects, [{ kind: "ServiceAccount", name: "stratus", namespace: "stratus-system" }]);
  });
});

describe("deploy/evals: the sharded eval Job", () => {
  const objs = [...parseAllDocuments(execFileSync("kubectl", ["kustomize", join(DEPLOY, "evals")], { encoding: "utf8" })).map((d) => d.toJS() as Obj)];
  const job = one(objs, "Job", "stratus-eval");

  it("runs shard $(JOB_COMPLETION_INDEX) of as many shards as it has completions, with no API access", () => {
    assert.equal(job.spec.completionMode, "Indexed");
    const pod = job.spec.template.spec;
    const args: string[] = pod.containers[0].args;
    assert.equal(args[0], "eval");
    const shard = args.find((a) => a.startsWith("--shard="));
    assert.equal(shard, `--shard=$(JOB_COMPLETION_INDEX)/${job.spec.completions}`);
    const env = pod.containers[0].env.find((e: any) => e.name === "JOB_COMPLETION_INDEX");
    assert.equal(env?.valueFrom?.fieldRef?.fieldPath, "metadata.annotations['batch.kubernetes.io/job-completion-index']");
    assert.ok(args.some((a) => /^--json=\/results\/shard-\$\(JOB_COMPLETION_INDEX\)\.json$/.test(a)), "each shard writes its own file");
    assert.equal(pod.automountServiceAccountToken, false);
    assert.equal(pod.containers[0].securityContext.readOnlyRootFilesystem, true);
    assert.equal(pod.securityContext.runAsNonRoot, true);
  });
});

describe("deploy/ overlays, applied to a cluster that enforces RBAC", () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startTestCluster();
    // The sandbox has no Prometheus Operator: install the ServiceMonitor CRD the monitored overlay needs.
    const crd = {
      apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", metadata: { name: "servicemonitors.monitoring.coreos.com" },
      spec: { group: "monitoring.coreos.com", scope: "Namespaced", names: { plural: "servicemonitors", singular: "servicemonitor", kind: "ServiceMonitor", listKind: "ServiceMonitorList" },
        versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }] },
    };
    const r = await cluster.kubectl(["apply", "-f", "-"], JSON.stringify(crd));
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => cluster?.close());

  const kubectl = async (args: string[], input?: string) => {
    const r = await cluster.kubectl(args, input);
    assert.equal(r.code, 0, `kubectl ${args.join(" ")}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  const canI = async (args: string[]) => {
    const r = await cluster.kubectl(["auth", "can-i", `--as=${SA}`, ...args]);
    assert.ok(r.code === 0 || r.stdout.trim() === "no", `kubectl auth can-i ${args.join(" ")}: ${r.stderr}`);
    return r.stdout.trim() === "yes";
  };

  for (const overlay of OVERLAYS) {
    it(`${overlay}: the API server accepts every object (--dry-run=server)`, async () => {
      const rendered = execFileSync("kubectl", ["kustomize", join(DEPLOY, "overlays", overlay)], { encoding: "utf8" });
      // A dry-run creates nothing, namespaces included: the namespaces must exist first (as watched ones would).
      const objs = parseAllDocuments(rendered).map((d) => d.toJS() as Obj);
      for (const ns of new Set(objs.map((o) => o.metadata.namespace).filter(Boolean))) {
        await cluster.kubectl(["create", "namespace", ns!]);
      }
      const out = await kubectl(["apply", "--dry-run=server", "-f", "-"], rendered);
      for (const o of objs) assert.match(out, new RegExp(`${o.metadata.name} (created|configured|unchanged) \\(server dry run\\)`), `${o.kind} ${o.metadata.name}`);
    });
  }

  it("deploy/evals: the API server accepts the Job, its claim and the merge Job (--dry-run=server)", async () => {
    await cluster.kubectl(["create", "namespace", "stratus-evals"]);
    const rendered = execFileSync("kubectl", ["kustomize", join(DEPLOY, "evals")], { encoding: "utf8" });
    const out = await kubectl(["apply", "--dry-run=server", "-f", "-"], rendered);
    assert.match(out, /job\.batch\/stratus-eval (created|configured) \(server dry run\)/);
    const merge = await kubectl(["apply", "--dry-run=server", "-f", join(DEPLOY, "evals/merge-job.yaml")]);
    assert.match(merge, /job\.batch\/stratus-eval-merge (created|configured) \(server dry run\)/);
  });

  describe("single-namespace, applied: what the watchdog's ServiceAccount may do", () => {
    before(async () => {
      await cluster.kubectl(["create", "namespace", "shop"]); // the watched namespace exists before Stratus is installed
      await kubectl(["apply", "-f", "-"], execFileSync("kubectl", ["kustomize", join(DEPLOY, "overlays/single-namespace")], { encoding: "utf8" }));
    });

    it("reads, mitigates and records in the watched namespace", async () => {
      for (const a of [["watch", "pods", "-n", "shop"], ["list", "secrets", "-n", "shop"], ["get", "pods", "--subresource=log", "-n", "shop"], ["update", "deployments.apps", "-n", "shop"], ["delete", "pods", "-n", "shop"], ["create", "events", "-n", "shop"], ["create", "networkpolicies.networking.k8s.io", "-n", "shop"]]) {
        assert.equal(await canI(a), true, a.join(" "));
      }
    });

    it("takes the Lease only beside itself, reads nodes, and may review callers' tokens", async () => {
      for (const a of [["create", "leases.coordination.k8s.io", "-n", "stratus-system"], ["update", "leases.coordination.k8s.io", "-n", "stratus-system"], ["list", "nodes"], ["create", "tokenreviews.authentication.k8s.io"], ["create", "subjectaccessreviews.authorization.k8s.io"]]) {
        assert.equal(await canI(a), true, a.join(" "));
      }
    });

    it("is enough for the watchdog: with the ServiceAccount's token, every informer syncs and /readyz answers 200", async () => {
      const dir = mkdtempSync(join(tmpdir(), "stratus-deploy-"));
      const kubeconfig = join(dir, "stratus-sa.kubeconfig");
      cluster.sandbox.writeKubeconfig(kubeconfig, cluster.sandbox.createToken("stratus-system", "stratus"));
      const port = await freePort();
      // The StatefulSet's own arguments, but listening on loopback and with files in a temp dir.
      const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "src/cli/main.ts"), "watch", "--kubeconfig", kubeconfig, "--namespace=shop",
        "--lease-namespace=stratus-system", `--listen=127.0.0.1:${port}`, "--metrics-listen=off", `--ledger=${join(dir, "ledger.db")}`], { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (d) => (stderr += d));
      try {
        let last = "";
        await eventually(async () => {
          if (child.exitCode !== null) throw new Error(`the watchdog exited ${child.exitCode}: ${stderr}`);
          const r = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
          last = r ? `${r.status} ${await r.text()}` : "no answer";
          return r?.status === 200;
        }, 120_000, "the watchdog to be ready with the deployed RBAC").catch((e) => {
          throw new Error(`${(e as Error).message}; last /readyz: ${last}; stderr: ${stderr.slice(-2000)}`);
        });
        assert.doesNotMatch(stderr, /forbidden|degraded/i, "no read was refused");
      } finally {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise((r) => child.once("exit", r));
          child.kill("SIGTERM");
          await exited;
        }
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("is refused everything else: other namespaces, Secrets cluster-wide or written, Nodes, RBAC", async () => {
      for (const a of [["list", "secrets", "--all-namespaces"], ["get", "secrets", "-n", "default"], ["create", "secrets", "-n", "shop"], ["list", "pods", "-n", "default"], ["update", "deployments.apps", "-n", "default"], ["create", "leases.coordination.k8s.io", "-n", "shop"], ["patch", "nodes"], ["delete", "namespaces"], ["create", "clusterrolebindings.rbac.authorization.k8s.io"], ["create", "rolebindings.rbac.authorization.k8s.io", "-n", "shop"], ["create", "pods", "-n", "shop"]]) {
        assert.equal(await canI(a), false, a.join(" "));
      }
    });
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
