/**
 * db-auth: a database refuses its clients — the user their credentials name is missing from the
 * user list the database reads (a Secret), or holds no role — so every call to it fails
 * ("Authentication failed", "not authorized on ..."). The database is found from the clients'
 * env (an address naming its Service, a username from a Secret) and the user-list Secret it
 * mounts; a change to that Secret near the onset seals it. Reported against the database's
 * Deployment; the fix restores the Secret's previous value, or re-declares the user with the
 * password the clients use and the role it had (or its database's readWrite).
 */
import type { KubeObject } from "../../../src/kube/types.ts";
import { parseUserList } from "../../observe/secrets.ts";
import { nsOf, referencedObjects } from "../../observe/lookups.ts";
import type { DeclaredUser } from "../../observe/types.ts";
import type { Evidence, Hypothesis } from "../../../src/incident/types.ts";
import { AUTH_FAILED, grep, NOT_AUTHORIZED } from "../patterns.ts";
import { hypothesis, deploymentRef, type Rule } from "../rule.ts";
import { changesNearOnset, deploymentOnPath, deploymentsIn, logEvidence } from "./util.ts";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

export const dbAuthRule: Rule = {
  name: "db-auth",
  analyze(ctx) {
    const out: Hypothesis[] = [];
    const deployments = deploymentsIn(ctx);
    for (const db of deployments) {
      const list = userListOf(ctx, db);
      if (!list) continue;
      const services = ctx.idx.servicesOf(db).map((s) => s.metadata.name);
      if (!services.length) continue;
      const clients = deployments.map((d) => ({ d, login: loginOf(ctx, d, services) })).filter((c): c is { d: KubeObject; login: Login } => !!c.login);
      for (const { d: client, login } of clients) {
        const user = list.users.find((u) => u.user === login.user);
        const problem = !user ? "missing" : !user.roles.some((r) => r.role) ? "no-roles" : undefined;
        const lines = [...grep(ctx.idx.logsOf(client), AUTH_FAILED, 2), ...grep(ctx.idx.logsOf(client), NOT_AUTHORIZED, 2)];
        const changed = changesNearOnset(ctx, "Secret", list.secret);
        if (!problem && !(lines.length && changed.changes.length)) continue;
        const failing = ctx.walk.failing.filter((e) => services.includes(e.callee) && e.service === client.metadata.name);
        const before = ctx.tracker?.priorValue("Secret", ctx.namespace, list.secret, list.key, ctx.onset);
        const current = ctx.tracker?.currentValue("Secret", ctx.namespace, list.secret, list.key);
        const hasLastGood = before !== undefined && before !== current && usable(parseUserList(before), login.user);
        const priorRoles = parseUserList(before ?? "")?.find((u) => u.user === login.user)?.roles;
        let confidence = problem ? 0.85 : 0.5;
        if (lines.length) confidence += 0.05;
        if (changed.changes.length) confidence += 0.05;
        if (failing.length || deploymentOnPath(ctx, db)) confidence += 0.03;
        const evidence: Evidence[] = [
          { source: "spec", entity: { kind: "Secret", namespace: ctx.namespace, name: list.secret }, fact: problem === "missing" ? `Secret ${list.secret} (${list.key}) declares users ${list.users.map((u) => u.user).join(", ") || "(none)"}: no ${login.user}` : `Secret ${list.secret} (${list.key}): user ${login.user} has roles ${JSON.stringify(user?.roles ?? [])}` },
          { source: "spec", entity: deploymentRef(client), fact: `Deployment ${client.metadata.name} logs in to ${login.address} as ${login.user} (username from Secret ${login.secret ?? "(literal env)"})` },
          ...failing.map((e) => ({ source: "metric" as const, entity: deploymentRef(db), fact: `${e.service} → ${e.callee}: ${(e.errorRatio * 100).toFixed(0)}% of calls fail` })),
          ...lines.map((l) => logEvidence(client, l)),
          ...changed.evidence,
        ];
        out.push(hypothesis({
          finding: "db-credentials-rejected",
          rootCause: deploymentRef(db),
          summary: `Database ${db.metadata.name} ${problem === "missing" ? `no longer declares user ${login.user}` : problem === "no-roles" ? `grants user ${login.user} no role` : `refuses user ${login.user}`}, which ${client.metadata.name} logs in as (Secret ${list.secret})`,
          confidence,
          evidence,
          facts: {
            database: db.metadata.name, service: services[0], client: client.metadata.name, usersSecret: list.secret, usersKey: list.key, secret: list.secret, configKey: list.key, user: login.user,
            credentialsSecret: login.secret ?? null, passwordKey: login.passwordKey ?? null, problem: problem ?? "refused",
            hasLastGood, lastGoodRoles: priorRoles ? JSON.stringify(priorRoles) : null, databaseName: databaseName(ctx, client) ?? null,
          },
          remedies: hasLastGood ? ["restore-secret", "restore-db-user"] : ["restore-db-user"],
        }));
      }
    }
    return out;
  },
};

/** The user-list Secret a database Deployment mounts, summarized. */
function userListOf(ctx: Parameters<Rule["analyze"]>[0], db: KubeObject): { secret: string; key: string; users: DeclaredUser[] } | undefined {
  for (const name of referencedObjects(db).secrets) {
    const s = ctx.idx.secret(ctx.namespace, name);
    for (const [key, insight] of Object.entries(s?.insight ?? {})) if (insight.shape === "user-list") return { secret: name, key, users: insight.users };
  }
  return undefined;
}

type Login = { user: string; address: string; secret?: string; passwordKey?: string };

/** How a client logs in to one of `services`: an env address naming it, and a username (from a Secret or a literal). */
function loginOf(ctx: Parameters<Rule["analyze"]>[0], d: KubeObject, services: string[]): Login | undefined {
  for (const c of (d.spec?.template?.spec?.containers ?? []) as Any[]) {
    const env = (c.env ?? []) as Any[];
    const address = env.map((e) => String(e.value ?? "")).find((v) => services.some((s) => new RegExp(`(^|//|@)${s}(\\.${nsOf(d)}[.a-z]*)?(:\\d+)?(/|$)`).test(v)));
    if (!address) continue;
    for (const e of env) {
      if (!/USER/i.test(e.name)) continue;
      const ref = e.valueFrom?.secretKeyRef;
      if (ref?.name) {
        const insight = ctx.idx.secret(ctx.namespace, ref.name)?.insight?.[ref.key];
        if (insight?.shape === "username") {
          const pw = env.find((x) => /PASS/i.test(x.name) && x.valueFrom?.secretKeyRef?.name === ref.name)?.valueFrom?.secretKeyRef?.key;
          return { user: insight.value, address, secret: ref.name, ...(pw ? { passwordKey: pw } : {}) };
        }
      } else if (typeof e.value === "string" && e.value) return { user: e.value, address };
    }
  }
  return undefined;
}

const usable = (users: DeclaredUser[] | undefined, user: string) => !!users?.find((u) => u.user === user && u.roles.some((r) => r.role));

/** The database name a client's config names ("database" / "db" in a JSON ConfigMap), for a role grant. */
function databaseName(ctx: Parameters<Rule["analyze"]>[0], d: KubeObject): string | undefined {
  for (const name of referencedObjects(d).configMaps) {
    for (const v of Object.values((ctx.idx.configMap(ctx.namespace, name)?.data ?? {}) as Record<string, string>)) {
      try {
        const o = JSON.parse(v);
        const db = o?.database ?? o?.db ?? o?.dbName;
        if (typeof db === "string" && db) return db;
      } catch {
        /* not JSON */
      }
    }
  }
  return undefined;
}
