import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { portsCell, serviceKind } from "../../../../sandbox/api/kinds/service.ts";
import type { KObject } from "../../../../sandbox/api/types.ts";
import { lines, newStore, rejection } from "./fixture.ts";

const service = (name: string, spec: Record<string, unknown> = {}): KObject => ({
  apiVersion: "v1", kind: "Service", metadata: { name, namespace: "default" },
  spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }], ...spec },
});

describe("Service defaulting", () => {
  it("fills type, affinity, protocol, targetPort, a cluster IP and an empty load-balancer status", () => {
    const { store, rt } = newStore();
    const svc = store.create(rt("", "services"), service("web", { ports: [{ port: 5000 }] }));
    assert.equal(svc.spec.type, "ClusterIP");
    assert.equal(svc.spec.sessionAffinity, "None");
    assert.deepEqual(svc.spec.ports, [{ port: 5000, protocol: "TCP", targetPort: 5000 }]);
    assert.match(svc.spec.clusterIP, /^10\.96\.\d{1,3}\.\d{1,3}$/);
    assert.deepEqual(svc.spec.clusterIPs, [svc.spec.clusterIP]);
    assert.deepEqual(svc.spec.ipFamilies, ["IPv4"]);
    assert.equal(svc.spec.ipFamilyPolicy, "SingleStack");
    assert.equal(svc.spec.internalTrafficPolicy, "Cluster");
    assert.deepEqual(svc.status, { loadBalancer: {} });
  });

  it("hands out a different free address to every Service, the same one for the same cluster state", () => {
    const a = newStore();
    const b = newStore();
    const ips = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const ipA = a.store.create(a.rt("", "services"), service(`svc-${i}`)).spec.clusterIP;
      const ipB = b.store.create(b.rt("", "services"), service(`svc-${i}`)).spec.clusterIP;
      assert.equal(ipA, ipB, "allocation is deterministic");
      ips.add(ipA);
    }
    assert.equal(ips.size, 60);
  });

  it("keeps the cluster IP when an update leaves it out, and refuses to change it", () => {
    const { store, rt } = newStore();
    const services = rt("", "services");
    const ip = store.create(services, service("web")).spec.clusterIP;
    const replaced = store.mutate(services, "default", "web", (s) => { delete s.spec.clusterIP; delete s.spec.clusterIPs; s.spec.ports[0].port = 81; });
    assert.equal(replaced.spec.clusterIP, ip);
    assert.equal(replaced.spec.ports[0].port, 81);
    assert.deepEqual(lines(rejection(() => store.mutate(services, "default", "web", (s) => { s.spec.clusterIP = "10.96.0.99"; s.spec.clusterIPs = ["10.96.0.99"]; }))), [
      "spec.clusterIPs[0]: Invalid value: []string{\"10.96.0.99\"}: may not change once set",
    ]);
  });

  it("honours a requested cluster IP only when it is free and in range", () => {
    const { store, rt } = newStore();
    const services = rt("", "services");
    assert.equal(store.create(services, service("dns", { clusterIP: "10.96.0.10" })).spec.clusterIP, "10.96.0.10");
    assert.deepEqual(lines(rejection(() => store.create(services, service("dns2", { clusterIP: "10.96.0.10" })))), [
      "spec.clusterIPs: Invalid value: []string{\"10.96.0.10\"}: failed to allocate IP 10.96.0.10: provided IP is already allocated",
    ]);
    assert.match(lines(rejection(() => store.create(services, service("far", { clusterIP: "10.0.0.5" }))))[0], /is not in the valid range. The range of valid IPs is 10.96.0.0\/16/);
    assert.equal(store.create(services, service("headless", { clusterIP: "None" })).spec.clusterIP, "None");
  });

  it("allocates node ports, rejects taken ones, and drops them when the type no longer needs them", () => {
    const { store, rt } = newStore();
    const services = rt("", "services");
    const np = store.create(services, service("front", { type: "NodePort", ports: [{ name: "http", port: 80, nodePort: 30080 }, { name: "admin", port: 81 }] }));
    assert.equal(np.spec.ports[0].nodePort, 30080);
    assert.ok(np.spec.ports[1].nodePort >= 30000 && np.spec.ports[1].nodePort <= 32767);
    assert.equal(np.spec.externalTrafficPolicy, "Cluster");
    assert.deepEqual(lines(rejection(() => store.create(services, service("other", { type: "NodePort", ports: [{ port: 80, nodePort: 30080 }] })))), [
      "spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated",
    ]);
    const back = store.mutate(services, "default", "front", (s) => { s.spec.type = "ClusterIP"; });
    assert.deepEqual(back.spec.ports.map((p: any) => p.nodePort), [undefined, undefined]);
    assert.equal(back.spec.externalTrafficPolicy, undefined);
  });
});

describe("Service validation", () => {
  it("words port and type errors like the real server", () => {
    const { store, rt } = newStore();
    const services = rt("", "services");
    assert.deepEqual(lines(rejection(() => store.create(services, service("a", { ports: [] })))), ["spec.ports: Required value"]);
    assert.deepEqual(lines(rejection(() => store.create(services, service("b", { type: "Fancy", ports: [{ port: 0 }, { port: 80, protocol: "HTTP" }] })))), [
      "spec.type: Unsupported value: \"Fancy\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\"",
      "spec.ports[0].name: Required value",
      "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive",
      "spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive",
      "spec.ports[1].name: Required value",
      "spec.ports[1].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\"",
    ]);
    assert.deepEqual(lines(rejection(() => store.create(services, service("c", { ports: [{ port: 80, nodePort: 30001 }] })))), [
      "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
    ]);
  });
});

describe("Service table", () => {
  it("prints TYPE, CLUSTER-IP, EXTERNAL-IP, PORT(S) and SELECTOR", () => {
    const { store, rt } = newStore();
    const services = rt("", "services");
    const now = store.clock.now();
    const web = store.create(services, service("web", { ports: [{ port: 5000 }] }));
    assert.deepEqual(serviceKind.table!.cells(web, now), ["web", "ClusterIP", web.spec.clusterIP, "<none>", "5000/TCP", "0s", "app=web"]);
    const lb = store.create(services, service("lb", { type: "LoadBalancer", selector: { tier: "fe", app: "shop" }, ports: [{ port: 443, nodePort: 31443 }] }));
    assert.deepEqual(serviceKind.table!.cells(lb, now).slice(1, 5), ["LoadBalancer", lb.spec.clusterIP, "<pending>", "443:31443/TCP"]);
    assert.equal(serviceKind.table!.cells(lb, now)[6], "app=shop,tier=fe");
    const ext = store.create(services, { apiVersion: "v1", kind: "Service", metadata: { name: "ext", namespace: "default" }, spec: { type: "ExternalName", externalName: "db.example.com" } });
    assert.deepEqual(serviceKind.table!.cells(ext, now).slice(1, 5), ["ExternalName", "<none>", "db.example.com", "<none>"]);
    assert.equal(portsCell([{ port: 53, protocol: "UDP" }, { port: 53, protocol: "TCP" }]), "53/UDP,53/TCP");
  });
});
