/**
 * What the scenario loader needs to know about the world: which fault kinds exist (and which are
 * benign noise), what each is aimed at, and which objects each app has. Kept to a small interface so
 * the loader is tested without a sandbox; `catalogFrom` builds it from the fault catalog's specs and
 * the apps' manifests.
 */

export type FaultKindView = {
  targetKinds: readonly string[];
  benign: boolean;
  /** A generic kind (api-change) that may be listed under noise as well as faults. */
  alsoNoise?: boolean;
  /** True when the kind checks its injections itself (`preflight`), targets included. */
  preflight?: boolean;
};

/** One injection handed to a kind's preflight: `field` is its place in the file (`faults[0]`). */
export type PreflightInput = { field: string; target: { kind: string; name: string }; params?: Record<string, unknown> };

export interface CatalogView {
  /** The kind's spec, or undefined for a kind the catalog does not have. */
  fault(kind: string): FaultKindView | undefined;
  /** Every kind, faults and noise, sorted. */
  kinds(): string[];
  /** True when the app's manifests hold an object of this kind and name. */
  appHas(app: string, kind: string, name: string): boolean;
  /** Names of the app's objects of one kind, sorted (for messages). */
  appObjects(app: string, kind: string): string[];
  /** Why these params are not valid for the kind (unknown name, wrong type), or undefined when they are. */
  checkParams(kind: string, params: Record<string, unknown> | undefined): string | undefined;
  /**
   * For kinds with a preflight: the scenario's injections of `kind`, in the order they run, checked
   * against a twin of the app; problems name the field (`faults[0].params.patch[1]`). Pure.
   */
  preflight?(app: string, kind: string, steps: PreflightInput[]): Array<{ field: string; message: string }>;
}

/** Builds the view from fault specs and app manifests (any objects with kind and metadata.name). */
export function catalogFrom(
  faults: ReadonlyArray<{
    spec: { kind: string; targetKinds: readonly string[]; truth: unknown; alsoNoise?: boolean };
    groundTruth?(target: { kind: string; name: string; namespace: string }, params?: Record<string, unknown>): unknown;
    preflight?(objects: ReadonlyArray<Record<string, any>>, steps: PreflightInput[]): Array<{ field: string; message: string }>;
  }>,
  apps: ReadonlyArray<{ name: string; objects: ReadonlyArray<{ kind: string; metadata: { name?: string } }> }>,
): CatalogView {
  const byKind = new Map(faults.map((f) => [f.spec.kind, { targetKinds: f.spec.targetKinds, benign: f.spec.truth === "benign", alsoNoise: f.spec.alsoNoise, preflight: !!f.preflight }]));
  const objects = new Map<string, Map<string, Set<string>>>();
  for (const app of apps) {
    const kinds = new Map<string, Set<string>>();
    for (const o of app.objects) {
      if (!o.metadata.name) continue;
      let names = kinds.get(o.kind);
      if (!names) kinds.set(o.kind, (names = new Set()));
      names.add(o.metadata.name);
    }
    objects.set(app.name, kinds);
  }
  return {
    preflight: (app, kind, steps) => {
      const f = faults.find((x) => x.spec.kind === kind);
      const objs = apps.find((a) => a.name === app)?.objects;
      return f?.preflight && objs ? f.preflight(objs, steps) : [];
    },
    checkParams: (kind, params) => {
      const f = faults.find((x) => x.spec.kind === kind);
      if (!f?.groundTruth || !params) return undefined;
      try {
        // groundTruth is pure and validates params the way inject does, before any cluster is involved.
        f.groundTruth({ kind: f.spec.targetKinds[0] ?? "Deployment", name: "x", namespace: "x" }, params);
        return undefined;
      } catch (e) {
        return (e as Error).message;
      }
    },
    fault: (kind) => byKind.get(kind),
    kinds: () => [...byKind.keys()].sort(),
    appHas: (app, kind, name) => objects.get(app)?.get(kind)?.has(name) ?? false,
    appObjects: (app, kind) => [...(objects.get(app)?.get(kind) ?? [])].sort(),
  };
}
