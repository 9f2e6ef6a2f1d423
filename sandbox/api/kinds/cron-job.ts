/**
 * CronJob (batch/v1): defaulting (concurrencyPolicy Allow, not suspended, history limits 3 and 1,
 * the job template's Job defaults), validation (a five-field schedule the controller can parse,
 * a valid job template), and the `kubectl get cronjobs` columns (NAME SCHEDULE TIMEZONE SUSPEND
 * ACTIVE LAST SCHEDULE AGE). The schedule parser is shared with the CronJob controller.
 */
import { age } from "../table.ts";
import type { FieldCause } from "../types.ts";
import { invalidValue, required, unsupported, type KindBehaviour } from "./kind.ts";
import { AGE_COLUMN, col, isObject, NAME_COLUMN } from "./common.ts";
import { defaultJobSpec, validateJobSpec } from "./job.ts";

const POLICIES = ["Allow", "Forbid", "Replace"];
const MACROS: Record<string, string> = { "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *" };
const RANGES: Array<[number, number]> = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 6]];

/** The five fields of a standard cron schedule as sets of allowed values; throws Error when it does not parse. */
export function parseSchedule(schedule: string): Array<Set<number>> {
  const fields = (MACROS[schedule.trim()] ?? schedule).trim().split(/\s+/);
  if (fields.length !== 5) throw new Error(`expected exactly 5 fields, found ${fields.length}: ${schedule}`);
  return fields.map((f, i) => {
    const [lo, hi] = RANGES[i];
    const out = new Set<number>();
    for (const part of f.split(",")) {
      const m = /^(\*|\d+(?:-\d+)?)(?:\/(\d+))?$/.exec(part === "?" ? "*" : part);
      if (!m) throw new Error(`failed to parse int from ${part}`);
      const step = m[2] ? Number(m[2]) : 1;
      let [a, b] = m[1] === "*" ? [lo, hi] : m[1].split("-").map(Number);
      if (b === undefined) b = m[2] ? hi : a;
      if (a < lo || b > hi || a > b || step < 1) throw new Error(`end of range (${b}) above maximum (${hi}): ${part}`);
      for (let v = a; v <= b; v += step) out.add(i === 4 && v === 7 ? 0 : v);
    }
    return out;
  });
}

/** The first schedule time strictly after `after` (UTC, minute resolution). */
export function nextSchedule(fields: Array<Set<number>>, after: number): number {
  let t = Math.floor(after / 60_000) * 60_000 + 60_000;
  for (let i = 0; i < 366 * 24 * 60; i++, t += 60_000) {
    const d = new Date(t);
    if (fields[0].has(d.getUTCMinutes()) && fields[1].has(d.getUTCHours()) && fields[2].has(d.getUTCDate()) && fields[3].has(d.getUTCMonth() + 1) && fields[4].has(d.getUTCDay())) return t;
  }
  return Infinity;
}

export const cronJobKind: KindBehaviour = {
  group: "batch",
  kind: "CronJob",
  default(obj) {
    if (!isObject(obj.spec)) obj.spec = {};
    const spec = obj.spec;
    spec.concurrencyPolicy ??= "Allow";
    spec.suspend ??= false;
    spec.successfulJobsHistoryLimit ??= 3;
    spec.failedJobsHistoryLimit ??= 1;
    if (!isObject(spec.jobTemplate)) spec.jobTemplate = {};
    if (!isObject(spec.jobTemplate.spec)) spec.jobTemplate.spec = {};
    defaultJobSpec(spec.jobTemplate.spec);
  },
  validate(obj) {
    const causes: FieldCause[] = [];
    const spec = obj.spec;
    if (typeof spec.schedule !== "string" || !spec.schedule) causes.push(required("spec.schedule"));
    else {
      try {
        parseSchedule(spec.schedule);
      } catch (e) {
        causes.push(invalidValue("spec.schedule", spec.schedule, `unparseable schedule: ${(e as Error).message}`));
      }
    }
    if (!POLICIES.includes(spec.concurrencyPolicy)) causes.push(unsupported("spec.concurrencyPolicy", spec.concurrencyPolicy, POLICIES));
    causes.push(...validateJobSpec(spec.jobTemplate?.spec, "spec.jobTemplate.spec"));
    return causes;
  },
  table: {
    columns: [
      NAME_COLUMN,
      col("Schedule", "string", false, "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
      col("Timezone", "string", false, "The time zone name for the given schedule."),
      col("Suspend", "boolean", false, "This flag tells the controller to suspend subsequent executions."),
      col("Active", "integer", false, "A list of pointers to currently running jobs."),
      col("Last Schedule", "date", false, "Information when was the last time the job was successfully scheduled."),
      AGE_COLUMN,
    ],
    cells(cj, now) {
      const last = cj.status?.lastScheduleTime;
      return [cj.metadata.name, cj.spec?.schedule, cj.spec?.timeZone ?? "<none>", cj.spec?.suspend === true ? "True" : "False", (cj.status?.active ?? []).length, last ? age(last, now) : "<none>", age(cj.metadata.creationTimestamp, now)];
    },
  },
};
