/**
 * The watchdog's HTTP surface: the API server (alerts, ledger, incidents, approvals), /metrics on
 * its own listener, the Kubernetes-backed authenticator, and the alert intake's credentials.
 */
export { startServer, parseListen, type RunningServer, type ServerDeps, type Readiness } from "./server.ts";
export { startMetricsServer, metricsListenFor, DEFAULT_METRICS_LISTEN, DEFAULT_METRICS_PORT } from "./metrics-server.ts";
export { StratusMetrics } from "./metrics.ts";
export { AlertStore, AlertmanagerWebhook, inAlertScope, type AlertScope, type AlertStoreOptions } from "./alerts.ts";
export { loadAlertToken, loadAlertBasicAuth, type AlertBasicAuth } from "./alert-token.ts";
export { KubeAuthenticator, STRATUS_API_GROUP, STRATUS_INCIDENTS, RBAC_VERB, type KubeAuthenticatorOptions } from "./kube-authenticator.ts";
export { SESSION_COOKIE, sessionCookie, clearSessionCookie, credentialOf, sameOrigin, type AccessScope, type AccessVerb, type AuthDecision, type Identity, type RequestAuthenticator, type ExtraRoute } from "./http-auth.ts";
