/**
 * One `npm run build` per state of the sources, shared by the test files that need the compiled
 * package (test/cli/build.test.ts runs the CLI from it, test/lib/embed.test.ts installs it as a
 * dependency). tsc takes a minute or more on a loaded 2-core machine, so the build is keyed by a
 * digest of everything it compiles or copies and kept in the temp directory; test files running at
 * once take a lock (a directory holding the builder's pid) and the others wait for it, or take over
 * when the builder died.
 *
 * The build's root is a project like the image's: package.json `{"type": "module"}`, dist/, and
 * node_modules linking every installed package but tsx — so a run-time use of tsx fails here
 * instead of passing by accident.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { eventually } from "./sandbox.ts";

const ROOT = join(import.meta.dirname, "../..");
const INPUTS = ["src", "agents", "sandbox", "evals", "playbooks", "package.json", "tsconfig.json", "tsconfig.build.json", "bin/build.js"];

export type SharedBuild = { root: string; dist: string };

/** Digest of the build's inputs: their paths and contents. */
function sourceDigest(): string {
  const h = createHash("sha256");
  const add = (path: string) => {
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path).sort()) add(join(path, name));
    } else {
      h.update(relative(ROOT, path)).update("\0").update(readFileSync(path)).update("\0");
    }
  };
  for (const input of INPUTS) if (existsSync(join(ROOT, input))) add(join(ROOT, input));
  return h.digest("hex").slice(0, 16);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

export async function sharedBuild(): Promise<SharedBuild> {
  const root = join(tmpdir(), `stratus-build-${sourceDigest()}`);
  const built = { root, dist: join(root, "dist") };
  const marker = join(root, ".built");
  const lock = `${root}.lock`;
  for (;;) {
    if (existsSync(marker)) return built;
    try {
      mkdirSync(lock);
    } catch {
      // Someone else is building: wait for the marker, or for the lock to go (the builder failed or died).
      const owner = () => Number(readFileSafe(join(lock, "pid")));
      await eventually(() => existsSync(marker) || !existsSync(lock) || (owner() > 0 && !alive(owner())), 600_000, "the shared build by another test file");
      if (!existsSync(marker) && existsSync(lock) && owner() > 0 && !alive(owner())) rmSync(lock, { recursive: true, force: true });
      continue;
    }
    try {
      writeFileSync(join(lock, "pid"), String(process.pid));
      rmSync(root, { recursive: true, force: true });
      mkdirSync(join(root, "node_modules"), { recursive: true });
      writeFileSync(join(root, "package.json"), JSON.stringify({ type: "module" }));
      for (const name of readdirSync(join(ROOT, "node_modules"))) {
        if (name !== "tsx") symlinkSync(join(ROOT, "node_modules", name), join(root, "node_modules", name));
      }
      try {
        execFileSync(process.execPath, [join(ROOT, "bin/build.js"), "--out-dir", built.dist], { cwd: ROOT, stdio: "pipe", timeout: 600_000 });
      } catch (e) {
        const { stdout, stderr } = e as { stdout?: Buffer; stderr?: Buffer };
        throw new Error(`the build failed (node bin/build.js):\n${stdout ?? ""}${stderr ?? ""}`);
      }
      writeFileSync(marker, new Date().toISOString());
      removeOldBuilds(root);
      return built;
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

/** Builds of earlier source states, an hour old or more, go: the temp directory does not fill up. */
function removeOldBuilds(keep: string): void {
  for (const name of readdirSync(tmpdir())) {
    const path = join(tmpdir(), name);
    if (!/^stratus-build-[0-9a-f]{16}$/.test(name) || path === keep) continue;
    try {
      if (Date.now() - statSync(path).mtimeMs > 3600_000) rmSync(path, { recursive: true, force: true });
    } catch {
      // another process removed it first
    }
  }
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}
