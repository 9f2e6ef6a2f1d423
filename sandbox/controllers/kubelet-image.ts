/**
 * What the simulated container runtime says about images and containers: full image references
 * as containerd names them, stable digests, pull times and sizes per image, containerd IDs, the
 * registry's error for a missing tag or repository, and Go's duration format for back-off messages.
 */
import { createHash } from "node:crypto";
import { normalizeRepository, parseImage } from "../images/catalog.ts";

/** "nginx:1.25" -> "docker.io/library/nginx:1.25", as containerd names it. */
export function fullRef(image: string): string {
  const { repository, tag } = parseImage(image);
  const repo = normalizeRepository(repository);
  return image.includes("@") ? `${repo}@${tag}` : `${repo}:${tag}`;
}

export const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
export const hex64 = (random: () => number) => Array.from({ length: 64 }, () => Math.floor(random() * 16).toString(16)).join("");
/** Pull time and image size are stable per image, as they would be for one registry and node. */
export const pullMs = (ref: string) => 800 + (parseInt(sha256(ref).slice(0, 6), 16) % 3200);
export const imageSize = (ref: string) => 2_000_000 + (parseInt(sha256(`size:${ref}`).slice(0, 8), 16) % 180_000_000);

/** Go's time.Duration String for whole seconds: 10s, 1m20s, 5m0s. */
export function goDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${s % 60}s`;
  return `${Math.floor(m / 60)}h${m % 60}m${s % 60}s`;
}

/** "docker.io/library/nginx@sha256:<digest>": the image ID the runtime reports, stable per reference. */
export const imageIdOf = (ref: string) => `${ref.replace(/[:@][^/]*$/, "")}@sha256:${sha256(ref)}`;

/** containerd's pull failure: a missing tag is NotFound, a missing repository is an access denial. */
export function pullError(ref: string, repositoryExists: boolean): string {
  return repositoryExists
    ? `rpc error: code = NotFound desc = failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`
    : `rpc error: code = Unknown desc = failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed`;
}
