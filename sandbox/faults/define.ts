/**
 * `defineFault` turns a kind's small definition — its params schema, how it breaks the target, its
 * own "is it gone?" check — into a full Fault: params validated with zod (unknown ones refused by
 * name), the target checked (kind accepted, object present) before any write, the pre-injection
 * baseline recorded, the injection recorded, and the oracle assembled from the kind's own check
 * and the common ones. Each kind file stays about what its fault does.
 */
import { z } from "zod";
import type { KObject } from "../api/types.ts";
import { commonChecks, recordBaseline } from "./common-checks.ts";
import {
  FaultError, type Change, type Fault, type FaultContext, type FaultSpec, type FaultTarget, type GroundTruth,
  type InjectionRecord, type OracleVerdict, type TargetKind,
} from "./fault.ts";
import { KubeApiError, KubeClient } from "./kube-client.ts";
import { isoSeconds } from "./lookups.ts";

export type KindDefinition<S extends z.ZodObject> = {
  kind: string;
  targetKinds: readonly TargetKind[];
  summary: string;
  truth: FaultSpec["truth"];
  params: S;
  /** Each param and its default, in words: {port: "9999"}. */
  paramDocs?: Record<string, string>;
  /** A benign kind's note for its ground truth. */
  benignNote?: string;
  /** Breaks `object` (the target as read just now); returns the changes and any defaults it resolved. */
  inject(ctx: FaultContext, object: KObject, p: z.output<S>): Promise<{ changes: Change[]; resolved?: Record<string, unknown> }>;
  /** The root-cause entity when it is not the target itself. */
  entity?(target: FaultTarget, p: z.output<S>): { kind: string; name: string };
  /** The kind's own check, reading the cluster: why the fault is not gone; [] when it is. */
  check?(ctx: FaultContext, target: FaultTarget, p: z.output<S>): Promise<string[]>;
};

export function defineFault<S extends z.ZodObject>(def: KindDefinition<S>): Fault {
  const spec: FaultSpec = {
    kind: def.kind, targetKinds: def.targetKinds, summary: def.summary, truth: def.truth, params: def.paramDocs ?? {},
  };
  const parse = (raw: Record<string, unknown> | undefined): z.output<S> => parseParams(def.kind, def.params, raw ?? {});

  return {
    spec,

    async inject(ctx, target, rawParams) {
      const p = parse(rawParams);
      const object = await requireTarget(ctx, def.kind, def.targetKinds, target);
      await recordBaseline(ctx, target.namespace);
      let out: Awaited<ReturnType<KindDefinition<S>["inject"]>>;
      try {
        out = await def.inject(ctx, object, p);
      } catch (e) {
        if (e instanceof FaultError) throw e;
        const msg = e instanceof KubeApiError ? `the API server answered ${e.status} ${e.reason}: ${e.message}` : (e as Error).message;
        throw new FaultError("inject-failed", `${def.kind} on ${target.kind}/${target.name} in ${target.namespace} failed: ${msg}`);
      }
      const record: InjectionRecord = {
        kind: def.kind,
        target: { ...target },
        params: { ...(p as Record<string, unknown>), ...(out.resolved ?? {}) },
        at: isoSeconds(ctx.now()),
        changes: out.changes,
      };
      ctx.records.push(record);
      return record;
    },

    groundTruth(target, rawParams): GroundTruth {
      const p = parse(rawParams);
      const e = def.entity?.(target, p) ?? { kind: target.kind, name: target.name };
      const entity = { kind: e.kind, namespace: target.namespace, name: e.name };
      if (def.truth === "benign") return { benign: true, entity, note: def.benignNote ?? "benign: nothing to fix" };
      return { benign: false, entity, layer: def.truth.layer, type: def.truth.type };
    },

    async oracle(ctx, target, rawParams): Promise<OracleVerdict> {
      const reasons: string[] = [];
      try {
        // Defaults resolved from the cluster at inject time (a port, a sibling's command) are read
        // back from the record, since the cluster no longer shows what they were.
        const rec = [...ctx.records].reverse().find((r) => r.kind === def.kind && sameTarget(r.target, target));
        const p = parse({ ...(rec?.params ?? {}), ...(rawParams ?? {}) });
        if (def.check) reasons.push(...(await def.check(ctx, target, p)));
        reasons.push(...(await commonChecks(ctx, target.namespace)));
      } catch (e) {
        reasons.push(`cannot check ${def.kind} on ${target.kind}/${target.name}: ${(e as Error).message}`);
      }
      return { ok: reasons.length === 0, reasons };
    },
  };
}

const sameTarget = (a: FaultTarget, b: FaultTarget) => a.kind === b.kind && a.name === b.name && a.namespace === b.namespace;

/** Validates params: unknown ones are named, wrong values say what was expected. */
export function parseParams<S extends z.ZodObject>(kind: string, schema: S, raw: Record<string, unknown>): z.output<S> {
  const known = Object.keys(schema.shape);
  const unknown = Object.keys(raw).filter((k) => !known.includes(k));
  if (unknown.length) {
    const list = known.length ? `known: ${known.join(", ")}` : `${kind} takes no params`;
    throw new FaultError("bad-params", `unknown param${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")} for ${kind} (${list})`);
  }
  const res = schema.safeParse(raw);
  if (!res.success) {
    const msgs = res.error.issues.map((i) => `param ${i.path.join(".") || "(all)"}: ${i.message}`);
    throw new FaultError("bad-params", `bad params for ${kind}: ${msgs.join("; ")}`);
  }
  return res.data;
}

/** The target as it is now; throws FaultError when its kind is not accepted or it does not exist. */
async function requireTarget(ctx: FaultContext, kind: string, accepted: readonly TargetKind[], target: FaultTarget): Promise<KObject> {
  if (!accepted.includes(target.kind as TargetKind)) {
    throw new FaultError("bad-target", `${kind} targets a ${accepted.join(" or ")}, not a ${target.kind}: use --target ${accepted[0]}/NAME`);
  }
  const obj = await ctx.kube.get(KubeClient.ref(target.kind, target.namespace, target.name));
  if (!obj) throw new FaultError("target-missing", `${target.kind} ${target.name} not found in namespace ${target.namespace}; list them with: kubectl get ${target.kind.toLowerCase()} -n ${target.namespace}`);
  return obj;
}

/** A change to a named object, for the record. */
export function change(verb: Change["verb"], obj: { apiVersion: string; kind: string; metadata: { namespace?: string; name?: string } }, detail: string): Change {
  return { verb, object: { apiVersion: obj.apiVersion, kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name! }, detail };
}
