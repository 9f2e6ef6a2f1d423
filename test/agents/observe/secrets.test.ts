/** Secret summaries: hashes and safe structure only — a username, user and role names — never a password or raw value. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseUserList, summarizeSecret } from "../../../agents/observe/secrets.ts";
import { secret } from "../fixtures.ts";

describe("secret summaries", () => {
  it("keep hashes, a username and user/role names, and no value", () => {
    const users = JSON.stringify([{ user: "geo", password: "hunter2-very-secret", roles: [{ role: "readWrite", db: "geo-db" }] }]);
    const s = summarizeSecret(secret("mongodb-geo-users", { "users.json": users, username: "geo", password: "hunter2-very-secret", token: "abc.def" }));
    const text = JSON.stringify(s);
    assert.ok(!text.includes("hunter2"), "no password");
    assert.ok(!text.includes("abc.def"), "no opaque value");
    assert.deepEqual(s.insight["users.json"], { shape: "user-list", users: [{ user: "geo", roles: [{ role: "readWrite", db: "geo-db" }] }] });
    assert.deepEqual(s.insight.username, { shape: "username", value: "geo" });
    assert.deepEqual(s.insight.password, { shape: "opaque" });
    assert.match(s.keys.password.sha, /^[0-9a-f]{12}$/);
    assert.equal(s.keys.password.bytes, "hunter2-very-secret".length);
  });

  it("reads user lists in their common shapes and refuses anything else", () => {
    assert.deepEqual(parseUserList('{"users":[{"username":"a","roles":["read"]}]}'), [{ user: "a", roles: [{ role: "read" }] }]);
    assert.equal(parseUserList("not json"), undefined);
    assert.equal(parseUserList('[{"nope":1}]'), undefined);
  });
});
