/**
 * The preflight of `api-change` scenarios: a twin of the app — a fresh object store with the API
 * server's own admission (defaulting and validation of every kind), the bootstrap cluster's nodes
 * and the app's manifests applied as `kubectl apply` would — on which each change of the scenario
 * is made in order, through the same patch, shape and store code the HTTP server runs. A change
 * the real server would refuse (a patch that does not apply, an invalid result, a create of an
 * object that exists, a delete of one that does not, an unknown kind) is refused here, with the
 * field of the scenario it comes from, before anything is applied to any cluster. Synchronous and
 * in memory: no controllers run, so pods, ReplicaSets and Endpoints do not exist in the twin.
 */
import { createAdmission } from "../api/admission.ts";
import { ApiError } from "../api/errors.ts";
import { applyPatch, checkWriteShape } from "../api/handlers.ts";
import { kindMap } from "../api/kinds/index.ts";
import { apiVersionOf, ResourceRegistry, type ResourceType } from "../api/resources.ts";
import { ObjectStore } from "../api/store.ts";
import type { KObject } from "../api/types.ts";
import { bootstrapCluster } from "../bootstrap.ts";
import { VirtualClock } from "../clock.ts";
import { CHAOS_RESOURCES } from "../workload/chaos.ts";
import { parseApiChangeParams, type ApiChangeParams } from "./api-change-params.ts";
import type { PreflightProblem, PreflightStep } from "./fault.ts";

const PATCH_TYPES = { "json-patch": "application/json-patch+json", "merge-patch": "application/merge-patch+json" } as const;

/** Kinds written only by controllers: a scenario aims at their owner instead. */
const CONTROLLER_MADE = new Set(["Pod", "ReplicaSet", "Endpoints", "Event", "Lease"]);

/** The resource type serving `kind` (core events win over events.k8s.io), or undefined. */
export function typeOfKind(registry: ResourceRegistry, kind: string, apiVersion?: string): ResourceType | undefined {
  const all = registry.all().filter((t) => t.kind === kind && (apiVersion === undefined || apiVersionOf(t) === apiVersion));
  return all.find((t) => t.group !== "events.k8s.io") ?? all[0];
}

/** Kinds a scenario may aim an api-change at, sorted (for messages). */
export function servedKinds(registry = twinRegistry()): string[] {
  return [...new Set(registry.all().filter((t) => !t.virtual).map((t) => t.kind))].filter((k) => !CONTROLLER_MADE.has(k)).sort();
}

function twinRegistry(): ResourceRegistry {
  const registry = new ResourceRegistry();
  for (const cr of CHAOS_RESOURCES) registry.registerCustom(cr);
  return registry;
}

/** A twin store holding the bootstrap cluster and the app's manifests. */
function twinOf(objects: ReadonlyArray<Record<string, any>>): ObjectStore {
  const registry = twinRegistry();
  const store = new ObjectStore({ clock: new VirtualClock(), registry, admission: createAdmission(kindMap()), random: () => 0.5 });
  bootstrapCluster(store, registry);
  for (const o of objects) {
    const rt = typeOfKind(registry, o.kind, o.apiVersion);
    if (!rt || store.get(rt, o.metadata?.namespace, o.metadata?.name)) continue;
    store.create(rt, structuredClone(o) as KObject);
  }
  return store;
}

/** The app's namespace: its Namespace object, else the namespace of its first namespaced object. */
export function namespaceOfObjects(objects: ReadonlyArray<Record<string, any>>): string {
  return objects.find((o) => o.kind === "Namespace")?.metadata?.name ?? objects.find((o) => o.metadata?.namespace)?.metadata?.namespace ?? "default";
}

/** Runs the steps on a twin of the app, in order; see the module comment. */
export function preflightApiChanges(objects: ReadonlyArray<Record<string, any>>, steps: PreflightStep[]): PreflightProblem[] {
  const problems: PreflightProblem[] = [];
  const namespace = namespaceOfObjects(objects);
  const store = twinOf(objects);
  for (const step of steps) {
    const at = (f: string) => `${step.field}.${f}`;
    const parsed = parseApiChangeParams(step.params);
    if ("problems" in parsed) {
      problems.push(...parsed.problems.map((p) => ({ field: at(p.field), message: p.message })));
      continue;
    }
    const found = applyStep(store, namespace, step.target, parsed.params);
    problems.push(...found.map((p) => ({ field: at(p.field), message: p.message })));
  }
  return problems;
}

