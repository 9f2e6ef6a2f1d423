/**
 * endpoints-ready: every in-scope Service with a selector has at least one ready endpoint address,
 * i.e. traffic sent to it has somewhere to go. Services without a selector (endpoints managed by
 * hand) and ExternalName Services are not judged. Evidence counts not-ready addresses, which tell
 * "pods exist but fail readiness" apart from "the selector matches nothing". A Service whose
 * Deployments all want zero replicas, with no higher pre-incident count, is not judged.
 */
import { DEFAULT_CHECK_WEIGHTS } from "../defaults.ts";
import { nsName, subjectOf } from "../cluster-view.ts";
import { result, type CheckResult, type HealthCheck } from "../health-check.ts";

const NAME = "endpoints-ready";

export const endpointsReady: HealthCheck = {
  name: NAME,
  weight: DEFAULT_CHECK_WEIGHTS[NAME],
  source: "endpoints",
  async evaluate(ctx) {
    const [services, endpoints, deployments] = await Promise.all([ctx.view.services(), ctx.view.endpoints(), ctx.view.deployments()]);
    const byKey = new Map(endpoints.map((e) => [nsName(e), e]));
    const out: CheckResult[] = [];
    for (const svc of services) {
      const selector: Record<string, string> | undefined = svc.spec?.selector;
      if (!selector || !Object.keys(selector).length || svc.spec?.type === "ExternalName") continue;
      if (meantToBeEmpty(svc, selector, deployments, ctx.baselineReplicas)) continue;
      const key = nsName(svc);
      const ep = byKey.get(key);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const subsets: any[] = ep?.subsets ?? [];
      const ready = subsets.reduce((n, s) => n + (s.addresses?.length ?? 0), 0);
      const notReady = subsets.reduce((n, s) => n + (s.notReadyAddresses?.length ?? 0), 0);
      const sel = Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(",");
      const evidence = !ep
        ? [`Service ${key} (selector ${sel}) has no Endpoints object`]
        : [`Service ${key} (selector ${sel}): ${ready} ready address(es), ${notReady} not ready`];
      out.push(result(NAME, key, ready > 0 ? "pass" : "fail", ready, evidence, 1, { subject: subjectOf("Service", svc), critical: true }));
    }
    return out;
  },
};

/**
 * A Service whose every backing Deployment wants zero replicas and is held to no higher count
 * before an incident (a scale-down someone meant): no endpoints is what was asked for, and
 * deployments-available judges scale-downs against the baseline.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function meantToBeEmpty(svc: any, selector: Record<string, string>, deployments: any[], baseline?: ReadonlyMap<string, number>): boolean {
  const mine = deployments.filter((d) => d.metadata?.namespace === svc.metadata?.namespace && Object.entries(selector).every(([k, v]) => d.spec?.template?.metadata?.labels?.[k] === v));
  return mine.length > 0 && mine.every((d) => (d.spec?.replicas ?? 1) === 0 && !((baseline?.get(nsName(d)) ?? 0) > 0));
}
