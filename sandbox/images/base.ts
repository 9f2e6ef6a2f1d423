/**
 * The base images every sandbox can pull — busybox, nginx, the pause image and a memory-hog test
 * image — and their behaviour models. busybox runs its command like a tiny shell (echo, sleep,
 * exit, cat of mounted files, unknown commands exit 127), so crash loops, completions and logs come
 * from the pod spec exactly as they would on a node. A command naming a binary the image lacks
 * fails as containerd does: a StartError with exit code 128.
 */
import { parseQuantity } from "../api/kinds/quantity.ts";
import type { ContainerRun, ContainerStartContext, ImageBehaviour, ImageEntry } from "./catalog.ts";

const MI = 1024 * 1024;
/** A sleep this long is a process that, for any simulation, never ends. */
const FOREVER_MS = 365 * 24 * 3600 * 1000;

type ShellEnd = { kind: "exit"; code: number } | { kind: "run"; serves: number[] };
type ShellResult = { logs: string[]; elapsedMs: number; end: ShellEnd };
type Shell = { env: Record<string, string>; files: Record<string, string>; binaries: Set<string>; now: number };

const BUSYBOX_BINARIES = ["sh", "ash", "echo", "printf", "sleep", "exit", "true", "false", ":", "cat", "env", "printenv", "hostname", "date", "tail", "ls", "httpd", "wget", "nc", "id", "whoami", "uname", "set", "export", "top", "yes"];
const DEBIAN_BINARIES = ["sh", "bash", "dash", "echo", "printf", "sleep", "exit", "true", "false", ":", "cat", "env", "printenv", "hostname", "date", "tail", "ls", "id", "whoami", "uname", "set", "export", "curl", "yes"];

/** The argv the runtime executes: command replaces ENTRYPOINT, args replace CMD (and a command alone drops CMD). */
function argvOf(ctx: ContainerStartContext, entrypoint: string[], cmd: string[]): string[] {
  const c = ctx.container;
  if (Array.isArray(c.command) && c.command.length) return [...c.command, ...(Array.isArray(c.args) ? c.args : [])];
  return [...entrypoint, ...(Array.isArray(c.args) ? c.args : cmd)];
}

/** How runc fails when the executable is missing: the container never starts. */
export function startError(binary: string): ContainerRun {
  const why = binary.includes("/")
    ? `exec: "${binary}": stat ${binary}: no such file or directory`
    : `exec: "${binary}": executable file not found in $PATH`;
  return {
    outcome: "exit",
    afterMs: 0,
    exitCode: 128,
    reason: "StartError",
    message: `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: ${why}: unknown`,
    logs: [],
  };
}

const basename = (p: string) => p.slice(p.lastIndexOf("/") + 1);

