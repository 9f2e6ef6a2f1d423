/**
 * env-override: an address a service needs (by default its database, MONGO_ADDR) set to a host
 * that does not exist, as a mistaken edit of a Deployment's env would. New pods cannot reach their
 * database and exit ("no reachable servers"): CrashLoopBackOff. Textbook fix: `kubectl rollout
 * undo`, or set the variable back to the Service it should name.
 */
import { z } from "zod";
import { change, defineFault } from "../define.ts";
import { FaultError } from "../fault.ts";
import { KubeClient } from "../kube-client.ts";
import { serviceNameOfHost, splitHostPort } from "../lookups.ts";
import { currentMain, patchMainContainer } from "../template.ts";

export const DEFAULT_ENV_NAME = "MONGO_ADDR";

export const envOverride = defineFault({
  kind: "env-override",
  targetKinds: ["Deployment"],
  summary: "MONGO_ADDR (or another address env var) set to a host that does not exist: crash loop",
  truth: { layer: "application", type: "misconfiguration" },
  params: z.object({
    name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected an env var name").optional(),
    value: z.string().min(1).optional(),
  }),
  paramDocs: { name: DEFAULT_ENV_NAME, value: "the same address with host <host>-primary (no such Service)" },
  async inject(ctx, deploy, p) {
    const name = p.name ?? DEFAULT_ENV_NAME;
    const { container } = (await currentMain(ctx, deploy.metadata.namespace!, deploy.metadata.name!))!;
    const env: any[] = container.env ?? [];
    const i = env.findIndex((e) => e.name === name);
    if (i < 0 || typeof env[i].value !== "string") {
      throw new FaultError("bad-target", `container ${container.name} of Deployment ${deploy.metadata.name} has no literal env ${name}; pick a Deployment that reads it (e.g. one with a database) or pass --param name=VAR`);
    }
    const before: string = env[i].value;
    const { host, port } = splitHostPort(before);
    const value = p.value ?? `${host}-primary${port !== undefined ? `:${port}` : ""}`;
    await patchMainContainer(ctx, deploy, [
      { op: "test", path: `/env/${i}/name`, value: name },
      { op: "replace", path: `/env/${i}/value`, value },
    ]);
    return { changes: [change("patch", deploy, `container ${container.name} env ${name} ${before} -> ${value}`)], resolved: { name, value } };
  },
  async check(ctx, target, p) {
    const name = p.name ?? DEFAULT_ENV_NAME;
    const cur = await currentMain(ctx, target.namespace, target.name);
    if (!cur) return [`Deployment ${target.namespace}/${target.name} is gone`];
    const v = (cur.container.env ?? []).find((e: any) => e.name === name);
    if (!v) return [`container ${cur.container.name} no longer sets ${name}, which it needs`];
    if (typeof v.value !== "string") return [];
    if (p.value !== undefined && v.value === p.value) return [`${name} is still ${v.value}`];
    // The address must name a Service in the namespace that serves that port with ready endpoints.
    const { host, port } = splitHostPort(v.value);
    const svcName = serviceNameOfHost(host, target.namespace);
    const svc = svcName ? await ctx.kube.get(KubeClient.ref("Service", target.namespace, svcName)) : undefined;
    if (!svc) return [`${name}=${v.value} names no Service in ${target.namespace}`];
    if (port !== undefined && !(svc.spec?.ports ?? []).some((sp: any) => sp.port === port)) return [`${name}=${v.value}: Service ${svcName} has no port ${port}`];
    const ep = await ctx.kube.get(KubeClient.ref("Endpoints", target.namespace, svcName!));
    const ready = (ep?.subsets ?? []).some((s: any) => (s.addresses ?? []).length > 0);
    return ready ? [] : [`${name}=${v.value}: Service ${svcName} has no ready endpoints`];
  },
});
