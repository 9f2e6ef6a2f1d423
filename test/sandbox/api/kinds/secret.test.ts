import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { secretKind } from "../../../../sandbox/api/kinds/secret.ts";
import { lines, newStore, rejection } from "./fixture.ts";

const secret = (extra: Record<string, unknown>) => ({ apiVersion: "v1", kind: "Secret", metadata: { name: "creds", namespace: "default" }, ...extra });

describe("Secret", () => {
  it("defaults to Opaque and merges stringData into base64 data without storing it", () => {
    const { store, rt } = newStore();
    const s = store.create(rt("", "secrets"), secret({ data: { user: Buffer.from("admin").toString("base64") }, stringData: { password: "s3cret", user: "root" } }));
    assert.equal(s.type, "Opaque");
    assert.equal(s.stringData, undefined);
    assert.deepEqual(s.data, { user: Buffer.from("root").toString("base64"), password: Buffer.from("s3cret").toString("base64") });
    assert.deepEqual(secretKind.table!.cells(s, store.clock.now()), ["creds", "Opaque", 2, "0s"]);
  });

  it("requires the keys a typed secret needs and base64 values", () => {
    const { store, rt } = newStore();
    assert.deepEqual(lines(rejection(() => store.create(rt("", "secrets"), secret({ type: "kubernetes.io/tls", data: { "tls.crt": "not base64!" } })))), [
      "data[tls.crt]: Invalid value: \"<secret contents redacted>\": must be base64-encoded",
      "data[tls.key]: Required value",
    ]);
  });

  it("does not let the type change", () => {
    const { store, rt } = newStore();
    store.create(rt("", "secrets"), secret({ stringData: { a: "b" } }));
    assert.deepEqual(lines(rejection(() => store.mutate(rt("", "secrets"), "default", "creds", (s) => { s.type = "kubernetes.io/basic-auth"; }))), [
      "type: Invalid value: \"kubernetes.io/basic-auth\": field is immutable",
    ]);
  });
});
