/**
 * The authenticator's cache: an entry lives for its TTL, the least recently used is dropped past
 * the bound, and a TTL of 0 stores nothing.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { TtlCache } from "../../src/server/ttl-cache.ts";

describe("TtlCache", () => {
  it("expires entries after their TTL and evicts the least recently used past maxEntries", () => {
    let now = 1_000;
    const c = new TtlCache<string>(2, () => now);
    c.set("a", "A", 100);
    c.set("b", "B", 100);
    assert.equal(c.get("a"), "A"); // a is now the most recently used
    c.set("c", "C", 100);
    assert.equal(c.get("b"), undefined, "b was the least recently used");
    assert.equal(c.get("a"), "A");
    assert.equal(c.size, 2);
    now += 100;
    assert.equal(c.get("a"), undefined, "expired at its TTL");
    c.set("z", "Z", 0);
    assert.equal(c.get("z"), undefined, "a TTL of 0 stores nothing");
    assert.throws(() => new TtlCache(0), /maxEntries/);
  });
});
