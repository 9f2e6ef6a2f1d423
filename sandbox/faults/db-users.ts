/**
 * A MongoDB's users as the apps declare them (see sandbox/apps/README.md): Secret `<db>-users`, key
 * `users.json`, a list of {user, password, roles}; the clients' credentials in Secret
 * `<db>-credentials` (keys `username`, `password`). The database reads its users live, so editing
 * the Secret is how users and roles change — and how the DB faults break and the fixes mend them.
 */
import type { KObject } from "../api/types.ts";
import { FaultError, type FaultContext } from "./fault.ts";
import { KubeClient } from "./kube-client.ts";

export const USERS_KEY = "users.json";
export type MongoUser = { user: string; password?: string; roles?: Array<{ role: string; db: string }>; [k: string]: unknown };

/** Roles that let an app user read and write its database. */
const USABLE_ROLES = new Set(["readWrite", "dbOwner", "root", "readWriteAnyDatabase", "read", "readAnyDatabase"]);

const decode = (s: string) => Buffer.from(s, "base64").toString("utf8");
const encode = (s: string) => Buffer.from(s, "utf8").toString("base64");

export type DbUsers = { secret: KObject; users: MongoUser[]; appUser: string; appPassword: string | undefined };

/** Reads the database's users and which one its clients log in as; throws FaultError when the target is no database. */
export async function readDbUsers(ctx: FaultContext, namespace: string, db: string, user?: string): Promise<DbUsers> {
  const secret = await ctx.kube.get(KubeClient.ref("Secret", namespace, `${db}-users`));
  const raw = secret?.data?.[USERS_KEY] ?? secret?.stringData?.[USERS_KEY];
  if (!secret || typeof raw !== "string") throw new FaultError("bad-target", `Deployment ${db} is not a database with users: no Secret ${db}-users with key ${USERS_KEY}; pick a MongoDB Deployment (mongodb-*, *-mongodb)`);
  const users = JSON.parse(secret.data?.[USERS_KEY] ? decode(raw) : raw) as MongoUser[];
  const creds = await ctx.kube.get(KubeClient.ref("Secret", namespace, `${db}-credentials`));
  const credUser = creds?.data?.username ? decode(creds.data.username) : undefined;
  const appUser = user ?? credUser ?? users[0]?.user;
  if (!appUser) throw new FaultError("bad-target", `${db}-users declares no users`);
  return { secret, users, appUser, appPassword: creds?.data?.password ? decode(creds.data.password) : undefined };
}

export async function writeDbUsers(ctx: FaultContext, secret: KObject, users: MongoUser[]): Promise<void> {
  await ctx.kube.patch(KubeClient.ref("Secret", secret.metadata.namespace, secret.metadata.name!), {
    data: { [USERS_KEY]: encode(JSON.stringify(users)) },
  }, "merge");
}

/** Why the clients cannot log in and work, reading the Secrets as they are now; [] when they can. */
export async function dbUserProblems(ctx: FaultContext, namespace: string, db: string, user?: string): Promise<string[]> {
  let state: DbUsers;
  try {
    state = await readDbUsers(ctx, namespace, db, user);
  } catch (e) {
    return [(e as Error).message];
  }
  const u = state.users.find((x) => x.user === state.appUser);
  if (!u) return [`${db} has no user ${state.appUser}, which its clients log in as`];
  const reasons: string[] = [];
  if (state.appPassword !== undefined && u.password !== undefined && u.password !== state.appPassword) reasons.push(`${db} user ${state.appUser}'s password differs from the one its clients use`);
  if (!(u.roles ?? []).some((r) => USABLE_ROLES.has(r.role))) reasons.push(`${db} user ${state.appUser} has no role that can read or write its database`);
  return reasons;
}
