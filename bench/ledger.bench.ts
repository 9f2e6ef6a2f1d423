/**
 * Ledger benchmark. Measures (1) durable appends per second — each `append()` its own IMMEDIATE
 * transaction, fsynced (WAL, synchronous=FULL) — against a raw better-sqlite3 loop inserting
 * similar rows, one autocommit statement each, into a plain table with the same pragmas in the
 * same run, and reports the ratio; (2) how long building a 1,000,000-entry ledger takes in batched
 * transactions; (3) `verify()` entries per second over it, with and without the object-index
 * check. `benchLedger()` returns the figures; run the file directly to print them as a table
 * (`npx tsx bench/ledger.bench.ts [--entries N] [--verify-entries N] [--dir DIR]`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { openLedger, verifyDatabase, type AppendInput } from '../src/core/ledger/index.ts';

export interface BenchLedgerOptions {
  /** Durable appends (and raw inserts) to time. Default 5,000. */
  entries?: number;
  /** Size of the ledger verify() is timed on. Default 1,000,000. */
  verifyEntries?: number;
  /** Where the databases go (default: a temp dir under os.tmpdir(), removed afterwards). Put it on the disk you care about: fsync cost is the figure. */
  dir?: string;
  /** Progress lines; default silent. */
  log?: (line: string) => void;
}

const BATCH = 10_000;

function input(i: number): AppendInput {
  return {
    kind: 'action',
    actor: 'core:transaction',
    incidentId: `inc-${Math.floor(i / 1000)}`,
    txId: `tx-${Math.floor(i / 10)}`,
    objectRefs: [{ kind: 'Deployment', namespace: 'hotel-reservation', name: `svc-${i % 17}` }],
    payload: { type: 'scale', replicas: i % 5, reason: 'restore capacity after bad rollout', stage: i % 3 },
  };
}

function seconds(since: number): number {
  return (performance.now() - since) / 1000;
}

function timeDurableAppends(file: string, n: number): number {
  const ledger = openLedger({ path: file });
  const t = performance.now();
  for (let i = 0; i < n; i++) ledger.append(input(i));
  const s = seconds(t);
  ledger.close();
  return n / s;
}

function timeRawInserts(file: string, n: number): number {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE entries (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, time TEXT NOT NULL, actor TEXT NOT NULL, kind TEXT NOT NULL,
    incident_id TEXT, tx_id TEXT, object_refs TEXT NOT NULL, payload TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)`);
  const insert = db.prepare('INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const hash = 'f'.repeat(64);
  const t = performance.now();
  for (let i = 0; i < n; i++) {
    const e = input(i);
    insert.run(i + 1, `e-${i + 1}`, new Date().toISOString(), e.actor, e.kind, e.incidentId, e.txId, JSON.stringify(e.objectRefs), JSON.stringify(e.payload), hash, hash);
  }
  const s = seconds(t);
  db.close();
  return n / s;
}

/** Runs the benchmark and returns its figures (rates per second, durations in seconds). */
export async function benchLedger(opts: BenchLedgerOptions = {}): Promise<Record<string, number>> {
  const entries = opts.entries ?? 5_000;
  const verifyEntries = opts.verifyEntries ?? 1_000_000;
  const log = opts.log ?? (() => {});
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'stratus-ledger-bench-'));
  try {
    log(`durable appends: ${entries} ledger appends and ${entries} raw inserts in ${dir}`);
    // Warm both paths (module load, page cache) so neither pays first-touch costs in the timing.
    timeDurableAppends(path.join(dir, 'warm-ledger.db'), 50);
    timeRawInserts(path.join(dir, 'warm-raw.db'), 50);
    const appendsPerSec = timeDurableAppends(path.join(dir, 'append.db'), entries);
    const rawInsertsPerSec = timeRawInserts(path.join(dir, 'raw.db'), entries);

    log(`building a ${verifyEntries}-entry ledger in transactions of ${BATCH}`);
    const file = path.join(dir, 'verify.db');
    const ledger = openLedger({ path: file });
    let t = performance.now();
    for (let done = 0; done < verifyEntries; done += BATCH) {
      const upTo = Math.min(verifyEntries, done + BATCH);
      ledger.transaction((tx) => {
        for (let i = done; i < upTo; i++) tx.append(input(i));
      });
    }
    const buildSeconds = seconds(t);
    log(`built in ${buildSeconds.toFixed(1)} s; verifying`);
    t = performance.now();
    const cpu = process.cpuUsage();
    const result = ledger.verify();
    const verifySeconds = seconds(t);
    const used = process.cpuUsage(cpu);
    const verifyCpuSeconds = (used.user + used.system) / 1e6;
    if (!result.ok || result.entries !== verifyEntries) throw new Error(`bench ledger did not verify: ${JSON.stringify(result)}`);
    ledger.close();
    const db = new Database(file, { readonly: true });
    t = performance.now();
    verifyDatabase(db, { checkObjectIndex: false });
    const chainOnlySeconds = seconds(t);
    db.close();

    return {
      durableAppends: entries,
      appendsPerSec: Math.round(appendsPerSec),
      rawInsertsPerSec: Math.round(rawInsertsPerSec),
      appendToRawRatio: Number((appendsPerSec / rawInsertsPerSec).toFixed(3)),
      verifyEntries,
      buildSeconds: Number(buildSeconds.toFixed(2)),
      batchedAppendsPerSec: Math.round(verifyEntries / buildSeconds),
      verifySeconds: Number(verifySeconds.toFixed(2)),
      verifyEntriesPerSec: Math.round(verifyEntries / verifySeconds),
      verifyEntriesPerCpuSec: Math.round(verifyEntries / verifyCpuSeconds),
      verifyChainOnlyEntriesPerSec: Math.round(verifyEntries / chainOnlySeconds),
    };
  } finally {
    if (opts.dir === undefined) fs.rmSync(dir, { recursive: true, force: true });
  }
}

const DESCRIPTIONS: Record<string, string> = {
  durableAppends: 'appends timed (each its own fsynced transaction)',
  appendsPerSec: 'ledger.append(), durable',
  rawInsertsPerSec: 'raw better-sqlite3 INSERT loop, same pragmas',
  appendToRawRatio: 'ledger / raw',
  verifyEntries: 'entries in the verified ledger',
  buildSeconds: 'time to build it (transactions of 10,000)',
  batchedAppendsPerSec: 'appends/s while building',
  verifySeconds: 'verify(), hash chain + object index',
  verifyEntriesPerSec: 'verify() entries/s (wall clock)',
  verifyEntriesPerCpuSec: 'verify() entries per CPU-second (steadier on a busy machine)',
  verifyChainOnlyEntriesPerSec: 'verify entries/s without the object-index check',
};

export function formatBench(figures: Record<string, number>): string {
  const rows = Object.entries(figures).map(([k, v]) => [k, v.toLocaleString('en-US'), DESCRIPTIONS[k] ?? '']);
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  return rows.map(([k, v, d]) => `${k.padEnd(w0)}  ${v.padStart(w1)}  ${d}`).join('\n');
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { entries: { type: 'string' }, 'verify-entries': { type: 'string' }, dir: { type: 'string' } } });
  const figures = await benchLedger({
    entries: values.entries === undefined ? undefined : Number(values.entries),
    verifyEntries: values['verify-entries'] === undefined ? undefined : Number(values['verify-entries']),
    dir: values.dir,
    log: (line) => console.error(`# ${line}`),
  });
  console.log(`ledger benchmark (node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length})`);
  console.log(formatBench(figures));
}
