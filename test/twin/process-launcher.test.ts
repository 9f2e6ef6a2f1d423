/**
 * The twin as its own process: `stratus sandbox up --twin --virtual`, started by the launcher the
 * CLI composes, reached over HTTP; its clock moves only when advanced; an unknown image runs the
 * generic model; closing it ends the process.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { stratusCommand } from "../../src/cli/twin.ts";
import { ProcessTwinLauncher } from "../../src/twin/process-launcher.ts";

describe("ProcessTwinLauncher", () => {
  it("starts a twin process in virtual time, with no nodes, and stops it on close", async () => {
    const twin = await new ProcessTwinLauncher({ command: stratusCommand() }).start();
    try {
      const nodes = await twin.client.list("v1", "Node");
      assert.deepEqual(nodes, [], "a twin's nodes come from its seed");
      const t0 = twin.now();
      await twin.advance(0);
      assert.equal(twin.now(), t0, "time stands still until advanced");
      await twin.client.create({
        apiVersion: "v1", kind: "Node", metadata: { name: "n1" }, spec: { podCIDR: "10.244.7.0/24" },
        status: { capacity: { cpu: "2", memory: "4Gi", pods: "10" }, conditions: [{ type: "Ready", status: "True" }] },
      });
      await twin.client.create({ apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "default" }, spec: { containers: [{ name: "c", image: "ghcr.io/acme/unknown:7", ports: [{ containerPort: 9000 }] }] } });
      await twin.advance(20_000);
      assert.equal(twin.now(), t0 + 20_000);
      const pod = await twin.client.read({ apiVersion: "v1", kind: "Pod", namespace: "default", name: "p" });
      assert.equal(pod?.status?.phase, "Running", JSON.stringify(pod?.status));
    } finally {
      await twin.close();
    }
    await assert.rejects(twin.client.list("v1", "Node"), "the twin process is gone");
  });

  it("says why when the command cannot start a twin", async () => {
    await assert.rejects(new ProcessTwinLauncher({ command: [process.execPath, "-e", "process.exit(3)"] }).start(), /twin process exited \(code 3\) before it was ready/);
  });
});
