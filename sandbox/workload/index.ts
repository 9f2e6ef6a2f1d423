/**
 * The workload layer: the load generator, request propagation over the apps' call graphs, the
 * cluster's /metrics, and the chaos kinds it honours.
 */
export { Workload, DEFAULT_TICK_MS, type WorkloadOptions, type RunOptions, type AppLoad } from "./generator.ts";
export { CHAOS_RESOURCES, CHAOS_GROUP, CHAOS_VERSION } from "./chaos.ts";
export { workloadRoutes, METRICS_PATH, WORKLOAD_PATH } from "./routes.ts";
export { BUCKETS } from "./metrics.ts";
