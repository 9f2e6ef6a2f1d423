/**
 * Twins for the evals (issue 15): each prediction starts a sandbox in twin mode (virtual clock,
 * generic images, no nodes of its own) in the scenario's own process and reaches it over HTTP —
 * the product side is the very code `stratus watch --predict on` runs, only the twin is not a child
 * process, which would cost a second Node start per plan. The evals may import the sandbox; the
 * product may not.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Sandbox, VirtualClock } from "../../sandbox/index.ts";
import { loadKubeConfig } from "../../src/kube/kube-client.ts";
import { connectTwin } from "../../src/twin/http-twin.ts";
import type { Twin, TwinLauncher } from "../../src/twin/twin.ts";

/** off: no prediction; on: a plan predicted to fail is not applied; shadow: predicted, never blocked (accuracy). */
export type PredictMode = "off" | "on" | "shadow";
export const PREDICT_MODES: readonly PredictMode[] = ["off", "on", "shadow"];

export class InProcessTwinLauncher implements TwinLauncher {
  started = 0;
  async start(): Promise<Twin> {
    this.started++;
    const sandbox = await Sandbox.start({ clock: new VirtualClock(), twin: true, nodes: 0 });
    const dir = mkdtempSync(join(tmpdir(), "stratus-twin-"));
    const file = join(dir, "kubeconfig");
    sandbox.writeKubeconfig(file);
    return connectTwin({
      kc: loadKubeConfig({ kubeconfig: file, env: {} }),
      controlUrl: sandbox.url,
      stop: async () => {
        await sandbox.close();
        rmSync(dir, { recursive: true, force: true });
      },
    });
  }
}
