/**
 * Nothing in the product names a metric outside the telemetry presets: the SLO checks, the call
 * graph and the agents read signals through the configured queries (src/telemetry/presets/ and
 * a user's --telemetry file), so pointing Stratus at another mesh or collector is configuration,
 * not code. This test reads every source file under src/ and agents/ and fails on anything that
 * looks like a scraped metric name. Stratus's own exported series (`stratus_*`) are not read by it
 * and are allowed.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ALLOWED_DIR = join("src", "telemetry", "presets") + sep;
const PATTERNS: RegExp[] = [
  /\bistio_[a-z_]+/,
  /\bhttp_requests?_[a-z_]+/,
  /\bhttp_(server|client)_[a-z_]+/,
  /\brpc_(client|server)_[a-z_]+/,
  /\b[a-z][a-z0-9_]*_bucket\b/,
  /\b(?!stratus_)[a-z][a-z0-9]*_[a-z0-9_]*_total\b/,
  /\b(kube_(pod|deployment|node)|container_(cpu|memory)|node_(cpu|memory))_[a-z_]+/,
];

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (/\.(ts|md|ya?ml|json)$/.test(name)) out.push(p);
  }
  return out;
}

describe("metric names live only in the telemetry presets", () => {
  it("finds none in src/ or agents/ outside src/telemetry/presets/", () => {
    const hits: string[] = [];
    for (const top of ["src", "agents"]) {
      for (const f of files(join(ROOT, top))) {
        const rel = relative(ROOT, f);
        if (rel.startsWith(ALLOWED_DIR)) continue;
        readFileSync(f, "utf8").split("\n").forEach((line, i) => {
          for (const re of PATTERNS) {
            const m = re.exec(line);
            if (m) {
              hits.push(`${rel}:${i + 1}: ${m[0]}`);
              break;
            }
          }
        });
      }
    }
    assert.deepEqual(hits, [], `metric names outside the presets (move them into a preset's queries):\n${hits.join("\n")}`);
  });

  it("would catch one (the patterns match the presets' own names)", () => {
    const preset = readFileSync(join(ROOT, ALLOWED_DIR, "istio.yaml"), "utf8") + readFileSync(join(ROOT, ALLOWED_DIR, "otel.yaml"), "utf8") + readFileSync(join(ROOT, ALLOWED_DIR, "sandbox.yaml"), "utf8");
    for (const name of ["istio_requests_total", "rpc_client_duration_milliseconds_count", "http_server_request_duration_seconds_bucket", "http_requests_total", "rpc_client_requests_total", "kube_pod_container_resource_limits"]) {
      assert.ok(preset.includes(name), name);
      assert.ok(PATTERNS.some((re) => re.test(name)), `a pattern matches ${name}`);
    }
  });
});
