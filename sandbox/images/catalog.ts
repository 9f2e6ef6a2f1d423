/**
 * The container images the sandbox's kubelet can "pull", and what each does when it runs: its
 * behaviour model. A container's fate — starts and serves ports, exits with a code, needs more
 * memory than its limit — comes from its image's behaviour given the container spec, its resolved
 * environment and mounted files, never from any label or annotation. Unknown repositories or tags
 * fail to pull, as on a real node.
 */
import type { KObject } from "../api/types.ts";

export type ServedPort = {
  port: number;
  protocol?: "TCP" | "UDP";
  /** HTTP paths that answer 2xx (for httpGet probes); undefined = any path, [] = not HTTP. */
  httpPaths?: string[];
};

export type ContainerRun =
  | {
      outcome: "exit";
      /** Simulated time from start to exit. */
      afterMs: number;
      exitCode: number;
      /** "StartError": the runtime could not exec the command (exitCode 128, never Started). */
      reason?: "Error" | "Completed" | "StartError";
      /** The terminated state's message (the runtime's error for a StartError). */
      message?: string;
      logs: string[];
    }
  | {
      outcome: "run";
      serves: ServedPort[];
      /** Simulated time until the ports answer. */
      readyAfterMs?: number;
      /** Steady-state working set; above the memory limit the kubelet OOM-kills the container. */
      memoryBytes?: number;
      logs: string[];
    };

export type ContainerStartContext = {
  pod: KObject;
  /** The container's spec from the pod. */
  container: Record<string, any>;
  image: string;
  tag: string;
  /** Environment after resolving env, envFrom, configMapKeyRef and secretKeyRef. */
  env: Record<string, string>;
  /** Files mounted from ConfigMaps and Secrets, by absolute path. */
  files: Record<string, string>;
  restartCount: number;
  now: number;
  random: () => number;
  /** Reads any object in the cluster (e.g. a Secret a database reads its users from). */
  lookup(apiVersion: string, kind: string, namespace: string | undefined, name: string): KObject | undefined;
};

export interface ImageBehaviour {
  /** Decides what a container does when it starts. Pure: reads the context only. */
  start(ctx: ContainerStartContext): ContainerRun;
}

export type ImageEntry = {
  /** Repository without tag, e.g. "docker.io/library/nginx" or "nginx" (both forms resolve). */
  repository: string;
  tags: string[];
  behaviour: ImageBehaviour;
};

export function parseImage(image: string): { repository: string; tag: string } {
  const at = image.indexOf("@");
  if (at >= 0) return { repository: normalizeRepository(image.slice(0, at)), tag: image.slice(at + 1) };
  const slash = image.lastIndexOf("/");
  const colon = image.lastIndexOf(":");
  if (colon > slash) return { repository: normalizeRepository(image.slice(0, colon)), tag: image.slice(colon + 1) };
  return { repository: normalizeRepository(image), tag: "latest" };
}

/** "nginx" and "docker.io/library/nginx" are the same repository. */
export function normalizeRepository(repo: string): string {
  const parts = repo.split("/");
  const hasRegistry = parts.length > 1 && (parts[0].includes(".") || parts[0].includes(":") || parts[0] === "localhost");
  if (hasRegistry) return repo;
  if (parts.length === 1) return `docker.io/library/${repo}`;
  return `docker.io/${repo}`;
}

export class ImageCatalog {
  private readonly entries = new Map<string, ImageEntry>();

  /**
   * `fallback`: the behaviour of any repository the catalog has no entry for (a twin's generic
   * model); known repositories keep their models and their list of tags.
   */
  constructor(entries: ImageEntry[] = [], private readonly fallback?: ImageBehaviour) {
    for (const e of entries) this.register(e);
  }

  register(entry: ImageEntry): void {
    const key = normalizeRepository(entry.repository);
    const existing = this.entries.get(key);
    if (existing) existing.tags = [...new Set([...existing.tags, ...entry.tags])];
    else this.entries.set(key, { ...entry, repository: key });
  }

  /** The entry and tag for an image reference, or undefined when no such image exists. */
  resolve(image: string): { entry: ImageEntry; tag: string } | undefined {
    const { repository, tag } = parseImage(image);
    const entry = this.entries.get(repository);
    if (!entry && this.fallback) return { entry: { repository, tags: [tag], behaviour: this.fallback }, tag };
    if (!entry || !entry.tags.includes(tag)) return undefined;
    return { entry, tag };
  }

  /** Whether the repository exists at all (for the pull error's wording). */
  hasRepository(image: string): boolean {
    return !!this.fallback || this.entries.has(parseImage(image).repository);
  }
}
