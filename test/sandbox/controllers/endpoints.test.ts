import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { RealClock } from "../../../sandbox/index.ts";
import { buildSubsets } from "../../../sandbox/controllers/endpoints.ts";
import type { KObject } from "../../../sandbox/api/types.ts";
import { eventually, startTestCluster, type TestCluster } from "../../helpers/sandbox.ts";

/** Endpoints from Service selectors and ready pods, through the real kubectl. */
describe("endpoints controller", () => {
  let cluster: TestCluster;
  const rt = (kind: string) => cluster.sandbox.context.rt(kind);
  const pod = (name: string) => cluster.sandbox.store.get(rt("Pod"), "default", name);
  const ep = (name: string) => cluster.sandbox.store.get(rt("Endpoints"), "default", name);
  const apply = async (obj: Record<string, unknown>) => {
    const r = await cluster.kubectl(["create", "--validate=false", "-f", "-"], JSON.stringify(obj));
    assert.equal(r.code, 0, r.stderr);
  };
  const kubectl = async (...args: string[]) => {
    const r = await cluster.kubectl(args);
    assert.equal(r.code, 0, `kubectl ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  const service = (name: string, selector: Record<string, string> | undefined, ports: unknown[]) =>
    apply({ apiVersion: "v1", kind: "Service", metadata: { name }, spec: { ...(selector ? { selector } : {}), ports } });
  const webPod = (name: string, labels: Record<string, string>, extra: Record<string, unknown> = {}) =>
    apply({ apiVersion: "v1", kind: "Pod", metadata: { name, labels }, spec: { containers: [{ name: "web", image: "nginx:1.25", ports: [{ name: "http", containerPort: 80 }], ...extra }] } });
  const ready = (name: string) => pod(name)?.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True");

  before(async () => {
    cluster = await startTestCluster({ clock: new RealClock(20) });
    await webPod("web-1", { app: "web" });
    await webPod("web-2", { app: "web" });
    await webPod("web-slow", { app: "web", tier: "slow" }, { readinessProbe: { tcpSocket: { port: 9999 }, periodSeconds: 2 } });
    await apply({ apiVersion: "v1", kind: "Pod", metadata: { name: "other", labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "busybox:1.36", command: ["sleep", "infinity"] }] } });
    await eventually(() => ready("web-1") && ready("web-2") && pod("web-slow")?.status?.podIP && pod("other")?.status?.podIP, 20_000, "pods up");
  });
  after(async () => {
    await cluster.close();
  });

  it("a Service whose selector matches nothing has Endpoints with no subsets", async () => {
    await service("orphan", { app: "nothing-has-this" }, [{ port: 80, targetPort: 8080 }]);
    await eventually(() => ep("orphan"), 10_000, "Endpoints orphan");
    assert.equal(ep("orphan")!.subsets, undefined);
    assert.match(await kubectl("get", "endpoints", "orphan"), /orphan\s+<none>/);
  });

  it("lists the ready pods' IPs on the numbered targetPort, and unready ones apart", async () => {
    await service("web-num", { app: "web" }, [{ port: 8080, targetPort: 80 }]);
    const e = await eventually(() => (ep("web-num")?.subsets?.[0]?.addresses?.length === 3 ? ep("web-num") : undefined), 10_000, "3 ready addresses");
    assert.equal(e.subsets.length, 1);
    const ips = ["web-1", "web-2", "other"].map((n) => pod(n)!.status.podIP).sort();
    assert.deepEqual(e.subsets[0].addresses.map((a: any) => a.ip).sort(), ips);
    assert.deepEqual(e.subsets[0].notReadyAddresses.map((a: any) => a.ip), [pod("web-slow")!.status.podIP]);
    assert.deepEqual(e.subsets[0].ports, [{ port: 80, protocol: "TCP" }]);
    const ref = e.subsets[0].addresses.find((a: any) => a.targetRef.name === "web-1");
    assert.deepEqual(ref.targetRef, { kind: "Pod", namespace: "default", name: "web-1", uid: pod("web-1")!.metadata.uid });
    assert.equal(ref.nodeName, pod("web-1")!.spec.nodeName);
    const shown = await kubectl("get", "ep", "web-num", "--no-headers");
    for (const ip of ips) assert.ok(shown.includes(`${ip}:80`), `${shown} lists ${ip}:80`);
  });

  it("resolves a named targetPort per pod, leaving out pods without that port", async () => {
    await service("web-named", { app: "web" }, [{ name: "http", port: 80, targetPort: "http" }]);
    const e = await eventually(() => (ep("web-named")?.subsets?.[0]?.addresses?.length === 2 ? ep("web-named") : undefined), 10_000, "2 ready addresses");
    assert.deepEqual(e.subsets[0].ports, [{ name: "http", port: 80, protocol: "TCP" }]);
    const names = e.subsets[0].addresses.map((a: any) => a.targetRef.name).sort();
    assert.deepEqual(names, ["web-1", "web-2"], "the busybox pod has no port named http");
  });

  it("follows pods: a deleted or relabelled pod leaves; the Service's deletion takes the Endpoints", async () => {
    await kubectl("delete", "pod", "web-2", "--wait=false");
    await eventually(() => ep("web-named")?.subsets?.[0]?.addresses?.length === 1, 10_000, "web-2 gone from endpoints");
    await kubectl("label", "pod", "other", "app=elsewhere", "--overwrite");
    await eventually(() => !ep("web-num")?.subsets?.[0]?.addresses?.some((a: any) => a.targetRef.name === "other"), 10_000, "other gone");
    await kubectl("delete", "service", "web-named");
    await eventually(() => !ep("web-named"), 10_000, "Endpoints deleted with the Service");
  });

  it("leaves the Endpoints of a Service without a selector alone", async () => {
    await service("external", undefined, [{ port: 5432 }]);
    await apply({ apiVersion: "v1", kind: "Endpoints", metadata: { name: "external" }, subsets: [{ addresses: [{ ip: "192.168.10.5" }], ports: [{ port: 5432 }] }] });
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(ep("external")!.subsets[0].addresses, [{ ip: "192.168.10.5" }]);
  });
});

describe("buildSubsets", () => {
  const p = (name: string, ip: string, ready: boolean, ports: unknown[] = []): KObject => ({
    apiVersion: "v1", kind: "Pod",
    metadata: { name, namespace: "default", uid: `uid-${name}` },
    spec: { nodeName: "node-1", containers: [{ name: "c", ports }] },
    status: { podIP: ip, phase: "Running", conditions: [{ type: "Ready", status: ready ? "True" : "False" }] },
  });
  it("groups pods by their resolved port sets and sorts addresses by IP", () => {
    const svc: KObject = { apiVersion: "v1", kind: "Service", metadata: { name: "s" }, spec: { ports: [{ name: "web", port: 80, targetPort: "web" }] } };
    const subsets = buildSubsets(svc, [
      p("b", "10.244.1.10", true, [{ name: "web", containerPort: 8080 }]),
      p("a", "10.244.1.9", true, [{ name: "web", containerPort: 8080 }]),
      p("c", "10.244.2.3", false, [{ name: "web", containerPort: 9090 }]),
      p("d", "10.244.2.4", true, []),
    ]);
    assert.equal(subsets.length, 2);
    assert.deepEqual(subsets.map((s) => s.ports[0].port).sort(), [8080, 9090]);
    const s8080 = subsets.find((s) => s.ports[0].port === 8080)!;
    assert.deepEqual(s8080.addresses.map((a: any) => a.ip), ["10.244.1.9", "10.244.1.10"]);
    const s9090 = subsets.find((s) => s.ports[0].port === 9090)!;
    assert.equal(s9090.addresses, undefined);
    assert.deepEqual(s9090.notReadyAddresses.map((a: any) => a.ip), ["10.244.2.3"]);
  });
});