/** Splits a script into statements joined by ; && || and newlines, honouring quotes. */
function statements(script: string): Array<{ words: string[]; join: ";" | "&&" | "||" }> {
  const out: Array<{ words: string[]; join: ";" | "&&" | "||" }> = [];
  let words: string[] = [];
  let cur = "";
  let inWord = false;
  let join: ";" | "&&" | "||" = ";";
  const endWord = () => {
    if (inWord) words.push(cur);
    cur = "";
    inWord = false;
  };
  const endStatement = (next: ";" | "&&" | "||") => {
    endWord();
    if (words.length) out.push({ words, join });
    words = [];
    join = next;
  };
  for (let i = 0; i < script.length; i++) {
    const ch = script[i];
    if (ch === "'") {
      const j = script.indexOf("'", i + 1);
      cur += script.slice(i + 1, j < 0 ? script.length : j);
      inWord = true;
      i = j < 0 ? script.length : j;
    } else if (ch === '"') {
      let j = i + 1;
      while (j < script.length && script[j] !== '"') {
        if (script[j] === "\\" && j + 1 < script.length) j++;
        cur += script[j++];
      }
      inWord = true;
      i = j;
    } else if (ch === "\\" && i + 1 < script.length) {
      cur += script[++i];
      inWord = true;
    } else if (ch === "&" && script[i + 1] === "&") {
      endStatement("&&");
      i++;
    } else if (ch === "|" && script[i + 1] === "|") {
      endStatement("||");
      i++;
    } else if (ch === ";" || ch === "\n" || ch === "|" || ch === "&") {
      endStatement(";");
    } else if (ch === " " || ch === "\t") {
      endWord();
    } else if (ch === "#" && !inWord) {
      while (i + 1 < script.length && script[i + 1] !== "\n") i++;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  endStatement(";");
  return out;
}

const expand = (word: string, env: Record<string, string>) =>
  word.replace(/\$\{(\w+)\}|\$(\w+)/g, (_m, a: string | undefined, b: string | undefined) => env[(a ?? b)!] ?? "");

function sleepMs(arg: string | undefined): number {
  if (!arg || arg === "infinity" || arg === "inf") return FOREVER_MS;
  const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(arg);
  if (!m) return NaN;
  const unit = { "": 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as "" | "s" | "m" | "h" | "d"];
  return Number(m[1]) * unit;
}

/** Runs a shell script to its end (or to the statement that blocks forever). */
function runScript(script: string, sh: Shell): ShellResult {
  const logs: string[] = [];
  let elapsedMs = 0;
  let status = 0;
  // `while true; do ...; done` never ends: run its body once for its output, then block.
  const loop = /while\s+(true|:)\s*;?\s*do\b/.test(script);
  for (const st of statements(script)) {
    if (st.join === "&&" && status !== 0) continue;
    if (st.join === "||" && status === 0) continue;
    const words = st.words.map((w) => expand(w, sh.env));
    if (["while", "do", "done", "then", "fi"].includes(words[0])) words.shift();
    if (!words.length || words[0] === "true" && loop) continue;
    const r = runCommand(words, sh);
    logs.push(...r.logs);
    elapsedMs += r.elapsedMs;
    if (r.end.kind === "run") return { logs, elapsedMs, end: r.end };
    status = r.end.code;
    if (words[0] === "exit") return { logs, elapsedMs, end: r.end };
  }
  if (loop) return { logs, elapsedMs, end: { kind: "run", serves: [] } };
  return { logs, elapsedMs, end: { kind: "exit", code: status } };
}

function runCommand(words: string[], sh: Shell): ShellResult {
  const bin = basename(words[0]);
  const args = words.slice(1);
  const done = (code: number, logs: string[] = [], elapsedMs = 0): ShellResult => ({ logs, elapsedMs, end: { kind: "exit", code } });
  if (!sh.binaries.has(bin)) return done(127, [`sh: ${words[0]}: not found`]);
  switch (bin) {
    case "sh": case "ash": case "bash": case "dash": {
      const c = args.indexOf("-c");
      if (c >= 0 && args[c + 1] !== undefined) return runScript(args[c + 1], sh);
      // A shell with no script and no terminal reads EOF from stdin and exits at once.
      return done(0);
    }
    case "echo": {
      const noNewline = args[0] === "-n";
      return done(0, [(noNewline ? args.slice(1) : args).join(" ")]);
    }
    case "printf":
      return done(0, (args[0] ?? "").replace(/%s/g, () => args[1] ?? "").replace(/\\n/g, "\n").split("\n").filter((l) => l));
    case "sleep": {
      const ms = sleepMs(args[0]);
      if (Number.isNaN(ms)) return done(1, [`sleep: invalid number '${args[0]}'`]);
      if (ms >= FOREVER_MS) return { logs: [], elapsedMs: 0, end: { kind: "run", serves: [] } };
      return done(0, [], ms);
    }
    case "exit": {
      const code = args[0] === undefined ? 0 : Number(args[0]);
      return done(Number.isInteger(code) ? code & 255 : 2);
    }
    case "true": case ":": case "set": case "export":
      return done(0);
    case "false":
      return done(1);
    case "cat": {
      const logs: string[] = [];
      for (const f of args) {
        if (sh.files[f] === undefined) return done(1, [...logs, `cat: can't open '${f}': No such file or directory`]);
        logs.push(...sh.files[f].replace(/\n$/, "").split("\n"));
      }
      if (!args.length) return done(0);
      return done(0, logs);
    }
    case "env": case "printenv":
      if (args.length) return args[0] in sh.env ? done(0, [sh.env[args[0]]]) : done(1);
      return done(0, Object.entries(sh.env).map(([k, v]) => `${k}=${v}`));
    case "hostname":
      return done(0, [sh.env.HOSTNAME ?? "localhost"]);
    case "date":
      return done(0, [new Date(sh.now).toUTCString().replace("GMT", "UTC")]);
    case "tail": case "top": case "yes":
      if (bin === "tail" && !args.includes("-f")) return done(0);
      return { logs: [], elapsedMs: 0, end: { kind: "run", serves: [] } };
    case "httpd": {
      if (!args.includes("-f")) return done(0);
      const p = args.indexOf("-p");
      return { logs: [], elapsedMs: 0, end: { kind: "run", serves: [Number(args[p + 1] ?? 80) || 80] } };
    }
    default:
      // Present but not modelled (ls, id, wget, ...): it ran and succeeded.
      return done(0);
  }
}

/** A generic shell-capable image: direct exec of a missing binary is a StartError. */
function shellRun(argv: string[], sh: Shell, memoryBytes: number): ContainerRun {
  if (!argv.length) return startError("");
  if (!sh.binaries.has(basename(argv[0]))) return startError(argv[0]);
  const r = runCommand(argv, sh);
  if (r.end.kind === "run") {
    return { outcome: "run", serves: r.end.serves.map((port) => ({ port })), memoryBytes, logs: r.logs };
  }
  const code = r.end.code;
  return { outcome: "exit", afterMs: Math.max(50, r.elapsedMs), exitCode: code, reason: code === 0 ? "Completed" : "Error", logs: r.logs };
}

const shellOf = (ctx: ContainerStartContext, binaries: string[]): Shell => ({
  env: { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", HOSTNAME: ctx.pod.metadata.name ?? "", ...ctx.env },
  files: ctx.files,
  binaries: new Set(binaries),
  now: ctx.now,
});

export const busybox: ImageBehaviour = {
  start(ctx) {
    return shellRun(argvOf(ctx, [], ["sh"]), shellOf(ctx, BUSYBOX_BINARIES), MI);
  },
};

const NGINX_VERSIONS: Record<string, string> = { latest: "1.27.3", "1.24": "1.24.0", "1.25": "1.25.5", "1.26": "1.26.2", "1.27": "1.27.3" };

/** What nginx listens on and serves, read from mounted config when there is any. */
function nginxSite(files: Record<string, string>): { ports: number[]; paths: string[] } {
  const conf = Object.entries(files).filter(([p]) => p.startsWith("/etc/nginx/")).map(([, v]) => v).join("\n");
  const ports = [...conf.matchAll(/^\s*listen\s+(?:[\w.[\]:]*:)?(\d+)/gm)].map((m) => Number(m[1]));
  const locations = [...conf.matchAll(/^\s*location\s+(?:=\s*)?(\/\S*)/gm)].map((m) => m[1]).filter((p) => p !== "/");
  return { ports: ports.length ? [...new Set(ports)] : [80], paths: ["/", "/index.html", ...locations] };
}

function nginxLogs(version: string, now: number): string[] {
  const d = new Date(now);
  const p = (n: number) => String(n).padStart(2, "0");
  const ts = `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
  return [
    "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
    "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
    "/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
    "10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf",
    "10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf",
    "/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh",
    "/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh",
    "/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh",
    "/docker-entrypoint.sh: Configuration complete; ready for start up",
    `${ts} [notice] 1#1: using the "epoll" event method`,
    `${ts} [notice] 1#1: nginx/${version}`,
    `${ts} [notice] 1#1: built by gcc 12.2.0 (Debian 12.2.0-14)`,
    `${ts} [notice] 1#1: OS: Linux 6.1.0-28-amd64`,
    `${ts} [notice] 1#1: getrlimit(RLIMIT_NOFILE): 1048576:1048576`,
    `${ts} [notice] 1#1: start worker processes`,
    ...[29, 30, 31, 32].map((pid) => `${ts} [notice] 1#1: start worker process ${pid}`),
  ];
}

export const nginx: ImageBehaviour = {
  start(ctx) {
    const argv = argvOf(ctx, ["/docker-entrypoint.sh"], ["nginx", "-g", "daemon off;"]);
    const viaEntrypoint = argv[0] === "/docker-entrypoint.sh";
    const rest = viaEntrypoint ? argv.slice(1) : argv;
    if (rest[0] === "nginx" || rest[0] === "/usr/sbin/nginx") {
      const site = nginxSite(ctx.files);
      const logs = nginxLogs(NGINX_VERSIONS[ctx.tag] ?? NGINX_VERSIONS.latest, ctx.now);
      return {
        outcome: "run",
        serves: site.ports.map((port) => ({ port, httpPaths: site.paths })),
        readyAfterMs: 300,
        memoryBytes: 10 * MI,
        logs: viaEntrypoint ? logs : logs.slice(9),
      };
    }
    if (viaEntrypoint && !rest.length) return { outcome: "exit", afterMs: 50, exitCode: 0, reason: "Completed", logs: [] };
    return shellRun(rest, shellOf(ctx, [...DEBIAN_BINARIES, "nginx"]), 2 * MI);
  },
};

export const pause: ImageBehaviour = {
  start(ctx) {
    const argv = argvOf(ctx, ["/pause"], []);
    if (argv[0] !== "/pause") return startError(argv[0] ?? "");
    return { outcome: "run", serves: [], memoryBytes: 256 * 1024, logs: [] };
  },
};

/** Holds as much memory as `--mem=` asks for: the reproducible way to get an OOMKilled container. */
export const memhog: ImageBehaviour = {
  start(ctx) {
    const argv = argvOf(ctx, ["/memhog"], ["--mem=64Mi"]);
    if (basename(argv[0] ?? "") !== "memhog") return startError(argv[0] ?? "");
    const flag = argv.find((a) => a.startsWith("--mem="))?.slice("--mem=".length) ?? "64Mi";
    let bytes: number;
    try {
      bytes = parseQuantity(flag);
    } catch {
      return { outcome: "exit", afterMs: 50, exitCode: 2, reason: "Error", logs: [`memhog: invalid --mem value "${flag}"`] };
    }
    return {
      outcome: "run",
      serves: [{ port: 8080, httpPaths: ["/healthz"] }],
      memoryBytes: bytes,
      logs: [`memhog: allocating ${bytes} bytes (${flag}) in 16Mi chunks`, `memhog: holding ${bytes} bytes, serving /healthz on :8080`],
    };
  },
};

export const BASE_IMAGE_ENTRIES: ImageEntry[] = [
  { repository: "docker.io/library/busybox", tags: ["latest", "1.36", "1.37"], behaviour: busybox },
  { repository: "docker.io/library/nginx", tags: ["latest", "1.24", "1.25", "1.26", "1.27"], behaviour: nginx },
  { repository: "registry.k8s.io/pause", tags: ["3.9", "3.10"], behaviour: pause },
  { repository: "ghcr.io/stratus-sandbox/memhog", tags: ["1.0"], behaviour: memhog },
];
