/**
 * A kubeconfig for the sandbox: one cluster, one user with the admin's bearer token (minted at
 * start, system:masters), one context named `stratus-sandbox`, so kubectl and
 * @kubernetes/client-node reach it like any cluster. Over HTTPS it carries the CA to verify the
 * server with, when one was given.
 */
import { writeFileSync } from "node:fs";
import { stringify } from "yaml";

export const SANDBOX_CONTEXT = "stratus-sandbox";
export const SANDBOX_USER = "sandbox-admin";

export type KubeconfigOptions = { server: string; token: string; namespace?: string; caPem?: string | Buffer };

export function kubeconfigYaml(o: KubeconfigOptions): string {
  // @kubernetes/client-node 2.x refuses a plain-http server unless TLS verification is marked
  // skipped; kubectl ignores the flag for http, so it costs nothing there.
  const cluster = o.caPem
    ? { server: o.server, "certificate-authority-data": Buffer.from(o.caPem).toString("base64") }
    : { server: o.server, "insecure-skip-tls-verify": true };
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: SANDBOX_CONTEXT, cluster }],
    users: [{ name: SANDBOX_USER, user: { token: o.token } }],
    contexts: [{ name: SANDBOX_CONTEXT, context: { cluster: SANDBOX_CONTEXT, user: SANDBOX_USER, namespace: o.namespace ?? "default" } }],
    "current-context": SANDBOX_CONTEXT,
    preferences: {},
  });
}

export function writeKubeconfig(file: string, o: KubeconfigOptions): void {
  writeFileSync(file, kubeconfigYaml(o), { mode: 0o600 });
}
