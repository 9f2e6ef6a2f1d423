/**
 * How a service binary reads its `config.json`, with the errors its language's JSON library
 * gives: Go's encoding/json for hotel-reservation (`json: cannot unmarshal string into Go struct
 * field Config.port of type int`) and nlohmann::json for social-network's C++ services
 * (`[json.exception.type_error.302] type must be number, but is string`). The shape is fixed by
 * `sandbox/apps/README.md`: `{"service", "port", "callees", "timeoutMs", "database"}`.
 */

export type ServiceConfig = {
  service?: string;
  port?: number;
  callees?: Record<string, string>;
  timeoutMs?: number;
  database?: string;
};

export type ConfigResult = { ok: true; config: ServiceConfig } | { ok: false; error: string; exception?: string };

type Dialect = "go" | "cpp";

const goType = (v: unknown) =>
  v === null ? "null" : Array.isArray(v) ? "array" : typeof v === "boolean" ? "bool" : typeof v === "object" ? "object" : typeof v;

const cppType = (v: unknown) =>
  v === null ? "null" : Array.isArray(v) ? "array" : typeof v === "boolean" ? "boolean" : typeof v === "object" ? "object" : typeof v;

/** Position of a JSON syntax error, from V8's message. */
function syntaxPosition(text: string, e: Error): number {
  const m = /position (\d+)/.exec(e.message);
  if (m) return Number(m[1]);
  return /end of JSON input/.test(e.message) ? text.length : 0;
}

function syntaxError(text: string, e: Error, dialect: Dialect): ConfigResult {
  const pos = syntaxPosition(text, e);
  if (dialect === "go") {
    if (pos >= text.trimEnd().length) return { ok: false, error: "unexpected end of JSON input" };
    return { ok: false, error: `invalid character '${text[pos]}' looking for beginning of value` };
  }
  const before = text.slice(0, pos);
  const line = before.split("\n").length;
  const column = pos - before.lastIndexOf("\n");
  return {
    ok: false,
    exception: "nlohmann::detail::parse_error",
    error: `[json.exception.parse_error.101] parse error at line ${line}, column ${column}: syntax error while parsing value - invalid literal; last read: '${text.slice(Math.max(0, pos - 4), pos + 1).replace(/\n/g, "<LF>")}'`,
  };
}

function typeError(field: string, value: unknown, want: "int" | "string", dialect: Dialect): ConfigResult {
  if (dialect === "go") {
    const t = goType(value);
    const shown = t === "number" ? `number ${value}` : t;
    return { ok: false, error: `json: cannot unmarshal ${shown} into Go struct field Config.${field} of type ${want}` };
  }
  return {
    ok: false,
    exception: "nlohmann::detail::type_error",
    error: `[json.exception.type_error.302] type must be ${want === "int" ? "number" : "string"}, but is ${cppType(value)}`,
  };
}

/** Parses config.json the way the binary does; undefined fields keep the binary's defaults. */
export function parseServiceConfig(text: string, dialect: Dialect): ConfigResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return syntaxError(text, e as Error, dialect);
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    if (dialect === "go") return { ok: false, error: `json: cannot unmarshal ${goType(raw)} into Go value of type main.Config` };
    return { ok: false, exception: "nlohmann::detail::type_error", error: `[json.exception.type_error.305] cannot use operator[] with a string argument with ${cppType(raw)}` };
  }
  const o = raw as Record<string, unknown>;
  const config: ServiceConfig = {};
  for (const field of ["port", "timeoutMs"] as const) {
    const v = o[field];
    if (v === undefined || (v === null && dialect === "go")) continue;
    if (typeof v !== "number" || !Number.isInteger(v)) return typeError(field, v, "int", dialect);
    config[field] = v;
  }
  for (const field of ["service", "database"] as const) {
    const v = o[field];
    if (v === undefined || (v === null && dialect === "go")) continue;
    if (typeof v !== "string") return typeError(field, v, "string", dialect);
    config[field] = v;
  }
  if (o.callees !== undefined && o.callees !== null) {
    if (typeof o.callees !== "object" || Array.isArray(o.callees)) {
      if (dialect === "go") return { ok: false, error: `json: cannot unmarshal ${goType(o.callees)} into Go struct field Config.callees of type map[string]string` };
      return typeError("callees", o.callees, "string", dialect);
    }
    const callees: Record<string, string> = {};
    for (const [k, v] of Object.entries(o.callees)) {
      if (typeof v !== "string") return typeError("callees", v, "string", dialect);
      callees[k] = v;
    }
    config.callees = callees;
  }
  return { ok: true, config };
}
