/**
 * The LLM path evaluated with no model: cassettes. Unit: a request is matched by its fingerprint
 * (numbers, times, uids and ids taken out), else by its looser key (stage, turn, task, tools called),
 * else answered 404 and counted as a miss; a recorder forwards to an upstream and writes what it
 * got. End to end: `stratus eval --agent llm --llm-cassette` replays the committed scripted cassette
 * for a handful of catalog scenarios through the real ChatOpenAI client — every stage answered from
 * the cassette (no fallback, no miss), the scenarios mitigated as recorded, and the tokens per
 * incident within the 20k target, in the JSON and the report.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.ts";
import { loadCassette, normalizeText, replayResponder, requestIdentity, serveRecorder } from "../../src/llm/cassette.ts";
import { completion, startOpenAIServer, type ChatRequest } from "../../src/llm/openai-server.ts";
import { TOKEN_TARGET_PER_INCIDENT } from "../../src/llm/defaults.ts";

const CASSETTE = "evals/cassettes/scripted.jsonl";
/**
 * Five of the recorded catalog scenarios, chosen to differ in what the model must do (a pod
 * template, a command, a Service, nothing wrong, the other app); docs/LLM.md runs all thirteen.
 */
const REPLAYED = [
  "hotel-reservation/image-missing-recommendation", "hotel-reservation/wrong-command-profile",
  "hotel-reservation/service-target-port-rate", "hotel-reservation/no-fault",
  "social-network/image-missing-compose-post-service",
];

const request = (toolResult: string): ChatRequest => ({
  model: "m",
  tools: [{ type: "function", function: { name: "list_pods" } }, { type: "function", function: { name: "extract-diagnosis" } }],
  messages: [
    { role: "system", content: "# Stratus diagnosis agent" },
    { role: "user", content: JSON.stringify({ task: "diagnose", incident: { id: "INC-1", openedAt: "2026-01-01T00:00:05Z" } }) },
    { role: "assistant", content: null, tool_calls: [{ id: "call_1_0", type: "function", function: { name: "list_pods", arguments: "{\"namespace\":\"hr\"}" } }] },
    { role: "tool", tool_call_id: "call_1_0", content: toolResult },
  ],
});

describe("cassettes", () => {
  it("normalizes what varies between runs", () => {
    assert.equal(normalizeText("geo-5f7d at 2026-01-01T00:00:05.123Z rate 12.5 <redacted> fp:0123456789ab call_9_1 uid 6f1c1d2e-1111-4222-8333-944445555666"), "geo-#f#d at <time> rate # <redacted> fp:* <id> uid <uid>");
    assert.equal(normalizeText("pod recommendation-5f4c849cbd-fh7hp"), normalizeText("pod recommendation-5f4c849cbd-n6crc"), "a pod's random suffix");
  });

  it("replays by fingerprint, then by the looser key, and answers 404 to the rest", () => {
    const a = requestIdentity(request("{\"pods\":[{\"name\":\"geo-1\",\"restarts\":3}]}"));
    const jitter = requestIdentity(request("{\"pods\":[{\"name\":\"geo-1\",\"restarts\":4}]}"));
    assert.equal(a.fingerprint, jitter.fingerprint, "numbers do not change the fingerprint");
    assert.equal(a.stage, "diagnosis");
    assert.equal(a.turn, 1);
    const other = requestIdentity(request("{\"pods\":[],\"note\":\"something else\"}"));
    assert.notEqual(other.fingerprint, a.fingerprint);
    assert.equal(other.key, a.key, "the key leaves out what tools returned");

    const response = completion("m", { content: "{}", usage: { prompt: 1, completion: 1 } });
    const r = replayResponder([{ v: 1, ...a, response: response as never }]);
    assert.equal(r.respond(request("{\"pods\":[{\"name\":\"geo-1\",\"restarts\":9}]}")), response);
    assert.equal(r.respond(request("{\"pods\":[],\"note\":\"something else\"}")), response);
    const unknown = { ...request("x"), messages: request("x").messages.slice(0, 2) };
    assert.throws(() => r.respond(unknown), /no response for this diagnosis request \(turn 0/);
    assert.deepEqual({ ...r.stats }, { hits: 1, looseHits: 1, misses: [{ stage: "diagnosis", turn: 0 }] });
  });

  it("records what an upstream endpoint answers", async () => {
    const dir = mkdtempSync(join(tmpdir(), "stratus-cassette-"));
    const upstream = await startOpenAIServer((req) => completion(req.model, { content: "{\"ok\":true}", usage: { prompt: 7, completion: 3 } }));
    const recorder = await serveRecorder(upstream.url, join(dir, "c.jsonl"));
    try {
      const res = await fetch(`${recorder.url}/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(request("{}")) });
      assert.equal(res.status, 200);
      const [entry] = loadCassette(join(dir, "c.jsonl"));
      assert.equal(entry.fingerprint, requestIdentity(request("{}")).fingerprint);
      assert.equal((entry.response.usage as { total_tokens: number }).total_tokens, 10);
    } finally {
      await recorder.close();
      await upstream.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the committed cassette covers at least ten catalog scenarios", () => {
    const entries = loadCassette(CASSETTE);
    const incidents = new Set(entries.filter((e) => e.stage === "diagnosis" && e.turn === 0).map((e) => e.key));
    assert.ok(incidents.size >= 10, `${incidents.size} diagnoses recorded`);
  });
});

describe("stratus eval --agent llm replaying the committed cassette", () => {
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), "stratus-eval-llm-")); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("answers every stage from the cassette, mitigates as recorded, and stays within the token target", { timeout: 300_000 }, async () => {
    const out: string[] = [];
    const json = join(dir, "out.json");
    const report = join(dir, "report.md");
    const files = REPLAYED.map((id) => `evals/scenarios/${id}.yaml`);
    const code = await main(["eval", ...files, "--agent", "llm", "--llm-cassette", CASSETTE, "--json", json, "--report", report, "--concurrency", "2", "--timeout", "240s"], { out: (s) => out.push(s), err: (s) => out.push(s) });
    assert.equal(code, 0, out.join("\n"));
    assert.ok(out.some((l) => /cassette replay: \d+ exact, \d+ loose, 0 unanswered/.test(l)), out.join("\n"));

    const doc = JSON.parse(readFileSync(json, "utf8"));
    const results: Array<Record<string, any>> = doc.agents.stratus.results; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.equal(results.length, REPLAYED.length);
    for (const r of results) {
      assert.equal(r.error, null, `${r.id}: ${r.error}`);
      if (!r.expect.detected) {
        assert.equal(r.llm, undefined, `${r.id}: no incident, no model call`);
        continue;
      }
      // The model diagnosed and proposed; a later proposal may be the embedded reasoner's once the
      // incident's token budget is spent — by design, and the only fallback allowed here.
      assert.ok(r.llm?.agentCalls - r.llm?.fallbacks >= 2, `${r.id}: the model diagnosed and proposed`);
      for (const why of r.llm.fallbackReasons) assert.match(why, /token budget/, r.id);
      assert.equal(r.mitigated, r.expect.mitigated, `${r.id}: ${JSON.stringify(r.attemptLog)}`);
      for (const [incident, tokens] of Object.entries(r.llm.perIncident)) assert.ok((tokens as number) <= TOKEN_TARGET_PER_INCIDENT, `${r.id} ${incident}: ${tokens} tokens`);
    }
    assert.match(readFileSync(report, "utf8"), /## LLM path[\s\S]*tokens per incident: median \d+/);
  });
});
