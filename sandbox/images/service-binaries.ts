/**
 * The behaviour of the apps' service images — DSB hotel-reservation's Go binaries and
 * social-network's C++ Thrift binaries, one image each with one binary per service. The command
 * picks the binary (a name the image lacks fails to start, as runc says); the binary reads
 * `/config/config.json` (a parse error ends it at once), takes its port, callees and database from a
 * config written for it (a config for another service leaves it on its compiled-in defaults, so a
 * container running another service's binary serves that service's port), and dials its MongoDB
 * from MONGO_ADDR: an address that resolves to no ready server ends it after the dial timeout
 * (`panic: no reachable servers`). Otherwise it serves, and records what it read in the instance
 * table for the workload. The bad release's tag serves but fails most requests.
 */
import type { ServiceSpec } from "../apps/types.ts";
import { goLine, goPanic, HOTEL_SRC, thriftLine, ZEROLOG_PANIC_FRAMES } from "./app-logs.ts";
import type { ContainerRun, ContainerStartContext, ImageBehaviour } from "./catalog.ts";
import { startError } from "./base.ts";
import type { InstanceTable } from "./instances.ts";
import { reach } from "./reachability.ts";
import { parseServiceConfig, type ServiceConfig } from "./service-config.ts";

const MI = 1024 * 1024;
export const SERVICE_CONFIG_PATH = "/config/config.json";
/** How long a driver keeps dialing an unreachable database before the binary gives up. */
export const DB_DIAL_TIMEOUT_MS = 5_000;
const SHELLS = new Set(["sh", "bash", "dash"]);

export type ServiceImageOptions = {
  runtime: "go" | "thrift";
  /** The binaries in the image, with their compiled-in defaults. */
  services: ServiceSpec[];
  /** Default "host:port" of anything the binaries may dial, by name. */
  addressOf: (name: string) => string;
  badTags: string[];
  instances: InstanceTable;
};

type Effective = { spec: ServiceSpec; port: number; callees: Record<string, string>; timeoutMs: number; database?: string };

const basename = (p: string) => p.slice(p.lastIndexOf("/") + 1);

/** The config the binary runs with: its own config.json's values, or its defaults. */
function effective(spec: ServiceSpec, cfg: ServiceConfig, addressOf: (n: string) => string): Effective {
  const defaults = Object.fromEntries(spec.calls.map((c) => [c, addressOf(c)]));
  const own = cfg.service === undefined || cfg.service === spec.name;
  if (!own) return { spec, port: spec.port, callees: defaults, timeoutMs: 1000, database: spec.database };
  return {
    spec,
    port: cfg.port ?? spec.port,
    callees: { ...defaults, ...(cfg.callees ?? {}) },
    timeoutMs: cfg.timeoutMs ?? 1000,
    database: cfg.database ?? spec.database,
  };
}

export function serviceImage(opts: ServiceImageOptions): ImageBehaviour {
  const byBinary = new Map(opts.services.map((s) => [s.binary, s]));
  const log = opts.runtime === "go" ? goLogs : thriftLogs;
  return {
    start(ctx: ContainerStartContext): ContainerRun {
      const uid = ctx.pod.metadata.uid ?? "";
      opts.instances.clear(uid, ctx.container.name);
      const c = ctx.container;
      const argv: string[] = Array.isArray(c.command) && c.command.length ? [...c.command, ...(c.args ?? [])] : Array.isArray(c.args) && c.args.length ? c.args : ["bash"];
      const bin = basename(argv[0]);
      // No terminal: a shell reads EOF and exits at once.
      if (SHELLS.has(bin) && argv.length === 1) return { outcome: "exit", afterMs: 50, exitCode: 0, reason: "Completed", logs: [] };
      const spec = byBinary.get(bin);
      if (!spec) return startError(argv[0]);
      const now = ctx.now;
      const L = log(spec, now);
      const logs: string[] = [...L.version(ctx.tag), ...L.reading()];

      const text = ctx.files[SERVICE_CONFIG_PATH];
      if (text === undefined) return crash(opts.runtime, [...logs, ...L.configError(`open ${SERVICE_CONFIG_PATH}: no such file or directory`)]);
      const parsed = parseServiceConfig(text, opts.runtime === "go" ? "go" : "cpp");
      if (!parsed.ok) return crash(opts.runtime, [...logs, ...L.configError(parsed.error, parsed.exception)]);
      const eff = effective(spec, parsed.config, opts.addressOf);
      if (eff.port < 0 || eff.port > 65535) return { outcome: "exit", afterMs: 200, exitCode: 1, reason: "Error", logs: [...logs, ...L.listenError(eff.port)] };
      // Port 0 asks the kernel for any free port.
      const port = eff.port === 0 ? 32768 + Math.floor(ctx.random() * 28000) : eff.port;

      const ns = ctx.pod.metadata.namespace ?? "default";
      let readyAfterMs = 400 + Math.floor(ctx.random() * 400);
      let mongo: { addr: string; user: string; password: string; database: string } | undefined;
      if (spec.mongo) {
        const addr = ctx.env.MONGO_ADDR ?? opts.addressOf(spec.mongo);
        logs.push(...L.dbDial(addr));
        const r = reach(ctx, opts.instances, addr, ns);
        if (r === "unreachable" || r === "no-such-host") {
          return { outcome: "exit", afterMs: DB_DIAL_TIMEOUT_MS, exitCode: 1, reason: "Error", logs: [...logs, ...L.dbUnreachable(addr, now + DB_DIAL_TIMEOUT_MS)] };
        }
        if (r === "soon") readyAfterMs += 3_000 + Math.floor(ctx.random() * 1_000);
        logs.push(...L.dbConnected());
        mongo = { addr, user: ctx.env.MONGO_USER ?? "", password: ctx.env.MONGO_PASSWORD ?? "", database: eff.database ?? "" };
      }
      const memcachedAddr = spec.memcached ? ctx.env.MEMCACHED_ADDR ?? opts.addressOf(spec.memcached) : undefined;
      const redisAddr = spec.redis ? ctx.env.REDIS_ADDR ?? opts.addressOf(spec.redis) : undefined;
      if (memcachedAddr) logs.push(...L.cache("memcached", memcachedAddr));
      if (redisAddr) logs.push(...L.cache("redis", redisAddr));
      logs.push(...L.serving(port));

      const memoryBytes = (opts.runtime === "go" ? 58 : 38) * MI + Math.floor(ctx.random() * 6 * MI);
      opts.instances.set(uid, c.name, {
        kind: opts.runtime, role: spec.name, ports: [port], callees: eff.callees, timeoutMs: eff.timeoutMs,
        mongo, memcachedAddr, redisAddr, buggy: opts.badTags.includes(ctx.tag), memoryBytes, startedAt: now,
      });
      return { outcome: "run", serves: [{ port, httpPaths: spec.httpPaths ?? [] }], readyAfterMs, memoryBytes, logs };
    },
  };
}

