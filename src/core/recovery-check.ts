/**
 * What crash recovery may do to one snapshotted object, decided from reads only. Three gates, in
 * order: the guard (the object must be a target of the transaction's own recorded plan, inside the
 * watched namespaces, and the restore — expressed as the typed action it amounts to: patch,
 * create-object, delete-object, cordon/uncordon — must pass the policy's scope and built-in rules);
 * then ownership (the live object must still be as Stratus last left it: same resourceVersion, or
 * the same desired state when only status moved — otherwise someone else changed it and it is
 * escalated, never overwritten); then whether anything differs from the snapshot at all.
 * `restoreChecked` performs a decided restore with the resourceVersion that was checked, so an edit
 * that lands in between gets 409 Conflict instead of being overwritten.
 */
import type { ClusterClient } from "../kube/cluster-client.ts";
import { formatRef, type KubeObject, type ObjectRef } from "../kube/types.ts";
import { isAlreadyExists, isConflict } from "../base/errors.ts";
import type { LedgerEntry } from "./ledger/index.ts";
import { checkPlan, type Policy } from "./policy.ts";
import { sameDesiredState, type RestoreOutcome, type Snapshot } from "./snapshot.ts";
import { stateDigest } from "./transaction-apply.ts";

/** How Stratus last left an object, from the transaction's action records (or its snapshot). */
export type LastWrite =
  | { state: "present"; resourceVersion: string | null; generation: number | null; stateDigest: string | null; source: string }
  | { state: "absent"; source: string }
  | { state: "unknown"; source: string };

export type ObjectDecision = {
  ref: ObjectRef;
  /** restore: write the snapshot back; unchanged: already as snapshotted; refused: the guard said no; changed-by-others: escalate. */
  decision: "restore" | "unchanged" | "refused" | "changed-by-others";
  /** What the write is (for restore): replace, recreate, delete, or left to the owning controller. */
  write?: "replace" | "recreate" | "delete" | "left-to-controller";
  reason: string;
  /** Field managers that changed it (managedFields), when the server keeps them. */
  changedBy?: string[];
  expectedResourceVersion?: string | null;
  currentResourceVersion?: string | null;
};

const key = (r: { kind: string; namespace?: string; name: string }) => `${r.kind}/${r.namespace ?? ""}/${r.name}`;

/** The last write Stratus recorded per object (formatRef → LastWrite), from a transaction's action entries in order. */
export function lastWrites(entries: LedgerEntry[]): Map<string, LastWrite> {
  const out = new Map<string, LastWrite>();
  for (const e of entries) {
    if (e.kind !== "action") continue;
    const p = e.payload as { applied?: unknown; objects?: unknown; outputs?: { objects?: unknown; deleted?: unknown } };
    const objs = Array.isArray(p.outputs?.objects) ? (p.outputs.objects as Record<string, unknown>[]) : [];
    for (const o of objs) {
      if (typeof o.ref !== "string") continue;
      out.set(o.ref, {
        state: "present",
        resourceVersion: typeof o.resourceVersion === "string" ? o.resourceVersion : null,
        generation: typeof o.generation === "number" ? o.generation : null,
        stateDigest: typeof o.stateDigest === "string" ? o.stateDigest : null,
        source: `action entry ${e.id}`,
      });
    }
    for (const d of Array.isArray(p.outputs?.deleted) ? p.outputs.deleted : []) if (typeof d === "string") out.set(d, { state: "absent", source: `action entry ${e.id}` });
    if (p.applied === true && !p.outputs && Array.isArray(p.objects)) {
      for (const r of p.objects) if (typeof r === "string") out.set(r, { state: "unknown", source: `action entry ${e.id}` });
    }
  }
  return out;
}

/** The newest field managers of `o` other than status writers, as "manager (Operation at time)". */
export function managersOf(o: KubeObject): string[] {
  const fields = Array.isArray(o.metadata.managedFields) ? (o.metadata.managedFields as Record<string, unknown>[]) : [];
  return fields
    .filter((f) => f.subresource !== "status" && typeof f.manager === "string")
    .sort((a, b) => String(b.time ?? "").localeCompare(String(a.time ?? "")))
    .map((f) => `${String(f.manager)} (${String(f.operation ?? "?")}${f.time ? ` at ${String(f.time)}` : ""})`);
}

