/**
 * The one duration grammar: what parses (compound, fractional, every unit), what does not and what
 * the message tells the person to type, that formatting round-trips, and the zod schema's bound.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { z } from "zod";
import { durationSchema, formatDuration, parseDuration, readDuration } from "../../src/base/duration.ts";
import { isValidationError } from "../../src/base/errors.ts";

describe("parseDuration", () => {
  it("reads every unit, compound durations largest first, and fractions", () => {
    const cases: Array<[string, number]> = [
      ["90s", 90_000], ["1m30s", 90_000], ["500ms", 500], ["2h", 7_200_000], ["1h30m", 5_400_000],
      ["1.5m", 90_000], ["0s", 0], [" 45s ", 45_000], ["1h2m3s4ms", 3_723_004], ["0.5ms", 1],
    ];
    for (const [text, ms] of cases) assert.equal(parseDuration(text), ms, text);
  });

  it("refuses a bare number and says to add a unit", () => {
    for (const input of ["90", "0", 250, " 1.5 "]) {
      const r = readDuration(input);
      assert.equal(r.ok, false, String(input));
      assert.match(r.ok ? "" : r.problem, /has no unit: add one, e\.g\. \S+s, \S+m or \S+ms \(a bare number is not read as milliseconds\)/);
    }
    assert.throws(() => parseDuration("90", "--every"), (e: Error) => isValidationError(e) && /^--every: 90 has no unit: add one, e\.g\. 90s/.test(e.message));
  });

  it("refuses malformed text, unknown units, repeats and smallest-first, saying how to write it", () => {
    for (const text of ["", "5 minutes", "1d", "-5s", "s", "1m 30s", "5sec", "1e3ms"]) {
      const r = readDuration(text);
      assert.equal(r.ok, false, text);
      assert.match(r.ok ? "" : r.problem, /is not a duration: write numbers with units \(h, m, s, ms\), largest first, e\.g\. 90s, 1m30s, 500ms or 2h/, text);
    }
    for (const text of ["30s1m", "1s1s", "500ms1s"]) assert.match(readDuration(text).ok ? "" : (readDuration(text) as { problem: string }).problem, /each unit once, largest first/, text);
    assert.match((readDuration(null) as { problem: string }).problem, /got null/);
  });
});

describe("formatDuration", () => {
  it("writes the shortest compound form, which parses back to the same milliseconds", () => {
    const cases: Array<[number, string]> = [[0, "0s"], [500, "500ms"], [90_000, "1m30s"], [7_200_000, "2h"], [1_500, "1s500ms"], [3_723_004, "1h2m3s4ms"], [1_200_000, "20m"]];
    for (const [ms, text] of cases) {
      assert.equal(formatDuration(ms), text);
      assert.equal(parseDuration(text), ms);
    }
    assert.throws(() => formatDuration(-1), RangeError);
  });
});

describe("durationSchema", () => {
  it("turns a string into milliseconds and refuses numbers and values over the bound with the reason", () => {
    const s = z.object({ timeout: durationSchema({ max: 60_000 }) });
    assert.deepEqual(s.parse({ timeout: "1m" }), { timeout: 60_000 });
    const issue = (v: unknown) => s.safeParse({ timeout: v }).error?.issues[0];
    assert.match(issue(30)?.message ?? "", /30 has no unit/);
    assert.deepEqual(issue(30)?.path, ["timeout"]);
    assert.match(issue("2m")?.message ?? "", /must be at most 1m \(got 2m\)/);
    assert.match(issue("soon")?.message ?? "", /"soon" is not a duration/);
  });
});
