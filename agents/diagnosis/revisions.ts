/**
 * Recent changes as the cluster records them: a Deployment's current and previous ReplicaSet
 * revisions, what differs between their pod templates (image, command, env, resources, probes,
 * nodeSelector — or only a restart annotation), and when the current one was created; plus
 * whether a moment lines up with the incident's onset. Rules read "what changed" from here.
 */
import type { KubeObject } from "../../src/kube/types.ts";
import { diffPaths } from "../observe/diff-paths.ts";
import { revisionOf, type ObservationIndex } from "../observe/lookups.ts";
import { DEFAULT_DIAGNOSIS } from "./defaults.ts";

export type RevisionDiff = {
  current?: KubeObject;
  previous?: KubeObject;
  currentRevision: number;
  previousRevision?: number;
  /** Changed paths under the pod template, e.g. "template.spec.containers[0].image". */
  changed: string[];
  /** Only template annotations changed (a `rollout restart`): reverting it fixes nothing. */
  onlyAnnotations: boolean;
  /** When the current ReplicaSet was created, ms. */
  createdAt?: number;
};

const HASH = "pod-template-hash";

const templateOf = (rs: KubeObject) => {
  const t = structuredClone(rs.spec?.template ?? {});
  if (t.metadata?.labels) delete t.metadata.labels[HASH];
  return t;
};

export function revisionDiff(idx: ObservationIndex, d: KubeObject): RevisionDiff {
  const sets = idx.replicaSetsOf(d);
  const currentRevision = revisionOf(d) || (sets[0] ? revisionOf(sets[0]) : 0);
  const current = sets.find((rs) => revisionOf(rs) === currentRevision) ?? sets[0];
  const previous = sets.find((rs) => revisionOf(rs) > 0 && revisionOf(rs) < currentRevision);
  if (!current || !previous) return { current, currentRevision, changed: [], onlyAnnotations: false, createdAt: created(current) };
  const changed = diffPaths(templateOf(previous), templateOf(current), "template", 20);
  return {
    current,
    previous,
    currentRevision,
    previousRevision: revisionOf(previous),
    changed,
    onlyAnnotations: changed.length > 0 && changed.every((p) => p.startsWith("template.metadata.annotations")),
    createdAt: created(current),
  };
}

const created = (o: KubeObject | undefined) => (o ? Date.parse(o.metadata.creationTimestamp ?? "") || undefined : undefined);

/** Whether a change at `at` lines up with an onset: shortly before it, or within a few observations after. */
export const nearOnset = (at: number | undefined, onset: number): boolean =>
  at !== undefined && at >= onset - DEFAULT_DIAGNOSIS.changeBeforeOnsetMs && at <= onset + DEFAULT_DIAGNOSIS.changeAfterOnsetMs;

/** "40 s before onset" / "12 s after onset". */
export function relativeToOnset(at: number, onset: number): string {
  const s = Math.round((onset - at) / 1000);
  return s >= 0 ? `${s} s before onset` : `${-s} s after onset`;
}

/** The container in a ReplicaSet's (or Deployment's) pod template named `name`, else the first. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function containerOf(o: KubeObject | undefined, name?: string): any {
  const cs = o?.spec?.template?.spec?.containers ?? [];
  return cs.find((c: { name: string }) => c.name === name) ?? cs[0];
}

/** Whether a changed path touches a given container field: ("image", 0) → template.spec.containers[0].image. */
export const touches = (changed: string[], field: string): boolean => changed.some((p) => new RegExp(`^template\\.spec\\.containers\\[\\d+\\]\\.${field}(\\b|\\[|\\.|$)`).test(p));
