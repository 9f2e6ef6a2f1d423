/**
 * The MongoDB 4.4 image's behaviour, and the user model every client is checked against.
 * `mongod --config FILE` reads its YAML config (net.port, net.tls.mode; a bad file or value stops
 * it with mongod's own error), serves its port, and finds its users file in a mounted Secret
 * (`users.json`: `[{user, password, roles: [{role, db}]}]`) — which, being a mounted Secret, it
 * re-reads live: the workload checks each client's credentials against the Secret as it is now.
 * Startup logs are mongod's structured JSON lines.
 */
import { parse as parseYaml } from "yaml";
import { MONGO_USERS_DIR } from "../apps/manifests.ts";
import { mongoLine } from "./app-logs.ts";
import { startError } from "./base.ts";
import type { ContainerRun, ContainerStartContext, ImageBehaviour } from "./catalog.ts";
import type { InstanceTable } from "./instances.ts";

const MI = 1024 * 1024;
const TLS_MODES = ["disabled", "allowTLS", "preferTLS", "requireTLS"];
/** Roles that let a user read and write a database, on that database or on admin for any database. */
const DB_ROLES = new Set(["read", "readWrite", "dbOwner"]);
const ANY_DB_ROLES = new Set(["root", "readWriteAnyDatabase", "readAnyDatabase", "__system"]);

export type MongoUser = { user: string; password: string; roles: Array<{ role: string; db: string }> };

/** Parses a users file; undefined when it is not a list of users. */
export function parseUsers(text: string | undefined): MongoUser[] | undefined {
  if (text === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(raw)) return undefined;
  return raw
    .filter((u): u is Record<string, any> => !!u && typeof u === "object" && typeof u.user === "string")
    .map((u) => ({
      user: u.user,
      password: typeof u.password === "string" ? u.password : "",
      roles: Array.isArray(u.roles) ? u.roles.filter((r: any) => r && typeof r.role === "string").map((r: any) => ({ role: r.role, db: String(r.db ?? "admin") })) : [],
    }));
}

export type AuthResult = "ok" | "auth-failed" | "unauthorized";

/** SCRAM authentication, then authorization of an operation on `database`. */
export function authorize(users: MongoUser[] | undefined, user: string, password: string, database: string): AuthResult {
  const u = (users ?? []).find((x) => x.user === user);
  if (!u || u.password !== password) return "auth-failed";
  const ok = u.roles.some((r) => (r.db === database && DB_ROLES.has(r.role)) || (r.db === "admin" && ANY_DB_ROLES.has(r.role)));
  return ok ? "ok" : "unauthorized";
}

const basename = (p: string) => p.slice(p.lastIndexOf("/") + 1);
const fail = (logs: string[], code = 2): ContainerRun => ({ outcome: "exit", afterMs: 300, exitCode: code, reason: "Error", logs });

/** The Secret and key a users file at MONGO_USERS_DIR is mounted from. */
function usersSource(ctx: ContainerStartContext): { name: string; key: string } | undefined {
  for (const m of (ctx.container.volumeMounts ?? []) as any[]) {
    if (String(m.mountPath ?? "").replace(/\/+$/, "") !== MONGO_USERS_DIR) continue;
    const vol = (ctx.pod.spec?.volumes ?? []).find((v: any) => v.name === m.name);
    if (vol?.secret?.secretName) return { name: vol.secret.secretName, key: "users.json" };
  }
  return undefined;
}