/** One change on the twin (for real, so later steps see it); problems name fields relative to the step. */
function applyStep(store: ObjectStore, namespace: string, target: { kind: string; name: string }, p: ApiChangeParams): PreflightProblem[] {
  const rt = typeOfKind(store.registry, target.kind);
  if (!rt || CONTROLLER_MADE.has(target.kind)) {
    const why = rt ? `${target.kind} objects are made by controllers; aim at their owner (a Deployment, a Service)` : `the API server serves no kind "${target.kind}"`;
    return [{ field: "target.kind", message: `${why}; kinds: ${servedKinds(store.registry).join(", ")}` }];
  }
  const ns = rt.namespaced ? namespace : undefined;
  const where = rt.namespaced ? ` in namespace ${namespace}` : "";
  const names = () => store.list(rt, ns).map((o) => o.metadata.name!).sort();
  const missing = (): PreflightProblem => ({ field: "target.name", message: `no ${target.kind} "${target.name}"${where}${names().length ? `; there are: ${names().slice(0, 20).join(", ")}` : ""}` });
  const refused = (field: string, e: unknown): PreflightProblem[] => {
    if (e instanceof ApiError) return [{ field, message: `the API server would refuse it (${e.code} ${e.reason}): ${e.message}` }];
    throw e;
  };
  const problems: PreflightProblem[] = [];
  switch (p.op) {
    case "json-patch":
    case "merge-patch": {
      const current = store.get(rt, ns, target.name);
      if (!current) return [missing()];
      try {
        const next = applyPatch(current, PATCH_TYPES[p.op], p.patch) as Record<string, unknown>;
        const shaped = checkWriteShape({ rt, namespace: ns, name: target.name }, next, "update");
        shaped.metadata.resourceVersion = current.metadata.resourceVersion;
        store.update(rt, shaped);
      } catch (e) {
        return refused(jsonPatchField(p, e), e);
      }
      break;
    }
    case "delete":
      if (!store.get(rt, ns, target.name)) return [missing()];
      store.delete(rt, ns, target.name);
      break;
    case "create": {
      const m = p.manifest as Record<string, any>;
      const meta = (m.metadata ?? {}) as Record<string, unknown>;
      if (m.kind !== undefined && m.kind !== target.kind) return [{ field: "params.manifest.kind", message: `is ${JSON.stringify(m.kind)}, but the target is a ${target.kind}: they must agree` }];
      if (meta.name !== undefined && meta.name !== target.name) return [{ field: "params.manifest.metadata.name", message: `is ${JSON.stringify(meta.name)}, but the target is ${target.kind}/${target.name}: they must agree (or leave it out)` }];
      if (meta.namespace !== undefined && rt.namespaced && meta.namespace !== namespace) return [{ field: "params.manifest.metadata.namespace", message: `is ${JSON.stringify(meta.namespace)}; an api-change creates in the app's namespace ${namespace} (leave it out)` }];
      if (store.get(rt, ns, target.name)) return [{ field: "target.name", message: `${target.kind} "${target.name}" already exists${where}: use op json-patch or merge-patch to change it, or pick a new name` }];
      try {
        store.create(rt, checkWriteShape({ rt, namespace: ns }, manifestFor({ apiVersion: apiVersionOf(rt), kind: rt.kind }, m, target.name), "create"));
      } catch (e) {
        return refused("params.manifest", e);
      }
      break;
    }
  }
  const deployments = typeOfKind(store.registry, "Deployment")!;
  (p.restart ?? []).forEach((name, i) => {
    if (!store.get(deployments, namespace, name)) {
      const all = store.list(deployments, namespace).map((d) => d.metadata.name!).sort();
      problems.push({ field: `params.restart[${i}]`, message: `no Deployment "${name}" in namespace ${namespace} to restart; there are: ${all.join(", ")}` });
    }
  });
  return problems;
}

/** The object to send for a create: apiVersion and kind from the served type, the target's name. */
export function manifestFor(served: { apiVersion: string; kind: string }, manifest: Record<string, any>, name: string): Record<string, unknown> {
  const metadata = { ...(manifest.metadata ?? {}), name };
  return { ...manifest, apiVersion: manifest.apiVersion ?? served.apiVersion, kind: served.kind, metadata };
}

/** `params.patch[2]` when a json patch failed at operation 2, else `params.patch`. */
function jsonPatchField(p: ApiChangeParams, e: unknown): string {
  const m = /json patch operation (\d+)/.exec((e as Error)?.message ?? "");
  return p.op === "json-patch" && m ? `params.patch[${m[1]}]` : "params.patch";
}
