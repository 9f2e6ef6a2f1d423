/**
 * firing-alerts: no alert is firing, counting both the metric source's alerts and alerts pushed
 * into the measurement (the watchdog's alert intake). One failing result per distinct alert, named
 * by alertname and its identifying labels; alerts labelled with a namespace outside the scope are
 * ignored. An alert's failure ends when it stops firing, i.e. when it is no longer reported.
 */
import { DEFAULT_CHECK_WEIGHTS } from "../defaults.ts";
import { result, type CheckResult, type CheckSubject, type HealthCheck } from "../health-check.ts";
import type { Alert } from "../metric-source.ts";

const NAME = "firing-alerts";
/** Labels that tell two instances of one alert apart, in this order. */
const IDENTITY = ["namespace", "service", "deployment", "pod", "instance"];

export const firingAlerts: HealthCheck = {
  name: NAME,
  weight: DEFAULT_CHECK_WEIGHTS[NAME],
  resolvesByAbsence: true,
  source: "alert",
  async evaluate(ctx) {
    if (!ctx.metrics && !ctx.alerts) return [result(NAME, "*", "skipped", null, ["no alert source: no metric source configured and no alerts pushed in"])];
    const all = [...(ctx.alerts ?? []), ...(ctx.metrics ? await ctx.metrics.firingAlerts() : [])];
    const byEntity = new Map<string, Alert[]>();
    for (const a of all) {
      if (a.state !== "firing") continue;
      if (a.labels.namespace && !ctx.namespaces.includes(a.labels.namespace)) continue;
      const e = entityOf(a);
      const group = byEntity.get(e);
      if (group) group.push(a); // linear: never copy a growing group per alert
      else byEntity.set(e, [a]);
    }
    if (!byEntity.size) return [result(NAME, "*", "pass", 0, [`no alert firing${ctx.metrics ? ` (${ctx.metrics.name})` : ""}`], 0)];
    const out: CheckResult[] = [];
    for (const [entity, alerts] of [...byEntity].sort((a, b) => a[0].localeCompare(b[0]))) {
      const a = alerts[0];
      const summary = a.annotations.summary ?? a.annotations.description ?? a.annotations.message;
      out.push(
        result(NAME, entity, "fail", alerts.length, [
          `alert ${a.name} firing${a.activeAt ? ` since ${a.activeAt}` : ""} (from ${[...new Set(alerts.map((x) => x.source))].join(", ")})${summary ? `: ${summary}` : ""}`,
        ], 0, { subject: subjectOf(a, ctx.namespaces[0] ?? ""), critical: a.labels.severity === "critical" }),
      );
    }
    return out;
  },
};

/**
 * What an alert is about: the Service, Deployment or Pod its labels name (in that order), else the
 * alert itself; in its `namespace` label's namespace, else the first in scope.
 */
function subjectOf(a: Alert, defaultNamespace: string): CheckSubject {
  const namespace = a.labels.namespace ?? defaultNamespace;
  if (a.labels.service) return { kind: "Service", namespace, name: a.labels.service };
  if (a.labels.deployment) return { kind: "Deployment", namespace, name: a.labels.deployment };
  if (a.labels.pod) return { kind: "Pod", namespace, name: a.labels.pod };
  return { kind: "Alert", namespace, name: a.name };
}

function entityOf(a: Alert): string {
  const ids = IDENTITY.filter((k) => a.labels[k]).map((k) => `${k}=${a.labels[k]}`);
  return ids.length ? `${a.name}{${ids.join(",")}}` : a.name;
}