export function mongoImage(instances: InstanceTable): ImageBehaviour {
  return {
    start(ctx) {
      const uid = ctx.pod.metadata.uid ?? "";
      instances.clear(uid, ctx.container.name);
      const c = ctx.container;
      let argv: string[] = Array.isArray(c.command) && c.command.length ? [...c.command, ...(c.args ?? [])] : ["docker-entrypoint.sh", ...(Array.isArray(c.args) && c.args.length ? c.args : ["mongod"])];
      if (basename(argv[0]) === "docker-entrypoint.sh") argv = argv.slice(1);
      if (!argv.length) return { outcome: "exit", afterMs: 50, exitCode: 0, reason: "Completed", logs: [] };
      if (["bash", "sh"].includes(basename(argv[0])) && argv.length === 1) return { outcome: "exit", afterMs: 50, exitCode: 0, reason: "Completed", logs: [] };
      if (basename(argv[0]) !== "mongod") return startError(argv[0]);
      const flag = (names: string[]) => {
        const i = argv.findIndex((a) => names.includes(a));
        return i >= 0 ? argv[i + 1] : argv.find((a) => names.some((n) => a.startsWith(`${n}=`)))?.split("=")[1];
      };
      const now = ctx.now;
      const confPath = flag(["--config", "-f"]);
      let conf: any = {};
      if (confPath) {
        const text = ctx.files[confPath];
        if (text === undefined) return fail(["Error reading config file: No such file or directory", "try 'mongod --help' for more information"]);
        try {
          conf = parseYaml(text) ?? {};
        } catch (e) {
          const first = String((e as Error).message).split("\n")[0];
          return fail([`Error parsing YAML config file: yaml-cpp: ${first}`, "try 'mongod --help' for more information"]);
        }
        if (typeof conf !== "object") return fail([`Error parsing YAML config file: ${confPath}: not a map`]);
      }
      const rawPort = flag(["--port"]) ?? conf?.net?.port ?? 27017;
      const port = typeof rawPort === "number" ? rawPort : /^\d+$/.test(String(rawPort)) ? Number(rawPort) : NaN;
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        return fail([`Error parsing option "net.port" as int: Bad digit "${String(rawPort).replace(/^\d*/, "")[0] ?? ""}" while parsing ${rawPort}`, "try 'mongod --help' for more information"]);
      }
      const tls = conf?.net?.tls ?? conf?.net?.ssl ?? {};
      const tlsMode = String(tls.mode ?? "disabled");
      if (!TLS_MODES.includes(tlsMode)) return fail([`Bad value for net.tls.mode: ${tlsMode}`, "try 'mongod --help' for more information"]);
      if (tlsMode !== "disabled" && !tls.certificateKeyFile) {
        return fail([mongoLine(now, "F", "CONTROL", 20574, "main", "Error during global initialization", { error: { code: 2, codeName: "BadValue", errmsg: "need tlsCertificateKeyFile or certificateSelector when TLS is enabled" } })], 1);
      }
      const source = usersSource(ctx);
      const usersText = source ? ctx.files[`${MONGO_USERS_DIR}/${source.key}`] : undefined;
      const users = parseUsers(usersText);
      const memoryBytes = 296 * MI + Math.floor(ctx.random() * 12 * MI);
      instances.set(uid, c.name, {
        kind: "mongo", role: "mongod", ports: [port], callees: {}, timeoutMs: 0, buggy: false,
        usersSecret: source, tlsMode, memoryBytes, startedAt: now,
      });
      const host = ctx.pod.metadata.name ?? "mongodb";
      const logs = mongoStartup(now, { port, host, confPath, conf, tlsMode });
      if (usersText !== undefined && !users) logs.push(mongoLine(now + 900, "E", "ACCESS", 20436, "initandlisten", "Failed to load users file", { file: `${MONGO_USERS_DIR}/${source?.key}`, error: "FailedToParse: users file is not a JSON array of users" }));
      else if (users) logs.push(mongoLine(now + 900, "I", "ACCESS", 20437, "initandlisten", "Loaded users file", { file: `${MONGO_USERS_DIR}/${source?.key}`, users: users.length }));
      logs.push(
        mongoLine(now + 950, "I", "NETWORK", 23015, "listener", "Listening on", { address: `/tmp/mongodb-${port}.sock` }),
        mongoLine(now + 950, "I", "NETWORK", 23015, "listener", "Listening on", { address: "0.0.0.0" }),
        mongoLine(now + 951, "I", "NETWORK", 23016, "listener", "Waiting for connections", { port, ssl: tlsMode === "disabled" ? "off" : "on" }),
      );
      return { outcome: "run", serves: [{ port, httpPaths: [] }], readyAfterMs: 1_200 + Math.floor(ctx.random() * 800), memoryBytes, logs };
    },
  };
}

function mongoStartup(now: number, o: { port: number; host: string; confPath?: string; conf: any; tlsMode: string }): string[] {
  return [
    mongoLine(now + 1, "I", "CONTROL", 23285, "main", "Automatically disabling TLS 1.0, to force-enable TLS 1.0 specify --sslDisabledProtocols 'none'"),
    mongoLine(now + 4, "W", "ASIO", 22601, "main", "No TransportLayer configured during NetworkInterface startup"),
    mongoLine(now + 4, "I", "NETWORK", 4648601, "main", "Implicit TCP FastOpen unavailable. If TCP FastOpen is required, set tcpFastOpenServer, tcpFastOpenClient, and tcpFastOpenQueueSize."),
    mongoLine(now + 6, "I", "STORAGE", 4615611, "initandlisten", "MongoDB starting", { pid: 1, port: o.port, dbPath: "/data/db", architecture: "64-bit", host: o.host }),
    mongoLine(now + 6, "I", "CONTROL", 23403, "initandlisten", "Build Info", { buildInfo: { version: "4.4.6", gitVersion: "72e66213c2c3eab37d9358d5e78ad7f5c1d0d0d7", openSSLVersion: "OpenSSL 1.1.1f  31 Mar 2020", modules: [], allocator: "tcmalloc", environment: { distmod: "ubuntu2004", distarch: "x86_64", target_arch: "x86_64" } } }),
    mongoLine(now + 6, "I", "CONTROL", 51765, "initandlisten", "Operating System", { os: { name: "Ubuntu", version: "20.04" } }),
    mongoLine(now + 6, "I", "CONTROL", 21951, "initandlisten", "Options set by command line", { options: { ...(o.confPath ? { config: o.confPath } : {}), ...o.conf } }),
    mongoLine(now + 8, "I", "STORAGE", 22297, "initandlisten", "Using the XFS filesystem is strongly recommended with the WiredTiger storage engine. See http://dochub.mongodb.org/core/prodnotes-filesystem", undefined, ["startupWarnings"]),
    mongoLine(now + 8, "I", "STORAGE", 22315, "initandlisten", "Opening WiredTiger", { config: "create,cache_size=7680M,session_max=33000,eviction=(threads_min=4,threads_max=4),config_base=false,statistics=(fast),log=(enabled=true,archive=true,path=journal,compressor=snappy)," }),
    mongoLine(now + 820, "I", "STORAGE", 4795906, "initandlisten", "WiredTiger opened", { durationMillis: 812 }),
    mongoLine(now + 821, "I", "RECOVERY", 23987, "initandlisten", "WiredTiger recoveryTimestamp", { recoveryTimestamp: { $timestamp: { t: 0, i: 0 } } }),
    mongoLine(now + 880, "I", "FTDC", 20625, "initandlisten", "Initializing full-time diagnostic data capture", { dataDirectory: "/data/db/diagnostic.data" }),
  ];
}
