/**
 * The catalog view of this repository's sandbox: the fault kinds registered in sandbox/faults and
 * the objects of the apps registered in sandbox/apps, as the scenario loader needs them.
 */
import { APPS } from "../sandbox/apps/index.ts";
import { FAULTS } from "../sandbox/faults/index.ts";
import { catalogFrom, type CatalogView } from "./catalog-view.ts";

let cached: CatalogView | undefined;

export function sandboxCatalog(): CatalogView {
  cached ??= catalogFrom(FAULTS, APPS.map((a) => ({ name: a.name, objects: a.manifests() })));
  return cached;
}
