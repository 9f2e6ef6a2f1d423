/**
 * The Prometheus text-format parser: families and types, histogram suffixes, label escapes,
 * NaN / ±Inf values, timestamps, and errors that name the line.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseExposition, parseValue } from "../../src/telemetry/exposition.ts";
import { isTelemetryError } from "../../src/telemetry/metric-source.ts";

const TEXT = `# HELP http_requests_total Requests answered.\\nBy code.
# TYPE http_requests_total counter
http_requests_total{namespace="hotel-reservation",service="geo",pod="geo-1",code="200"} 1027
http_requests_total{namespace="hotel-reservation",service="geo",pod="geo-1",code="503",} 3 1767268800000
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{service="geo",le="0.1"} 5
http_request_duration_seconds_bucket{service="geo",le="+Inf"} 8
http_request_duration_seconds_sum{service="geo"} 1.5e0
http_request_duration_seconds_count{service="geo"} 8
# a plain comment
node_load { } NaN
temperature{where="out\\\\side \\"back\\"\\nyard"} -Inf
free_bytes +Inf
`;

describe("parseExposition", () => {
  it("reads counters, histograms and untyped samples into families", () => {
    const e = parseExposition(TEXT);
    assert.equal(e.samples.length, 9);
    const req = e.families.get("http_requests_total")!;
    assert.equal(req.type, "counter");
    assert.equal(req.help, "Requests answered.\nBy code.");
    assert.equal(req.samples.length, 2);
    assert.deepEqual(req.samples[1], {
      name: "http_requests_total",
      labels: { namespace: "hotel-reservation", service: "geo", pod: "geo-1", code: "503" },
      value: 3,
      timestampMs: 1767268800000,
    });
    const h = e.families.get("http_request_duration_seconds")!;
    assert.equal(h.type, "histogram");
    assert.deepEqual(h.samples.map((s) => s.name), [
      "http_request_duration_seconds_bucket",
      "http_request_duration_seconds_bucket",
      "http_request_duration_seconds_sum",
      "http_request_duration_seconds_count",
    ]);
    assert.equal(h.samples[1].labels.le, "+Inf");
    assert.equal(h.samples[2].value, 1.5);
    assert.equal(e.families.get("node_load")!.type, "untyped");
  });

  it("unescapes label values and reads NaN and infinities", () => {
    const e = parseExposition(TEXT);
    const t = e.samples.find((s) => s.name === "temperature")!;
    assert.equal(t.labels.where, 'out\\side "back"\nyard');
    assert.equal(t.value, -Infinity);
    assert.ok(Number.isNaN(e.samples.find((s) => s.name === "node_load")!.value));
    assert.equal(e.samples.find((s) => s.name === "free_bytes")!.value, Infinity);
  });

  it("accepts the value spellings Go's ParseFloat does", () => {
    assert.equal(parseValue("1e-3"), 0.001);
    assert.equal(parseValue("-.5"), -0.5);
    assert.equal(parseValue("inf"), Infinity);
    assert.ok(Number.isNaN(parseValue("nan")));
    assert.throws(() => parseValue("12abc"), /not a number/);
  });

  it("tolerates CRLF, blank lines and OpenMetrics' # EOF", () => {
    const e = parseExposition("a 1\r\n\r\n# EOF\r\n");
    assert.deepEqual(e.samples, [{ name: "a", labels: {}, value: 1 }]);
  });

  it("rejects malformed lines with the line number and what to check", () => {
    const cases: Array<[string, RegExp]> = [
      ['ok 1\nbad{a="1"', /line 2: unterminated|line 2: expected/],
      ['x{a="\\t"} 1', /invalid escape/],
      ['x{a="1",a="2"} 1', /label a appears twice/],
      ["x{1a=\"b\"} 1", /expected a label name/],
      ["x 1 2 3", /unexpected text after the timestamp/],
      ["x 1 1.5", /timestamp "1.5" is not an integer/],
      ["x", /expected a value/],
      ["# TYPE x wibble", /unknown metric type/],
      ["x one", /"one" is not a number/],
    ];
    for (const [text, re] of cases) {
      assert.throws(
        () => parseExposition(text),
        (e: unknown) => isTelemetryError(e) && re.test(e.message) && /Prometheus text format/.test(e.message),
        `${JSON.stringify(text)} should fail with ${re}`,
      );
    }
  });

  it("skips the samples a caller does not keep without reading their labels, and unescapes long values", () => {
    const text = ['a_total{x="1"} 1', 'b_total{x="broken} 2', 'a_total{y="left \\"quoted\\" and \\\\ and\\nline"} 3'].join("\n");
    const { samples } = parseExposition(text, (name) => name === "a_total");
    assert.deepEqual(samples.map((s) => [s.labels.x ?? s.labels.y, s.value]), [["1", 1], ['left "quoted" and \\ and\nline', 3]]);
    assert.throws(() => parseExposition(text), /unterminated value for label x/);
  });
});
