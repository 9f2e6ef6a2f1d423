/**
 * The watchdog's HTTP surface: the server, its Prometheus metrics and the alert intake.
 */
export { startServer, parseListen, type RunningServer, type ServerDeps, type Readiness } from "./server.ts";
export { StratusMetrics } from "./metrics.ts";
export { AlertStore, AlertmanagerWebhook, inAlertScope, type AlertScope, type AlertStoreOptions } from "./alerts.ts";
export { loadAlertToken } from "./alert-token.ts";
