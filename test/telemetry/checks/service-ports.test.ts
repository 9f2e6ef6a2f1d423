/** service-ports against in-memory Services and the pods they select. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { servicePorts } from "../../../src/telemetry/checks/service-ports.ts";
import type { KubeObject } from "../../../src/kube/types.ts";
import { pod, running, runCheck } from "../fake-cluster.ts";

const svc = (name: string, targetPort: number | string, selector: Record<string, string> | undefined = { app: name }): KubeObject => ({
  apiVersion: "v1", kind: "Service", metadata: { name, namespace: "hr" }, spec: { selector, ports: [{ port: 80, targetPort }] },
});
/** A pod of `app` whose container declares `ports` (none: declares nothing). */
function appPod(app: string, ports: Array<{ containerPort: number; name?: string }> = []): KubeObject {
  const p = pod("hr", app, "a", running());
  p.metadata.labels = { app };
  p.spec.containers[0].ports = ports.length ? ports : undefined;
  return p;
}

describe("service-ports", () => {
  it("passes a targetPort its pods declare (by number or name), fails one they do not, and says which ports they serve", async () => {
    const objects = [
      svc("geo", 8080), appPod("geo", [{ containerPort: 8080 }]),
      svc("rate", "http"), appPod("rate", [{ containerPort: 8084, name: "http" }]),
      svc("search", 9999), appPod("search", [{ containerPort: 8082 }]),
    ];
    const results = await runCheck(servicePorts, objects);
    assert.deepEqual(results.map((r) => [r.entity, r.status]), [["hr/geo", "pass"], ["hr/rate", "pass"], ["hr/search", "fail"]]);
    assert.match(results[2].evidence[0], /Service hr\/search port 80 → targetPort 9999, which its 1 pod\(s\) do not serve; they declare 8082/);
    assert.deepEqual(results[2].subject, { kind: "Service", namespace: "hr", name: "search" });
    assert.equal(results[2].critical, true);
  });

  it("does not judge a Service whose pods declare no ports, select nothing, or that has no selector", async () => {
    const objects = [svc("geo", 9999), appPod("geo"), svc("lonely", 9999), svc("manual", 9999, undefined)];
    assert.deepEqual(await runCheck(servicePorts, objects), []);
  });
});
