/**
 * The sandbox's public surface: start a simulated cluster, its clocks, and its image model.
 */
export { Sandbox, type SandboxOptions } from "./cluster.ts";
export { RealClock, VirtualClock, type Clock } from "./clock.ts";
export { ImageCatalog, type ImageEntry, type ImageBehaviour, type ContainerRun } from "./images/catalog.ts";
export { SANDBOX_CONTEXT } from "./kubeconfig.ts";
