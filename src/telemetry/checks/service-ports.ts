/**
 * service-ports: every port of an in-scope Service targets a port that the pods it selects
 * declare (by number, or by name for a named targetPort). A Service whose targetPort nothing
 * serves has endpoints, so `endpoints-ready` passes, yet every connection to it is refused. Judged
 * only when the selected pods declare ports: declaring them is optional in Kubernetes, so silence
 * proves nothing. One result per Service with a selector and selected pods.
 */
import { matchesMap } from "../../kube/selectors.ts";
import { DEFAULT_CHECK_WEIGHTS } from "../defaults.ts";
import { nsName, subjectOf } from "../cluster-view.ts";
import { result, type CheckResult, type HealthCheck } from "../health-check.ts";
import { activePods } from "./pods.ts";

const NAME = "service-ports";

type ServicePort = { port: number; targetPort?: number | string; name?: string };
type ContainerPort = { containerPort: number; name?: string };

export const servicePorts: HealthCheck = {
  name: NAME,
  weight: DEFAULT_CHECK_WEIGHTS[NAME],
  source: "spec",
  async evaluate(ctx) {
    const [services, pods] = await Promise.all([ctx.view.services(), ctx.view.pods()]);
    const active = activePods(pods);
    const out: CheckResult[] = [];
    for (const svc of services) {
      const selector: Record<string, string> | undefined = svc.spec?.selector;
      if (!selector || !Object.keys(selector).length || svc.spec?.type === "ExternalName") continue;
      const selected = active.filter((p) => p.metadata.namespace === svc.metadata.namespace && matchesMap(selector, p.metadata.labels));
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const declared: ContainerPort[] = selected.flatMap((p) => (p.spec?.containers ?? []).flatMap((c: any) => (c.ports ?? []) as ContainerPort[]));
      if (!declared.length) continue;
      const key = nsName(svc);
      const numbers = [...new Set(declared.map((d) => d.containerPort))].join(", ");
      const unserved: string[] = [];
      for (const sp of (svc.spec?.ports ?? []) as ServicePort[]) {
        const target = sp.targetPort ?? sp.port;
        const served = typeof target === "number" ? declared.some((d) => d.containerPort === target) : declared.some((d) => d.name === target);
        if (!served) unserved.push(`Service ${key} port ${sp.port} → targetPort ${target}, which its ${selected.length} pod(s) do not serve; they declare ${numbers}`);
      }
      const evidence = unserved.length ? unserved : [`Service ${key}: every port targets a port its ${selected.length} pod(s) declare (${numbers})`];
      out.push(result(NAME, key, unserved.length ? "fail" : "pass", unserved.length, evidence, 0, { subject: subjectOf("Service", svc), critical: true }));
    }
    return out;
  },
};
