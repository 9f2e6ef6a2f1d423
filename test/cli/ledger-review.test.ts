/**
 * `stratus ledger diff TX`, `ledger show -o yaml|json` and `ledger serve` on a ledger written as the
 * transaction writes one (real SQLite, credentials sealed): the diff is kubectl-diff style, every
 * object the transaction wrote, credentials redacted (a changed secret visible as a changed
 * fingerprint); YAML round-trips to the JSON form; bad input exits 2 and a missing transaction 1;
 * `serve` runs as its own process, prints where it listens and its one-time token, serves the UI
 * read-only (a decision is refused), and stops on SIGTERM.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { parse as parseYaml } from "yaml";
import { ledgerCommand } from "../../src/cli/commands/ledger.ts";
import { ENV_SECRET, INCIDENT, SECRET_NEW, SECRET_OLD, TXID, writeFixtureLedger } from "../server/ui/fixture-ledger.ts";

const BIN = join(import.meta.dirname, "../../bin/stratus.js");

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await ledgerCommand(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("stratus ledger diff / show -o yaml / serve", () => {
  let dir: string;
  let db: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "stratus-ledger-review-"));
    db = join(dir, "ledger.db");
    writeFixtureLedger(db).close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("diffs every object the transaction wrote, kubectl-diff style, with credentials redacted", async () => {
    const r = await run("diff", TXID, "--db", db);
    assert.equal(r.code, 0, r.err);
    for (const secret of [SECRET_OLD, SECRET_NEW, ENV_SECRET, Buffer.from(SECRET_NEW).toString("base64")]) assert.ok(!r.out.includes(secret), `no ${secret} in:\n${r.out}`);
    assert.match(r.out, /^--- Secret shop\/db \(before\)\n\+\+\+ Secret shop\/db \(after\)\n@@ -\d+,\d+ \+\d+,\d+ @@$/m);
    const pw = [...r.out.matchAll(/^([-+])\s+password: <redacted> fp:([0-9a-f]+)$/gm)];
    assert.equal(pw.length, 2, r.out);
    assert.notEqual(pw[0][2], pw[1][2], "a changed secret shows as a changed fingerprint");
    assert.match(r.out, /^-\s+image: api:1$/m);
    assert.match(r.out, /^\+\s+image: api:2$/m);
    assert.match(r.out, /^ \s+value: <redacted>/m, "an env value named like a password is masked, and unchanged");
    const json = JSON.parse((await run("diff", TXID, "--db", db, "-o", "json")).out);
    assert.deepEqual(json.objects.map((o: { ref: string }) => o.ref), ["Secret shop/db", "Deployment shop/api"]);
  });

  it("prints an entry as YAML or JSON, redacted, and the two agree", async () => {
    const yaml = await run("show", "5", "--db", db, "-o", "yaml");
    assert.equal(yaml.code, 0, yaml.err);
    assert.ok(!yaml.out.includes(Buffer.from(SECRET_OLD).toString("base64")));
    const json = await run("show", "5", "--db", db, "-o", "json");
    assert.deepEqual(parseYaml(yaml.out), JSON.parse(json.out));
    assert.equal(parseYaml(yaml.out).incidentId, INCIDENT);
  });

  it("says what is wrong: no such transaction (1), bad arguments (2)", async () => {
    const none = await run("diff", "tx-nope", "--db", db);
    assert.equal(none.code, 1);
    assert.match(none.err, /no transaction 'tx-nope'.*stratus ledger list/);
    assert.equal((await run("diff", "--db", db)).code, 2);
    assert.equal((await run("diff", TXID, "--db", db, "-o", "yaml")).code, 2);
    assert.equal((await run("show", "1", "--db", db, "-o", "xml")).code, 2);
    assert.equal((await run("serve", "--db", db, "--listen", "nowhere")).code, 2);
  });

  it("serves the UI read-only over the file, with a one-time token, until SIGTERM", async () => {
    const child = spawn(process.execPath, [BIN, "ledger", "serve", "--db", db, "--listen", "127.0.0.1:0"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (out += c));
    try {
      const started = await new Promise<RegExpExecArray>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`serve did not start:\n${out}`)), 120_000);
        child.stdout.on("data", () => {
          const m = /at (http:\/\/\S+)\/ui\/incidents\n[\s\S]*token: (\S+)/.exec(out);
          if (m) {
            clearTimeout(t);
            resolve(m);
          }
        });
        child.once("exit", () => reject(new Error(`serve exited:\n${out}`)));
      });
      const [, url, token] = started;
      assert.equal((await fetch(`${url}/ui/incidents`, { redirect: "manual" })).status, 303);
      const list = await fetch(`${url}/ui/incidents`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(list.status, 200);
      assert.match(await list.text(), new RegExp(`data-incident="${INCIDENT}"`));
      const page = await (await fetch(`${url}/ui/incidents/${INCIDENT}`, { headers: { authorization: `Bearer ${token}` } })).text();
      assert.ok(!page.includes("button class=\"approve\"") && !page.includes(SECRET_NEW));
      const decide = await fetch(`${url}/ui/incidents/${INCIDENT}/decision`, { method: "POST", body: "decision=approve", headers: { authorization: `Bearer ${token}`, "content-type": "application/x-www-form-urlencoded" } });
      assert.equal(decide.status, 405);
      const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
      child.kill("SIGTERM");
      assert.equal(await exited, 0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });
});
