/**
 * What the scenario loader needs to know about the world: which fault kinds exist (and which are
 * benign noise), what each is aimed at, and which objects each app has. Kept to a small interface so
 * the loader is tested without a sandbox; `catalogFrom` builds it from the fault catalog's specs and
 * the apps' manifests.
 */

export type FaultKindView = { targetKinds: readonly string[]; benign: boolean };

export interface CatalogView {
  /** The kind's spec, or undefined for a kind the catalog does not have. */
  fault(kind: string): FaultKindView | undefined;
  /** Every kind, faults and noise, sorted. */
  kinds(): string[];
  /** True when the app's manifests hold an object of this kind and name. */
  appHas(app: string, kind: string, name: string): boolean;
  /** Names of the app's objects of one kind, sorted (for messages). */
  appObjects(app: string, kind: string): string[];
}

/** Builds the view from fault specs and app manifests (any objects with kind and metadata.name). */
export function catalogFrom(
  faults: ReadonlyArray<{ spec: { kind: string; targetKinds: readonly string[]; truth: unknown } }>,
  apps: ReadonlyArray<{ name: string; objects: ReadonlyArray<{ kind: string; metadata: { name?: string } }> }>,
): CatalogView {
  const byKind = new Map(faults.map((f) => [f.spec.kind, { targetKinds: f.spec.targetKinds, benign: f.spec.truth === "benign" }]));
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
    fault: (kind) => byKind.get(kind),
    kinds: () => [...byKind.keys()].sort(),
    appHas: (app, kind, name) => objects.get(app)?.get(kind)?.has(name) ?? false,
    appObjects: (app, kind) => [...(objects.get(app)?.get(kind) ?? [])].sort(),
  };
}
