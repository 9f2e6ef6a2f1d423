/**
 * The Kubernetes semantics that API changes exercise, each reproduced with the real kubectl on one
 * sandbox (virtual time, one namespace per story) and checked by what kubectl prints, worded as a
 * real cluster words it: ResourceQuota (FailedCreate "exceeded quota") and LimitRange defaults and
 * maxima; cordon and taints; pod affinity and anti-affinity; requests beyond every node; liveness
 * probes (exec, tcp, http) and an HTTP probe on a non-HTTP port; a missing Secret/ConfigMap key
 * (CreateContainerConfigError) and a missing ConfigMap volume (FailedMount, then recovery); an image
 * of another program with the wrong command; Jobs, CronJobs and autoscaling/v2 HPAs.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { VirtualClock } from "../../../sandbox/index.ts";
import { startTestCluster, type TestCluster } from "../../helpers/sandbox.ts";

describe("Kubernetes semantics through kubectl", { timeout: 600_000 }, () => {
  let c: TestCluster;
  let clock: VirtualClock;
  const k = async (...args: string[]) => {
    const r = await c.kubectl(args);
    assert.equal(r.code, 0, `kubectl ${args.join(" ")} failed: ${r.stderr}`);
    return r.stdout;
  };
  const apply = async (ns: string, ...objs: unknown[]) => {
    await c.kubectl(["create", "namespace", ns]);
    const r = await c.kubectl(["-n", ns, "create", "--validate=false", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: objs }));
    assert.equal(r.code, 0, r.stderr);
  };
  /** Moves simulated time until kubectl's output matches (or fails after `simMs`). */
  const until = async (re: RegExp, args: string[], simMs = 300_000): Promise<string> => {
    const deadline = clock.now() + simMs;
    let out = "";
    for (;;) {
      const r = await c.kubectl(args);
      out = r.stdout + r.stderr;
      if (re.test(out)) return out;
      if (clock.now() >= deadline) assert.fail(`kubectl ${args.join(" ")} never matched ${re}; last output:\n${out}`);
      await clock.advanceAsync(5_000, 25);
    }
  };
  const pod = (name: string, spec: Record<string, unknown>, labels: Record<string, string> = { app: name }) => ({ apiVersion: "v1", kind: "Pod", metadata: { name, labels }, spec });
  const sleeper = (extra: Record<string, unknown> = {}) => ({ name: "main", image: "busybox:1.36", command: ["sh", "-c", "sleep 3600"], ...extra });
  const deploy = (name: string, replicas: number, podSpec: Record<string, unknown>) => ({
    apiVersion: "apps/v1", kind: "Deployment", metadata: { name },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: podSpec } },
  });

  before(async () => {
    clock = new VirtualClock();
    c = await startTestCluster({ clock });
  });
  after(async () => c?.close());

  it("ResourceQuota: the ReplicaSet's FailedCreate says exceeded quota; describe quota shows Used and Hard", async () => {
    await apply("quota", { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "compute" }, spec: { hard: { pods: "1" } } }, deploy("web", 2, { containers: [sleeper()] }));
    await until(/Error creating: pods "web-[a-z0-9]+-[a-z0-9]{5}" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=1, limited: pods=1/, ["-n", "quota", "get", "events", "--field-selector", "reason=FailedCreate"]);
    await until(/pods\s+1\s+1/, ["-n", "quota", "describe", "quota", "compute"]);
    assert.match(await k("-n", "quota", "get", "quota", "--no-headers"), /^compute\s+\S+\s+pods: 1\/1\s/);
  });

  it("LimitRange: defaults fill a container's limits and requests; a limit above max is forbidden", async () => {
    await apply("limits", { apiVersion: "v1", kind: "LimitRange", metadata: { name: "mem" }, spec: { limits: [{ type: "Container", default: { memory: "128Mi" }, max: { memory: "512Mi" } }] } });
    await k("-n", "limits", "run", "plain", "--image=busybox:1.36", "--", "sleep", "3600");
    assert.equal(await k("-n", "limits", "get", "pod", "plain", "-o", "jsonpath={.spec.containers[0].resources.limits.memory} {.spec.containers[0].resources.requests.memory}"), "128Mi 128Mi");
    assert.match(await k("-n", "limits", "get", "pod", "plain", "-o", "jsonpath={.metadata.annotations}"), /LimitRanger plugin set: memory request for container plain; memory limit for container plain/);
    const r = await c.kubectl(["-n", "limits", "create", "--validate=false", "-f", "-"], JSON.stringify(pod("big", { containers: [sleeper({ resources: { limits: { memory: "1Gi" } } })] })));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /pods "big" is forbidden: maximum memory usage per Container is 512Mi, but limit is 1Gi/);
  });

  it("cordon and taints: Pending with the scheduler's reasons; a toleration or uncordon lets pods run", async () => {
    await k("cordon", "node-1", "node-2", "node-3");
    await apply("cordon", pod("waits", { containers: [sleeper()] }));
    await until(/0\/3 nodes are available: 3 node\(s\) were unschedulable\./, ["-n", "cordon", "describe", "pod", "waits"]);
    await k("uncordon", "node-1", "node-2", "node-3");
    await until(/waits\s+1\/1\s+Running/, ["-n", "cordon", "get", "pod", "waits", "--no-headers"]);
    await k("taint", "nodes", "--all", "dedicated=batch:NoSchedule");
    await apply("taints", pod("plain", { containers: [sleeper()] }), pod("tolerant", { containers: [sleeper()], tolerations: [{ key: "dedicated", operator: "Equal", value: "batch", effect: "NoSchedule" }] }));
    await until(/0\/3 nodes are available: 3 node\(s\) had untolerated taint \{dedicated: batch\}/, ["-n", "taints", "get", "events", "--field-selector", "involvedObject.name=plain"]);
    await until(/tolerant\s+1\/1\s+Running/, ["-n", "taints", "get", "pod", "tolerant", "--no-headers"]);
    await k("taint", "nodes", "--all", "dedicated=batch:NoSchedule-");
  });

  it("pod anti-affinity and affinity: the fourth replica and an orphan follower stay Pending", async () => {
    const anti = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: "spread" } }, topologyKey: "kubernetes.io/hostname" }] } };
    const follow = { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: "leader" } }, topologyKey: "kubernetes.io/hostname" }] } };
    await apply("affinity", deploy("spread", 4, { containers: [sleeper()], affinity: anti }), pod("follower", { containers: [sleeper()], affinity: follow }));
    await until(/0\/3 nodes are available: 3 node\(s\) didn't match pod anti-affinity rules\./, ["-n", "affinity", "get", "events", "--field-selector", "reason=FailedScheduling"]);
    assert.equal((await k("-n", "affinity", "get", "pods", "-l", "app=spread", "--field-selector", "status.phase=Running", "--no-headers")).trim().split("\n").length, 3);
    await until(/0\/3 nodes are available: 3 node\(s\) didn't match pod affinity rules\./, ["-n", "affinity", "describe", "pod", "follower"]);
  });

  it("requests beyond every node: 0/3 nodes are available: 3 Insufficient memory.", async () => {
    await apply("huge", pod("huge", { containers: [sleeper({ resources: { requests: { memory: "64Gi" } } })] }));
    await until(/0\/3 nodes are available: 3 Insufficient memory\./, ["-n", "huge", "describe", "pod", "huge"]);
  });

  it("liveness probes: exec, tcp and http failures restart the container; an HTTP probe on a non-HTTP port fails", async () => {
    const probe = (p: Record<string, unknown>) => ({ ...p, initialDelaySeconds: 1, periodSeconds: 5, failureThreshold: 2 });
    await apply("probes",
      pod("exec", { containers: [sleeper({ livenessProbe: probe({ exec: { command: ["cat", "/tmp/healthy"] } }) })] }),
      pod("tcp", { containers: [{ name: "web", image: "nginx:1.27", livenessProbe: probe({ tcpSocket: { port: 8081 } }) }] }),
      pod("http", { containers: [{ name: "web", image: "nginx:1.27", livenessProbe: probe({ httpGet: { path: "/nope", port: 80 } }) }] }),
      pod("redis", { containers: [{ name: "redis", image: "redis:6.2.4", command: ["redis-server"], livenessProbe: probe({ httpGet: { path: "/", port: 6379 } }) }] }));
    const events = ["-n", "probes", "get", "events", "--field-selector", "reason=Unhealthy"];
    await until(/Liveness probe failed: cat: \/tmp\/healthy: No such file or directory/, events);
    await until(/Liveness probe failed: dial tcp 10\.244\.\d+\.\d+:8081: connect: connection refused/, events);
    await until(/Liveness probe failed: HTTP probe failed with statuscode: 404/, events);
    await until(/Liveness probe failed: Get "http:\/\/10\.244\.\d+\.\d+:6379\/": EOF/, events);
    await until(/Container web failed liveness probe, will be restarted/, ["-n", "probes", "get", "events", "--field-selector", "reason=Killing"]);
    await until(/exec\s+0\/1\s+CrashLoopBackOff|exec\s+1\/1\s+Running\s+[1-9]/, ["-n", "probes", "get", "pod", "exec", "--no-headers"]);
  });

  it("a missing key is CreateContainerConfigError; a missing ConfigMap volume is FailedMount until it exists", async () => {
    await apply("config",
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "app" }, data: { mode: "fast" } },
      pod("keyed", { containers: [sleeper({ env: [{ name: "LEVEL", valueFrom: { configMapKeyRef: { name: "app", key: "level" } } }] })] }),
      pod("mounted", { containers: [sleeper({ volumeMounts: [{ name: "cfg", mountPath: "/etc/app" }] })], volumes: [{ name: "cfg", configMap: { name: "later" } }] }));
    await until(/keyed\s+0\/1\s+CreateContainerConfigError/, ["-n", "config", "get", "pod", "keyed", "--no-headers"]);
    assert.match(await k("-n", "config", "describe", "pod", "keyed"), /couldn't find key level in ConfigMap config\/app/);
    await until(/MountVolume\.SetUp failed for volume "cfg" : configmap "later" not found/, ["-n", "config", "get", "events", "--field-selector", "reason=FailedMount"]);
    assert.match(await k("-n", "config", "get", "pod", "mounted", "--no-headers"), /ContainerCreating/);
    await k("-n", "config", "create", "configmap", "later", "--from-literal=a=b");
    await until(/mounted\s+1\/1\s+Running/, ["-n", "config", "get", "pod", "mounted", "--no-headers"]);
  });

  it("an image of another program with the wrong command: exec not found, crash loop", async () => {
    await apply("image", deploy("cache", 1, { containers: [{ name: "cache", image: "redis:6.2.4", command: ["memcached", "-m", "64"] }] }));
    await until(/cache-[a-z0-9]+-[a-z0-9]{5}\s+0\/1\s+(CrashLoopBackOff|RunContainerError|StartError)/, ["-n", "image", "get", "pods", "--no-headers"]);
    assert.match(await k("-n", "image", "describe", "pods", "-l", "app=cache"), /exec: "memcached": executable file not found in \$PATH/);
  });

  it("Jobs complete or fail by their backoff limit; CronJobs create Jobs on schedule", async () => {
    const job = (name: string, script: string, extra: Record<string, unknown> = {}) => ({
      apiVersion: "batch/v1", kind: "Job", metadata: { name },
      spec: { ...extra, template: { spec: { restartPolicy: "Never", containers: [{ name: "main", image: "busybox:1.36", command: ["sh", "-c", script] }] } } },
    });
    await apply("batch", job("ok", "echo done", { completions: 2 }), job("bad", "exit 3", { backoffLimit: 1 }), {
      apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "tick" },
      spec: { schedule: "*/1 * * * *", jobTemplate: { spec: { template: { spec: { restartPolicy: "OnFailure", containers: [{ name: "main", image: "busybox:1.36", command: ["sh", "-c", "echo tick"] }] } } } } },
    });
    await until(/ok\s+Complete\s+2\/2\s/, ["-n", "batch", "get", "jobs", "ok", "--no-headers"]);
    assert.match(await k("-n", "batch", "get", "events", "--field-selector", "involvedObject.name=ok"), /Completed\s+job\/ok\s+Job completed/);
    await until(/bad\s+Failed\s+0\/1\s/, ["-n", "batch", "get", "jobs", "bad", "--no-headers"]);
    assert.match(await k("-n", "batch", "describe", "job", "bad"), /BackoffLimitExceeded\s+.*Job has reached the specified backoff limit/);
    await until(/tick-\d+\s+Complete\s+1\/1/, ["-n", "batch", "get", "jobs", "--no-headers"]);
    assert.match(await k("-n", "batch", "get", "cronjobs", "--no-headers"), /^tick\s+\*\/1 \* \* \* \*\s+<none>\s+False\s+\d+\s+\d+s/);
    const refused = await c.kubectl(["-n", "batch", "create", "--validate=false", "-f", "-"], JSON.stringify({ ...job("always", "true"), spec: { template: { spec: { containers: [{ name: "m", image: "busybox:1.36" }] } } } }));
    assert.match(refused.stderr, /spec\.template\.spec\.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"/);
  });

  it("autoscaling/v2 HPA: replicas above maxReplicas are scaled down; without a metrics API the target is <unknown>", async () => {
    await apply("hpa", deploy("web", 3, { containers: [sleeper({ resources: { requests: { cpu: "100m" } } })] }), {
      apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: { name: "web" },
      spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" }, minReplicas: 1, maxReplicas: 2, metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } } }] },
    });
    await until(/New size: 2; reason: Current number of replicas above Spec\.MaxReplicas/, ["-n", "hpa", "get", "events", "--field-selector", "reason=SuccessfulRescale"]);
    assert.equal(await k("-n", "hpa", "get", "deployment", "web", "-o", "jsonpath={.spec.replicas}"), "2");
    await until(/^web\s+Deployment\/web\s+cpu: <unknown>\/50%\s+1\s+2\s+2\s/, ["-n", "hpa", "get", "hpa", "--no-headers"]);
    await until(/FailedGetResourceMetric/, ["-n", "hpa", "describe", "hpa", "web"]);
  });
});
