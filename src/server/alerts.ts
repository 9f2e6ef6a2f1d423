/**
 * Alert intake: Alertmanager's webhook payload (version 4), validated with zod, kept as the set of
 * alerts firing now. A resolved notification removes its alert; an alert whose endsAt has passed
 * drops out on its own. The agents read `firing()` through their context, as evidence.
 */
import { z } from "zod";
import type { Alert } from "../telemetry/metric-source.ts";

const labels = z.record(z.string(), z.string());

export const AlertmanagerAlert = z.object({
  status: z.enum(["firing", "resolved"]),
  labels: labels.refine((l) => typeof l.alertname === "string" && l.alertname.length > 0, { message: "labels.alertname is required" }),
  annotations: labels.default({}),
  startsAt: z.string().optional(),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().optional(),
});

export const AlertmanagerWebhook = z.object({
  version: z.string().optional(),
  groupKey: z.string().optional(),
  truncatedAlerts: z.number().int().optional(),
  status: z.enum(["firing", "resolved"]),
  receiver: z.string().optional(),
  groupLabels: labels.optional(),
  commonLabels: labels.optional(),
  commonAnnotations: labels.optional(),
  externalURL: z.string().optional(),
  alerts: z.array(AlertmanagerAlert).max(1000),
});
export type AlertmanagerWebhook = z.infer<typeof AlertmanagerWebhook>;

/** Alertmanager's "zero" endsAt: the alert has no end yet. */
const NO_END = "0001-01-01T00:00:00Z";

export class AlertStore {
  private readonly alerts = new Map<string, Alert & { endsAt?: number }>();
  received = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Applies one webhook payload; returns how many alerts it carried. */
  ingest(payload: AlertmanagerWebhook): number {
    for (const a of payload.alerts) {
      this.received++;
      const key = a.fingerprint ?? JSON.stringify(Object.entries(a.labels).sort());
      if (a.status === "resolved") {
        this.alerts.delete(key);
        continue;
      }
      const end = a.endsAt && a.endsAt !== NO_END ? Date.parse(a.endsAt) : undefined;
      this.alerts.set(key, {
        name: a.labels.alertname,
        state: "firing",
        labels: a.labels,
        annotations: a.annotations,
        ...(a.startsAt ? { activeAt: a.startsAt } : {}),
        source: "intake",
        ...(end !== undefined && Number.isFinite(end) ? { endsAt: end } : {}),
      });
    }
    return payload.alerts.length;
  }

  /** Alerts firing now (expired ones are dropped). */
  firing(): Alert[] {
    const now = this.now();
    const out: Alert[] = [];
    for (const [k, a] of this.alerts) {
      if (a.endsAt !== undefined && a.endsAt <= now) {
        this.alerts.delete(k);
        continue;
      }
      const { endsAt: _e, ...alert } = a;
      out.push(alert);
    }
    return out;
  }
}
