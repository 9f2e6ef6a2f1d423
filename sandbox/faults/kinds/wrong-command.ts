/**
 * wrong-command: a Deployment's container command set to another service's binary from the same
 * image (a copy-paste in a manifest: profile started as `geo`). The container runs the wrong
 * server — wrong port, wrong dependencies — so it never becomes Ready or crashes, depending on the
 * binary. Textbook fix: `kubectl rollout undo` (or set the command back to the service's own binary).
 */
import { z } from "zod";
import type { KObject } from "../../api/types.ts";
import { change, defineFault } from "../define.ts";
import { FaultError, type FaultContext } from "../fault.ts";
import { splitImage } from "../images.ts";
import { mainContainer } from "../lookups.ts";
import { currentMain, patchMainContainer } from "../template.ts";

export const wrongCommand = defineFault({
  kind: "wrong-command",
  targetKinds: ["Deployment"],
  summary: "container command set to another service's binary from the same image",
  truth: { layer: "application", type: "misconfiguration" },
  params: z.object({ command: z.string().trim().min(1).optional() }),
  paramDocs: { command: "the command of the next Deployment (by name) that runs the same image" },
  async inject(ctx, deploy, p) {
    const { container } = mainContainer(deploy);
    const command = p.command ? p.command.split(/\s+/) : await siblingCommand(ctx, deploy);
    const before = container.command;
    const op = before === undefined ? "add" : "replace";
    await patchMainContainer(ctx, deploy, [{ op, path: "/command", value: command }]);
    return {
      changes: [change("patch", deploy, `container ${container.name} command ${before ? JSON.stringify(before) : "(image default)"} -> ${JSON.stringify(command)}`)],
      resolved: { command: command.join(" ") },
    };
  },
  async check(ctx, target, p) {
    const cur = await currentMain(ctx, target.namespace, target.name);
    if (!cur) return [`Deployment ${target.namespace}/${target.name} is gone`];
    // Without a record of the injection (another process injected it), any sibling's binary counts as wrong.
    // Commands several siblings share (every MongoDB runs mongod) are a family's, not one service's.
    const wrong = p.command ? [p.command.split(/\s+/)] : uniqueOnly(await siblingCommands(ctx, cur.deploy, false));
    const now = JSON.stringify(cur.container.command);
    return wrong.some((w) => JSON.stringify(w) === now)
      ? [`Deployment ${target.name} still runs ${now}, another service's binary`]
      : [];
  },
});

/**
 * The commands of the other Deployments (sorted by name, starting after this one and wrapping)
 * that run the same image repository with a command of their own — with `excludeOwn`, only those
 * whose command differs from this one's.
 */
async function siblingCommands(ctx: FaultContext, deploy: KObject, excludeOwn = true): Promise<string[][]> {
  const own = mainContainer(deploy).container;
  const repo = splitImage(String(own.image)).repo;
  const all = (await ctx.kube.list("apps/v1", "Deployment", deploy.metadata.namespace))
    .filter((d) => d.metadata.name !== deploy.metadata.name)
    .map((d) => ({ name: d.metadata.name!, c: mainContainer(d).container }))
    .filter((d) => splitImage(String(d.c.image)).repo === repo && Array.isArray(d.c.command) && d.c.command.length)
    .filter((d) => !excludeOwn || JSON.stringify(d.c.command) !== JSON.stringify(own.command))
    .sort((a, b) => a.name.localeCompare(b.name));
  const after = all.filter((d) => d.name > deploy.metadata.name!);
  return [...after, ...all.filter((d) => d.name < deploy.metadata.name!)].map((d) => [...d.c.command]);
}

async function siblingCommand(ctx: FaultContext, deploy: KObject): Promise<string[]> {
  const [first] = await siblingCommands(ctx, deploy);
  if (!first) {
    const repo = splitImage(String(mainContainer(deploy).container.image)).repo;
    throw new FaultError("bad-target", `no other Deployment in ${deploy.metadata.namespace} runs ${repo} with a different command; pass --param command=BINARY`);
  }
  return first;
}

function uniqueOnly(commands: string[][]): string[][] {
  const counts = new Map<string, number>();
  for (const c of commands) counts.set(JSON.stringify(c), (counts.get(JSON.stringify(c)) ?? 0) + 1);
  return commands.filter((c) => counts.get(JSON.stringify(c)) === 1);
}
