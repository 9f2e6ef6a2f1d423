/**
 * The Node flags the image runs the CLI with: those between "node" and the script in the
 * Dockerfile's ENTRYPOINT. The watchdog bench starts the compiled CLI with them, and the Dockerfile
 * lint test asserts they are what the bench uses — so this stays a light module of its own.
 */
import { existsSync, readFileSync } from "node:fs";

export function imageNodeFlags(dockerfile = "Dockerfile"): string[] {
  if (!existsSync(dockerfile)) return [];
  const line = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(readFileSync(dockerfile, "utf8"));
  const argv = line ? (JSON.parse(line[1]) as string[]) : [];
  return argv[0] === "node" ? argv.slice(1).filter((a) => a.startsWith("--")) : [];
}
