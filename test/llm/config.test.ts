/**
 * `--llm none | openai --model M [--base-url URL]` with the key from OPENAI_API_KEY: the config the
 * flags make, and the errors that say what to pass instead.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ChatOpenAI } from "@langchain/openai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { costOf, createChatModel, describeLlm, llmConfigFromFlags, loadPriceTable } from "../../src/llm/index.ts";

describe("LLM config from flags", () => {
  it("defaults to none: the embedded reasoners, no model", () => {
    const c = llmConfigFromFlags({}, {});
    assert.deepEqual(c, { provider: "none" });
    assert.equal(createChatModel(c), undefined);
  });

  it("builds a ChatOpenAI for --llm openai with the key from the environment", () => {
    const c = llmConfigFromFlags({ llm: "openai", model: "gpt-4o-mini" }, { OPENAI_API_KEY: "sk-test" });
    assert.equal(c.provider, "openai");
    assert.ok(createChatModel(c) instanceof ChatOpenAI);
    assert.doesNotMatch(describeLlm(c), /sk-test/, "the key never appears in descriptions");
  });

  it("accepts a local OpenAI-compatible server with no key", () => {
    const c = llmConfigFromFlags({ llm: "openai", model: "llama3", baseUrl: "http://127.0.0.1:11434/v1" }, {});
    assert.equal(c.provider === "openai" && c.baseUrl, "http://127.0.0.1:11434/v1");
  });

  it("says what is missing", () => {
    assert.throws(() => llmConfigFromFlags({ llm: "openai" }, {}), /needs --model NAME/);
    assert.throws(() => llmConfigFromFlags({ llm: "openai", model: "m" }, {}), /export OPENAI_API_KEY/);
    assert.throws(() => llmConfigFromFlags({ llm: "claude" }, {}), /use "none".*or "openai"/);
    assert.throws(() => llmConfigFromFlags({ model: "m" }, {}), /need --llm openai/);
    assert.throws(() => llmConfigFromFlags({ llm: "openai", model: "m", baseUrl: "not a url" }, {}), /--base-url/);
  });

  it("takes --llm-tools on|off and a price table file", () => {
    const c = llmConfigFromFlags({ llm: "openai", model: "qwen2.5", baseUrl: "http://127.0.0.1:8000/v1", tools: "off", prices: "prices.yaml" }, {});
    assert.equal(c.provider === "openai" && c.tools, "off");
    assert.match(describeLlm(c), /tools=off \(JSON mode\)/);
    const byDefault = llmConfigFromFlags({ llm: "openai", model: "m" }, { OPENAI_API_KEY: "k" });
    assert.equal(byDefault.provider === "openai" && byDefault.tools, "on", "tools on by default");
    assert.throws(() => llmConfigFromFlags({ llm: "openai", model: "m", baseUrl: "http://127.0.0.1:1/v1", tools: "maybe" }, {}), /--llm-tools must be "on" .* or "off"/);
    assert.throws(() => llmConfigFromFlags({ tools: "off" }, {}), /need --llm openai/);
  });

  it("prices tokens from a table, and names the file and entry when the table is wrong", () => {
    const dir = mkdtempSync(join(tmpdir(), "stratus-prices-"));
    try {
      writeFileSync(join(dir, "ok.yaml"), "gpt-4o-mini: { input: 0.15, output: 0.6 }\n");
      const table = loadPriceTable(join(dir, "ok.yaml"));
      assert.equal(costOf({ input: 10_000, output: 1_000 }, table["gpt-4o-mini"]), 0.0021);
      assert.equal(costOf({ input: 10_000, output: 1_000 }, table["unknown"]), undefined, "no price, no guessed cost");
      writeFileSync(join(dir, "bad.yaml"), "gpt-4o-mini: { input: -1 }\n");
      assert.throws(() => loadPriceTable(join(dir, "bad.yaml")), /bad\.yaml: gpt-4o-mini\.input: .*; gpt-4o-mini\.output/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
