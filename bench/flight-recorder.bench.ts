/**
 * The flight recorder (agents/observe/changes.ts) at the scale: 5,000 pods in 500
 * Deployments (plus their Services, ConfigMaps and Secrets, and 50 Nodes), observed every 5 s as
 * the watchdog does, with one change per second (images, env, replicas, ConfigMap and Secret
 * values) for a simulated hour. Reports the recorder's heap (retained after a GC, beyond the
 * objects the observation itself holds) and the CPU time one observation costs. Pure CPU and
 * memory: no cluster, so the figures are the recorder's own.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { ChangeTracker } from "../agents/observe/index.ts";
import type { KubeObject } from "../src/kube/types.ts";

type Figures = Record<string, number | string>;

const DEPLOYMENTS = 500;
const PODS_PER_DEPLOYMENT = 10;
const NODES = 50;
const OBSERVE_EVERY_S = 5;
const CHANGES_PER_S = 1;
const SIM_SECONDS = 3600;

const managed = (manager: string, at: number) => [{ manager, operation: "Update", apiVersion: "v1", time: new Date(at).toISOString(), fieldsType: "FieldsV1", fieldsV1: { "f:spec": {} } }];

function world(): { objects: Map<string, KubeObject>; names: string[] } {
  const objects = new Map<string, KubeObject>();
  const put = (o: KubeObject) => objects.set(`${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`, o);
  for (let n = 0; n < NODES; n++) put({ apiVersion: "v1", kind: "Node", metadata: { name: `node-${n}`, labels: { "kubernetes.io/hostname": `node-${n}` }, managedFields: managed("kubelet", 0) }, spec: {} });
  const names: string[] = [];
  for (let d = 0; d < DEPLOYMENTS; d++) {
    const name = `svc-${d}`;
    names.push(name);
    const ns = `team-${d % 10}`;
    put({
      apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace: ns, labels: { app: name }, managedFields: managed("kubectl", 0) },
      spec: {
        replicas: PODS_PER_DEPLOYMENT, selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "app", image: `registry.example/app/${name}:1.0.0`, env: [{ name: "MODE", value: "prod" }, { name: "DB_HOST", value: `db-${d % 20}` }], ports: [{ containerPort: 8080 }], resources: { requests: { cpu: "100m", memory: "128Mi" } } }] } },
      },
    });
    put({ apiVersion: "v1", kind: "Service", metadata: { name, namespace: ns, managedFields: managed("kubectl", 0) }, spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }] } });
    put({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `${name}-config`, namespace: ns, managedFields: managed("kubectl", 0) }, data: { "app.yaml": `listen: 8080\nupstream: db-${d % 20}\n`.repeat(8) } });
    put({ apiVersion: "v1", kind: "Secret", metadata: { name: `${name}-creds`, namespace: ns, managedFields: managed("kubectl", 0) }, data: { password: Buffer.from(`pw-${d}`).toString("base64") } });
    for (let p = 0; p < PODS_PER_DEPLOYMENT; p++) {
      put({ apiVersion: "v1", kind: "Pod", metadata: { name: `${name}-${p}`, namespace: ns, labels: { app: name } }, spec: { nodeName: `node-${(d + p) % NODES}`, containers: [{ name: "app", image: `registry.example/app/${name}:1.0.0` }] }, status: { phase: "Running" } });
    }
  }
  return { objects, names };
}

/** One change, as an operator or a CI pipeline would make it: a new object version (copy-on-write, as informers deliver). */
function change(objects: Map<string, KubeObject>, names: string[], i: number, at: number): void {
  const d = (i * 7919) % names.length;
  const name = names[d];
  const ns = `team-${d % 10}`;
  const kinds = ["Deployment", "ConfigMap", "Secret", "Deployment"] as const;
  const kind = kinds[i % kinds.length];
  const key = kind === "Deployment" ? `Deployment/${ns}/${name}` : kind === "ConfigMap" ? `ConfigMap/${ns}/${name}-config` : `Secret/${ns}/${name}-creds`;
  const o = structuredClone(objects.get(key)!);
  o.metadata.managedFields = managed(i % 3 ? "kubectl" : "argocd-controller", at);
  if (kind === "Deployment") {
    const c = (o.spec as { template: { spec: { containers: Array<{ image: string; env: Array<{ name: string; value: string }> }> } } }).template.spec.containers[0];
    if (i % 2) c.image = `registry.example/app/${name}:1.0.${i}`;
    else c.env[0].value = `mode-${i}`;
  } else if (kind === "ConfigMap") {
    o.data = { "app.yaml": `listen: 8080\nrevision: ${i}\n`.repeat(8) };
  } else {
    o.data = { password: Buffer.from(`pw-${d}-${i}`).toString("base64") };
  }
  objects.set(key, o);
}

function gc(): void {
  setFlagsFromString("--expose_gc");
  (runInNewContext("gc") as () => void)();
}

export async function benchFlightRecorder(): Promise<Figures> {
  const { objects, names } = world();
  const kinds = ["Deployment", "Service", "ConfigMap", "Secret", "Node", "Pod"];
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const tracker = new ChangeTracker();
  const cpu: number[] = [];
  let changes = 0;
  let seen = 0;
  for (let t = 0; t <= SIM_SECONDS; t += OBSERVE_EVERY_S) {
    for (let k = 0; k < OBSERVE_EVERY_S * CHANGES_PER_S && t > 0; k++) change(objects, names, changes++, t * 1000);
    const list = [...objects.values()];
    const start = process.cpuUsage();
    seen += tracker.record(t * 1000, list, kinds).length;
    if (t % 60 === 0) tracker.markGood(Array.from({ length: 10 }, (_, i) => `team-${i}`), true);
    const used = process.cpuUsage(start);
    cpu.push((used.user + used.system) / 1000);
  }
  gc();
  const heapAfter = process.memoryUsage().heapUsed;
  const size = tracker.size();
  cpu.sort((a, b) => a - b);
  const pct = (q: number) => cpu[Math.min(cpu.length - 1, Math.floor(q * cpu.length))];
  const cpuPerSecond = cpu.reduce((a, b) => a + b, 0) / SIM_SECONDS;
  return {
    "objects observed (pods, Deployments, Services, ConfigMaps, Secrets, Nodes)": objects.size,
    "simulated time, observation interval": `${SIM_SECONDS / 60} min, every ${OBSERVE_EVERY_S} s`,
    "changes made (1 per second)": changes,
    "changes the recorder reported": seen,
    "objects tracked / versions kept / changes kept": `${size.objects} / ${size.versions} / ${size.changes}`,
    "recorder heap, retained after GC (MB)": Number(((heapAfter - heapBefore) / 1e6).toFixed(1)),
    "CPU per observation, median (ms)": Number(pct(0.5).toFixed(2)),
    "CPU per observation, p99 (ms)": Number(pct(0.99).toFixed(2)),
    "CPU share of one core at this cadence": `${((cpuPerSecond / 1000) * 100).toFixed(2)}%`,
  };
}
