/**
 * Faults in the databases' declared state, on both apps: the app user's roles revoked, the app
 * user dropped (both in the `<db>-users` Secret), and the PVC recreated with a storage class that
 * does not exist. Each textbook fix edits objects only — the Secret, or an unbound claim — and
 * passes its oracle; a fake fix does not.
 */
import assert from "node:assert/strict";
import { describe } from "node:test";
import { getApp } from "../../../sandbox/apps/index.ts";
import { expectEdgeErrors, expectLog, expectPodStatus, faultStory, type Scene } from "./helpers.ts";

/** The textbook fix: readWrite on the database the clients use, back in users.json. */
async function grantReadWrite(s: Scene): Promise<void> {
  const store = getApp(s.app).stores.find((x) => x.name === s.target.name)!;
  const secret = await s.kube.require({ apiVersion: "v1", kind: "Secret", namespace: s.ns, name: `${s.target.name}-users` });
  const users = JSON.parse(Buffer.from(secret.data["users.json"], "base64").toString("utf8"));
  const next = users.map((u: any) => (u.user === store.user ? { ...u, roles: [{ role: "readWrite", db: store.database }] } : u));
  await s.patch("Secret", `${s.target.name}-users`, { stringData: { "users.json": JSON.stringify(next) } });
}

async function unauthorized(s: Scene, client: string, log: RegExp) {
  const users = await s.kubectl("get", "secret", `${s.target.name}-users`, "-o", "jsonpath={.data.users\\.json}");
  assert.match(Buffer.from(users, "base64").toString("utf8"), /"roles":\[\]/);
  await expectEdgeErrors(s, client, s.target.name, 0.9);
  await expectLog(s, client, log);
  assert.match(await s.kubectl("get", "pods", "-l", `app=${s.target.name}`, "--no-headers"), /1\/1\s+Running/);
}

describe("db-auth-revoked", () => {
  faultStory({
    app: "hotel-reservation", kind: "db-auth-revoked", target: { kind: "Deployment", name: "mongodb-geo" }, broken: "geo",
    symptom: (s) => unauthorized(s, "geo", /not authorized on geo-db to execute command/),
    fix: grantReadWrite,
  });
  faultStory({
    app: "social-network", kind: "db-auth-revoked", target: { kind: "Deployment", name: "user-mongodb" }, fake: "delete",
    symptom: (s) => unauthorized(s, "user-service", /not authorized on user to execute command/),
    fix: grantReadWrite,
  });
});

const decode = (v: string) => Buffer.from(v, "base64").toString("utf8");

async function addUserBack(s: Scene): Promise<void> {
  const store = getApp(s.app).stores.find((x) => x.name === s.target.name)!;
  const creds = await s.kube.require({ apiVersion: "v1", kind: "Secret", namespace: s.ns, name: `${s.target.name}-credentials` });
  const secret = await s.kube.require({ apiVersion: "v1", kind: "Secret", namespace: s.ns, name: `${s.target.name}-users` });
  const users = JSON.parse(decode(secret.data["users.json"]));
  users.push({ user: decode(creds.data.username), password: decode(creds.data.password), roles: [{ role: "readWrite", db: store.database }] });
  await s.patch("Secret", `${s.target.name}-users`, { stringData: { "users.json": JSON.stringify(users) } });
}

async function authFails(s: Scene, client: string, log: RegExp) {
  const users = decode(await s.kubectl("get", "secret", `${s.target.name}-users`, "-o", "jsonpath={.data.users\\.json}"));
  assert.deepEqual(JSON.parse(users), []);
  await expectEdgeErrors(s, client, s.target.name, 0.9);
  await expectLog(s, client, log);
}

describe("db-user-dropped", () => {
  faultStory({
    app: "hotel-reservation", kind: "db-user-dropped", target: { kind: "Deployment", name: "mongodb-rate" }, fake: "delete",
    symptom: (s) => authFails(s, "rate", /server returned error on SASL authentication step: Authentication failed\./),
    fix: addUserBack,
  });
  faultStory({
    app: "social-network", kind: "db-user-dropped", target: { kind: "Deployment", name: "post-storage-mongodb" }, broken: "post-storage-service",
    symptom: (s) => authFails(s, "post-storage-service", /Authentication failed/),
    fix: addUserBack,
  });
});

async function recreateClaim(s: Scene): Promise<void> {
  const name = `${s.target.name}-pvc`;
  const ref = { apiVersion: "v1", kind: "PersistentVolumeClaim", namespace: s.ns, name };
  const pvc = await s.kube.require(ref);
  assert.equal(pvc.status?.phase, "Pending", "only an unbound claim may be deleted");
  await s.kube.delete(ref);
  await s.kube.create({
    apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name, namespace: s.ns, labels: pvc.metadata.labels },
    spec: { accessModes: pvc.spec.accessModes, resources: pvc.spec.resources, storageClassName: "standard" },
  });
}

async function unbound(s: Scene, client: string) {
  assert.match(await s.kubectl("get", "pvc", `${s.target.name}-pvc`, "--no-headers"), /^\S+\s+Pending\s+gp3\s/);
  assert.match(await s.events("ProvisioningFailed"), /storageclass\.storage\.k8s\.io "gp3" not found/);
  await expectPodStatus(s, s.target.name, /^Pending$/, "0/1");
  assert.match(await s.events("FailedScheduling"), /unbound immediate PersistentVolumeClaims/);
  await expectEdgeErrors(s, client, s.target.name, 0.9);
}

describe("pvc-unbound", () => {
  faultStory({
    app: "hotel-reservation", kind: "pvc-unbound", target: { kind: "Deployment", name: "mongodb-profile" },
    symptom: (s) => unbound(s, "profile"),
    fix: recreateClaim,
  });
  faultStory({
    app: "social-network", kind: "pvc-unbound", target: { kind: "Deployment", name: "post-storage-mongodb" }, fake: "delete",
    symptom: (s) => unbound(s, "post-storage-service"),
    fix: recreateClaim,
  });
});
