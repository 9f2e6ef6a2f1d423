/**
 * Events, core/v1 and events.k8s.io/v1: the fields the real server always writes back (null
 * timestamps, empty reporting fields, a `source` object, micro-second eventTime), the legacy
 * validation (the involved object's namespace must be the event's; new-style events need their
 * reporting fields) and the `kubectl get events` columns: LAST SEEN TYPE REASON OBJECT MESSAGE,
 * plus SUBOBJECT SOURCE FIRST SEEN COUNT NAME with -o wide.
 */
import { age } from "../table.ts";
import type { FieldCause, KObject } from "../types.ts";
import { invalidValue, required, unsupported, type KindBehaviour } from "./kind.ts";
import { col, isObject, normalizeMicroTime } from "./common.ts";

const COLUMNS = [
  col("Last Seen", "string", false, "The time at which the most recent occurrence of this event was recorded."),
  col("Type", "string", false, "Type of this event (Normal, Warning), new types could be added in the future"),
  col("Reason", "string", false, "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
  col("Object", "string", false, "The object that this event is about."),
  col("Subobject", "string", true, "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]."),
  col("Source", "string", true, "The component reporting this event. Should be a short machine understandable string."),
  col("Message", "string", false, "A human-readable description of the status of this operation."),
  col("First Seen", "string", true, "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)"),
  col("Count", "string", true, "The number of times this event has occurred."),
  { ...col("Name", "string", true, "Name must be unique within a namespace."), format: "name" },
];

/** A core/v1-shaped view of an event, whichever API group it was written through. */
type EventView = {
  name?: string;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  series?: { count?: number; lastObservedTime?: string } | null;
  count?: number;
  type?: string;
  reason?: string;
  message?: string;
  involvedObject?: { kind?: string; name?: string; fieldPath?: string };
  source?: { component?: string; host?: string };
  reportingComponent?: string;
  reportingInstance?: string;
};

/** The row printEvent builds (wide form, as the server always sends it). */
export function eventCells(e: EventView, now: number): unknown[] {
  const first = e.firstTimestamp || e.eventTime || undefined;
  let last = e.lastTimestamp || first;
  let count = e.count ?? 0;
  if (e.series) {
    last = e.series.lastObservedTime || last;
    count = e.series.count ?? count;
  } else if (!count) count = 1;
  const kind = (e.involvedObject?.kind ?? "").toLowerCase();
  const target = e.involvedObject?.name ? `${kind}/${e.involvedObject.name}` : kind;
  const component = e.source?.component || e.reportingComponent || "";
  const host = e.source?.host || e.reportingInstance || "";
  return [
    age(last ?? undefined, now),
    e.type ?? "",
    e.reason ?? "",
    target,
    e.involvedObject?.fieldPath ?? "",
    host ? `${component}, ${host}` : component,
    (e.message ?? "").trim(),
    age(first ?? undefined, now),
    count,
    e.name,
  ];
}

export const eventKind: KindBehaviour = {
  group: "",
  kind: "Event",
  default(obj) {
    if (!isObject(obj.involvedObject)) obj.involvedObject = {};
    if (!isObject(obj.source)) obj.source = {};
    obj.firstTimestamp ??= null;
    obj.lastTimestamp ??= null;
    obj.eventTime = obj.eventTime ? normalizeMicroTime(obj.eventTime) : null;
    obj.reportingComponent ??= "";
    obj.reportingInstance ??= "";
  },
  validate(obj) {
    const causes: FieldCause[] = [];
    const ns = obj.metadata.namespace ?? "";
    const involvedNs = obj.involvedObject?.namespace ?? "";
    if (!obj.eventTime) {
      if (involvedNs ? involvedNs !== ns : ns !== "" && ns !== "default") causes.push(invalidValue("involvedObject.namespace", involvedNs, "does not match event.namespace"));
    } else {
      if (!involvedNs && ns !== "default" && ns !== "kube-system") causes.push(invalidValue("involvedObject.namespace", involvedNs, "does not match event.namespace"));
      if (!obj.reportingComponent) causes.push(required("reportingComponent"));
      if (!obj.reportingInstance) causes.push(required("reportingInstance"));
      if (!obj.action) causes.push(required("action"));
      if (!obj.reason) causes.push(required("reason"));
    }
    for (const f of ["firstTimestamp", "lastTimestamp", "eventTime"]) {
      if (obj[f] !== null && obj[f] !== undefined && Number.isNaN(Date.parse(obj[f]))) causes.push(invalidValue(f, obj[f], "must be an RFC 3339 timestamp"));
    }
    return causes;
  },
  table: {
    columns: COLUMNS,
    cells(e, now) {
      return eventCells({ ...e, name: e.metadata.name } as EventView, now);
    },
  },
};

/** events.k8s.io/v1: the same events seen through the newer API's field names. */
export const eventsV1Kind: KindBehaviour = {
  group: "events.k8s.io",
  kind: "Event",
  default(obj) {
    if (obj.eventTime) obj.eventTime = normalizeMicroTime(obj.eventTime);
    if (isObject(obj.series) && obj.series.lastObservedTime) obj.series.lastObservedTime = normalizeMicroTime(obj.series.lastObservedTime);
  },
  validate(obj) {
    const causes: FieldCause[] = [];
    if (!obj.eventTime) causes.push(required("eventTime"));
    else if (Number.isNaN(Date.parse(obj.eventTime))) causes.push(invalidValue("eventTime", obj.eventTime, "must be an RFC 3339 timestamp"));
    if (!obj.reportingController) causes.push(required("reportingController"));
    if (!obj.reportingInstance) causes.push(required("reportingInstance"));
    if (!obj.action) causes.push(required("action"));
    if (!obj.reason) causes.push(required("reason"));
    if (!["Normal", "Warning"].includes(obj.type)) causes.push(unsupported("type", obj.type, ["Normal", "Warning"]));
    if (typeof obj.note === "string" && obj.note.length > 1024) causes.push(invalidValue("note", "", "can have at most 1024 characters"));
    const regardingNs = obj.regarding?.namespace ?? "";
    const ns = obj.metadata.namespace ?? "";
    if (regardingNs ? regardingNs !== ns : ns !== "default" && ns !== "kube-system") causes.push(invalidValue("regarding.namespace", regardingNs, "does not match event.namespace"));
    return causes;
  },
  table: {
    columns: COLUMNS,
    cells(e: KObject, now) {
      return eventCells({
        name: e.metadata.name,
        firstTimestamp: e.deprecatedFirstTimestamp,
        lastTimestamp: e.deprecatedLastTimestamp,
        eventTime: e.eventTime,
        series: e.series,
        count: e.deprecatedCount,
        type: e.type,
        reason: e.reason,
        message: e.note,
        involvedObject: e.regarding,
        source: e.deprecatedSource,
        reportingComponent: e.reportingController,
        reportingInstance: e.reportingInstance,
      }, now);
    },
  },
};
