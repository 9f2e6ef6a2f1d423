/**
 * The memcached 1.6 and redis 6.2 images' behaviour: each runs its server (port from `-p` /
 * `--port`, else the default), holds its usual working set, and logs what the real one logs —
 * memcached nothing at all without `-v`, redis its startup banner. Any other command is a binary
 * the image lacks.
 */
import { redisLine } from "./app-logs.ts";
import { startError } from "./base.ts";
import type { ContainerRun, ContainerStartContext, ImageBehaviour } from "./catalog.ts";
import type { InstanceKind, InstanceTable } from "./instances.ts";

const MI = 1024 * 1024;
const basename = (p: string) => p.slice(p.lastIndexOf("/") + 1);

/** The argv after docker-entrypoint.sh, with the image's default CMD when none is given. */
function argvOf(ctx: ContainerStartContext, cmd: string): string[] {
  const c = ctx.container;
  const argv: string[] = Array.isArray(c.command) && c.command.length ? [...c.command, ...(c.args ?? [])] : ["docker-entrypoint.sh", ...(Array.isArray(c.args) && c.args.length ? c.args : [cmd])];
  return basename(argv[0]) === "docker-entrypoint.sh" ? argv.slice(1) : argv;
}

function flagValue(argv: string[], short: string | undefined, long: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === long || (short && argv[i] === short)) return argv[i + 1];
    if (argv[i].startsWith(`${long}=`)) return argv[i].slice(long.length + 1);
  }
  return undefined;
}

function serve(instances: InstanceTable, ctx: ContainerStartContext, kind: InstanceKind, role: string, port: number, memoryBytes: number, logs: string[]): ContainerRun {
  instances.set(ctx.pod.metadata.uid ?? "", ctx.container.name, {
    kind, role, ports: [port], callees: {}, timeoutMs: 0, buggy: false, memoryBytes, startedAt: ctx.now,
  });
  return { outcome: "run", serves: [{ port, httpPaths: [] }], readyAfterMs: 200, memoryBytes, logs };
}

export function memcachedImage(instances: InstanceTable): ImageBehaviour {
  return {
    start(ctx) {
      instances.clear(ctx.pod.metadata.uid ?? "", ctx.container.name);
      const argv = argvOf(ctx, "memcached");
      if (!argv.length || basename(argv[0]) !== "memcached") return startError(argv[0] ?? "");
      const raw = flagValue(argv, "-p", "--port") ?? "11211";
      const port = Number(raw);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        return { outcome: "exit", afterMs: 100, exitCode: 71, reason: "Error", logs: [`failed to listen on TCP port ${raw}: Invalid argument`] };
      }
      // -m is the item memory limit; the process holds about its slabs' worth plus a few MiB.
      const cacheMb = Number(flagValue(argv, "-m", "--memory-limit") ?? 64) || 64;
      return serve(instances, ctx, "memcached", "memcached", port, (Math.min(cacheMb, 64) + 6) * MI, []);
    },
  };
}

export function redisImage(instances: InstanceTable): ImageBehaviour {
  return {
    start(ctx) {
      instances.clear(ctx.pod.metadata.uid ?? "", ctx.container.name);
      const argv = argvOf(ctx, "redis-server");
      if (!argv.length || basename(argv[0]) !== "redis-server") return startError(argv[0] ?? "");
      const now = ctx.now;
      const confFile = argv.slice(1).find((a) => !a.startsWith("-") && a.endsWith(".conf"));
      let confPort: string | undefined;
      if (confFile) {
        const text = ctx.files[confFile];
        if (text === undefined) {
          return { outcome: "exit", afterMs: 50, exitCode: 1, reason: "Error", logs: [redisLine(now, "C", "#", `Fatal error, can't open config file '${confFile}': No such file or directory`)] };
        }
        confPort = /^\s*port\s+(\S+)/m.exec(text)?.[1];
      }
      const raw = flagValue(argv, undefined, "--port") ?? confPort ?? "6379";
      const port = Number(raw);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        return {
          outcome: "exit", afterMs: 50, exitCode: 1, reason: "Error",
          logs: ["", "*** FATAL CONFIG FILE ERROR (Redis 6.2.4) ***", `Reading the configuration file, at line 2`, `>>> 'port "${raw}"'`, "Invalid port"],
        };
      }
      const logs = [
        redisLine(now, "C", "#", "oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo"),
        redisLine(now, "C", "#", "Redis version=6.2.4, bits=64, commit=00000000, modified=0, pid=1, just started"),
        confFile ? redisLine(now, "C", "#", "Configuration loaded") : redisLine(now, "C", "#", "Warning: no config file specified, using the default config. In order to specify a config file use redis-server /path/to/redis.conf"),
        redisLine(now + 1, "M", "*", "monotonic clock: POSIX clock_gettime"),
        redisLine(now + 2, "M", "*", `Running mode=standalone, port=${port}.`),
        redisLine(now + 2, "M", "#", "WARNING: The TCP backlog setting of 511 cannot be enforced because /proc/sys/net/core/somaxconn is set to the lower value of 128."),
        redisLine(now + 2, "M", "#", "Server initialized"),
        redisLine(now + 3, "M", "*", "Ready to accept connections"),
      ];
      return serve(instances, ctx, "redis", "redis", port, 9 * MI + Math.floor(ctx.random() * 3 * MI), logs);
    },
  };
}
