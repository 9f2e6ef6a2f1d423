/**
 * The Dockerfile, linted (no docker engine here to build it): a pinned Node 20 slim base, a
 * multi-stage build whose runtime stage holds node_modules without dev dependencies and dist only,
 * no tsx and no compilers at run time, a numeric non-root USER, the exec-form ENTRYPOINT on the
 * compiled CLI, a health check, the ledger on a volume, and no secrets copied in.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { imageNodeFlags } from "../../bench/image-flags.ts";
import assert from "node:assert/strict";

const ROOT = join(import.meta.dirname, "../..");

type Instruction = { op: string; args: string; line: number };
type Stage = { name: string; from: string; body: Instruction[] };

/** Instructions with continuations joined and comments dropped, as docker reads them. */
function parseDockerfile(text: string): { args: Record<string, string>; stages: Stage[] } {
  const instructions: Instruction[] = [];
  let pending = "";
  let start = 0;
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (!pending && (line === "" || line.startsWith("#"))) return;
    if (pending && line.startsWith("#")) return;
    if (!pending) start = i + 1;
    pending += (pending ? " " : "") + line.replace(/\\$/, "").trim();
    if (line.endsWith("\\")) return;
    const m = /^(\w+)\s+([\s\S]*)$/.exec(pending);
    if (m) instructions.push({ op: m[1].toUpperCase(), args: m[2].trim(), line: start });
    pending = "";
  });
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.op === "ARG" && !stages.length) {
      const [k, v] = ins.args.split("=", 2);
      if (v !== undefined) args[k] = v;
    } else if (ins.op === "FROM") {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      assert.ok(m, `FROM on line ${ins.line} reads "FROM IMAGE [AS NAME]"`);
      const from = m[1].replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a, b) => args[a ?? b] ?? `<unset ${a ?? b}>`);
      stages.push({ name: m[2] ?? String(stages.length), from, body: [] });
    } else {
      assert.ok(stages.length, `${ins.op} on line ${ins.line} comes before any FROM`);
      stages[stages.length - 1].body.push(ins);
    }
  }
  return { args, stages };
}

const dockerfile = parseDockerfile(readFileSync(join(ROOT, "Dockerfile"), "utf8"));
const runtime = dockerfile.stages[dockerfile.stages.length - 1];
const ops = (stage: Stage, op: string) => stage.body.filter((i) => i.op === op);
const stageNamed = (name: string) => dockerfile.stages.find((s) => s.name === name);

