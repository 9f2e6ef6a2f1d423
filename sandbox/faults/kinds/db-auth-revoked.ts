/**
 * db-auth-revoked: the roles of a MongoDB's app user removed in its `<db>-users` Secret (a
 * permissions clean-up gone wrong). The user still logs in, but every query is refused
 * ("not authorized on geo-db to execute command"), so the service in front of it fails its
 * requests. Textbook fix: give the user back its role (readWrite on its database) in the Secret.
 */
import { z } from "zod";
import { dbUserProblems, readDbUsers, writeDbUsers } from "../db-users.ts";
import { change, defineFault } from "../define.ts";
import { FaultError } from "../fault.ts";

export const dbAuthRevoked = defineFault({
  kind: "db-auth-revoked",
  targetKinds: ["Deployment"],
  summary: "the app user's roles removed in <db>-users: callers are not authorized",
  truth: { layer: "application", type: "authentication" },
  params: z.object({ user: z.string().min(1).optional() }),
  paramDocs: { user: "the username in <db>-credentials" },
  async inject(ctx, deploy, p) {
    const state = await readDbUsers(ctx, deploy.metadata.namespace!, deploy.metadata.name!, p.user);
    const u = state.users.find((x) => x.user === state.appUser);
    if (!u) throw new FaultError("bad-target", `${deploy.metadata.name} has no user ${state.appUser}`);
    const before = JSON.stringify(u.roles ?? []);
    const users = state.users.map((x) => (x.user === state.appUser ? { ...x, roles: [] } : x));
    await writeDbUsers(ctx, state.secret, users);
    return { changes: [change("patch", state.secret, `users.json user ${state.appUser} roles ${before} -> []`)], resolved: { user: state.appUser } };
  },
  check: (ctx, target, p) => dbUserProblems(ctx, target.namespace, target.name, p.user),
});
