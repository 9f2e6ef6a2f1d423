/** db-auth on hand-built observations: the clients' user missing from, or stripped of roles in, the database's user list. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ChangeTracker } from "../../../../agents/observe/changes.ts";
import { deployment, diagnose, edge, NOW, observation, pod, replicaSet, running, secret, service, stats } from "../../fixtures.ts";

const USERS = (roles: object[] | null) => JSON.stringify(roles === null ? [] : [{ user: "geo", password: "s3cret", roles }]);

function cluster(users: string) {
  const db = deployment("mongodb-geo", { port: 27017, volumes: [{ name: "users", secret: { secretName: "mongodb-geo-users" } }] });
  const client = deployment("geo", {
    env: [
      { name: "MONGO_ADDR", value: "mongodb-geo:27017" },
      { name: "MONGO_USER", valueFrom: { secretKeyRef: { name: "mongodb-geo-credentials", key: "username" } } },
      { name: "MONGO_PASSWORD", valueFrom: { secretKeyRef: { name: "mongodb-geo-credentials", key: "password" } } },
    ],
  });
  const dbRs = replicaSet(db, 1);
  const clientRs = replicaSet(client, 1);
  const cp = pod(clientRs, "a", running("geo"));
  const obs = observation({
    objects: [db, dbRs, pod(dbRs, "a", running("mongodb-geo")), client, clientRs, cp, service("mongodb-geo", 27017), service("geo", 8080),
      secret("mongodb-geo-users", { "users.json": users }), secret("mongodb-geo-credentials", { username: "geo", password: "s3cret" })],
    edges: { hr: [edge("search", "geo", 1), edge("geo", "mongodb-geo", 1)] },
    stats: { hr: { search: stats(1), geo: stats(1) } },
  });
  obs.logs = [{ namespace: "hr", pod: cp.metadata.name, container: "geo", previous: false, lines: ["server returned error on SASL authentication step: Authentication failed."] }];
  return obs;
}

describe("rule db-auth", () => {
  it("blames the database when its user list no longer declares the clients' user; restores the Secret the tracker saw", () => {
    const tracker = new ChangeTracker();
    tracker.record(NOW - 300_000, [secret("mongodb-geo-users", { "users.json": USERS([{ role: "readWrite", db: "geo-db" }]) })], ["Secret"]);
    tracker.record(NOW - 70_000, [secret("mongodb-geo-users", { "users.json": USERS(null) })], ["Secret"]);
    const obs = cluster(USERS(null));
    obs.changes = tracker.changes();
    const d = diagnose(obs, ["search"], { tracker });
    const h = d.hypotheses[0];
    assert.deepEqual([h.rootCause.kind, h.rootCause.name, h.layer, h.type], ["Deployment", "mongodb-geo", "application", "authentication"]);
    assert.deepEqual([h.facts.problem, h.facts.usersSecret, h.facts.user, h.facts.hasLastGood, h.facts.remedies], ["missing", "mongodb-geo-users", "geo", true, "restore-secret,restore-db-user"]);
    assert.deepEqual(d.path, ["search", "geo", "mongodb-geo"]);
    assert.ok(!JSON.stringify(d).includes("s3cret"), "no password in the diagnosis");
  });

  it("names a user left without roles, and needs no history to re-declare it", () => {
    const h = diagnose(cluster(USERS([])), ["search"]).hypotheses[0];
    assert.deepEqual([h.facts.problem, h.facts.remedies], ["no-roles", "restore-db-user"]);
  });

  it("finds nothing while the user has its role", () => {
    const obs = cluster(USERS([{ role: "readWrite", db: "geo-db" }]));
    obs.logs = [];
    assert.equal(diagnose(obs, ["search"]).hypotheses.filter((h) => h.facts.finding === "db-credentials-rejected").length, 0);
  });
});
