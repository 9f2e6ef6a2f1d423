/**
 * What failure messages look like — in logs, container termination messages and events — written
 * once so rules share them: authentication refused, authorization refused, a binary not found, a
 * configuration that does not parse, an address that cannot be reached, connection refused or
 * timed out. These match how real software words its errors (Go's mongo driver, runc, encoding/json).
 */

export const AUTH_FAILED = /authentication failed|sasl authentication|auth(entication)? error|password authentication failed/i;
export const NOT_AUTHORIZED = /not authorized on|\bunauthorized\b|permission denied for|requires authentication/i;
export const EXEC_NOT_FOUND = /executable file not found|exec: "[^"]*": (stat|no such)|no such file or directory.*exec|command not found|exec format error/i;
export const PARSE_ERROR = /cannot unmarshal|invalid character .* looking for|unexpected end of JSON|json: |json\.exception\.(parse|type)_error|yaml: |parse error|failed to parse|syntax error/i;
export const UNREACHABLE = /no reachable servers|no such host|server selection (error|timeout)|could not resolve|name resolution|lookup [^ ]+ on/i;
export const CONN_REFUSED = /connection refused|connect: connection refused/i;
export const TIMED_OUT = /i\/o timeout|context deadline exceeded|timed out|timeout/i;

/** The lines among `lines` that match `re`, at most `max`. */
export const grep = (lines: string[], re: RegExp, max = 3): string[] => lines.filter((l) => re.test(l)).slice(0, max);

/**
 * A type mismatch a JSON decoder reports: Go's "cannot unmarshal string into Go struct field
 * Config.port of type int" → {field: "port", want: "int", got: "string"}; nlohmann's "type must be
 * number, but is string" names no field → {field: "*", want: "number", got: "string"}.
 */
export function unmarshalMismatch(line: string): { field: string; want: string; got: string } | undefined {
  const m = /cannot unmarshal (\w+) into Go (?:struct field|value of type) (?:[\w.]+\.)?(\w+)(?: of type ([\w.[\]]+))?/i.exec(line);
  if (m) return { got: m[1], field: m[2], want: m[3] ?? m[2] };
  const c = /type must be (\w+), but is (\w+)/i.exec(line);
  if (c) return { field: "*", want: c[1], got: c[2] };
  return undefined;
}
