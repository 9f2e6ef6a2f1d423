/**
 * The unified diff both `stratus ledger diff` and the web UI print: hunk headers that `patch`
 * would accept (checked by applying the hunks back to the "before" text), separate hunks for
 * distant changes, created and deleted objects, server bookkeeping and status left out, Secret
 * values hashed when no redaction is given, and nothing for an unchanged object.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { stringify } from "yaml";
import { unifiedDiff } from "../../../src/core/diff.ts";

const cm = (data: Record<string, string>, extra: Record<string, unknown> = {}) => ({
  apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg", namespace: "shop", resourceVersion: "7", uid: "u-1", managedFields: [{ manager: "kubectl" }] }, data, ...extra,
});

/** Applies unified-diff hunks to `before` lines, trusting only the headers' old-side numbers. */
function patch(before: string[], diff: string[]): string[] {
  const out: string[] = [];
  let at = 0;
  for (let i = 2; i < diff.length; i++) {
    const h = /^@@ -(\d+),(\d+) \+(\d+),(\d+) @@$/.exec(diff[i]);
    if (!h) continue;
    const start = Number(h[1]) - (Number(h[2]) === 0 ? 0 : 1);
    while (at < start) out.push(before[at++]);
    for (i++; i < diff.length && !diff[i].startsWith("@@"); i++) {
      const [op, line] = [diff[i][0], diff[i].slice(1)];
      if (op === " " || op === "-") assert.equal(before[at++], line, `context/removed line at ${at}`);
      if (op === " " || op === "+") out.push(line);
    }
    i--;
  }
  while (at < before.length) out.push(before[at++]);
  return out;
}

const yamlLines = (o: unknown) => stringify(o, { sortMapEntries: true, lineWidth: 0 }).replace(/\n$/, "").split("\n");
const clean = ({ status: _status, ...o }: ReturnType<typeof cm> & { status?: unknown }) => ({ ...o, metadata: { name: o.metadata.name, namespace: o.metadata.namespace } });

describe("unifiedDiff", () => {
  it("prints hunks that patch the before text into the after text, distant changes apart", () => {
    const keys = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${String(i).padStart(2, "0")}`, `v${i}`]));
    const before = cm(keys);
    const after = cm({ ...keys, k02: "changed", k27: "also" }, { status: { ignored: true } });
    const d = unifiedDiff(before, after, "ConfigMap shop/cfg");
    assert.deepEqual(d.slice(0, 2), ["--- ConfigMap shop/cfg (before)", "+++ ConfigMap shop/cfg (after)"]);
    assert.equal(d.filter((l) => l.startsWith("@@")).length, 2, d.join("\n"));
    assert.deepEqual(patch(yamlLines(clean(before)), d), yamlLines(clean(after)));
    assert.ok(!d.some((l) => /resourceVersion|managedFields|uid|status/.test(l)), "bookkeeping and status are not diffed");
  });

  it("shows created and deleted objects whole, and nothing for an unchanged one", () => {
    const created = unifiedDiff(null, cm({ a: "1" }), "ConfigMap shop/cfg");
    assert.equal(created[0], "--- ConfigMap shop/cfg (absent)");
    assert.match(created[2], /^@@ -0,0 \+1,\d+ @@$/);
    assert.ok(created.slice(3).every((l) => l.startsWith("+")));
    const deleted = unifiedDiff(cm({ a: "1" }), undefined, "ConfigMap shop/cfg");
    assert.equal(deleted[1], "+++ ConfigMap shop/cfg (absent)");
    assert.ok(deleted.slice(3).every((l) => l.startsWith("-")));
    assert.deepEqual(unifiedDiff(cm({ a: "1" }), { ...cm({ a: "1" }), metadata: { name: "cfg", namespace: "shop", resourceVersion: "99" } }, "x"), []);
  });

  it("hashes Secret values when the caller gives no redaction, and lets a given one decide", () => {
    const s = (v: string) => ({ apiVersion: "v1", kind: "Secret", metadata: { name: "db" }, data: { password: Buffer.from(v).toString("base64") } });
    const d = unifiedDiff(s("old-pass"), s("new-pass"), "Secret db").join("\n");
    assert.ok(!d.includes("old-pass") && !d.includes(Buffer.from("old-pass").toString("base64")));
    assert.match(d, /^-\s+password: "<secret: 8 bytes, sha256 [0-9a-f]{8}>"$/m);
    const masked = unifiedDiff(s("old-pass"), s("new-pass"), "Secret db", { redact: (v) => ({ ...(v as object), data: { password: "MASKED" } }) });
    assert.deepEqual(masked, [], "the redaction decides what is compared");
  });
});
