/**
 * restore-last-good: puts one object back to the version the flight recorder kept as last known
 * good — recreates a deleted object, deletes a created one, reverts a modified one (a Deployment's
 * pod template by rollout-undo, its replicas by scale, a cordon by uncordon, anything else by a
 * JSON patch of the parts the recorder tracks) — then restarts the workload that reads it when the
 * object is something pods read only at start (a ConfigMap, Secret, claim or ServiceAccount).
 * Secret contents go only into the action's params (describe() hides them; the rationale names no
 * value). A revert of a person's change made after the onset carries an approval gate.
 */
import type { KubeObject } from "../../../src/kube/types.ts";
import type { Step } from "../../../src/core/plan.ts";
import { CREATE_DELETE_KINDS, PATCH_KINDS } from "../../../src/core/actions/kinds.ts";
import { ownedReplicaSets, revisionOf, templateOf } from "../../../src/core/actions/rollout-undo.ts";
import type { ClusterClient } from "../../../src/kube/cluster-client.ts";
import { sameJson } from "../../observe/diff-paths.ts";
import type { Version } from "../../observe/changes.ts";
import { num, rolledOut, str, type Draft, type RemedyBuilder, type RemedyContext } from "../remedy.ts";

/** Kinds pods read when they start: after restoring one, the workload is restarted to read it now. */
const READ_AT_START = new Set(["ConfigMap", "Secret", "PersistentVolumeClaim", "ServiceAccount", "LimitRange", "ResourceQuota"]);
const API_VERSION: Record<string, string> = { ...CREATE_DELETE_KINDS, ...PATCH_KINDS, Node: "v1" };
/** Server-owned metadata a create must not carry. */
const SERVER_META = ["uid", "resourceVersion", "creationTimestamp", "generation", "managedFields", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds", "ownerReferences"];

export const restoreLastGood: RemedyBuilder = {
  name: "restore-last-good",
  async build(rc) {
    const kind = str(rc.h.facts.objectKind);
    const name = str(rc.h.facts.objectName);
    const ns = typeof rc.h.facts.objectNamespace === "string" ? rc.h.facts.objectNamespace : rc.namespace;
    const from = num(rc.h.facts.lastGoodFrom);
    const apiVersion = kind ? API_VERSION[kind] : undefined;
    if (!kind || !name || from === undefined || !rc.tracker || !apiVersion) return undefined;
    const good = rc.tracker.versions(kind, ns, name).find((v) => v.from === from);
    if (!good) return undefined;
    const current = await rc.ctx.client.read({ apiVersion, kind, ...(ns ? { namespace: ns } : {}), name });
    const toRevision = kind === "Deployment" && current && good.object ? await revisionWithTemplate(rc.ctx.client, current, good.object.spec?.template) : undefined;
    const steps = restoreSteps(kind, apiVersion, ns, name, good, current ?? undefined, toRevision);
    if (!steps?.length) return undefined;
    const workload = str(rc.h.facts.deployment);
    if (workload && READ_AT_START.has(kind) && kind !== "Deployment") {
      const last = steps.filter((s) => "action" in s).map((s) => s.id);
      steps.push({ id: "restart", action: { type: "rollout-restart", params: { namespace: rc.namespace, name: workload } }, after: last });
      steps.push(rolledOut(rc.namespace, workload, ["restart"]));
    }
    const person = str(rc.h.facts.personAfterOnset);
    const draft: Draft = { steps, rationale: rationale(rc, kind, ns, name, good, !!current, workload) };
    if (person) draft.approval = { approvers: [], onTimeout: "reject", reason: `reverts a change ${person} made after the onset` };
    return draft;
  },
};

/**
 * The revision whose ReplicaSet holds exactly the last known good template. "The previous
 * revision" is not enough: an earlier attempt (a restart, rolled back) adds revisions, and the one
 * before the current may be as broken as the current. Undefined when none matches (history trimmed).
 */
async function revisionWithTemplate(client: ClusterClient, deployment: KubeObject, template: unknown): Promise<number | undefined> {
  if (!template) return undefined;
  try {
    const matching = (await ownedReplicaSets(client, deployment)).filter((rs) => sameJson(templateOf(rs), template)).map(revisionOf).filter((r) => r > 0);
    return matching.length ? Math.max(...matching) : undefined;
  } catch {
    return undefined; // the undo falls back to the previous revision; the transaction verifies either way
  }
}

function restoreSteps(kind: string, apiVersion: string, ns: string, name: string, good: Version, current: KubeObject | undefined, toRevision?: number): Step[] | undefined {
  const addr = { apiVersion, kind, namespace: ns, name };
  if (!good.object && current) {
    return kind in CREATE_DELETE_KINDS ? [{ id: "delete", action: { type: "delete-object", params: addr } }] : undefined;
  }
  if (!good.object) return undefined;
  if (!current) return kind in CREATE_DELETE_KINDS ? [{ id: "recreate", action: { type: "create-object", params: { object: cleanForCreate(good.object) } } }] : undefined;
  const was = good.object;
  switch (kind) {
    case "Deployment": {
      if (!sameJson(was.spec?.template, current.spec?.template)) return [{ id: "undo", action: { type: "rollout-undo", params: { namespace: ns, name, ...(toRevision ? { toRevision } : {}) } } }, rolledOut(ns, name, ["undo"])];
      if ((was.spec?.replicas ?? 1) !== (current.spec?.replicas ?? 1)) return [{ id: "scale", action: { type: "scale", params: { namespace: ns, name, replicas: was.spec?.replicas ?? 1 } } }, rolledOut(ns, name, ["scale"])];
      return patchSpec(addr, was, current, ["spec"]);
    }
    case "Node": {
      const steps: Step[] = [];
      if (was.spec?.unschedulable !== true && current.spec?.unschedulable === true) steps.push({ id: "uncordon", action: { type: "uncordon", params: { node: name } } });
      if (!sameJson(was.spec?.taints ?? [], current.spec?.taints ?? [])) {
        const taints = ((was.spec?.taints ?? []) as Array<Record<string, unknown>>).map((t) => ({ key: t.key, ...(t.value ? { value: t.value } : {}), effect: t.effect }));
        steps.push({ id: "taints", action: { type: "set-taints", params: { node: name, taints } } });
      }
      return steps.length ? steps : undefined;
    }
    case "ConfigMap":
    case "Secret":
      return patchSpec(addr, was, current, ["data", "binaryData"]);
    case "Service":
      return patchSpec(addr, was, current, ["spec.ports", "spec.selector", "spec.type"]);
    default:
      return kind in PATCH_KINDS ? patchSpec(addr, was, current, ["spec"]) : undefined;
  }
}

/** A JSON patch putting each of `paths` back as it was (removing what was absent then). */
function patchSpec(addr: { apiVersion: string; kind: string; namespace: string; name: string }, was: KubeObject, current: KubeObject, paths: string[]): Step[] | undefined {
  const ops: Array<Record<string, unknown>> = [];
  for (const p of paths) {
    const before = at(was, p);
    const now = at(current, p);
    if (sameJson(before, now)) continue;
    const pointer = `/${p.split(".").join("/")}`;
    if (before === undefined) ops.push({ op: "remove", path: pointer });
    else ops.push({ op: "add", path: pointer, value: structuredClone(before) });
  }
  if (!ops.length) return undefined;
  return [{ id: "revert", action: { type: "patch", params: { ...addr, patchType: "json", patch: ops } } }];
}

const at = (o: KubeObject, path: string): unknown => path.split(".").reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), o);

/** The remembered object as a create body: no server-owned fields, no status, no allocated IPs. */
function cleanForCreate(o: KubeObject): KubeObject & { metadata: { namespace: string } } {
  const body = structuredClone(o) as KubeObject & { metadata: Record<string, unknown> & { namespace: string } };
  for (const f of SERVER_META) delete body.metadata[f];
  delete body.status;
  if (body.kind === "Service" && body.spec) {
    delete body.spec.clusterIP;
    delete body.spec.clusterIPs;
  }
  return body;
}

function rationale(rc: RemedyContext, kind: string, ns: string, name: string, good: Version, exists: boolean, workload?: string): string {
  const verb = !good.object ? "delete" : !exists ? "recreate" : "revert";
  const when = new Date(good.from).toISOString();
  const why = rc.h.evidence.filter((e) => e.source !== "history").slice(0, 2).map((e) => e.fact).join("; ");
  return `${verb} ${kind} ${ns ? `${ns}/` : ""}${name} to its last known good version (from ${when}${good.good ? ", in place while health was good" : ""}), found by the history search${why ? `: ${why}` : ""}${workload && READ_AT_START.has(kind) ? `; restart ${workload} to read it` : ""}`;
}
