/**
 * A kubeconfig for the sandbox: one cluster, one user with a token, one context named
 * `stratus-sandbox`, so kubectl and @kubernetes/client-node reach it like any cluster.
 */
import { writeFileSync } from "node:fs";
import { stringify } from "yaml";

export const SANDBOX_CONTEXT = "stratus-sandbox";

export function kubeconfigYaml(server: string, namespace = "default"): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    // @kubernetes/client-node 2.x refuses a plain-http server unless TLS verification is marked
    // skipped; kubectl ignores the flag for http, so it costs nothing there.
    clusters: [{ name: SANDBOX_CONTEXT, cluster: { server, "insecure-skip-tls-verify": true } }],
    users: [{ name: "sandbox-admin", user: { token: "sandbox-admin-token" } }],
    contexts: [{ name: SANDBOX_CONTEXT, context: { cluster: SANDBOX_CONTEXT, user: "sandbox-admin", namespace } }],
    "current-context": SANDBOX_CONTEXT,
    preferences: {},
  });
}

export function writeKubeconfig(file: string, server: string): void {
  writeFileSync(file, kubeconfigYaml(server), { mode: 0o600 });
}
