/**
 * `stratus ledger` as an operator uses it: list (table, json, ndjson, every filter, paging), show,
 * verify on an intact and on a tampered ledger, export to stdout and to a file, and the errors a
 * wrong command line or a wrong --db gets. Calls `ledgerCommand` with captured io; one test runs
 * it in a child process (through src/cli/main.ts once that wires the command, through a
 * three-line driver until then).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { ledgerCommand } from '../../../src/cli/commands/ledger.ts';
import { GENESIS_HASH, hashEntry, type LedgerEntry } from '../../../src/core/ledger/index.ts';
import { captureIo, STORY, storyFile, tamper, T0, tempDir } from './helpers.ts';

async function run(...argv: string[]) {
  const c = captureIo();
  const code = await ledgerCommand(argv, c.io);
  return { code, out: c.out, err: c.err };
}

const seqsOf = (lines: string[]) => lines.map((l) => (JSON.parse(l) as LedgerEntry).seq);

describe('stratus ledger list', () => {
  it('prints an aligned table: SEQ TIME ACTOR KIND INCIDENT TX SUMMARY', async () => {
    const db = storyFile();
    const { code, out, err } = await run('list', '--db', db);
    assert.equal(code, 0, err.join('\n'));
    assert.match(out[0], /^SEQ\s+TIME\s+ACTOR\s+KIND\s+INCIDENT\s+TX\s+SUMMARY$/);
    assert.equal(out.length, 1 + STORY.length);
    for (const header of ['TIME', 'ACTOR', 'KIND', 'INCIDENT', 'TX', 'SUMMARY']) {
      const col = out[0].indexOf(header);
      for (const line of out.slice(1)) {
        assert.equal(line[col - 1], ' ', `column ${header} aligned in: ${line}`);
        assert.notEqual(line[col], ' ', `column ${header} starts at its header in: ${line}`);
      }
    }
    assert.match(out[1], /^1\s+2025-03-01T10:00:00\.000Z\s+agent:detection\s+incident\s+inc-1\s+-\s+frontend error ratio 0\.31 > SLO 0\.01 severity=3$/);
    assert.match(out[9], /commit\s+inc-1\s+tx-1\s+severity 3 -> 0$/);
    assert.deepEqual(err, []);
  });

  it('prints json and ndjson', async () => {
    const db = storyFile();
    const json = await run('list', '--db', db, '-o', 'json');
    const entries = JSON.parse(json.out.join('\n')) as LedgerEntry[];
    assert.equal(entries.length, STORY.length);
    assert.equal(entries[0].prevHash, GENESIS_HASH);
    const nd = await run('list', '--db', db, '--output=ndjson');
    assert.deepEqual(seqsOf(nd.out), entries.map((e) => e.seq));
  });

  it('filters by incident, tx, kind, object and time, and combines them', async () => {
    const db = storyFile();
    const at = (i: number) => new Date(T0 + i * 1000).toISOString();
    const cases: [string[], number[]][] = [
      [['--incident', 'inc-2'], [10, 11, 12, 13]],
      [['--tx', 'tx-1'], [5, 6, 7, 8, 9]],
      [['--kind', 'commit', '--kind', 'abort'], [9, 11]],
      [['--object', 'Deployment/hotel/geo'], [2, 3, 5, 6, 7]],
      [['--object', 'deployment/geo'], [2, 3, 5, 6, 7]],
      [['--object', 'Node//worker-1'], [10, 11, 12]],
      [['--since', at(2), '--until', at(5)], [3, 4, 5]],
      [['--incident', 'inc-1', '--kind', 'action', '--object', 'Deployment/hotel/geo'], [7]],
      [['--incident', 'nobody'], []],
    ];
    for (const [flags, want] of cases) {
      const r = await run('list', '--db', db, '-o', 'ndjson', ...flags);
      assert.equal(r.code, 0, r.err.join('\n'));
      assert.deepEqual(seqsOf(r.out), want, flags.join(' '));
    }
  });

  it('pages with --limit and --after, saying how to get the next page', async () => {
    const db = storyFile();
    const first = await run('list', '--db', db, '-o', 'ndjson', '--limit', '5');
    assert.deepEqual(seqsOf(first.out), [1, 2, 3, 4, 5]);
    assert.match(first.err.join('\n'), /next page: --after 5/);
    const next = await run('list', '--db', db, '-o', 'ndjson', '--limit', '5', '--after', '5');
    assert.deepEqual(seqsOf(next.out), [6, 7, 8, 9, 10]);
    const last = await run('list', '--db', db, '-o', 'ndjson', '--limit', '5', '--after', '10');
    assert.deepEqual(seqsOf(last.out), [11, 12, 13]);
    assert.deepEqual(last.err, []);
  });

  it('says when nothing matches', async () => {
    const r = await run('list', '--db', storyFile(), '--tx', 'tx-404');
    assert.equal(r.code, 0);
    assert.deepEqual(r.out, []);
    assert.deepEqual(r.err, ['no entries match']);
  });
});

describe('stratus ledger show', () => {
  it('prints key: value lines and the payload pretty-printed', async () => {
    const r = await run('show', 'e-000007', '--db', storyFile());
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.equal(r.out[0], 'seq:      7');
    assert.ok(r.out.includes('kind:     action'));
    assert.ok(r.out.includes('objects:  Deployment/hotel/geo'));
    const p = r.out.indexOf('payload:');
    assert.deepEqual(r.out.slice(p + 1), ['  {', '    "toRevision": 3,', '    "type": "rollout-undo"', '  }']);
  });

  it('accepts a seq and prints json', async () => {
    const r = await run('show', '--db', storyFile(), '4', '-o', 'json');
    const entry = JSON.parse(r.out.join('\n')) as LedgerEntry;
    assert.equal(entry.id, 'e-000004');
    assert.equal(entry.actor, 'person:alice');
    assert.equal(hashEntry(entry), entry.hash);
  });

  it('says which entry is missing and exits 1', async () => {
    const r = await run('show', 'e-999999', '--db', storyFile());
    assert.equal(r.code, 1);
    assert.match(r.err.join('\n'), /no entry 'e-999999' in .*stratus ledger list/);
  });
});

describe('stratus ledger verify', () => {
  it('prints OK with the entry count and the head', async () => {
    const r = await run('verify', '--db', storyFile());
    assert.equal(r.code, 0);
    assert.equal(r.out[0], `ledger OK: ${STORY.length} entries, chain intact`);
    assert.match(r.out[1], /^head: seq=13 id=e-000013 hash=[0-9a-f]{64} \(keyed\)$/);
  });

  it('names the first bad entry and exits non-zero when a row was edited', async () => {
    const db = storyFile();
    tamper(db, `UPDATE entries SET payload = '{"approved":false}' WHERE seq = 4`);
    const r = await run('verify', '--db', db);
    assert.equal(r.code, 1);
    assert.equal(r.out[0], 'ledger TAMPERED: first bad entry seq=4 id=e-000004: edited');
    assert.match(r.err.join('\n'), /warning: append-only triggers are missing/);
    const json = await run('verify', '--db', db, '-o', 'json');
    assert.equal(json.code, 1);
    assert.equal(JSON.parse(json.out.join('\n')).firstBad.problem, 'edited');
  });

  it('names a deleted and a reordered entry', async () => {
    let db = storyFile();
    tamper(db, 'DELETE FROM entries WHERE seq = 2');
    assert.equal((await run('verify', '--db', db)).out[0], 'ledger TAMPERED: first bad entry seq=3 id=e-000003: deleted-before');
    db = storyFile();
    tamper(db, 'UPDATE entries SET seq = -seq WHERE seq IN (2, 3); UPDATE entries SET seq = CASE seq WHEN -2 THEN 3 ELSE 2 END WHERE seq < 0;');
    assert.equal((await run('verify', '--db', db)).out[0], 'ledger TAMPERED: first bad entry seq=2 id=e-000003: reordered');
  });
});

describe('stratus ledger export', () => {
  it('writes ndjson to stdout that re-verifies on its own', async () => {
    const r = await run('export', '--db', storyFile());
    assert.equal(r.code, 0);
    const entries = r.out.map((l) => JSON.parse(l) as LedgerEntry);
    assert.equal(entries.length, STORY.length);
    let prev = GENESIS_HASH;
    for (const e of entries) {
      assert.equal(e.prevHash, prev);
      assert.equal(hashEntry(e), e.hash);
      prev = e.hash;
    }
  });

  it('writes json, and to a file with --out', async () => {
    const db = storyFile();
    const json = await run('export', '--db', db, '-o', 'json');
    assert.equal((JSON.parse(json.out.join('\n')) as unknown[]).length, STORY.length);
    const file = path.join(tempDir(), 'export.ndjson');
    const r = await run('export', '--db', db, '--out', file);
    assert.equal(r.code, 0);
    assert.deepEqual(r.out, []);
    assert.deepEqual(r.err, [`exported ${STORY.length} entries to ${file}`]);
    assert.deepEqual(fs.readFileSync(file, 'utf8').trimEnd().split('\n'), (await run('export', '--db', db)).out);
    const jfile = path.join(tempDir(), 'export.json');
    await run('export', '--db', db, '-o', 'json', '--out', jfile);
    assert.equal((JSON.parse(fs.readFileSync(jfile, 'utf8')) as unknown[]).length, STORY.length);
  });

  it('exports an empty ledger as an empty json array', async () => {
    const db = storyFile();
    const empty = path.join(path.dirname(db), 'empty.db');
    (await import('../../../src/core/ledger/index.ts')).openLedger({ path: empty }).close();
    assert.deepEqual((await run('export', '--db', empty, '-o', 'json')).out, ['[', ']']);
  });

  it('says when --out cannot be written', async () => {
    const r = await run('export', '--db', storyFile(), '--out', path.join(tempDir(), 'no', 'such', 'x.ndjson'));
    assert.equal(r.code, 1);
    assert.match(r.err.join('\n'), /cannot write .*check the --out path/);
  });
});

describe('stratus ledger: errors', () => {
  it('a missing --db is an error that says so, and no file is created', async () => {
    const db = path.join(tempDir(), 'nope.db');
    for (const cmd of [['list'], ['verify'], ['show', 'e-000001'], ['export']]) {
      const r = await run(...cmd, '--db', db);
      assert.equal(r.code, 1, cmd[0]);
      assert.match(r.err.join('\n'), /no ledger at .*nope\.db: the file does not exist/);
    }
    assert.equal(fs.existsSync(db), false);
  });

  it('bad flags and commands exit 2 with a hint', async () => {
    const db = storyFile();
    const cases: [string[], RegExp][] = [
      [[], /usage: stratus ledger/],
      [['frob'], /unknown command 'frob'/],
      [['list', '--db', db, '--colour'], /Unknown option '--colour'/],
      [['list', '--db'], /--db/],
      [['list', '--db', db, '-o', 'yaml'], /-o must be one of table, json, ndjson, not 'yaml'/],
      [['list', '--db', db, '--limit', '0'], /--limit must be an integer >= 1/],
      [['list', '--db', db, '--after', 'x'], /--after must be an integer >= 0/],
      [['list', '--db', db, '--kind', 'deploy'], /unknown --kind 'deploy'; use one of: incident/],
      [['list', '--db', db, '--object', 'geo'], /--object must look like Kind\/namespace\/name/],
      [['list', '--db', db, '--since', 'yesterday'], /--since must be an ISO-8601 time/],
      [['list', '--db', db, 'extra'], /Unexpected argument 'extra'/],
      [['show', '--db', db], /show takes exactly one entry id/],
      [['export', '--db', db, '-o', 'table'], /-o must be one of ndjson, json/],
    ];
    for (const [argv, pattern] of cases) {
      const r = await run(...argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.err.join('\n'), pattern, argv.join(' '));
      if (argv.length) assert.match(r.err.join('\n'), /stratus ledger --help/);
    }
  });

  it('--help prints usage and exits 0', async () => {
    for (const argv of [['--help'], ['list', '-h'], ['help']]) {
      const r = await run(...argv);
      assert.equal(r.code, 0);
      assert.match(r.out.join('\n'), /usage: stratus ledger <command>/);
    }
  });
});

describe('stratus ledger in a child process', () => {
  it('exits 1 and says TAMPERED for an edited ledger, 0 and OK otherwise', () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const main = path.join(root, 'src/cli/main.ts');
    const viaMain = fs.existsSync(main) && fs.readFileSync(main, 'utf8').includes('ledgerCommand');
    const driver = `
      import { ledgerCommand } from ${JSON.stringify(path.join(root, 'src/cli/commands/ledger.ts'))};
      process.exitCode = await ledgerCommand(process.argv.slice(1), { out: (s) => console.log(s), err: (s) => console.error(s) });`;
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, viaMain ? ['--import', 'tsx', main, 'ledger', ...args] : ['--import', 'tsx', '--input-type=module', '-e', driver, ...args], {
        cwd: root,
        encoding: 'utf8',
      });
    const db = storyFile();
    const ok = cli('verify', '--db', db);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /^ledger OK: 13 entries, chain intact$/m);
    tamper(db, `UPDATE entries SET actor = 'person:mallory' WHERE seq = 4`);
    const bad = cli('verify', '--db', db);
    assert.equal(bad.status, 1, bad.stderr);
    assert.match(bad.stdout, /^ledger TAMPERED: first bad entry seq=4 id=e-000004: edited$/m);
  });
});
