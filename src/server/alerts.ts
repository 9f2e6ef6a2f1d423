/**
 * Alert intake: Alertmanager's webhook payload (version 4), validated with zod, kept as the set of
 * alerts firing now, bounded in count and bytes. A resolved notification removes its alert; an
 * alert whose endsAt has passed drops out on its own. The agents read `firing()` through their
 * context, as evidence; a transaction reads only the alerts in its incident's scope (`AlertScope`)
 * and asks `receivedSince()` whether a burst arrived while it verified.
 */
import { z } from "zod";
import type { Alert } from "../telemetry/metric-source.ts";
import { DEFAULT_ALERT_ARRIVAL_MEMORY_MS, DEFAULT_MAX_ALERT_BYTES, DEFAULT_MAX_ALERTS, MAX_ALERT_ARRIVALS } from "./defaults.ts";

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

/**
 * Which alerts count as evidence for one incident: those labelled with one of its namespaces and,
 * when they name a service (or deployment), one of its services. An alert with no `namespace`
 * label is about no incident; one with a namespace but no service speaks for the whole namespace.
 */
export type AlertScope = { namespaces: readonly string[]; services?: readonly string[] };

export function inAlertScope(labels: Readonly<Record<string, string>>, scope: AlertScope): boolean {
  if (!labels.namespace || !scope.namespaces.includes(labels.namespace)) return false;
  const named = labels.service ?? labels.deployment;
  return !named || !scope.services || scope.services.includes(named);
}

export type AlertStoreOptions = {
  maxAlerts?: number;
  maxBytes?: number;
  /** Called with how many alerts were dropped to stay within the bounds (the metric counts them). */
  onDrop?(count: number): void;
};

type Stored = { alert: Alert; endsAt?: number; bytes: number };
type Arrival = { at: number; labels: Record<string, string> };

/**
 * The alerts firing now, bounded: at most `maxAlerts` alerts and `maxBytes` of labels and
 * annotations; past either bound the oldest received is dropped (and counted). Every operation is
 * linear in the payload or the store, never in their product. It also remembers when each alert
 * arrived, so the verify step can ask whether a burst arrived while it measured.
 */
export class AlertStore {
  private readonly alerts = new Map<string, Stored>();
  private readonly arrivals: Arrival[] = [];
  private arrivalsStart = 0;
  private bytes = 0;
  private readonly maxAlerts: number;
  private readonly maxBytes: number;
  received = 0;
  dropped = 0;

  constructor(private readonly now: () => number = Date.now, private readonly opts: AlertStoreOptions = {}) {
    this.maxAlerts = opts.maxAlerts ?? DEFAULT_MAX_ALERTS;
    this.maxBytes = opts.maxBytes ?? DEFAULT_MAX_ALERT_BYTES;
  }

  /** Applies one webhook payload; returns how many alerts it carried. */
  ingest(payload: AlertmanagerWebhook): number {
    const now = this.now();
    let dropped = 0;
    for (const a of payload.alerts) {
      this.received++;
      this.remember({ at: now, labels: a.labels });
      const key = a.fingerprint ?? JSON.stringify(Object.entries(a.labels).sort());
      this.remove(key);
      if (a.status === "resolved") continue;
      const end = a.endsAt && a.endsAt !== NO_END ? Date.parse(a.endsAt) : undefined;
      const stored: Stored = {
        alert: { name: a.labels.alertname, state: "firing", labels: a.labels, annotations: a.annotations, ...(a.startsAt ? { activeAt: a.startsAt } : {}), source: "intake" },
        ...(end !== undefined && Number.isFinite(end) ? { endsAt: end } : {}),
        bytes: JSON.stringify(a.labels).length + JSON.stringify(a.annotations).length,
      };
      // Re-inserting moves the alert to the newest end of the Map: the oldest received is first.
      this.alerts.set(key, stored);
      this.bytes += stored.bytes;
      while (this.alerts.size > this.maxAlerts || (this.bytes > this.maxBytes && this.alerts.size > 1)) {
        this.remove(this.alerts.keys().next().value!);
        dropped++;
      }
    }
    if (dropped) {
      this.dropped += dropped;
      this.opts.onDrop?.(dropped);
    }
    return payload.alerts.length;
  }

  /** Alerts firing now (expired ones are dropped), all of them or those in `scope`. */
  firing(scope?: AlertScope): Alert[] {
    const now = this.now();
    const out: Alert[] = [];
    for (const [k, s] of this.alerts) {
      if (s.endsAt !== undefined && s.endsAt <= now) {
        this.remove(k);
        continue;
      }
      if (!scope || inAlertScope(s.alert.labels, scope)) out.push(s.alert);
    }
    return out;
  }

  /** How many alert notifications (firing or resolved, in `scope` when given) arrived at or after clock time `since`. */
  receivedSince(since: number, scope?: AlertScope): number {
    let n = 0;
    for (let i = this.arrivals.length - 1; i >= this.arrivalsStart && this.arrivals[i].at >= since; i--) {
      if (!scope || inAlertScope(this.arrivals[i].labels, scope)) n++;
    }
    return n;
  }

  /** Alerts held now and their approximate size. */
  get size(): { alerts: number; bytes: number } {
    return { alerts: this.alerts.size, bytes: this.bytes };
  }

  private remove(key: string): void {
    const s = this.alerts.get(key);
    if (!s) return;
    this.alerts.delete(key);
    this.bytes -= s.bytes;
  }

  /** Keeps arrival times for a while and at most MAX_ALERT_ARRIVALS of them (amortised O(1)). */
  private remember(a: Arrival): void {
    this.arrivals.push({ at: a.at, labels: { ...(a.labels.namespace ? { namespace: a.labels.namespace } : {}), ...(a.labels.service ? { service: a.labels.service } : {}), ...(a.labels.deployment ? { deployment: a.labels.deployment } : {}) } });
    const oldest = a.at - DEFAULT_ALERT_ARRIVAL_MEMORY_MS;
    while (this.arrivalsStart < this.arrivals.length && (this.arrivals.length - this.arrivalsStart > MAX_ALERT_ARRIVALS || this.arrivals[this.arrivalsStart].at < oldest)) this.arrivalsStart++;
    if (this.arrivalsStart > MAX_ALERT_ARRIVALS) {
      this.arrivals.splice(0, this.arrivalsStart);
      this.arrivalsStart = 0;
    }
  }
}
