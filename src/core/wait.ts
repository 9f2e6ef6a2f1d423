/**
 * A plan's explicit waits: a small typed set of conditions ("deployment X available", "pods with
 * these labels ready", "service Y has endpoints", "object Z gone") and `waitFor`, which polls the
 * cluster through the Clock until the condition holds or the timeout passes. It measures and
 * reports; deciding what a timeout means is the transaction's job. All waiting goes through the
 * Clock, so evals run it in virtual time.
 */
import { z } from "zod";
import type { ClusterClient } from "../kube/cluster-client.ts";
import { formatRef, type KubeObject, type ObjectRef } from "../kube/types.ts";
import { namespaceName, objectName } from "./actions/schema.ts";
import type { Clock } from "../base/clock.ts";
import { DEFAULT_WAIT_POLL_MS } from "./defaults.ts";
import { isKubeApiError } from "../base/errors.ts";

const nsName = z.strictObject({ namespace: namespaceName, name: objectName });

export type WaitCondition =
  | { deploymentAvailable: { namespace: string; name: string } }
  | { podsReady: { namespace: string; labelSelector: string } }
  | { endpointsReady: { namespace: string; name: string } }
  | { objectAbsent: ObjectRef };

const CONDITIONS = ["deploymentAvailable", "podsReady", "endpointsReady", "objectAbsent"];

/** Exactly one condition per wait; an unknown one is named as an unknown field. */
export const waitConditionSchema = z
  .strictObject({
    deploymentAvailable: nsName.optional(),
    podsReady: z.strictObject({ namespace: namespaceName, labelSelector: z.string().min(1) }).optional(),
    endpointsReady: nsName.optional(),
    objectAbsent: z.strictObject({ apiVersion: z.string().min(1), kind: z.string().min(1), namespace: namespaceName.optional(), name: objectName }).optional(),
  })
  .superRefine((c, ctx) => {
    const given = Object.keys(c).filter((k) => c[k as keyof typeof c] !== undefined);
    if (given.length !== 1) ctx.addIssue({ code: "custom", message: `name exactly one condition: ${CONDITIONS.join(", ")}${given.length ? ` (got ${given.join(", ")})` : ""}` });
  })
  .transform((c) => c as WaitCondition);

export type WaitResult = { ok: boolean; waitedMs: number; detail: string };

export type WaitOptions = { client: ClusterClient; clock: Clock; timeoutMs: number; pollMs?: number };

/** Polls until `condition` holds ({ok: true}) or `timeoutMs` passes ({ok: false} with the last detail). */
export async function waitFor(condition: WaitCondition, opts: WaitOptions): Promise<WaitResult> {
  const poll = Math.max(1, opts.pollMs ?? DEFAULT_WAIT_POLL_MS);
  const start = opts.clock.now();
  for (;;) {
    let state: { ok: boolean; detail: string };
    try {
      state = await check(condition, opts.client);
    } catch (e) {
      // A failed read is "not yet", not an answer: the API may be briefly unavailable.
      if (!isKubeApiError(e)) throw e;
      state = { ok: false, detail: `cannot read: ${e.message}` };
    }
    const waitedMs = opts.clock.now() - start;
    if (state.ok) return { ok: true, waitedMs, detail: state.detail };
    if (waitedMs >= opts.timeoutMs) return { ok: false, waitedMs, detail: `timed out after ${waitedMs} ms: ${state.detail}` };
    await opts.clock.sleep(Math.min(poll, opts.timeoutMs - waitedMs));
  }
}

/** "deployment hotel-reservation/geo available", for plans and the ledger. */
export function describeWait(c: WaitCondition): string {
  if ("deploymentAvailable" in c) return `Deployment ${c.deploymentAvailable.namespace}/${c.deploymentAvailable.name} available`;
  if ("podsReady" in c) return `pods ${c.podsReady.labelSelector} in ${c.podsReady.namespace} ready`;
  if ("endpointsReady" in c) return `Service ${c.endpointsReady.namespace}/${c.endpointsReady.name} has ready endpoints`;
  return `${formatRef(c.objectAbsent)} absent`;
}

async function check(c: WaitCondition, client: ClusterClient): Promise<{ ok: boolean; detail: string }> {
  if ("deploymentAvailable" in c) {
    const { namespace, name } = c.deploymentAvailable;
    const d = await client.read({ apiVersion: "apps/v1", kind: "Deployment", namespace, name });
    return d ? deploymentState(d) : { ok: false, detail: `Deployment ${namespace}/${name} does not exist` };
  }
  if ("podsReady" in c) {
    const { namespace, labelSelector } = c.podsReady;
    const pods = (await client.list("v1", "Pod", { namespace, labelSelector })).filter(
      (p) => !p.metadata.deletionTimestamp && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed",
    );
    const ready = pods.filter(isPodReady);
    if (pods.length === 0) return { ok: false, detail: `no running pods match ${labelSelector} in ${namespace}` };
    return { ok: ready.length === pods.length, detail: `${ready.length}/${pods.length} pods matching ${labelSelector} ready` };
  }
  if ("endpointsReady" in c) {
    const { namespace, name } = c.endpointsReady;
    const ep = await client.read({ apiVersion: "v1", kind: "Endpoints", namespace, name });
    const addresses = ((ep?.subsets ?? []) as Array<{ addresses?: unknown[] }>).reduce((n, s) => n + (s.addresses?.length ?? 0), 0);
    if (!ep) return { ok: false, detail: `Endpoints ${namespace}/${name} do not exist` };
    return { ok: addresses > 0, detail: `Service ${namespace}/${name} has ${addresses} ready endpoint address${addresses === 1 ? "" : "es"}` };
  }
  const ref: ObjectRef = c.objectAbsent;
  const obj = await client.read(ref);
  return { ok: !obj, detail: obj ? `${formatRef(ref)} still exists${obj.metadata.deletionTimestamp ? " (terminating)" : ""}` : `${formatRef(ref)} is gone` };
}

/** As `kubectl rollout status` judges it: observed, fully updated, old pods gone, all available. */
export function deploymentState(d: KubeObject): { ok: boolean; detail: string } {
  const name = `Deployment ${d.metadata.namespace}/${d.metadata.name}`;
  const want = d.spec?.replicas ?? 1;
  const s = d.status ?? {};
  if ((s.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) return { ok: false, detail: `${name}: waiting for the controller to observe generation ${d.metadata.generation}` };
  const updated = s.updatedReplicas ?? 0;
  const total = s.replicas ?? 0;
  const available = s.availableReplicas ?? 0;
  if (updated < want) return { ok: false, detail: `${name}: ${updated} of ${want} replicas updated` };
  if (total > updated) return { ok: false, detail: `${name}: ${total - updated} old replicas pending termination` };
  if (available < want) return { ok: false, detail: `${name}: ${available} of ${want} replicas available` };
  return { ok: true, detail: `${name}: ${available}/${want} replicas available` };
}

function isPodReady(p: KubeObject): boolean {
  return ((p.status?.conditions ?? []) as Array<{ type: string; status: string }>).some((c) => c.type === "Ready" && c.status === "True");
}
