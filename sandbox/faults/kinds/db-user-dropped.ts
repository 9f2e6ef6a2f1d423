/**
 * db-user-dropped: a MongoDB's app user deleted from its `<db>-users` Secret. Clients fail to log
 * in ("server returned error on SASL authentication step: Authentication failed."), so the service
 * in front of it fails its requests. Textbook fix: add the user back to the Secret with the password
 * from `<db>-credentials` and readWrite on its database.
 */
import { z } from "zod";
import { dbUserProblems, readDbUsers, writeDbUsers } from "../db-users.ts";
import { change, defineFault } from "../define.ts";
import { FaultError } from "../fault.ts";

export const dbUserDropped = defineFault({
  kind: "db-user-dropped",
  targetKinds: ["Deployment"],
  summary: "the app user deleted from <db>-users: callers fail authentication",
  truth: { layer: "application", type: "authentication" },
  params: z.object({ user: z.string().min(1).optional() }),
  paramDocs: { user: "the username in <db>-credentials" },
  async inject(ctx, deploy, p) {
    const state = await readDbUsers(ctx, deploy.metadata.namespace!, deploy.metadata.name!, p.user);
    if (!state.users.some((x) => x.user === state.appUser)) throw new FaultError("bad-target", `${deploy.metadata.name} has no user ${state.appUser}`);
    await writeDbUsers(ctx, state.secret, state.users.filter((x) => x.user !== state.appUser));
    return { changes: [change("patch", state.secret, `users.json user ${state.appUser} removed`)], resolved: { user: state.appUser } };
  },
  check: (ctx, target, p) => dbUserProblems(ctx, target.namespace, target.name, p.user),
});
