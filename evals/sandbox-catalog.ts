/**
 * The catalog view of this repository's sandbox: the fault kinds registered in sandbox/faults and
 * the objects of the apps in sandbox/apps, as the scenario loader needs them.
 */
import { hotelReservation } from "../sandbox/apps/hotel-reservation/index.ts";
import { socialNetwork } from "../sandbox/apps/social-network/index.ts";
import type { AppDefinition } from "../sandbox/apps/types.ts";
import { FAULTS } from "../sandbox/faults/index.ts";
import { catalogFrom, type CatalogView } from "./catalog-view.ts";

export const EVAL_APPS: readonly AppDefinition[] = [hotelReservation, socialNetwork];

export function appByName(name: string): AppDefinition | undefined {
  return EVAL_APPS.find((a) => a.name === name);
}

let cached: CatalogView | undefined;

export function sandboxCatalog(): CatalogView {
  cached ??= catalogFrom(FAULTS, EVAL_APPS.map((a) => ({ name: a.name, objects: a.manifests() })));
  return cached;
}
