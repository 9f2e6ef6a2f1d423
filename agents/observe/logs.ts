/**
 * Bounded log reading for an observation: which containers are worth reading (those waiting in a
 * bad state, restarted, or not ready — plus any the caller names, such as the callers of a failing
 * service), and reading each one's tail, current and previous instance, deduplicated and capped.
 * A log that cannot be read is skipped: logs are evidence, not a requirement.
 */
import type { ClusterClient } from "../../src/kube/cluster-client.ts";
import type { KubeObject } from "../../src/kube/types.ts";
import { DEFAULT_LOG_TAIL_LINES, DEFAULT_MAX_LOG_CONTAINERS, DEFAULT_MAX_LOG_LINE_CHARS, DEFAULT_MAX_LOG_LINES } from "./defaults.ts";
import type { LogExcerpt } from "./types.ts";

export type LogRequest = { namespace: string; pod: string; container: string; previous: boolean };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ContainerStatus = { name: string; ready?: boolean; restartCount?: number; state?: any; lastState?: any };

export const containerStatuses = (pod: KubeObject): ContainerStatus[] => [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];

/** Containers that look unwell, worst first: waiting/terminated in a bad state, restarted, or not ready. */
export function failingContainers(pods: KubeObject[]): LogRequest[] {
  const scored: Array<{ score: number; req: LogRequest }> = [];
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    for (const cs of containerStatuses(pod)) {
      const base = { namespace: pod.metadata.namespace ?? "", pod: pod.metadata.name, container: cs.name };
      const waiting = cs.state?.waiting?.reason as string | undefined;
      const restarted = (cs.restartCount ?? 0) > 0 || !!cs.lastState?.terminated;
      let score = 0;
      if (waiting === "CrashLoopBackOff" || cs.state?.terminated) score = 3;
      else if (restarted) score = 2;
      else if (cs.state?.running && cs.ready === false) score = 1;
      if (!score) continue;
      if (restarted) scored.push({ score: score + 0.5, req: { ...base, previous: true } });
      if (cs.state?.running || cs.state?.terminated) scored.push({ score, req: { ...base, previous: false } });
    }
  }
  return scored.sort((a, b) => b.score - a.score).map((s) => s.req);
}

/** The running containers of `pods` (for reading callers' logs). */
export function runningContainers(pods: KubeObject[]): LogRequest[] {
  return pods.flatMap((pod) =>
    containerStatuses(pod)
      .filter((cs) => cs.state?.running)
      .map((cs) => ({ namespace: pod.metadata.namespace ?? "", pod: pod.metadata.name, container: cs.name, previous: false })),
  );
}

export type ReadLogsOptions = { maxContainers?: number; tailLines?: number; maxLines?: number; maxLineChars?: number };

/** Reads up to `maxContainers` of the requests (in order, duplicates dropped); unreadable logs are skipped. */
export async function readLogs(client: ClusterClient, requests: LogRequest[], opts: ReadLogsOptions = {}): Promise<LogExcerpt[]> {
  const max = opts.maxContainers ?? DEFAULT_MAX_LOG_CONTAINERS;
  const seen = new Set<string>();
  const picked: LogRequest[] = [];
  for (const r of requests) {
    const key = `${r.namespace}/${r.pod}/${r.container}/${r.previous}`;
    if (seen.has(key)) continue;
    seen.add(key);
    picked.push(r);
    if (picked.length >= max) break;
  }
  const out = await Promise.all(
    picked.map(async (r): Promise<LogExcerpt | undefined> => {
      try {
        const text = await client.podLogs(r.namespace, r.pod, { container: r.container, tailLines: opts.tailLines ?? DEFAULT_LOG_TAIL_LINES, previous: r.previous });
        const lines = boundLines(text, opts.maxLines ?? DEFAULT_MAX_LOG_LINES, opts.maxLineChars ?? DEFAULT_MAX_LOG_LINE_CHARS);
        return lines.length ? { ...r, lines } : undefined;
      } catch {
        return undefined;
      }
    }),
  );
  return out.filter((x): x is LogExcerpt => !!x);
}

/** The last `max` distinct lines (a repeated line is kept once, at its last position), each cut to `chars`. */
export function boundLines(text: string, max: number, chars: number): string[] {
  const lines = text.split("\n").map((l) => l.trimEnd()).filter((l) => l.trim());
  const seen = new Set<string>();
  const out: string[] = [];
  for (let i = lines.length - 1; i >= 0 && out.length < max; i--) {
    const line = lines[i].length > chars ? `${lines[i].slice(0, chars)}…` : lines[i];
    const key = stripTimestamp(line);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(line);
  }
  return out.reverse();
}

/** A log line without a leading timestamp, so the same message at two times counts once. */
const stripTimestamp = (line: string) => line.replace(/^\S*\d{2}:\d{2}:\d{2}\S*\s+/, "").replace(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?\s+/, "");