function crash(runtime: "go" | "thrift", logs: string[]): ContainerRun {
  // A Go panic exits 2; an uncaught C++ exception aborts (SIGABRT: 128 + 6).
  return { outcome: "exit", afterMs: 150, exitCode: runtime === "go" ? 2 : 134, reason: "Error", logs };
}

type LogSet = {
  version(tag: string): string[];
  reading(): string[];
  configError(msg: string, exception?: string): string[];
  listenError(port: number): string[];
  dbDial(addr: string): string[];
  dbUnreachable(addr: string, at: number): string[];
  dbConnected(): string[];
  cache(kind: "memcached" | "redis", addr: string): string[];
  serving(port: number): string[];
};

function goLogs(spec: ServiceSpec, now: number): LogSet {
  const main = `cmd/${spec.binary}/main.go`;
  const db = `cmd/${spec.binary}/db.go`;
  const at = (line: number) => `${main}:${line}`;
  const panicTrace = (msg: string, file: string, line: number) => goPanic(msg, [
    ...ZEROLOG_PANIC_FRAMES,
    [`main.main()`, `${HOTEL_SRC}/${file}:${line}`],
  ]);
  return {
    version: (tag) => [goLine(now, "INF", at(21), `hotel-reservation ${spec.binary} version ${tag}`)],
    reading: () => [goLine(now, "INF", at(24), "Reading config...")],
    configError: (msg) => [goLine(now, "PNC", at(31), msg), ...panicTrace(msg, main, 31)],
    listenError: (port) => [goLine(now, "INF", at(43), `Read target port: ${port}`), goLine(now + 200, "FTL", at(70), `failed to listen: listen tcp: address ${port}: invalid port`)],
    dbDial: (addr) => [goLine(now, "INF", at(37), `Read database URL: ${addr}`), goLine(now, "INF", at(38), "Initializing DB connection...")],
    dbUnreachable: (_addr, t) => [goLine(t, "PNC", `${db}:26`, "no reachable servers"), ...goPanic("no reachable servers", [
      ...ZEROLOG_PANIC_FRAMES,
      ["main.initializeDatabase({0xc0000ba060, 0x11})", `${HOTEL_SRC}/${db}:26`],
      ["main.main()", `${HOTEL_SRC}/${main}:40`],
    ])],
    dbConnected: () => [goLine(now + 20, "INF", `${db}:29`, "New session successfull..."), goLine(now + 25, "INF", `${db}:31`, "Generating test data..."), goLine(now + 60, "INF", at(41), "Successfull")],
    cache: (kind, addr) => kind === "memcached"
      ? [goLine(now + 60, "INF", at(46), `Read ${spec.name} memcashed address: ${addr}`), goLine(now + 60, "INF", at(47), "Initializing Memcashed client..."), goLine(now + 61, "INF", at(49), "Successfull")]
      : [goLine(now + 60, "INF", at(46), `Read redis address: ${addr}`)],
    serving: (port) => [goLine(now + 70, "INF", at(52), `Read target port: ${port}`), goLine(now + 80, "INF", at(68), "Starting server...")],
  };
}

function thriftLogs(spec: ServiceSpec, now: number): LogSet {
  const file = `${spec.binary}.cpp`;
  const at = (line: number) => `${file}:${line}:main`;
  return {
    version: (tag) => [thriftLine(now, "info", at(38), `${spec.name} build ${tag}`)],
    reading: () => [],
    configError: (msg, exception) => [`terminate called after throwing an instance of '${exception ?? "std::runtime_error"}'`, `  what():  ${msg}`],
    listenError: (port) => [`terminate called after throwing an instance of 'apache::thrift::transport::TTransportException'`, `  what():  Could not bind: Invalid argument (port ${port})`],
    dbDial: (addr) => [thriftLine(now, "info", at(61), `Connecting to MongoDB at mongodb://${addr}/?appname=${spec.name}`)],
    dbUnreachable: (addr, t) => [
      thriftLine(t - 2_000, "error", at(72), `Failed to create mongodb index, try again`),
      thriftLine(t, "fatal", at(76), `No suitable servers found (\`serverSelectionTryOnce\` set): [connection refused calling ismaster on '${addr}']`),
    ],
    dbConnected: () => [],
    cache: (kind, addr) => [thriftLine(now + 40, "info", at(84), `Connecting to ${kind} at ${addr}`)],
    serving: () => [thriftLine(now + 80, "info", at(110), `Starting the ${spec.name} server...`)],
  };
}
