/**
 * `--llm none | openai --model M [--base-url URL]` with the key from OPENAI_API_KEY: the config the
 * flags make, and the errors that say what to pass instead.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ChatOpenAI } from "@langchain/openai";
import { createChatModel, describeLlm, llmConfigFromFlags } from "../../src/llm/index.ts";

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
});
