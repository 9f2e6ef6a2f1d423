/**
 * Telemetry queries as configuration, in the manner of Argo Rollouts' AnalysisTemplate: one YAML
 * file says, per signal — request rate, error ratio, latency quantile, call-graph edges and
 * saturation — which PromQL to run and which of its result labels names the service (the callee,
 * the pod). Queries carry `{{namespace}}`, `{{window}}` and `{{quantile}}` placeholders, filled
 * in at query time. Validated with zod; a bad file is refused with the field's path and its line.
 * The shipped presets live in `presets/`; this module is the only reader of their shape.
 */
import { readFileSync } from "node:fs";
import { isMap, isSeq, LineCounter, parseDocument, type Node } from "yaml";
import { z } from "zod";
import { ValidationError } from "../base/errors.ts";

const PLACEHOLDERS = ["namespace", "window", "quantile"] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

const LabelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, "a Prometheus label name");
const Query = z
  .string()
  .min(1)
  .superRefine((q, ctx) => {
    for (const [, name] of q.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) {
      if (!(PLACEHOLDERS as readonly string[]).includes(name)) ctx.addIssue({ code: "custom", message: `unknown placeholder {{${name}}} (known: ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(", ")})` });
    }
    if (!q.includes("{{namespace}}")) ctx.addIssue({ code: "custom", message: "the query must select one namespace with {{namespace}}" });
  });

const ServiceSignal = z.object({ query: Query, labels: z.object({ service: LabelName }).strict() }).strict();
const EdgeSignal = z.object({ query: Query, labels: z.object({ service: LabelName, callee: LabelName }).strict() }).strict();

export const TelemetryQueriesSchema = z
  .object({
    kind: z.literal("TelemetryQueries"),
    name: z.string().min(1),
    description: z.string().optional(),
    /** The `{{window}}` of rate(): a PromQL duration. */
    window: z.string().regex(/^\d+(ms|s|m|h)$/, 'a PromQL duration such as "30s" or "1m"'),
    signals: z
      .object({
        /** Requests per second each service answered. */
        requestRate: ServiceSignal,
        /** Share of those that failed, 0..1. */
        errorRatio: ServiceSignal,
        /** The latency quantile per service, in `unit`. */
        latency: ServiceSignal.extend({ quantile: z.number().gt(0).lt(1), unit: z.enum(["seconds", "milliseconds"]) }).strict(),
        /** Calls per second from `service` to `callee`. */
        edgeRate: EdgeSignal,
        /** Share of those calls that failed, 0..1. */
        edgeErrorRatio: EdgeSignal,
        /** How close each pod is to its limit, 0..1 (CPU used / CPU limit, for instance). */
        saturation: z.object({ query: Query, labels: z.object({ pod: LabelName }).strict() }).strict().optional(),
      })
      .strict(),
  })
  .strict();

export type TelemetryQueries = z.output<typeof TelemetryQueriesSchema>;
export type SignalName = keyof TelemetryQueries["signals"];

/** Validates parsed queries; `where` maps an issue path to a line for the message. */
export function parseTelemetryQueries(raw: unknown, source = "telemetry queries", where?: (path: PropertyKey[]) => number | undefined): TelemetryQueries {
  const r = TelemetryQueriesSchema.safeParse(raw);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => {
    const line = where?.(i.path);
    return { path: i.path.join(".") || "(root)", message: `${i.message}${line ? ` (line ${line})` : ""}` };
  });
  throw new ValidationError(`invalid ${source}: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}; fix the field named, or start from a preset (istio, otel, sandbox)`, issues);
}

/** Parses a YAML (or JSON) text of telemetry queries; errors name the field and its line. */
export function parseTelemetryQueriesYaml(text: string, source: string): TelemetryQueries {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const line = e.linePos?.[0]?.line ?? lines.linePos(e.pos[0]).line;
    throw new ValidationError(`invalid ${source}: YAML syntax error at line ${line}: ${e.message.split("\n")[0]}`, [{ path: "(root)", message: e.message }]);
  }
  const where = (path: PropertyKey[]): number | undefined => {
    // The deepest node of the path that exists: a missing field is reported at its parent.
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n) as Array<string | number>, true) as Node | undefined;
      const at = node && (isMap(node) || isSeq(node) || "range" in node) ? node.range?.[0] : undefined;
      if (at !== undefined) return lines.linePos(at).line;
    }
    return undefined;
  };
  return parseTelemetryQueries(doc.toJS(), source, where);
}

/** Reads a telemetry queries file. */
export function loadTelemetryQueriesFile(path: string): TelemetryQueries {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ValidationError(`cannot read telemetry queries file ${path}: ${(e as Error).message}; pass a preset name (istio, otel, sandbox) or the path of a TelemetryQueries YAML file`);
  }
  return parseTelemetryQueriesYaml(text, `telemetry queries file ${path}`);
}

/** A signal's query with its placeholders filled in (namespace escaped for a PromQL string). */
export function renderQuery(query: string, values: { namespace: string; window: string; quantile?: number }): string {
  const ns = values.namespace.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
  return query.replace(/\{\{\s*(namespace|window|quantile)\s*\}\}/g, (_, name: Placeholder) => {
    if (name === "namespace") return ns;
    if (name === "window") return values.window;
    if (values.quantile === undefined) throw new ValidationError("the {{quantile}} placeholder is only known in the latency signal's query");
    return String(values.quantile);
  });
}
