/**
 * service-port-mismatch: a Service's targetPort names a port that none of the pods it selects
 * declares, so its endpoints point at a port nothing listens on. Judged only when the pods declare
 * their ports (declaring them is optional in Kubernetes; silence proves nothing).
 */
import { symptom, type Signal, type Symptom } from "../signal.ts";

export const servicePortMismatch: Signal = {
  name: "service-port-mismatch",
  detect(ctx) {
    const out: Symptom[] = [];
    for (const svc of ctx.obs.services) {
      const ns = svc.metadata.namespace ?? "";
      const pods = ctx.idx.podsSelectedBy(svc);
      if (!pods.length) continue;
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const declared = pods.flatMap((p) => (p.spec?.containers ?? []).flatMap((c: any) => (c.ports ?? []) as Array<{ containerPort: number; name?: string }>));
      if (!declared.length) continue;
      for (const sp of (svc.spec?.ports ?? []) as Array<{ port: number; targetPort?: number | string; name?: string }>) {
        const target = sp.targetPort ?? sp.port;
        const served = typeof target === "number" ? declared.some((d) => d.containerPort === target) : declared.some((d) => d.name === target);
        if (served) continue;
        out.push(symptom({
          signal: this.name, namespace: ns, entity: svc.metadata.name, class: "status", severity: "critical",
          text: `Service ${svc.metadata.name} port ${sp.port} targets ${target}, which its pods do not serve`,
          evidence: [{ source: "spec", entity: { kind: "Service", namespace: ns, name: svc.metadata.name }, fact: `Service ${svc.metadata.name} port ${sp.port} → targetPort ${target}; its pods declare ${[...new Set(declared.map((d) => d.containerPort))].join(", ")}` }],
        }));
      }
    }
    return out;
  },
};
