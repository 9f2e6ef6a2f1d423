/**
 * Reads the resolvers share: a Deployment (missing → Unbound), its pods and ReplicaSets, memory
 * quantities in bytes, and "the last good version" of an object — the newest ledger snapshot taken before the incident's onset, else the `last-applied-configuration` that
 * `kubectl apply` leaves on the object (an edit or patch made since does not change it).
 */
import { isLedgerError, type LedgerReader } from "../../core/ledger/index.ts";
import { readPayloads } from "../../core/ledger/payload.ts";
import { TX } from "../../core/transaction-records.ts";
import type { KubeObject, ObjectRef } from "../../kube/types.ts";
import { selectorText } from "../../kube/selectors.ts";
import { formatRef } from "../../kube/types.ts";
import { Unbound } from "../errors.ts";
import type { ResolveContext } from "./resolver.ts";

export const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
export const REVISION = "deployment.kubernetes.io/revision";

export async function readOrUnbound(ctx: ResolveContext, ref: ObjectRef): Promise<KubeObject> {
  const obj = await ctx.client.read(ref);
  if (!obj) throw new Unbound(`${formatRef(ref)} does not exist`);
  return obj;
}

export const deploymentRef = (namespace: string, name: string): ObjectRef => ({ apiVersion: "apps/v1", kind: "Deployment", namespace, name });

export const readDeployment = (ctx: ResolveContext, name: string) => readOrUnbound(ctx, deploymentRef(ctx.namespace, name));

export const isActivePod = (p: KubeObject) => !p.metadata.deletionTimestamp && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed";

/** Active pods whose labels include `labels`; none for an empty selector (it would match everything). */
export async function podsWithLabels(ctx: ResolveContext, labels: Record<string, string> | undefined): Promise<KubeObject[]> {
  if (!labels || Object.keys(labels).length === 0) return [];
  return (await ctx.client.list("v1", "Pod", { namespace: ctx.namespace, labelSelector: selectorText(labels) })).filter(isActivePod);
}

export const podsOfDeployment = (ctx: ResolveContext, d: KubeObject) => podsWithLabels(ctx, d.spec?.selector?.matchLabels);

export function revisionOf(o: KubeObject): number {
  const n = Number(o.metadata.annotations?.[REVISION]);
  return Number.isInteger(n) && n > 0 ? n : 0;
}

/** The ReplicaSets a Deployment owns (by owner uid), newest revision first. */
export async function ownedReplicaSets(ctx: ResolveContext, d: KubeObject): Promise<KubeObject[]> {
  const match = d.spec?.selector?.matchLabels as Record<string, string> | undefined;
  const all = await ctx.client.list("apps/v1", "ReplicaSet", { namespace: ctx.namespace, ...(match ? { labelSelector: selectorText(match) } : {}) });
  return all.filter((rs) => rs.metadata.ownerReferences?.some((o) => o.uid === d.metadata.uid)).sort((a, b) => revisionOf(b) - revisionOf(a));
}

type Container = { name: string; [k: string]: unknown };

export const containersOf = (d: KubeObject): Container[] => (d.spec?.template?.spec?.containers ?? []) as Container[];

/** The container a Deployment is about: the one named like it, else the first. */
export function mainContainerOf(d: KubeObject): Container {
  const cs = containersOf(d);
  const c = cs.find((x) => x.name === d.metadata.name) ?? cs[0];
  if (!c) throw new Unbound(`Deployment ${d.metadata.namespace}/${d.metadata.name} has no containers`);
  return c;
}

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, m: 1e-3 };

/** A memory quantity in bytes ("256Mi" → 268435456); undefined when it does not parse. */
export function quantityBytes(q: unknown): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E|m)?$/.exec(String(q ?? "").trim());
  if (!m) return undefined;
  const unit = m[2] ?? "";
  return Number(m[1]) * (BINARY[unit] ?? DECIMAL[unit]);
}

/** Bytes as the largest binary unit that divides them: 536870912 → "512Mi". */
export function formatBytes(bytes: number): string {
  for (const u of ["Ei", "Pi", "Ti", "Gi", "Mi", "Ki"]) if (bytes >= BINARY[u] && bytes % BINARY[u] === 0) return `${bytes / BINARY[u]}${u}`;
  return String(Math.round(bytes));
}

export type LastGood = { object: KubeObject; source: string };

/**
 * The object as it was before the incident: the newest ledger snapshot taken before the onset (or
 * before the incident was opened), else the last-applied-configuration annotation. Undefined when
 * neither exists.
 */
export function lastGoodObject(ctx: ResolveContext, current: KubeObject | undefined, ref: ObjectRef): LastGood | undefined {
  const before = ctx.input.incident?.onsetAt ?? ctx.input.incident?.openedAt;
  const cutoff = before ? Date.parse(before) : NaN;
  if (ctx.ledger && Number.isFinite(cutoff)) {
    const snaps = readPayloads(ctx.ledger.byObject({ kind: ref.kind, namespace: ref.namespace ?? null, name: ref.name }), TX.snapshot)
      .filter(({ entry, payload }) => payload.object && Date.parse(entry.time) < cutoff);
    const last = snaps[snaps.length - 1];
    // Snapshots keep a Secret's data sealed; opened here, in memory. Without the data key the
    // snapshot is no history (a sealed string restored into a Secret would break it).
    const opened = last && unsealedOrUndefined(ctx.ledger, last.payload.object);
    if (last && opened) return { object: opened as unknown as KubeObject, source: `ledger snapshot ${last.entry.id} (${last.entry.time})` };
  }
  const applied = current?.metadata.annotations?.[LAST_APPLIED];
  if (applied) {
    try {
      return { object: JSON.parse(applied) as KubeObject, source: "the last-applied-configuration annotation" };
    } catch {
      /* an unreadable annotation is no history */
    }
  }
  return undefined;
}

/** A ConfigMap's or Secret's values as plain text (Secret data is base64; stringData is not). */
export function configValues(o: KubeObject | undefined): Record<string, string> {
  if (!o) return {};
  if (o.kind === "Secret") {
    const decoded = Object.fromEntries(Object.entries((o.data ?? {}) as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]));
    return { ...decoded, ...((o.stringData ?? {}) as Record<string, string>) };
  }
  return { ...((o.data ?? {}) as Record<string, string>) };
}

function unsealedOrUndefined<T>(ledger: LedgerReader, value: T): T | undefined {
  try {
    return ledger.unseal(value);
  } catch (e) {
    if (isLedgerError(e, "LEDGER_SEALED")) return undefined;
    throw e;
  }
}
