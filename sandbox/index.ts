/**
 * The sandbox's public surface: start a simulated cluster, its clocks, its image model, and its
 * apps with their load generator.
 */
export { Sandbox, type SandboxOptions } from "./cluster.ts";
export { RealClock, VirtualClock, type Clock } from "./clock.ts";
export { ImageCatalog, type ImageEntry, type ImageBehaviour, type ContainerRun } from "./images/catalog.ts";
export { SANDBOX_CONTEXT, SANDBOX_USER } from "./kubeconfig.ts";
export { ADMIN_USER, API_AUDIENCE, type AuthOptions, type StaticToken, type UserInfo } from "./api/auth/index.ts";
export type { TlsOptions } from "./api/server.ts";
export { APPS, APP_NAMES, getApp, appStatus, waitForApp, type AppDefinition, type AppStatus } from "./apps/index.ts";
export { type Workload, type WorkloadOptions, type RunOptions, type AppLoad, METRICS_PATH } from "./workload/index.ts";
export { seededRandom } from "./random.ts";