/** The typed action a restore amounts to, for the guard; undefined when it writes nothing. */
export function restoreAction(snap: Snapshot, current: KubeObject | undefined): Record<string, unknown> | undefined {
  const r = snap.ref;
  const addr = { apiVersion: r.apiVersion, kind: r.kind, ...(r.namespace ? { namespace: r.namespace } : {}), name: r.name };
  const want = snap.object;
  if (!want) return current ? { type: "delete-object", params: addr } : undefined;
  if (!current) {
    const { uid: _u, resourceVersion: _rv, creationTimestamp: _c, generation: _g, managedFields: _m, ...meta } = want.metadata;
    const { status: _s, ...body } = want;
    return { type: "create-object", params: { object: { ...body, metadata: meta } } };
  }
  if (r.kind === "Node") return { type: want.spec?.unschedulable ? "cordon" : "uncordon", params: { node: r.name } };
  const { apiVersion: _a, kind: _k, metadata, status: _s, ...rest } = want;
  return { type: "patch", params: { ...addr, patchType: "merge", patch: { ...rest, metadata: { labels: metadata.labels ?? {}, annotations: metadata.annotations ?? {} } } } };
}

export type GuardContext = {
  policy: Policy;
  /** The transaction's recorded targets (its intent entry's object refs). */
  targets: { kind: string; namespace?: string; name: string }[];
  /** The watched namespaces (`-n`); undefined = the policy alone decides. */
  namespaces?: readonly string[];
};

/** Why the guard refuses to restore `snap` (given the live object), or undefined when it allows it. */
export function guardRestore(snap: Snapshot, current: KubeObject | undefined, g: GuardContext): string | undefined {
  const r = snap.ref;
  if (!g.targets.some((t) => key(t) === key(r))) {
    return `${formatRef(r)} is not a target of the transaction's recorded plan: a snapshot of it was added to the ledger outside the transaction`;
  }
  if (g.namespaces && !g.namespaces.includes(r.namespace ?? "")) {
    return `${formatRef(r)} is outside the watched namespaces (${g.namespaces.join(", ")})`;
  }
  const action = restoreAction(snap, current);
  if (!action) return undefined;
  // Scope and built-in rules only: the restore's action type is how the guard reads the write, not a choice someone made.
  const scopeOnly: Policy = { ...g.policy, allowedActions: undefined, deniedActions: [], requireApproval: [], maxActionsPerTransaction: Number.MAX_SAFE_INTEGER };
  const decision = checkPlan(scopeOnly, { steps: [{ id: `restore ${formatRef(r)}`, action: action as never }] });
  return decision.allowed ? undefined : decision.refusals.map((x) => x.reason).join("; ");
}

/** Decides one snapshot: guard, then ownership, then whether it differs. Reads only. */
export async function decideRestore(client: ClusterClient, snap: Snapshot, last: LastWrite | undefined, g: GuardContext): Promise<ObjectDecision & { current?: KubeObject }> {
  const ref = snap.ref;
  const current = await client.read(ref);
  const refused = guardRestore(snap, current, g);
  if (refused) return { ref, decision: "refused", reason: refused };
  const expected: LastWrite = last ?? (snap.object
    ? { state: "present", resourceVersion: snap.object.metadata.resourceVersion ?? null, generation: snap.object.metadata.generation ?? null, stateDigest: stateDigest(snap.object), source: "its snapshot" }
    : { state: "absent", source: "its snapshot" });
  const rvs = { expectedResourceVersion: expected.state === "present" ? expected.resourceVersion : null, currentResourceVersion: current?.metadata.resourceVersion ?? null };
  const others = (why: string): ObjectDecision => {
    const changedBy = current ? managersOf(current) : [];
    const who = changedBy.length ? `changed by ${changedBy.join(", ")}` : "changed by someone else (the server keeps no field managers for it)";
    return { ref, decision: "changed-by-others", reason: `${formatRef(ref)} ${why}; ${who}: not overwritten — look at it and restore it by hand if the change was wrong`, changedBy, ...rvs };
  };
  if (expected.state === "unknown") {
    if (current && snap.object && sameDesiredState(current, snap.object)) return { ref, decision: "unchanged", reason: "already as snapshotted", current };
    return others(`was written by Stratus (${expected.source}) without a recorded resourceVersion, so a later edit cannot be told apart`);
  }
  if (expected.state === "absent") {
    if (current) return others(`exists, but Stratus last left it absent (${expected.source})`);
  } else {
    if (!current) return others(`is gone, but Stratus last left it in place (${expected.source}): it was deleted since`);
    const same = (expected.resourceVersion !== null && expected.resourceVersion === current.metadata.resourceVersion)
      || (expected.stateDigest !== null && expected.stateDigest === stateDigest(current))
      || (expected.stateDigest === null && expected.generation !== null && expected.generation === current.metadata.generation);
    if (!same) return others(`was changed since Stratus last wrote it (${expected.source}: resourceVersion ${expected.resourceVersion ?? "?"}, now ${current.metadata.resourceVersion ?? "?"})`);
  }
  const want = snap.object;
  if (!want && !current) return { ref, decision: "unchanged", reason: "absent, as snapshotted", ...rvs };
  if (want && current && sameDesiredState(current, want)) return { ref, decision: "unchanged", reason: "already as snapshotted", ...rvs, current };
  const write = !want ? "delete" : !current ? ((want.metadata.ownerReferences ?? []).some((o) => o.controller) ? "left-to-controller" : "recreate") : "replace";
  return { ref, decision: "restore", write, reason: `${write} ${formatRef(ref)} from its snapshot`, ...rvs, ...(current ? { current } : {}) };
}

