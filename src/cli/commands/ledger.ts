/**
 * `stratus ledger list | show ID | verify | export` — the operator's view of the mitigation ledger.
 * Flags are parsed with `node:util` parseArgs (strict: an unknown or malformed flag is a usage
 * error, exit 2); the ledger is opened with `create: false`, so pointing `--db` at a missing file
 * says so instead of creating an empty ledger. Exit codes: 0 ok, 1 failure (a tampered ledger, an
 * unknown entry, a ledger that cannot be opened), 2 usage. Output goes through the injected `io`:
 * each `out`/`err` call is one line without its trailing newline, so tests capture it and `main`
 * decides how to write it. Every payload printed goes through the ledger's `redact` (sealed
 * credentials as `<redacted> fp:…`, or `<sealed>` without the data key; anything else that looks
 * like a credential masked); only `export --sealed` writes the stored, verifiable form.
 */
import fs from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { stringify as stringifyYaml } from 'yaml';
import {
  DEFAULT_LEDGER_PATH,
  DEFAULT_LIST_LIMIT,
  ENTRY_KINDS,
  formatObjectRef,
  isEntryKind,
  isLedgerError,
  openLedger,
  summarizeEntry,
  type EntryKind,
  type LedgerEntry,
  type LedgerQuery,
  type ObjectQuery,
  type SqliteLedger,
} from '../../core/ledger/index.ts';
import { parseListen } from '../../server/listen.ts';

export interface CommandIo {
  /** Writes one line of output (no trailing newline). */
  out: (s: string) => void;
  /** Writes one line of diagnostics (no trailing newline). */
  err: (s: string) => void;
}

/** Where `ledger serve` listens unless told (loopback: a copied ledger is for one reviewer). */
const DEFAULT_UI_LISTEN = '127.0.0.1:8470';

export const LEDGER_USAGE = `usage: stratus ledger <command> [flags]

commands:
  list          list entries, oldest first
  show ID       print one entry (ID: an entry id such as e-000123, or a seq number); -o yaml|json
  diff TX       before vs after of every object transaction TX wrote, as a unified diff (kubectl
                diff style), credentials redacted; -o json for the hunks as data
  serve         the web UI over this (copied) ledger, read-only: --listen HOST:PORT (default
                ${DEFAULT_UI_LISTEN}), --token-file FILE (default: a random token, printed once)
  verify        check the hash chain, every entry's MAC and the head anchor (<db>.head); exits 1 and
                names what was found (edited, truncated, re-hashed, forged append, head deleted...)
  export        write every entry as ndjson (default) or json, credentials masked

flags:
  --db FILE            ledger database (default ${DEFAULT_LEDGER_PATH})
  --ledger-key FILE    the ledger's MAC key (default <db>.key, beside the database)
  --ledger-data-key FILE  the data keys that seal credentials (default <db>.datakey); without
                       them sealed values print as <sealed> (verify never needs them)
  -o, --output FORMAT  table | json | ndjson (export: ndjson | json)
  -h, --help           show this help
list filters (combined with AND):
  --incident ID  --tx ID  --kind KIND (repeatable)  --object Kind/namespace/name | Kind/name
  --since ISO (inclusive)  --until ISO (exclusive)  --limit N (default ${DEFAULT_LIST_LIMIT})  --after SEQ
export:
  --out FILE           write to FILE instead of standard output
  --sealed             write entries as stored (credentials as ciphertext; hashes re-verify)`;

