/**
 * Writes to a Deployment's pod template, the way `kubectl set`/`kubectl patch` make them: JSON
 * patches against the main container, guarded by a `test` of its name so a concurrent reorder of
 * containers fails instead of changing the wrong one, and the annotation `kubectl rollout restart`
 * sets to roll pods without changing anything else.
 */
import type { KObject } from "../api/types.ts";
import type { FaultContext } from "./fault.ts";
import { KubeClient } from "./kube-client.ts";
import { isoSeconds, mainContainer } from "./lookups.ts";

export const RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";

/** JSON-patch ops on the main container; `path`s are relative to it ("/image"). */
export async function patchMainContainer(ctx: FaultContext, deploy: KObject, ops: Array<{ op: string; path: string; value?: unknown }>): Promise<{ index: number; container: Record<string, any> }> {
  const main = mainContainer(deploy);
  const base = `/spec/template/spec/containers/${main.index}`;
  await ctx.kube.patch(KubeClient.ref("Deployment", deploy.metadata.namespace, deploy.metadata.name!), [
    { op: "test", path: `${base}/name`, value: main.container.name },
    ...ops.map((o) => ({ ...o, path: base + o.path })),
  ], "json");
  return main;
}

/** What `kubectl rollout restart` does: stamps the template so every pod is replaced. */
export async function rolloutRestart(ctx: FaultContext, deploy: KObject): Promise<string> {
  const at = isoSeconds(ctx.now());
  await ctx.kube.patch(KubeClient.ref("Deployment", deploy.metadata.namespace, deploy.metadata.name!), {
    spec: { template: { metadata: { annotations: { [RESTARTED_AT]: at } } } },
  }, "merge");
  return at;
}

/** The main container of the Deployment as it is now, or undefined when the Deployment is gone. */
export async function currentMain(ctx: FaultContext, namespace: string, name: string): Promise<{ deploy: KObject; container: Record<string, any> } | undefined> {
  const deploy = await ctx.kube.get(KubeClient.ref("Deployment", namespace, name));
  if (!deploy) return undefined;
  return { deploy, container: mainContainer(deploy).container };
}
