/**
 * Remedies that change what a workload reads: put a ConfigMap key back (then restart the pods so
 * they read it now rather than at their next back-off), put a Secret key back to its value before
 * the onset (the change tracker kept it), or re-declare a database user with the password its
 * clients use and the role it had. Secret values are read here, at plan time, and go only into the
 * plan's action (the transaction snapshots the Secret the same way).
 */
import { parseUserList } from "../../observe/secrets.ts";
import type { Step } from "../../../src/core/plan.ts";
import { rolledOut, str, type RemedyBuilder } from "../remedy.ts";

export const restoreConfig: RemedyBuilder = {
  name: "restore-config",
  async build(rc) {
    const cm = str(rc.h.facts.configMap);
    const key = str(rc.h.facts.key);
    const value = typeof rc.h.facts.lastGoodValue === "string" ? rc.h.facts.lastGoodValue : undefined;
    const deployment = str(rc.h.facts.deployment);
    if (!cm || !key || value === undefined) return undefined;
    const steps: Step[] = [{ id: "restore-config", action: { type: "set-config", params: { namespace: rc.namespace, kind: "ConfigMap", name: cm, key, value } } }];
    if (deployment) {
      steps.push({ id: "restart", action: { type: "rollout-restart", params: { namespace: rc.namespace, name: deployment } }, after: ["restore-config"] });
      steps.push(rolledOut(rc.namespace, deployment, ["restart"]));
    }
    return { steps, rationale: `put ConfigMap ${cm} key ${key} back to its ${rc.h.facts.restoredFrom === "repair" ? "repaired" : "previous"} value${deployment ? ` and restart ${deployment} to read it` : ""}` };
  },
};

export const restoreSecret: RemedyBuilder = {
  name: "restore-secret",
  async build(rc) {
    const secret = str(rc.h.facts.usersSecret) ?? str(rc.h.facts.secret);
    const key = str(rc.h.facts.usersKey) ?? str(rc.h.facts.key);
    if (!secret || !key || !rc.tracker) return undefined;
    const value = rc.tracker.priorValue("Secret", rc.namespace, secret, key, rc.onset);
    if (value === undefined) return undefined;
    return {
      steps: [{ id: "restore-secret", action: { type: "set-config", params: { namespace: rc.namespace, kind: "Secret", name: secret, key, value } } }],
      rationale: `put Secret ${secret} key ${key} back to the value it had before the onset`,
    };
  },
};

export const restoreDbUser: RemedyBuilder = {
  name: "restore-db-user",
  async build(rc) {
    const secretName = str(rc.h.facts.usersSecret);
    const key = str(rc.h.facts.usersKey);
    const user = str(rc.h.facts.user);
    if (!secretName || !key || !user) return undefined;
    const read = (name: string) => rc.ctx.client.read({ apiVersion: "v1", kind: "Secret", namespace: rc.namespace, name });
    const secret = await read(secretName);
    const raw = secret?.data?.[key] !== undefined ? Buffer.from(secret.data[key], "base64").toString("utf8") : secret?.stringData?.[key];
    if (typeof raw !== "string" || !parseUserList(raw)) return undefined;
    const users = JSON.parse(raw) as Array<Record<string, unknown>>;
    if (!Array.isArray(users)) return undefined;
    const credName = str(rc.h.facts.credentialsSecret);
    const pwKey = str(rc.h.facts.passwordKey) ?? "password";
    const cred = credName ? await read(credName) : undefined;
    const password = cred?.data?.[pwKey] !== undefined ? Buffer.from(cred.data[pwKey], "base64").toString("utf8") : undefined;
    const priorRoles = str(rc.h.facts.lastGoodRoles);
    const dbName = str(rc.h.facts.databaseName);
    const roles = priorRoles ? JSON.parse(priorRoles) : dbName ? [{ role: "readWrite", db: dbName }] : undefined;
    const i = users.findIndex((u) => u.user === user);
    const entry = { ...(i >= 0 ? users[i] : { user }), ...(password !== undefined ? { password } : {}), ...(roles ? { roles } : {}) };
    if (!entry.roles || (i < 0 && password === undefined)) return undefined;
    const next = i >= 0 ? users.map((u, k) => (k === i ? entry : u)) : [...users, entry];
    return {
      steps: [{ id: "restore-user", action: { type: "set-config", params: { namespace: rc.namespace, kind: "Secret", name: secretName, key, value: `${JSON.stringify(next, null, 2)}\n` } } }],
      rationale: `declare database user ${user} again in Secret ${secretName} with the password its clients use and role(s) ${JSON.stringify(entry.roles)}`,
    };
  },
};
