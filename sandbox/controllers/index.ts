/**
 * The control loops the sandbox runs, registered in one list, and the services they expose to the
 * API server (container logs). Add a controller: write its file and add it to `createControllers`.
 */
import type { PodLogSource } from "../api/server.ts";
import type { ImageCatalog } from "../images/catalog.ts";
import type { Controller } from "./controller.ts";

export type ControllerSet = { controllers: Controller[]; logs: PodLogSource };

export function createControllers(_opts: { images: ImageCatalog }): ControllerSet {
  const controllers: Controller[] = [];
  return {
    controllers,
    logs: { read: () => "" },
  };
}
