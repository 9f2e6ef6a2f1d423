/**
 * api-change: any change an operator could make through the API — a JSON patch or a merge patch of
 * any object, a delete, or a create of a whole new object — optionally followed by `rollout
 * restart` of some Deployments. It is the generic fault (and, listed under `noise:`, the generic
 * harmless edit): scenarios describe a change nobody wrote a fault kind for. It goes through the
 * API server like any client: the kind is found by discovery, every write is first sent with
 * `dryRun=All` (so a change the server refuses fails before anything is applied, naming the
 * field), then made for real. Nothing is written besides the change itself. The oracle is the common
 * one plus: every object of the app's namespace that existed before the first change exists again
 * (deleting the broken thing is no fix). Scenario files are also checked offline by `preflight`, on
 * a twin of the app (see api-change-twin.ts).
 */
import { parseApiChangeParams, type ApiChangeParams } from "../api-change-params.ts";
import { manifestFor, preflightApiChanges, servedKinds as twinKinds } from "../api-change-twin.ts";
import { commonChecks, recordBaseline } from "../common-checks.ts";
import { change } from "../define.ts";
import { pathOf, resolveKind, servedKinds, type ServedKind } from "../discovery.ts";
import {
  FaultError, type Change, type Fault, type FaultContext, type FaultTarget, type FaultType, type GroundTruth, type InjectionRecord, type Layer,
} from "../fault.ts";
import { KubeApiError } from "../kube-client.ts";
import { isoSeconds } from "../lookups.ts";
import { rolloutRestart } from "../template.ts";

const PATCH_CONTENT_TYPES = { "json-patch": "application/json-patch+json", "merge-patch": "application/merge-patch+json" } as const;

/** Kinds whose objects controllers make and remove on their own: not part of "the app's objects". */
const TRANSIENT = new Set(["Pod", "ReplicaSet", "Endpoints", "EndpointSlice", "Event", "Lease"]);

type Existing = { kind: ServedKind; namespace: string | undefined; name: string };

/** Per run: the app's objects before the first api-change into each namespace. */
const before = new WeakMap<FaultContext, Map<string, Existing[]>>();

export const apiChange: Fault = {
  spec: {
    kind: "api-change",
    targetKinds: twinKinds(),
    summary: "any change through the API: json-patch, merge-patch, delete or create an object, then optionally rollout restart",
    truth: { layer: "virtualization", type: "misconfiguration" },
    params: {
      op: "(required) json-patch | merge-patch | delete | create",
      patch: "json-patch: RFC 6902 operations; merge-patch: a mapping",
      manifest: "create: the whole object (namespace: the app's)",
      restart: "none (Deployments to rollout restart after the change)",
    },
    alsoNoise: true,
  },

  async inject(ctx, target, raw) {
    const p = parse(raw);
    const sk = await resolveKind(ctx.kube, target.kind);
    if (!sk) throw new FaultError("bad-target", `target.kind: the API server serves no kind "${target.kind}"; kinds: ${(await servedKinds(ctx.kube)).map((k) => k.kind).join(", ")}`);
    const ns = sk.namespaced ? target.namespace : undefined;
    const where = `${target.kind}/${target.name}${ns ? ` in ${ns}` : ""}`;
    const current = await ctx.kube.get({ apiVersion: sk.apiVersion, kind: sk.kind, namespace: ns, name: target.name }).catch(() => undefined);
    if (p.op === "create" && current) throw new FaultError("bad-target", `target.name: ${where} already exists: use op json-patch or merge-patch to change it, or pick a new name`);
    if (p.op !== "create" && !current) throw new FaultError("target-missing", `target.name: ${where} not found; list them with: kubectl get ${target.kind.toLowerCase()}${ns ? ` -n ${ns}` : ""}`);
    const write = requestOf(sk, ns, target, p);
    const restarts = await Promise.all((p.restart ?? []).map(async (name, i) => {
      const d = await ctx.kube.get({ apiVersion: "apps/v1", kind: "Deployment", namespace: target.namespace, name });
      if (!d) throw new FaultError("bad-params", `params.restart[${i}]: no Deployment "${name}" in ${target.namespace} to restart`);
      return d;
    }));

    // Dry run first: a change the server refuses fails here, before anything is applied.
    try {
      await ctx.kube.call(write.method, `${write.path}?dryRun=All`, write.body, write.contentType);
    } catch (e) {
      if (e instanceof KubeApiError) throw new FaultError("inject-failed", `${write.field}: the API server refused the change to ${where} (${e.status} ${e.reason}): ${e.message}`);
      throw e;
    }

    await recordBaseline(ctx, target.namespace);
    await snapshotApp(ctx, target.namespace);
    try {
      await ctx.kube.call(write.method, write.path, write.body, write.contentType);
      for (const d of restarts) await rolloutRestart(ctx, d);
    } catch (e) {
      const msg = e instanceof KubeApiError ? `the API server answered ${e.status} ${e.reason}: ${e.message}` : (e as Error).message;
      throw new FaultError("inject-failed", `api-change on ${where} failed: ${msg}`);
    }
    const obj = { apiVersion: sk.apiVersion, kind: sk.kind, metadata: { namespace: ns, name: target.name } };
    const changes: Change[] = [change(p.op === "create" ? "create" : p.op === "delete" ? "delete" : "patch", obj, describe(p))];
    for (const d of restarts) changes.push(change("patch", d, "rollout restart (spec.template annotation kubectl.kubernetes.io/restartedAt)"));
    const record: InjectionRecord = { kind: "api-change", target: { ...target }, params: { ...p }, at: isoSeconds(ctx.now()), changes };
    ctx.records.push(record);
    return record;
  },

  groundTruth(target, raw): GroundTruth {
    const p = parse(raw);
    const { layer, type } = truthOf(target.kind, p);
    return { benign: false, entity: { kind: target.kind, namespace: target.namespace, name: target.name }, layer, type };
  },

  async oracle(ctx, target) {
    const reasons: string[] = [];
    try {
      for (const o of before.get(ctx)?.get(target.namespace) ?? []) {
        const there = await ctx.kube.get({ apiVersion: o.kind.apiVersion, kind: o.kind.kind, namespace: o.namespace, name: o.name });
        if (!there) reasons.push(`${o.kind.kind} ${o.namespace ? `${o.namespace}/` : ""}${o.name} existed before the change and is gone: deleting what broke is no fix`);
      }
      reasons.push(...(await commonChecks(ctx, target.namespace)));
    } catch (e) {
      reasons.push(`cannot check api-change on ${target.kind}/${target.name}: ${(e as Error).message}`);
    }
    return { ok: reasons.length === 0, reasons };
  },

  preflight: preflightApiChanges,
};