describe("Dockerfile", () => {
  it("builds every stage FROM a pinned Node 20 slim image", () => {
    assert.ok(dockerfile.stages.length >= 2, "multi-stage");
    for (const s of dockerfile.stages) {
      // A version down to the patch, or a digest: `node:20-slim` moves under you.
      assert.match(s.from, /^node:20\.\d+\.\d+-[a-z]+-slim(@sha256:[0-9a-f]{64})?$|^node:20[\w.-]*-slim@sha256:[0-9a-f]{64}$/, `stage ${s.name} FROM ${s.from}`);
    }
  });

  it("compiles in a build stage and ships only dist and production node_modules", () => {
    const runs = dockerfile.stages.flatMap((s) => ops(s, "RUN").map((r) => ({ stage: s.name, cmd: r.args })));
    const build = runs.find((r) => /npm run build/.test(r.cmd));
    assert.ok(build, "a stage runs npm run build");
    assert.ok(runs.some((r) => r.stage === build.stage && /\bnpm ci\b/.test(r.cmd) && !/--omit=dev/.test(r.cmd)), "the build stage installs dev dependencies (TypeScript) with npm ci");
    assert.notEqual(build.stage, runtime.name, "the runtime stage does not build");

    const copies = ops(runtime, "COPY").map((c) => c.args);
    const fromStage = (c: string) => /--from=(\S+)/.exec(c)?.[1];
    const modules = copies.find((c) => /node_modules/.test(c));
    assert.ok(modules, "the runtime stage gets node_modules");
    const depsStage = stageNamed(fromStage(modules) ?? "");
    assert.ok(depsStage && ops(depsStage, "RUN").some((r) => /\bnpm ci\b[^&]*--omit=dev/.test(r.args)), "its node_modules come from npm ci --omit=dev");
    assert.ok(copies.some((c) => fromStage(c) === build.stage && /\/app\/dist\s+\.\/dist$/.test(c)), "dist comes from the build stage");
    for (const c of copies) assert.doesNotMatch(c, /(^|\s)(src|agents|sandbox|evals|test|bin)\//, `no sources in the runtime stage: COPY ${c}`);
  });

  it("has no tsx and no compilers at run time", () => {
    for (const i of runtime.body) {
      assert.doesNotMatch(i.args, /\btsx\b/, `${i.op} ${i.args}`);
      assert.doesNotMatch(i.args, /apt-get install|\bg\+\+|\bmake\b|python3/, `${i.op} ${i.args}`);
    }
    const deps = dockerfile.stages.find((s) => ops(s, "RUN").some((r) => /--omit=dev/.test(r.args)));
    assert.ok(deps && ops(deps, "RUN").some((r) => /rm -rf [^&]*node_modules\/tsx\b/.test(r.args)), "tsx (still a dependency for the dev fallback) is removed from the shipped node_modules");
  });

  it("runs as a numeric non-root user, set before the entrypoint", () => {
    const users = ops(runtime, "USER");
    assert.equal(users.length, 1);
    const m = /^(\d+)(?::(\d+))?$/.exec(users[0].args);
    assert.ok(m, `USER ${users[0].args} is numeric (runAsNonRoot can only verify a number)`);
    assert.notEqual(Number(m[1]), 0);
    if (m[2] !== undefined) assert.notEqual(Number(m[2]), 0);
    const idx = (op: string) => runtime.body.findIndex((i) => i.op === op);
    assert.ok(idx("USER") < idx("ENTRYPOINT"));
    assert.ok(runtime.body.slice(idx("USER") + 1).every((i) => i.op !== "RUN"), "nothing runs as root after USER (it would be a mistake to rely on)");
  });

  it("starts the compiled CLI in exec form, watching by default", () => {
    const [entry] = ops(runtime, "ENTRYPOINT");
    const argv0 = JSON.parse(entry.args) as string[];
    assert.equal(argv0[0], "node");
    assert.equal(argv0.at(-1), "dist/src/cli/main.js");
    // Between them only Node flags (the memory tuning the watchdog bench measures with: imageNodeFlags).
    assert.ok(argv0.slice(1, -1).every((a) => /^--[a-z-]+(=\S+)?$/.test(a)), argv0.join(" "));
    assert.deepEqual(imageNodeFlags(), argv0.slice(1, -1), "the bench runs the watchdog with the image's flags");
    const [cmd] = ops(runtime, "CMD");
    const argv = JSON.parse(cmd.args) as string[];
    assert.equal(argv[0], "watch");
    assert.ok(argv.some((a) => a.startsWith("--ledger=/var/lib/stratus/")), "the ledger is on the volume");
    assert.ok(argv.some((a) => /^--listen=0\.0\.0\.0:\d+$/.test(a)), "the API listens beyond the container's loopback");
  });

  it("keeps the ledger on a volume and checks its own health", () => {
    const [volume] = ops(runtime, "VOLUME");
    assert.deepEqual(JSON.parse(volume.args), ["/var/lib/stratus"]);
    const [hc] = ops(runtime, "HEALTHCHECK");
    assert.ok(hc, "HEALTHCHECK (Kubernetes uses the StatefulSet's probes instead)");
    assert.match(hc.args, /\/healthz/);
    assert.doesNotMatch(hc.args, /\b(curl|wget)\b/, "the slim image has neither; node's fetch does it");
  });

  it("copies no secrets in, and .dockerignore keeps them out of the context", () => {
    for (const s of dockerfile.stages) {
      for (const i of s.body) {
        if (i.op === "COPY" || i.op === "ADD") assert.doesNotMatch(i.args, /\.env\b|\.npmrc|\.pem|\.key\b|kubeconfig|id_rsa|\.db\b|credentials/i, `${s.name}: ${i.op} ${i.args}`);
        if (i.op === "ENV" || i.op === "ARG") assert.doesNotMatch(i.args, /(TOKEN|PASSWORD|SECRET|API_KEY)\s*=/i, `${s.name}: ${i.op} ${i.args}`);
        assert.notEqual(i.op, "ADD", "COPY, not ADD (no remote URLs or auto-extraction)");
      }
    }
    const ignored = readFileSync(join(ROOT, ".dockerignore"), "utf8").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
    for (const p of ["node_modules", "dist", ".git", "*.kubeconfig", "*.db", "*.key", ".env"]) assert.ok(ignored.includes(p), `.dockerignore lists ${p}`);
  });
});
