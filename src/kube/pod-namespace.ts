/**
 * The namespace this process runs in, for things that belong beside it (the writer Lease): the
 * POD_NAMESPACE env (set from the downward API in deploy/), else the ServiceAccount's namespace
 * file a pod gets, else "default" (a watchdog run from a laptop).
 */
import { readFileSync } from "node:fs";

export const SERVICE_ACCOUNT_NAMESPACE_FILE = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

export function podNamespace(env: NodeJS.ProcessEnv = process.env, namespaceFile = SERVICE_ACCOUNT_NAMESPACE_FILE): string {
  const fromEnv = env.POD_NAMESPACE?.trim();
  if (fromEnv) return fromEnv;
  try {
    const fromFile = readFileSync(namespaceFile, "utf8").trim();
    if (fromFile) return fromFile;
  } catch {
    /* not in a pod */
  }
  return "default";
}
