/**
 * The generic image model in a twin: an image the sandbox has never seen runs, serves its declared
 * ports (so a probe on one passes and one on another port fails), and exits when an in-cluster
 * address in its environment does not resolve. Known images keep their own models (a missing tag
 * of nginx still fails to pull).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../../src/kube/types.ts";
import type { Twin } from "../../src/twin/twin.ts";
import { InProcessTwinLauncher } from "./fixture.ts";

const NODE: KubeObject = {
  apiVersion: "v1", kind: "Node", metadata: { name: "n1", labels: { "kubernetes.io/hostname": "n1" } }, spec: { podCIDR: "10.244.9.0/24" },
  status: { capacity: { cpu: "4", memory: "16Gi", pods: "110" }, allocatable: { cpu: "4", memory: "16Gi", pods: "110" }, conditions: [{ type: "Ready", status: "True" }] },
};

function pod(name: string, image: string, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "default" }, spec: { containers: [{ name: "c", image, ports: [{ containerPort: 8080 }], ...extra }] } };
}

describe("generic image model (twin)", () => {
  let twin: Twin;
  before(async () => {
    twin = await new InProcessTwinLauncher().start();
    await twin.client.create(NODE);
    await twin.client.create({ apiVersion: "v1", kind: "Service", metadata: { name: "db", namespace: "default" }, spec: { ports: [{ port: 5432 }], selector: { app: "db" } } });
  });
  after(async () => {
    await twin?.close();
  });

  const status = async (name: string) => (await twin.client.read({ apiVersion: "v1", kind: "Pod", namespace: "default", name }))?.status ?? {};

  it("runs an unknown image and passes a probe on a declared port, fails one on another", async () => {
    await twin.client.create(pod("good", "registry.example.com/shop/api:1.2", { readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 2 }, env: [{ name: "DB", value: "db:5432" }] }));
    await twin.client.create(pod("badprobe", "registry.example.com/shop/api:1.2", { readinessProbe: { tcpSocket: { port: 9999 }, periodSeconds: 2 } }));
    await twin.advance(30_000);
    const good = await status("good");
    assert.equal(good.phase, "Running");
    assert.equal(good.containerStatuses?.[0]?.ready, true, JSON.stringify(good.containerStatuses));
    const bad = await status("badprobe");
    assert.equal(bad.containerStatuses?.[0]?.ready, false);
  });

  it("exits when an address it is given names no Service (or a port the Service lacks)", async () => {
    await twin.client.create(pod("nohost", "registry.example.com/shop/api:1.2", { env: [{ name: "CACHE_URL", value: "redis://cache:6379/0" }] }));
    await twin.client.create(pod("noport", "registry.example.com/shop/api:1.2", { env: [{ name: "DB", value: "db.default.svc.cluster.local:5433" }] }));
    await twin.client.create(pod("external", "registry.example.com/shop/api:1.2", { env: [{ name: "PAY", value: "api.payments.example.com:443" }] }));
    await twin.advance(60_000);
    for (const name of ["nohost", "noport"]) {
      const cs = (await status(name)).containerStatuses?.[0];
      assert.ok((cs?.restartCount ?? 0) >= 1 || cs?.state?.terminated, `${name}: ${JSON.stringify(cs)}`);
    }
    const ext = (await status("external")).containerStatuses?.[0];
    assert.equal(ext?.restartCount, 0, "an address outside the cluster is not judged");
    assert.ok(ext?.state?.running);
  });

  it("keeps the models of images it knows: a missing nginx tag does not pull", async () => {
    await twin.client.create(pod("nginx-nope", "nginx:0.0.0-nope"));
    await twin.advance(20_000);
    const reason = (await status("nginx-nope")).containerStatuses?.[0]?.state?.waiting?.reason;
    assert.match(String(reason), /ErrImagePull|ImagePullBackOff/);
  });
});
