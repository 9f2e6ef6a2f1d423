import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { configMapKind } from "../../../../sandbox/api/kinds/configmap.ts";
import { lines, newStore, rejection } from "./fixture.ts";

const cm = (data: unknown, extra: Record<string, unknown> = {}) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg", namespace: "default" }, data, ...extra });

describe("ConfigMap", () => {
  it("accepts valid keys and counts data in the DATA column", () => {
    const { store, rt } = newStore();
    const created = store.create(rt("", "configmaps"), cm({ "app.yaml": "a: 1", LOG_LEVEL: "debug" }, { binaryData: { blob: "AAEC" } }));
    assert.deepEqual(configMapKind.table!.cells(created, store.clock.now()), ["cfg", 3, "0s"]);
  });

  it("rejects bad keys and non-string values with the real wording", () => {
    const { store, rt } = newStore();
    assert.deepEqual(lines(rejection(() => store.create(rt("", "configmaps"), cm({ "bad key": "x", port: 8080, "..x": "y" })))), [
      "data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
      "data[port]: Invalid value: 8080: must be a string",
      "data[..x]: Invalid value: \"..x\": must not start with '..'",
    ]);
  });

  it("freezes data once immutable", () => {
    const { store, rt } = newStore();
    const cms = rt("", "configmaps");
    store.create(cms, cm({ a: "1" }, { immutable: true }));
    assert.deepEqual(lines(rejection(() => store.mutate(cms, "default", "cfg", (c) => { c.data.a = "2"; }))), ["data: Forbidden: field is immutable when `immutable` is set"]);
  });
});