/**
 * Carries out a `restore` decision against the object as it was checked. A replace carries the
 * checked resourceVersion; on 409 the object is re-read, and the replace is retried only when just
 * its status moved (same desired state as checked) — an edit by someone else is reported, not
 * overwritten. Other API errors are thrown for the caller to retry.
 */
export async function restoreChecked(client: ClusterClient, snap: Snapshot, d: ObjectDecision & { current?: KubeObject }): Promise<RestoreOutcome & { raced?: boolean }> {
  const ref = snap.ref;
  const want = snap.object;
  const raced = (e: unknown) => ({ ref, action: "unchanged" as const, matches: false, raced: true, detail: `${formatRef(ref)} was changed by someone else while recovery restored it (${(e as Error).message}): not overwritten` });
  if (d.write === "left-to-controller") return { ref, action: "left-to-controller", matches: true, detail: `${formatRef(ref)} is managed by its controller, which recreates it` };
  if (d.write === "delete") {
    await client.delete(ref);
    const after = await client.read(ref);
    return { ref, action: "deleted", matches: !after, ...(after ? { detail: `${formatRef(ref)} still exists after delete` } : {}) };
  }
  if (d.write === "recreate" && want) {
    const { uid: _u, resourceVersion: _rv, creationTimestamp: _c, generation: _g, managedFields: _m, ...meta } = want.metadata;
    const { status: _s, ...body } = want;
    try {
      await client.create({ ...body, metadata: meta } as KubeObject);
    } catch (e) {
      if (isAlreadyExists(e)) return raced(e);
      throw e;
    }
    const after = await client.read(ref);
    return { ref, action: "recreated", matches: !!after && sameDesiredState(after, want) };
  }
  if (d.write === "replace" && want && d.current) {
    const checked = stateDigest(d.current);
    let current = d.current;
    for (let attempt = 0; ; attempt++) {
      const { status: _s, ...body } = want;
      try {
        await client.replace({ ...body, metadata: { ...want.metadata, resourceVersion: current.metadata.resourceVersion, uid: current.metadata.uid } } as KubeObject);
        break;
      } catch (e) {
        if (!isConflict(e)) throw e;
        const fresh = await client.read(ref);
        if (!fresh || stateDigest(fresh) !== checked || attempt >= DEFAULT_STATUS_RACE_RETRIES) return raced(e);
        current = fresh; // only its status moved (a controller): same desired state, new resourceVersion
      }
    }
    const after = await client.read(ref);
    const matches = !!after && sameDesiredState(after, want);
    return { ref, action: "replaced", matches, ...(matches ? {} : { detail: `${formatRef(ref)} differs from its snapshot after replace` }) };
  }
  return { ref, action: "unchanged", matches: true };
}

/** How many times a replace is retried when a controller's status update moved the resourceVersion under it. */
const DEFAULT_STATUS_RACE_RETRIES = 5;
