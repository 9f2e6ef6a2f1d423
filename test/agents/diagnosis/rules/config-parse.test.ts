/** config-parse on hand-built observations: a crash parsing config, the ConfigMap that changed, and its repair. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ChangeTracker } from "../../../../agents/observe/changes.ts";
import { configMap, deployment, diagnose, exited, NOW, observation, pod, replicaSet, waiting } from "../../fixtures.ts";

const GOOD = '{\n  "service": "geo",\n  "port": 8083,\n  "timeoutMs": 1000\n}\n';
const BAD = GOOD.replace("8083", '"8083"');

function crashing(line: string) {
  const d = deployment("geo", { volumes: [{ name: "config", configMap: { name: "geo-config" } }] });
  const rs = replicaSet(d, 1);
  const p = pod(rs, "a", waiting("geo", "CrashLoopBackOff", "back-off 40s", { restarts: 3, last: exited("Error", 2) }));
  const obs = observation({ objects: [d, rs, p, configMap("geo-config", { "config.json": BAD })] });
  obs.logs = [{ namespace: "hr", pod: p.metadata.name, container: "geo", previous: true, lines: [line] }];
  return obs;
}

describe("rule config-parse", () => {
  it("blames the Deployment and restores the ConfigMap value the tracker saw before the onset", () => {
    const tracker = new ChangeTracker();
    tracker.record(NOW - 300_000, [configMap("geo-config", { "config.json": GOOD })], ["ConfigMap"]);
    tracker.record(NOW - 90_000, [configMap("geo-config", { "config.json": BAD })], ["ConfigMap"]);
    const obs = crashing("panic: json: cannot unmarshal string into Go struct field Config.port of type int");
    obs.changes = tracker.changes();
    const h = diagnose(obs, ["geo"], { tracker }).hypotheses[0];
    assert.deepEqual([h.rootCause.kind, h.rootCause.name, h.layer, h.type], ["Deployment", "geo", "application", "misconfiguration"]);
    assert.deepEqual([h.facts.configMap, h.facts.key, h.facts.lastGoodValue, h.facts.restoredFrom], ["geo-config", "config.json", GOOD, "history"]);
    assert.ok(h.evidence.some((e) => e.source === "history" && /ConfigMap geo-config updated \(data.config.json\)/.test(e.fact)));
  });

  it("without history, repairs the field the decoder names (Go) or every quoted number (nlohmann)", () => {
    for (const line of ["panic: json: cannot unmarshal string into Go struct field Config.port of type int", "what():  [json.exception.type_error.302] type must be number, but is string"]) {
      const h = diagnose(crashing(line), ["geo"]).hypotheses[0];
      assert.equal(h.facts.finding, "config-unparsable", line);
      assert.equal(h.facts.lastGoodValue, GOOD, line);
      assert.equal(h.facts.restoredFrom, "repair");
    }
  });
});
