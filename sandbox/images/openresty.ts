/**
 * The OpenResty front ends of social-network — nginx-thrift (the entry, Lua handlers calling the
 * Thrift services) and media-frontend (uploads into MongoDB). The image's default command runs
 * `openresty -g "daemon off;"` on `/usr/local/openresty/nginx/conf/nginx.conf` (the mounted one, or
 * the image's built-in): it listens where the `listen` directives say (a bad one is nginx's
 * `[emerg]` and exit 1), and its `init_by_lua` block loads `/config/config.json` with cjson (a parse
 * error stops it). It records its callees and MongoDB credentials for the workload.
 */
import type { ServiceSpec } from "../apps/types.ts";
import { nginxLine } from "./app-logs.ts";
import { startError } from "./base.ts";
import type { ContainerRun, ImageBehaviour } from "./catalog.ts";
import type { InstanceTable } from "./instances.ts";
import { SERVICE_CONFIG_PATH } from "./service-binaries.ts";
import { parseServiceConfig } from "./service-config.ts";

const MI = 1024 * 1024;
export const OPENRESTY_CONF = "/usr/local/openresty/nginx/conf/nginx.conf";
const BINARIES = new Set(["openresty", "nginx"]);
const basename = (p: string) => p.slice(p.lastIndexOf("/") + 1);

const fail = (logs: string[]): ContainerRun => ({ outcome: "exit", afterMs: 100, exitCode: 1, reason: "Error", logs });

/** cjson's error for a JSON syntax error. */
function cjsonError(text: string): string | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (e) {
    const m = /position (\d+)/.exec((e as Error).message);
    const pos = m ? Number(m[1]) : text.length;
    return `Expected value but found invalid token at character ${pos + 1}`;
  }
}

export function openrestyImage(spec: ServiceSpec, addressOf: (name: string) => string, instances: InstanceTable): ImageBehaviour {
  return {
    start(ctx) {
      const uid = ctx.pod.metadata.uid ?? "";
      instances.clear(uid, ctx.container.name);
      const c = ctx.container;
      const argv: string[] = Array.isArray(c.command) && c.command.length
        ? [...c.command, ...(c.args ?? [])]
        : ["/usr/local/openresty/bin/openresty", ...(Array.isArray(c.args) && c.args.length ? c.args : ["-g", "daemon off;"])];
      if (!BINARIES.has(basename(argv[0]))) return startError(argv[0]);
      const now = ctx.now;
      const ci = argv.indexOf("-c");
      const confPath = ci >= 0 ? argv[ci + 1] : OPENRESTY_CONF;
      const conf = ctx.files[confPath] ?? (ci >= 0 ? undefined : `worker_processes auto;\nhttp {\n  server {\n    listen 8080;\n  }\n}\n`);
      if (conf === undefined) return fail([`nginx: [emerg] open() "${confPath}" failed (2: No such file or directory)`]);
      const lines = conf.split("\n");
      const ports: number[] = [];
      for (const [i, line] of lines.entries()) {
        const m = /^\s*listen\s+([^\s;]+)/.exec(line);
        if (!m) continue;
        const value = m[1].replace(/^.*:/, "");
        const port = Number(value);
        if (!/^\d+$/.test(value) || port < 1 || port > 65535) return fail([`nginx: [emerg] invalid port in "${m[1]}" of the "listen" directive in ${confPath}:${i + 1}`]);
        ports.push(port);
      }
      if (!ports.length) ports.push(80);
      let callees = Object.fromEntries(spec.calls.map((n) => [n, addressOf(n)]));
      if (/init_by_lua/.test(conf)) {
        const text = ctx.files[SERVICE_CONFIG_PATH];
        if (text === undefined) return fail([`nginx: [error] init_by_lua error: init_by_lua:2: attempt to index local 'f' (a nil value)`]);
        const err = cjsonError(text);
        if (err) return fail([`nginx: [error] init_by_lua error: init_by_lua:3: ${err}`]);
        // init.lua checks the fields it uses before any request is served.
        const parsed = parseServiceConfig(text, "go");
        if (!parsed.ok) return fail([`nginx: [error] init_by_lua error: init_by_lua:4: bad ${SERVICE_CONFIG_PATH}: ${parsed.error.replace(/^json: /, "")}`]);
        const cfg = parsed.config;
        if (cfg.callees && (cfg.service === undefined || cfg.service === spec.name)) callees = { ...callees, ...cfg.callees };
      }
      const memoryBytes = 36 * MI + Math.floor(ctx.random() * 6 * MI);
      const mongo = spec.mongo ? { addr: ctx.env.MONGO_ADDR ?? addressOf(spec.mongo), user: ctx.env.MONGO_USER ?? "", password: ctx.env.MONGO_PASSWORD ?? "", database: spec.database ?? "" } : undefined;
      instances.set(uid, c.name, {
        kind: "openresty", role: spec.name, ports, callees, timeoutMs: 1000, mongo, buggy: false, memoryBytes, startedAt: now,
      });
      const logs = [
        nginxLine(now, "notice", 'using the "epoll" event method'),
        nginxLine(now, "notice", "openresty/1.17.8.2"),
        nginxLine(now, "notice", "built by gcc 5.4.0 20160609 (Ubuntu 5.4.0-6ubuntu1~16.04.12)"),
        nginxLine(now, "notice", "OS: Linux 6.1.0-28-amd64"),
        nginxLine(now, "notice", "getrlimit(RLIMIT_NOFILE): 1048576:1048576"),
        nginxLine(now, "notice", "start worker processes"),
        nginxLine(now, "notice", "start worker process 7"),
        nginxLine(now, "notice", "start worker process 8"),
      ];
      return { outcome: "run", serves: ports.map((port) => ({ port, httpPaths: spec.httpPaths })), readyAfterMs: 300, memoryBytes, logs };
    },
  };
}
