/**
 * Authentication and RBAC for the simulated API server: see gate.ts for the request path.
 */
export { ApiAuth, type AuthOptions } from "./gate.ts";
export { ADMIN_USER, type StaticToken } from "./authenticator.ts";
export { bootstrapPolicy } from "./bootstrap-policy.ts";
export { API_AUDIENCE } from "./service-account-tokens.ts";
export type { UserInfo } from "./user.ts";
