/**
 * Fresh plans: what a plan's targets looked like when it was proposed, and whether they still do.
 * A plan is computed from the cluster as it was; a transaction that then waited (for the writer
 * Lease, for a person) must not apply it to a cluster someone else has changed meanwhile. The
 * transaction compares, under the Lease, each target's desired state (spec, labels, annotations —
 * not status, which controllers move all the time) and existence with what the proposer saw; any
 * difference makes the plan stale, and it is re-proposed rather than run.
 */
import type { ClusterClient } from "../kube/cluster-client.ts";
import { formatRef, type KubeObject, type ObjectRef } from "../kube/types.ts";
import { planTargets, refKey, type Plan } from "./plan.ts";
import { stateDigest } from "./transaction-apply.ts";

/** Per target (refKey): the digest of its desired state, or null when it did not exist. */
export type ObservedTargets = Record<string, string | null>;

const digestOrNull = (o: KubeObject | undefined | null) => (o ? stateDigest(o) : null);

/** Reads every target of `plan` now. Throws what the client throws (the caller treats it as "could not observe"). */
export async function observeTargets(client: ClusterClient, plan: Plan): Promise<ObservedTargets> {
  const out: ObservedTargets = {};
  for (const ref of planTargets(plan)) out[refKey(ref)] = digestOrNull(await client.read(ref));
  return out;
}

/** The targets whose desired state or existence differs from `observed` (targets not observed are not judged). */
export async function changedTargets(client: ClusterClient, targets: ObjectRef[], observed: ObservedTargets): Promise<string[]> {
  const changed: string[] = [];
  for (const ref of targets) {
    const key = refKey(ref);
    if (!(key in observed)) continue;
    const now = digestOrNull(await client.read(ref));
    if (now !== observed[key]) {
      changed.push(`${formatRef(ref)} ${observed[key] === null ? "was created" : now === null ? "was deleted" : "was changed"} since the plan was proposed`);
    }
  }
  return changed;
}
