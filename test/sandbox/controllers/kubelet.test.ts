import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { RealClock } from "../../../sandbox/index.ts";
import type { KObject } from "../../../sandbox/api/types.ts";
import { eventually, startTestCluster, type TestCluster } from "../../helpers/sandbox.ts";

/**
 * The kubelet on a sandbox running 20x faster than wall time: images, crash loops, OOM kills,
 * start errors, probes and configuration, seen through the real kubectl and the pod's status.
 */
describe("kubelet", () => {
  let cluster: TestCluster;
  const rt = (kind: string) => cluster.sandbox.context.rt(kind);
  const pod = (name: string) => cluster.sandbox.store.get(rt("Pod"), "default", name);
  const status = (name: string, container = "app") => pod(name)?.status?.containerStatuses?.find((c: any) => c.name === container);
  const events = (name: string, reason: string) =>
    cluster.sandbox.store.list(rt("Event"), "default").filter((e) => e.involvedObject.name === name && e.reason === reason).map((e) => e.message as string);
  const create = async (name: string, spec: Record<string, unknown>, labels: Record<string, string> = { app: name }) => {
    const body = JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name, labels }, spec });
    const r = await cluster.kubectl(["create", "--validate=false", "-f", "-"], body);
    assert.equal(r.code, 0, r.stderr);
  };
  const kubectl = async (...args: string[]) => {
    const r = await cluster.kubectl(args);
    assert.equal(r.code, 0, `kubectl ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  const statusColumn = async (name: string) => (await kubectl("get", "pod", name, "--no-headers")).trim().split(/\s+/)[2];

  before(async () => {
    cluster = await startTestCluster({ clock: new RealClock(20) });
  });
  after(async () => {
    await cluster.close();
  });

  it("runs a known image: pulled, created, started, Running and Ready with an IP from the node's range", async () => {
    await create("web", { containers: [{ name: "app", image: "nginx:1.25", ports: [{ containerPort: 80 }] }] });
    const p = await eventually(() => (pod("web")?.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True") ? pod("web") : undefined), 20_000, "web Ready");
    assert.equal(p.status.phase, "Running");
    const node = cluster.sandbox.store.require(rt("Node"), undefined, p.spec.nodeName);
    assert.equal(p.status.hostIP, node.status.addresses.find((a: any) => a.type === "InternalIP").address);
    assert.ok(p.status.podIP.startsWith(node.spec.podCIDR.replace(/0\/24$/, "")), `${p.status.podIP} in ${node.spec.podCIDR}`);
    const cs = status("web")!;
    assert.equal(cs.image, "docker.io/library/nginx:1.25");
    assert.match(cs.imageID, /^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    assert.match(cs.containerID, /^containerd:\/\/[0-9a-f]{64}$/);
    assert.equal(cs.started, true);
    assert.deepEqual(p.status.conditions.map((c: any) => c.type), ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"]);
    assert.deepEqual(events("web", "Pulling"), ['Pulling image "nginx:1.25"']);
    assert.match(events("web", "Pulled")[0], /^Successfully pulled image "nginx:1\.25" in [\d.]+s \([\d.]+s including waiting\)\. Image size: \d+ bytes\.$/);
    assert.deepEqual(events("web", "Created"), ["Created container app"]);
    assert.deepEqual(events("web", "Started"), ["Started container app"]);
    assert.equal(await statusColumn("web"), "Running");
  });

  it("a bad image reaches ImagePullBackOff, with the Failed and BackOff events kubectl describe shows", async () => {
    await create("badimg", { containers: [{ name: "app", image: "nginx:9.99" }] });
    await eventually(async () => (await statusColumn("badimg")) === "ImagePullBackOff", 20_000, "STATUS ImagePullBackOff");
    const describe = await kubectl("describe", "pod", "badimg");
    assert.match(describe, /Reason:\s+ImagePullBackOff/);
    assert.match(describe, /Warning\s+Failed\s+.*Failed to pull image "nginx:9\.99": rpc error: code = NotFound desc = failed to pull and unpack image "docker\.io\/library\/nginx:9\.99": failed to resolve reference "docker\.io\/library\/nginx:9\.99": docker\.io\/library\/nginx:9\.99: not found/);
    assert.match(describe, /Warning\s+Failed\s+.*Error: ErrImagePull/);
    assert.match(describe, /Normal\s+BackOff\s+.*Back-off pulling image "nginx:9\.99"/);
    assert.match(describe, /Warning\s+Failed\s+.*Error: ImagePullBackOff/);
    assert.equal(pod("badimg")!.status.phase, "Pending");
    // It keeps retrying, on a back-off: the pull is attempted again.
    await eventually(() => {
      const pulling = cluster.sandbox.store.list(rt("Event"), "default").find((e) => e.involvedObject.name === "badimg" && e.reason === "Pulling");
      return (pulling?.count ?? 0) >= 2;
    }, 20_000, "a second pull attempt");
  });

  it("an unknown repository fails with the registry's access-denied wording", async () => {
    await create("norepo", { containers: [{ name: "app", image: "example/does-not-exist:1.0" }] });
    const waiting = await eventually(() => status("norepo")?.state?.waiting?.reason === "ErrImagePull" ? status("norepo").state.waiting : undefined, 20_000, "ErrImagePull");
    assert.match(waiting.message, /^rpc error: code = Unknown desc = failed to pull and unpack image "docker\.io\/example\/does-not-exist:1\.0": .*pull access denied, repository does not exist or may require authorization/);
  });

  it("a crashing container reaches CrashLoopBackOff, restarts climb and each back-off is longer", async () => {
    // Record every status the pod goes through: the short-lived running states matter here.
    const seen: any[] = [];
    const unsubscribe = cluster.sandbox.store.onEvent((e) => {
      if (e.object.kind === "Pod" && e.object.metadata.name === "crash") {
        const cs = e.object.status?.containerStatuses?.[0];
        if (cs) seen.push(structuredClone(cs));
      }
    });
    try {
      await create("crash", { containers: [{ name: "app", image: "busybox:1.36", command: ["sh", "-c", "echo starting; exit 1"] }] });
      await eventually(() => (status("crash")?.restartCount ?? 0) >= 4, 60_000, "4 restarts");
    } finally {
      unsubscribe();
    }
    // For instance n (restartCount n, running), lastState is instance n-1: the gap is the back-off.
    const gaps = new Map<number, number>();
    for (const cs of seen) {
      if (!cs.state.running || !cs.lastState?.terminated) continue;
      gaps.set(cs.restartCount, (Date.parse(cs.state.running.startedAt) - Date.parse(cs.lastState.terminated.finishedAt)) / 1000);
    }
    const [g1, g2, g3] = [gaps.get(1), gaps.get(2), gaps.get(3)];
    assert.ok(g1 !== undefined && g2 !== undefined && g3 !== undefined, `gaps seen: ${JSON.stringify([...gaps])}`);
    assert.ok(g1 <= 5, `first restart is immediate, took ${g1}s`);
    assert.ok(g2 >= 9, `second restart waits the 10s back-off, took ${g2}s`);
    assert.ok(g3 >= 19 && g3 > g2, `third restart waits 20s, took ${g3}s after ${g2}s`);
    const last = seen.filter((cs) => cs.lastState?.terminated).at(-1);
    assert.equal(last.lastState.terminated.exitCode, 1);
    assert.equal(last.lastState.terminated.reason, "Error");
    assert.match(last.lastState.terminated.containerID, /^containerd:\/\//);
    const backoff = seen.find((cs) => cs.state.waiting?.reason === "CrashLoopBackOff");
    const uid = pod("crash")!.metadata.uid;
    assert.match(backoff.state.waiting.message, new RegExp(`^back-off \\d+s restarting failed container=app pod=crash_default\\(${uid}\\)$`));
    assert.deepEqual(events("crash", "BackOff"), [`Back-off restarting failed container app in pod crash_default(${uid})`]);
    await eventually(async () => (await statusColumn("crash")) === "CrashLoopBackOff", 30_000, "STATUS CrashLoopBackOff");
    const describe = await kubectl("describe", "pod", "crash");
    assert.match(describe, /Last State:\s+Terminated\n\s+Reason:\s+Error\n\s+Exit Code:\s+1/);
    assert.equal(pod("crash")!.status.phase, "Running");
  });

  it("a container using more memory than its limit is OOMKilled with exit code 137", async () => {
    await create("hog", { containers: [{ name: "app", image: "ghcr.io/stratus-sandbox/memhog:1.0", args: ["--mem=256Mi"], resources: { limits: { memory: "128Mi" } } }] });
    const term = await eventually(() => status("hog")?.lastState?.terminated ?? status("hog")?.state?.terminated, 30_000, "a terminated hog");
    assert.equal(term.reason, "OOMKilled");
    assert.equal(term.exitCode, 137);
    await eventually(() => (status("hog")?.restartCount ?? 0) >= 1, 30_000, "the hog restarted");
  });

  it("a command the image does not have is a StartError with exit code 128", async () => {
    await create("nobin", { containers: [{ name: "app", image: "busybox:1.36", command: ["foo"] }] });
    const term = await eventually(() => status("nobin")?.lastState?.terminated ?? status("nobin")?.state?.terminated, 30_000, "a terminated container");
    assert.equal(term.reason, "StartError");
    assert.equal(term.exitCode, 128);
    assert.equal(term.message, 'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "foo": executable file not found in $PATH: unknown');
    assert.ok(events("nobin", "Failed").some((m) => m.startsWith("Error: failed to create containerd task")));
    assert.deepEqual(events("nobin", "Started"), []);
  });

  it("restartPolicy Never: a failing container leaves the pod Failed, a succeeding one Succeeded", async () => {
    await create("once-bad", { restartPolicy: "Never", containers: [{ name: "app", image: "busybox:1.36", command: ["false"] }] });
    await create("once-ok", { restartPolicy: "Never", containers: [{ name: "app", image: "busybox:1.36", command: ["sh", "-c", "echo done"] }] });
    await eventually(() => pod("once-bad")?.status?.phase === "Failed" && pod("once-ok")?.status?.phase === "Succeeded", 30_000, "terminal phases");
    assert.equal(status("once-bad").state.terminated.exitCode, 1);
    assert.equal(status("once-ok").state.terminated.reason, "Completed");
    assert.equal(status("once-bad").restartCount, 0);
    assert.equal(await statusColumn("once-ok"), "Completed");
  });

  it("a readiness probe on a port nothing serves never passes: Running, not Ready, Unhealthy events", async () => {
    await create("unready", {
      containers: [{ name: "app", image: "nginx:1.25", ports: [{ containerPort: 80 }], readinessProbe: { httpGet: { path: "/healthz", port: 8080 }, periodSeconds: 2 } }],
    });
    await eventually(() => events("unready", "Unhealthy").length > 0 && status("unready")?.state?.running, 30_000, "an Unhealthy event");
    const ip = pod("unready")!.status.podIP;
    assert.deepEqual(events("unready", "Unhealthy"), [`Readiness probe failed: Get "http://${ip}:8080/healthz": dial tcp ${ip}:8080: connect: connection refused`]);
    await new Promise((r) => setTimeout(r, 1_000)); // 20 simulated seconds of probing
    const p = pod("unready")!;
    assert.equal(p.status.phase, "Running");
    assert.equal(p.status.conditions.find((c: any) => c.type === "Ready").status, "False");
    assert.equal(status("unready").ready, false);
    const unhealthy = cluster.sandbox.store.list(rt("Event"), "default").find((e) => e.involvedObject.name === "unready" && e.reason === "Unhealthy")!;
    assert.ok(unhealthy.count >= 3, `probed repeatedly (count ${unhealthy.count})`);
    assert.equal((await kubectl("get", "pod", "unready", "--no-headers")).trim().split(/\s+/)[1], "0/1");
  });

  it("a readiness probe on a served path and named port passes", async () => {
    await create("probed", {
      containers: [{ name: "app", image: "nginx:1.25", ports: [{ name: "http", containerPort: 80 }], readinessProbe: { httpGet: { path: "/index.html", port: "http" }, periodSeconds: 2 } }],
    });
    await eventually(() => status("probed")?.ready, 30_000, "probed Ready");
    assert.deepEqual(events("probed", "Unhealthy"), []);
  });

  it("a failing liveness probe gets the container killed and restarted", async () => {
    await create("unlive", {
      containers: [{ name: "app", image: "nginx:1.25", livenessProbe: { httpGet: { path: "/healthz", port: 80 }, periodSeconds: 2, failureThreshold: 2 } }],
    });
    await eventually(() => (status("unlive")?.restartCount ?? 0) >= 1, 30_000, "a liveness restart");
    assert.ok(events("unlive", "Unhealthy").includes("Liveness probe failed: HTTP probe failed with statuscode: 404"));
    assert.deepEqual(events("unlive", "Killing"), ["Container app failed liveness probe, will be restarted"]);
  });

  it("init containers run first, in order; a failing one holds the pod in Init with restarts", async () => {
    await create("inits", {
      initContainers: [
        { name: "migrate", image: "busybox:1.36", command: ["sh", "-c", "echo migrating; sleep 5"] },
        { name: "warm", image: "busybox:1.36", command: ["echo", "warm"] },
      ],
      containers: [{ name: "app", image: "busybox:1.36", command: ["sleep", "infinity"] }],
    });
    await eventually(async () => /^Init:[01]\/2$/.test(await statusColumn("inits")), 20_000, "Init:n/2");
    await eventually(() => status("inits")?.state?.running, 30_000, "app running after the init containers");
    const p = pod("inits")!;
    assert.deepEqual(p.status.initContainerStatuses.map((c: any) => [c.name, c.state.terminated?.reason, c.ready]), [["migrate", "Completed", true], ["warm", "Completed", true]]);
    const started = (n: string) => Date.parse(p.status.initContainerStatuses.find((c: any) => c.name === n).state.terminated.startedAt);
    assert.ok(started("warm") >= started("migrate") + 5_000, "warm starts after migrate finished");
    assert.equal(p.status.conditions.find((c: any) => c.type === "Initialized").status, "True");
    assert.equal(await kubectl("logs", "inits", "-c", "migrate"), "migrating\n");

    await create("init-fails", {
      initContainers: [{ name: "check", image: "busybox:1.36", command: ["sh", "-c", "echo dependency missing; exit 1"] }],
      containers: [{ name: "app", image: "busybox:1.36", command: ["sleep", "infinity"] }],
    });
    await eventually(async () => (await statusColumn("init-fails")) === "Init:CrashLoopBackOff", 30_000, "Init:CrashLoopBackOff");
    assert.equal(status("init-fails")?.state?.waiting?.reason, "PodInitializing");
    assert.equal(pod("init-fails")!.status.phase, "Pending");
  });

  it("a startup probe holds back readiness until it passes, then the container is started and ready", async () => {
    await create("slowstart", {
      containers: [{ name: "app", image: "nginx:1.25", startupProbe: { tcpSocket: { port: 80 }, initialDelaySeconds: 20, periodSeconds: 2 } }],
    });
    await eventually(() => status("slowstart")?.state?.running, 20_000, "running");
    const early = status("slowstart");
    assert.equal(early.started, false);
    assert.equal(early.ready, false);
    await eventually(() => status("slowstart")?.started && status("slowstart")?.ready, 20_000, "started and ready");
  });

  it("a missing ConfigMap volume holds the pod in ContainerCreating with FailedMount, until the ConfigMap appears", async () => {
    await create("mounts", {
      volumes: [{ name: "cfg", configMap: { name: "app-config" } }],
      containers: [{ name: "app", image: "busybox:1.36", command: ["sh", "-c", "cat /etc/app/greeting; sleep 3600"], volumeMounts: [{ name: "cfg", mountPath: "/etc/app" }] }],
    });
    await eventually(() => events("mounts", "FailedMount").length > 0, 20_000, "FailedMount");
    assert.deepEqual(events("mounts", "FailedMount"), ['MountVolume.SetUp failed for volume "cfg" : configmap "app-config" not found']);
    assert.equal(await statusColumn("mounts"), "ContainerCreating");
    assert.equal(pod("mounts")!.status.conditions.find((c: any) => c.type === "PodReadyToStartContainers").status, "False");
    await kubectl("create", "configmap", "app-config", "--from-literal=greeting=hello from the config map");
    await eventually(() => status("mounts")?.state?.running, 30_000, "mounts running");
    assert.equal(await kubectl("logs", "mounts"), "hello from the config map\n");
  });

  it("an env var from a missing ConfigMap key is CreateContainerConfigError; env and fieldRefs resolve once it exists", async () => {
    await create("envy", {
      containers: [{
        name: "app", image: "busybox:1.36", command: ["sh", "-c", "echo $MODE $(POD_NAME) $POD_IP; sleep 3600"],
        env: [
          { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
          { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
          { name: "MODE", valueFrom: { configMapKeyRef: { name: "envy-config", key: "mode" } } },
        ],
      }],
    });
    await eventually(async () => (await statusColumn("envy")) === "CreateContainerConfigError", 20_000, "CreateContainerConfigError");
    assert.equal(status("envy").state.waiting.message, 'configmap "envy-config" not found');
    assert.ok(events("envy", "Failed").includes('Error: configmap "envy-config" not found'));
    await kubectl("create", "configmap", "envy-config", "--from-literal=mode=fast");
    await eventually(() => status("envy")?.state?.running, 30_000, "envy running");
    assert.equal(await kubectl("logs", "envy"), `fast envy ${pod("envy")!.status.podIP}\n`);
  });

  it("deleting a pod forgets it: a new pod of the same name starts from scratch", async () => {
    await create("phoenix", { containers: [{ name: "app", image: "busybox:1.36", command: ["sh", "-c", "echo first; sleep 3600"] }] });
    const first = await eventually(() => (status("phoenix")?.state?.running ? pod("phoenix") : undefined), 20_000, "phoenix running");
    await kubectl("delete", "pod", "phoenix", "--wait=false");
    await eventually(() => !pod("phoenix"), 10_000, "phoenix gone");
    await create("phoenix", { containers: [{ name: "app", image: "busybox:1.36", command: ["sh", "-c", "echo second; sleep 3600"] }] });
    const second: KObject = await eventually(() => (status("phoenix")?.state?.running ? pod("phoenix") : undefined), 20_000, "phoenix running again");
    assert.notEqual(second.metadata.uid, first.metadata.uid);
    assert.equal(status("phoenix").restartCount, 0);
    assert.equal(await kubectl("logs", "phoenix"), "second\n");
  });
});