const COMMON = {
  db: { type: 'string', default: DEFAULT_LEDGER_PATH },
  'ledger-key': { type: 'string' },
  'ledger-data-key': { type: 'string' },
  output: { type: 'string', short: 'o' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

const OPTIONS = {
  list: {
    ...COMMON,
    incident: { type: 'string' },
    tx: { type: 'string' },
    kind: { type: 'string', multiple: true },
    object: { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    limit: { type: 'string' },
    after: { type: 'string' },
  },
  show: COMMON,
  diff: COMMON,
  serve: { ...COMMON, listen: { type: 'string', default: DEFAULT_UI_LISTEN }, 'token-file': { type: 'string' } },
  verify: COMMON,
  export: { ...COMMON, out: { type: 'string' }, sealed: { type: 'boolean' } },
} as const satisfies Record<string, ParseArgsConfig['options']>;

type Command = keyof typeof OPTIONS;
type Flags = Record<string, string | boolean | string[] | undefined>;

/** A bad command line: reported with a hint, exit code 2. */
class UsageError extends Error {}
/** A command that could not do its job: reported, exit code 1. */
class CommandFailure extends Error {}

function isCommand(s: string | undefined): s is Command {
  return s !== undefined && Object.hasOwn(OPTIONS, s);
}

function formatOf(flags: Flags, allowed: readonly string[], fallback: string): string {
  const o = (flags.output as string | undefined) ?? fallback;
  if (!allowed.includes(o)) throw new UsageError(`-o must be one of ${allowed.join(', ')}, not '${o}'`);
  return o;
}

function positiveInt(flag: string, value: string, min: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`--${flag} must be an integer >= ${min}, not '${value}'`);
  }
  return Number(value);
}

function isoFlag(flag: string, value: string): string {
  if (!Number.isFinite(Date.parse(value))) throw new UsageError(`--${flag} must be an ISO-8601 time such as 2025-01-31T12:00:00Z, not '${value}'`);
  return value;
}

/** `Kind/namespace/name` (namespace may be empty for cluster-scoped) or `Kind/name` (any namespace). */
export function parseObjectFlag(value: string): ObjectQuery {
  const parts = value.split('/');
  if (parts.length === 2 && parts[0] && parts[1]) return { kind: parts[0], name: parts[1] };
  if (parts.length === 3 && parts[0] && parts[2]) return { kind: parts[0], namespace: parts[1] === '' ? null : parts[1], name: parts[2] };
  throw new UsageError(`--object must look like Kind/namespace/name or Kind/name (e.g. Deployment/hotel/frontend), not '${value}'`);
}

function listQuery(flags: Flags): LedgerQuery {
  const q: LedgerQuery = {};
  if (flags.incident !== undefined) q.incidentId = flags.incident as string;
  if (flags.tx !== undefined) q.txId = flags.tx as string;
  if (flags.kind !== undefined) {
    const kinds = flags.kind as string[];
    const bad = kinds.find((k) => !isEntryKind(k));
    if (bad !== undefined) throw new UsageError(`unknown --kind '${bad}'; use one of: ${ENTRY_KINDS.join(', ')}`);
    q.kind = kinds as EntryKind[];
  }
  if (flags.object !== undefined) q.object = parseObjectFlag(flags.object as string);
  if (flags.since !== undefined) q.since = isoFlag('since', flags.since as string);
  if (flags.until !== undefined) q.until = isoFlag('until', flags.until as string);
  if (flags.after !== undefined) q.afterSeq = positiveInt('after', flags.after as string, 0);
  q.limit = flags.limit === undefined ? DEFAULT_LIST_LIMIT : positiveInt('limit', flags.limit as string, 1);
  return q;
}

/** Aligned columns, two spaces apart; the last column is not padded. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)];
}

/** The entry as a person may see it: its payload through the ledger's redaction. */
const shown = (ledger: SqliteLedger, e: LedgerEntry): LedgerEntry => ({ ...e, payload: ledger.redact(e.payload) });

function tableRow(e: LedgerEntry): string[] {
  return [String(e.seq), e.time, e.actor, e.kind, e.incidentId ?? '-', e.txId ?? '-', summarizeEntry(e)];
}

function runList(ledger: SqliteLedger, flags: Flags, io: CommandIo): number {
  const format = formatOf(flags, ['table', 'json', 'ndjson'], 'table');
  const q = listQuery(flags);
  const limit = q.limit as number;
  const entries = ledger.query({ ...q, limit: limit + 1 }).map((e) => shown(ledger, e));
  const more = entries.length > limit;
  if (more) entries.length = limit;
  if (format === 'table') {
    if (entries.length === 0) io.err('no entries match');
    else renderTable(['SEQ', 'TIME', 'ACTOR', 'KIND', 'INCIDENT', 'TX', 'SUMMARY'], entries.map(tableRow)).forEach((l) => io.out(l));
  } else if (format === 'json') {
    io.out(JSON.stringify(entries, null, 2));
  } else {
    for (const e of entries) io.out(JSON.stringify(e));
  }
  if (more) io.err(`(showing ${limit} entries; next page: --after ${entries[entries.length - 1].seq})`);
  return 0;
}

function runShow(ledger: SqliteLedger, flags: Flags, positionals: string[], io: CommandIo, db: string): number {
  const format = formatOf(flags, ['table', 'json', 'ndjson', 'yaml'], 'table');
  if (positionals.length !== 1) throw new UsageError(`show takes exactly one entry id (e.g. 'stratus ledger show e-000123'), got ${positionals.length}`);
  const id = positionals[0];
  const found = ledger.get(id) ?? (/^\d+$/.test(id) ? ledger.getBySeq(Number(id)) : undefined);
  const entry = found && shown(ledger, found);
  if (!entry) {
    io.err(`stratus ledger: no entry '${id}' in ${db}; find ids with 'stratus ledger list --db ${db}'`);
    return 1;
  }
  if (format === 'json') io.out(JSON.stringify(entry, null, 2));
  else if (format === 'ndjson') io.out(JSON.stringify(entry));
  else if (format === 'yaml') io.out(stringifyYaml(entry, { lineWidth: 0 }).replace(/\n$/, ''));
  else {
    const fields: [string, string][] = [
      ['seq', String(entry.seq)],
      ['id', entry.id],
      ['time', entry.time],
      ['actor', entry.actor],
      ['kind', entry.kind],
      ['incident', entry.incidentId ?? '-'],
      ['tx', entry.txId ?? '-'],
      ['objects', entry.objectRefs.length ? entry.objectRefs.map(formatObjectRef).join(', ') : '-'],
      ['prevHash', entry.prevHash],
      ['hash', entry.hash],
    ];
    for (const [k, v] of fields) io.out(`${`${k}:`.padEnd(10)}${v}`);
    io.out('payload:');
    for (const l of JSON.stringify(entry.payload, null, 2).split('\n')) io.out(`  ${l}`);
  }
  return 0;
}

const FORMATS: Record<Command, readonly string[]> = {
  list: ['table', 'json', 'ndjson'],
  show: ['table', 'json', 'ndjson', 'yaml'],
  diff: ['diff', 'json'],
  verify: ['table', 'json', 'ndjson'],
  export: ['ndjson', 'json'],
  serve: ['table'],
};

async function runDiff(ledger: SqliteLedger, flags: Flags, positionals: string[], io: CommandIo, db: string): Promise<number> {
  const format = formatOf(flags, FORMATS.diff, 'diff');
  if (positionals.length !== 1) throw new UsageError(`diff takes exactly one transaction id (e.g. 'stratus ledger diff INC-1-tx1'), got ${positionals.length}`);
  const txId = positionals[0];
  const entries = ledger.byTransaction(txId);
  if (entries.length === 0) {
    io.err(`stratus ledger: no transaction '${txId}' in ${db}; find ids in the TX column of 'stratus ledger list --db ${db}'`);
    return 1;
  }
  const { objectDiffs } = await import('../../server/ui/object-diffs.ts'); // loaded on demand: list/show stay quick to start
  const diffs = objectDiffs(txId, entries, (v) => ledger.redact(v));
  if (format === 'json') {
    io.out(JSON.stringify({ txId, objects: diffs }, null, 2));
    return 0;
  }
  if (diffs.length === 0) io.err(`transaction ${txId} snapshotted and wrote no object`);
  for (const d of diffs) {
    if (d.lines.length === 0) io.out(`# ${d.ref}: ${d.note ?? 'no change'}`);
    else {
      if (d.note) io.out(`# ${d.ref}: ${d.note}`);
      for (const l of d.lines) io.out(l);
    }
  }
  return 0;
}

function checkListenFlag(value: string): string {
  try {
    parseListen(value);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return value;
}

/** Serves the read-only web UI until SIGINT/SIGTERM. */
async function runServe(ledger: SqliteLedger, flags: Flags, io: CommandIo): Promise<number> {
  const listen = checkListenFlag(flags.listen as string);
  const { randomToken, serveUi, StaticTokenAuthenticator } = await import('../../server/ui/serve.ts'); // the web server loads only for serve
  const tokenFile = flags['token-file'] as string | undefined;
  let token: string;
  try {
    token = tokenFile ? fs.readFileSync(tokenFile, 'utf8').trim() : randomToken();
  } catch (err) {
    throw new CommandFailure(`cannot read --token-file ${tokenFile}: ${(err as Error).message}`);
  }
  if (!token) throw new CommandFailure(`--token-file ${tokenFile} is empty; put one line of token in it`);
  const ui = await serveUi(listen, { ledger, authenticator: new StaticTokenAuthenticator(token), verify: () => ledger.verify() });
  io.out(`serving the ledger read-only at ${ui.url}/ui/incidents`);
  if (!tokenFile) io.out(`log in with the token: ${token}`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await ui.close();
  return 0;
}

function runVerify(ledger: SqliteLedger, flags: Flags, io: CommandIo): number {
  const format = formatOf(flags, ['table', 'json', 'ndjson'], 'table');
  const result = ledger.verify();
  if (format !== 'table') io.out(JSON.stringify(result, null, format === 'json' ? 2 : undefined));
  else if (result.ok) {
    io.out(`ledger OK: ${result.entries} entries, chain intact`);
    if (result.head) io.out(`head: seq=${result.head.seq} id=${result.head.id} hash=${result.head.hash}${result.head.mac ? ' (keyed)' : ''}`);
    if (result.unkeyedUpTo !== undefined) {
      io.out(result.unkeyedUpTo >= result.entries
        ? `unkeyed: all ${result.entries} entries predate the ledger key (an older ledger); entries appended from now on are keyed`
        : `unkeyed up to seq ${result.unkeyedUpTo} (written before the ledger was keyed); keyed from seq ${result.unkeyedUpTo + 1}`);
    }
  } else {
    const bad = result.firstBad;
    if (bad.problem === 'key-missing' || bad.problem === 'key-mismatch') {
      io.out(`ledger UNVERIFIED: ${bad.problem} at seq=${bad.seq} id=${bad.id}`);
      io.out(`  ${bad.message}`);
    } else {
      io.out(`ledger TAMPERED: first bad entry seq=${bad.seq} id=${bad.id}: ${bad.problem}`);
      io.out(`  ${bad.message}`);
      io.out(`  ${result.entries} entries before it verified intact; restore the ledger from a trusted copy and find out who had write access`);
    }
  }
  for (const w of result.warnings) io.err(`warning: ${w}`);
  return result.ok ? 0 : 1;
}

function runExport(ledger: SqliteLedger, flags: Flags, io: CommandIo): number {
  const format = formatOf(flags, ['ndjson', 'json'], 'ndjson');
  const file = flags.out as string | undefined;
  let fd: number | undefined;
  try {
    fd = file === undefined ? undefined : fs.openSync(file, 'w');
  } catch (err) {
    throw new CommandFailure(`cannot write ${file}: ${(err as Error).message}; check the --out path`);
  }
  let buffer = '';
  const emit = (line: string) => {
    if (fd === undefined) return io.out(line);
    buffer += `${line}\n`;
    if (buffer.length >= 1 << 16) {
      fs.writeSync(fd, buffer);
      buffer = '';
    }
  };
  let n = 0;
  try {
    if (format === 'json') emit('[');
    let pending: string | undefined;
    const sealed = flags.sealed === true;
    for (const stored of ledger.iterate()) {
      const e = sealed ? stored : shown(ledger, stored);
      n++;
      if (format === 'ndjson') emit(JSON.stringify(e));
      else {
        if (pending !== undefined) emit(`  ${pending},`);
        pending = JSON.stringify(e);
      }
    }
    if (format === 'json') {
      if (pending !== undefined) emit(`  ${pending}`);
      emit(']');
    }
    if (fd !== undefined && buffer) fs.writeSync(fd, buffer);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
  if (file !== undefined) io.err(`exported ${n} entries to ${file}`);
  return 0;
}

/** Runs `stratus ledger ...` with `argv` being the arguments after `ledger`. Resolves to the exit code. */
export async function ledgerCommand(argv: string[], io: CommandIo): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '-h' || cmd === '--help' || cmd === 'help') {
    (cmd === undefined ? io.err : io.out)(LEDGER_USAGE);
    return cmd === undefined ? 2 : 0;
  }
  let ledger: SqliteLedger | undefined;
  try {
    if (!isCommand(cmd)) throw new UsageError(`unknown command '${cmd}'; use list, show, diff, verify, export or serve`);
    let parsed: { values: Flags; positionals: string[] };
    try {
      parsed = parseArgs({ args: rest, options: OPTIONS[cmd], strict: true, allowPositionals: cmd === 'show' || cmd === 'diff' }) as typeof parsed;
    } catch (err) {
      throw new UsageError((err as Error).message.split('. ')[0]);
    }
    const flags = parsed.values;
    if (flags.help) {
      io.out(LEDGER_USAGE);
      return 0;
    }
    const db = flags.db as string;
    formatOf(flags, FORMATS[cmd], cmd === 'export' ? 'ndjson' : cmd === 'diff' ? 'diff' : 'table');
    if (cmd === 'serve') checkListenFlag(flags.listen as string);
    if (cmd === 'list') listQuery(flags); // reject bad filters before touching the file
    const keyFile = flags['ledger-key'] as string | undefined;
    const dataKeyFile = flags['ledger-data-key'] as string | undefined;
    ledger = openLedger({ path: db, create: false, ...(keyFile ? { keyFile } : {}), ...(dataKeyFile ? { dataKeyFile } : {}) });
    switch (cmd) {
      case 'list':
        return runList(ledger, flags, io);
      case 'show':
        return runShow(ledger, flags, parsed.positionals, io, db);
      case 'diff':
        return await runDiff(ledger, flags, parsed.positionals, io, db);
      case 'serve':
        return await runServe(ledger, flags, io);
      case 'verify':
        return runVerify(ledger, flags, io);
      case 'export':
        return runExport(ledger, flags, io);
      default:
        return cmd satisfies never;
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`stratus ledger${isCommand(cmd) ? ` ${cmd}` : ''}: ${err.message}; run 'stratus ledger --help' for usage`);
      return 2;
    }
    if (isLedgerError(err) || err instanceof CommandFailure) {
      io.err(`stratus ledger: ${err.message}`);
      return 1;
    }
    throw err;
  } finally {
    ledger?.close();
  }
}