function parse(raw: Record<string, unknown> | undefined): ApiChangeParams {
  const r = parseApiChangeParams(raw);
  if ("problems" in r) throw new FaultError("bad-params", `bad params for api-change: ${r.problems.map((p) => `${p.field}: ${p.message}`).join("; ")}`);
  return r.params;
}

type Write = { method: string; path: string; body: unknown; contentType: string; field: string };

function requestOf(sk: ServedKind, ns: string | undefined, target: FaultTarget, p: ApiChangeParams): Write {
  switch (p.op) {
    case "json-patch":
    case "merge-patch":
      return { method: "PATCH", path: pathOf(sk, ns, target.name), body: p.patch, contentType: PATCH_CONTENT_TYPES[p.op], field: "params.patch" };
    case "delete":
      return { method: "DELETE", path: pathOf(sk, ns, target.name), body: { apiVersion: "v1", kind: "DeleteOptions", propagationPolicy: "Background" }, contentType: "application/json", field: "target" };
    case "create": {
      const m = p.manifest as Record<string, any>;
      if (m.kind !== undefined && m.kind !== sk.kind) throw new FaultError("bad-params", `params.manifest.kind: is ${JSON.stringify(m.kind)}, but the target is a ${sk.kind}: they must agree`);
      if (m.metadata?.name !== undefined && m.metadata.name !== target.name) throw new FaultError("bad-params", `params.manifest.metadata.name: is ${JSON.stringify(m.metadata.name)}, but the target is ${sk.kind}/${target.name}: they must agree (or leave it out)`);
      const body = manifestFor(sk, m, target.name);
      return { method: "POST", path: pathOf(sk, ns), body, contentType: "application/json", field: "params.manifest" };
    }
  }
}

/** What the change was, in words an operator reads (for the record, never written to the cluster). */
function describe(p: ApiChangeParams): string {
  switch (p.op) {
    case "json-patch":
      return `json-patch: ${(p.patch as Array<{ op: string; path: string }>).map((o) => `${o.op} ${o.path}`).join(", ")}`;
    case "merge-patch":
      return `merge-patch: ${JSON.stringify(p.patch).slice(0, 200)}`;
    case "delete":
      return "deleted";
    case "create":
      return "created";
  }
}

/** Layer and type of a change, from what it touched: the scenario's `expect.rootCause` is what scores. */
function truthOf(kind: string, p: ApiChangeParams): { layer: Layer; type: FaultType } {
  const type: FaultType = p.op === "delete" ? "operation-error" : "misconfiguration";
  if (kind === "NetworkPolicy") return { layer: "network", type };
  if (["PersistentVolumeClaim", "PersistentVolume", "StorageClass"].includes(kind)) return { layer: "storage", type };
  if (["ResourceQuota", "LimitRange"].includes(kind)) return { layer: "virtualization", type: "resource" };
  if (["ConfigMap", "Secret"].includes(kind)) return { layer: "application", type };
  return { layer: "virtualization", type };
}

/** Records, once per namespace, every object of the app there (and the cluster-scoped kinds' are not the app's). */
async function snapshotApp(ctx: FaultContext, namespace: string): Promise<void> {
  let byNs = before.get(ctx);
  if (!byNs) before.set(ctx, (byNs = new Map()));
  if (byNs.has(namespace)) return;
  const out: Existing[] = [];
  for (const sk of await servedKinds(ctx.kube)) {
    if (!sk.namespaced || TRANSIENT.has(sk.kind) || sk.apiVersion.startsWith("events.k8s.io/")) continue;
    const list = (await ctx.kube.call("GET", pathOf(sk, namespace)).catch(() => ({ items: [] }))) as { items?: Array<{ metadata: { name: string; ownerReferences?: unknown[] } }> };
    for (const o of list.items ?? []) if (!o.metadata.ownerReferences?.length) out.push({ kind: sk, namespace, name: o.metadata.name });
  }
  byNs.set(namespace, out);
}
