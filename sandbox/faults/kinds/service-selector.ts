/**
 * service-selector: a Service's selector changed so it matches no pods (an extra label the pods do
 * not carry, as when someone prepares a version switch too early). Endpoints go empty and callers
 * fail to connect. Textbook fix: set the selector back to labels the Deployment's pods carry.
 */
import { z } from "zod";
import { change, defineFault } from "../define.ts";
import { FaultError } from "../fault.ts";
import { KubeClient } from "../kube-client.ts";
import { isActive, podsOfService } from "../lookups.ts";

export const DEFAULT_SELECTOR_LABEL = "version=v2";

export const serviceSelector = defineFault({
  kind: "service-selector",
  targetKinds: ["Service"],
  summary: "selector changed to match no pods: Endpoints empty, callers cannot connect",
  truth: { layer: "virtualization", type: "misconfiguration" },
  params: z.object({ label: z.string().regex(/^[A-Za-z0-9._/-]+=[A-Za-z0-9._-]*$/, "expected key=value").optional() }),
  paramDocs: { label: `${DEFAULT_SELECTOR_LABEL} (a label added to the selector that no pod carries)` },
  async inject(ctx, svc, p) {
    const before: Record<string, string> = svc.spec?.selector ?? {};
    if (!Object.keys(before).length) throw new FaultError("bad-target", `Service ${svc.metadata.name} has no selector; pick a Service that selects pods`);
    const label = p.label ?? DEFAULT_SELECTOR_LABEL;
    const eq = label.indexOf("=");
    const selector = { ...before, [label.slice(0, eq)]: label.slice(eq + 1) };
    const matched = (await ctx.kube.list("v1", "Pod", svc.metadata.namespace, { labelSelector: Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(",") })).filter(isActive);
    if (matched.length) throw new FaultError("bad-params", `selector ${label} still matches ${matched.length} pod(s); pick a label no pod carries`);
    await ctx.kube.patch(KubeClient.ref("Service", svc.metadata.namespace, svc.metadata.name!), { spec: { selector } }, "merge");
    const fmt = (s: Record<string, string>) => Object.entries(s).map(([k, v]) => `${k}=${v}`).join(",");
    return { changes: [change("patch", svc, `spec.selector ${fmt(before)} -> ${fmt(selector)}`)], resolved: { label } };
  },
  async check(ctx, target) {
    const svc = await ctx.kube.get(KubeClient.ref("Service", target.namespace, target.name));
    if (!svc) return [`Service ${target.namespace}/${target.name} is gone`];
    if (!Object.keys(svc.spec?.selector ?? {}).length) return [`Service ${target.name} has no selector`];
    const pods = (await podsOfService(ctx.kube, svc)).filter(isActive);
    if (!pods.length) return [`Service ${target.name}'s selector matches no pods`];
    const ep = await ctx.kube.get(KubeClient.ref("Endpoints", target.namespace, target.name));
    const ready = (ep?.subsets ?? []).reduce((n: number, s: any) => n + (s.addresses?.length ?? 0), 0);
    return ready ? [] : [`Service ${target.name} has no ready endpoints`];
  },
});
