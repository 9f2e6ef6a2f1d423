/**
 * service-port: a Service whose targetPort is a port none of the pods it selects declares — its
 * Endpoints list addresses, but connections to them are refused. The served port to restore comes
 * from what the Service targeted before the onset (when the tracker saw it), else from the pods'
 * declared port matching the Service port's name, number, or the only one they declare.
 */
import type { Hypothesis } from "../../../src/incident/types.ts";
import { CONN_REFUSED } from "../patterns.ts";
import { hypothesis, serviceRef, type Rule } from "../rule.ts";
import { changesNearOnset, onPath, servicesIn } from "./util.ts";

type Port = { port: number; targetPort?: number | string; name?: string };
type Declared = { containerPort: number; name?: string };

export const servicePortRule: Rule = {
  name: "service-port",
  analyze(ctx) {
    const out: Hypothesis[] = [];
    for (const svc of servicesIn(ctx)) {
      const pods = ctx.idx.podsSelectedBy(svc);
      const d = ctx.idx.deploymentForService(ctx.namespace, svc.metadata.name);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const declared: Declared[] = (pods.length ? pods.flatMap((p) => p.spec?.containers ?? []) : d?.spec?.template?.spec?.containers ?? []).flatMap((c: any) => c.ports ?? []);
      if (!declared.length) continue;
      const ports = (svc.spec?.ports ?? []) as Port[];
      ports.forEach((sp, index) => {
        const target = sp.targetPort ?? sp.port;
        const served = typeof target === "number" ? declared.some((x) => x.containerPort === target) : declared.some((x) => x.name === target);
        if (served) return;
        const name = svc.metadata.name;
        const before = ctx.tracker?.priorVersion("Service", ctx.namespace, name, ctx.onset);
        const prevTarget = (before?.spec?.ports as Port[] | undefined)?.find((p) => p.port === sp.port)?.targetPort;
        const prevServed = typeof prevTarget === "number" && declared.some((x) => x.containerPort === prevTarget) ? prevTarget : undefined;
        const unique = [...new Set(declared.map((x) => x.containerPort))];
        const servedPort = prevServed ?? declared.find((x) => sp.name && x.name === sp.name)?.containerPort ?? (unique.length === 1 ? unique[0] : undefined) ?? declared.find((x) => x.containerPort === sp.port)?.containerPort ?? unique[0];
        const ep = ctx.idx.endpointCounts(ctx.namespace, name);
        const changed = changesNearOnset(ctx, "Service", name);
        const refused = ctx.obs.logs.flatMap((l) => l.lines).filter((l) => CONN_REFUSED.test(l) && l.includes(String(target))).slice(0, 2);
        const failingInto = ctx.walk.failing.filter((e) => e.callee === name);
        let confidence = 0.85;
        if (failingInto.length || onPath(ctx, name)) confidence += 0.07;
        if (changed.changes.length) confidence += 0.05;
        out.push(hypothesis({
          finding: "service-port-mismatch",
          rootCause: serviceRef(svc),
          summary: `Service ${name} port ${sp.port} targets port ${target}, which no pod behind it serves (they serve ${unique.join(", ")})`,
          confidence,
          evidence: [
            { source: "spec", entity: serviceRef(svc), fact: `Service ${name} spec.ports[${index}]: port ${sp.port} → targetPort ${target}` },
            { source: "spec", entity: serviceRef(svc), fact: `pods selected by ${name} declare containerPort ${declared.map((x) => `${x.containerPort}${x.name ? ` (${x.name})` : ""}`).join(", ")}` },
            { source: "endpoints", entity: serviceRef(svc), fact: `Endpoints ${name}: ${ep.ready} ready address(es) on port(s) ${ep.ports.join(", ") || "none"}` },
            ...failingInto.map((e) => ({ source: "metric" as const, entity: serviceRef(svc), fact: `${e.service} → ${name}: ${(e.errorRatio * 100).toFixed(0)}% of calls fail` })),
            ...refused.map((l) => ({ source: "log" as const, entity: serviceRef(svc), fact: l })),
            ...changed.evidence,
          ],
          facts: { service: name, portIndex: index, port: sp.port, targetPort: String(target), servedPort: servedPort ?? null, previousTargetPort: prevServed ?? null },
          remedies: servedPort === undefined ? [] : ["restore-target-port"],
        }));
      });
    }
    return out;
  },
};
