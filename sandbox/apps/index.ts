/**
 * The apps the sandbox can run, registered in one list, and how to deploy them. Names and
 * conventions are the contract in `README.md` beside this file.
 */
import { hotelReservation } from "./hotel-reservation/index.ts";
import { socialNetwork } from "./social-network/index.ts";
import type { AppDefinition } from "./types.ts";

export const APPS: readonly AppDefinition[] = [hotelReservation, socialNetwork];
export const APP_NAMES: readonly string[] = APPS.map((a) => a.name);

/** The app of that name; throws with the known names otherwise. */
export function getApp(name: string): AppDefinition {
  const app = APPS.find((a) => a.name === name);
  if (!app) throw new Error(`unknown app "${name}": known apps are ${APP_NAMES.join(", ")}`);
  return app;
}

export { deployApp, appStatus, waitForApp, type AppStatus } from "./deploy.ts";
export type { AppDefinition, RequestType, ServiceSpec, StoreSpec } from "./types.ts";
