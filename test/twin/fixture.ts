/**
 * Twin test fixtures: the evals' launcher that starts each twin as an in-process sandbox in twin
 * mode (virtual clock, generic images, no nodes of its own) reached over HTTP exactly as a twin
 * process is — the product side (connectTwin, seeding, prediction) is the same code — and a small
 * live namespace on a sped-up sandbox.
 */
import { RealClock } from "../../sandbox/index.ts";
import { KubeClient } from "../../src/kube/kube-client.ts";
import { eventually, startTestCluster, type TestCluster } from "../helpers/sandbox.ts";

/** The evals' in-process twin launcher: the product side is the same HTTP code as a twin process's. */
export { InProcessTwinLauncher } from "../../evals/runner/twin.ts";

export type LiveShop = { cluster: TestCluster; client: KubeClient; close(): Promise<void> };

/** Namespace "shop": Deployment + Service "web" (nginx, one replica, probed on port 80), "api" calling it. */
export async function startLiveShop(): Promise<LiveShop> {
  const clock = new RealClock(40);
  const cluster = await startTestCluster({ clock });
  const client = new KubeClient(cluster.kc, { clock, retryBaseMs: 20 });
  await client.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } });
  await client.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "web-config", namespace: "shop" }, data: { "upstream": "api:8080" } });
  await client.create({ apiVersion: "v1", kind: "Secret", metadata: { name: "web-secret", namespace: "shop" }, data: { token: Buffer.from("s3cret").toString("base64") } });
  for (const [name, port] of [["web", 80], ["api", 8080]] as const) {
    await client.create({
      apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace: "shop", labels: { app: name } },
      spec: {
        replicas: 1, selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: {
            containers: [{
              name, image: name === "web" ? "nginx:1.25" : "busybox:1.36",
              ...(name === "api" ? { command: ["sh", "-c", "httpd -f -p 8080"] } : {}),
              ports: [{ containerPort: port }],
              readinessProbe: { tcpSocket: { port }, periodSeconds: 2 },
              env: [{ name: "TOKEN", valueFrom: { secretKeyRef: { name: "web-secret", key: "token" } } }],
            }],
          },
        },
      },
    });
    await client.create({ apiVersion: "v1", kind: "Service", metadata: { name, namespace: "shop" }, spec: { selector: { app: name }, ports: [{ port, targetPort: port }] } });
  }
  await eventually(async () => {
    const ds = await client.list("apps/v1", "Deployment", { namespace: "shop" });
    return ds.length === 2 && ds.every((d) => d.status?.availableReplicas === 1) ? true : undefined;
  }, 30_000, "shop deployments available");
  return { cluster, client, close: () => cluster.close() };
}
