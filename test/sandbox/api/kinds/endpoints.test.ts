import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { endpointsKind, formatEndpoints } from "../../../../sandbox/api/kinds/endpoints.ts";
import type { KObject } from "../../../../sandbox/api/types.ts";
import { lines, newStore, rejection } from "./fixture.ts";

const ep = (subsets: unknown): KObject => ({ apiVersion: "v1", kind: "Endpoints", metadata: { name: "web", namespace: "default" }, subsets });

describe("Endpoints", () => {
  it("prints ip:port pairs, at most three, or <none>", () => {
    assert.equal(formatEndpoints(ep([])), "<none>");
    assert.equal(formatEndpoints(ep(undefined)), "<none>");
    assert.equal(formatEndpoints(ep([{ addresses: [{ ip: "10.244.1.5" }, { ip: "10.244.2.3" }], ports: [{ port: 8080 }] }])), "10.244.1.5:8080,10.244.2.3:8080");
    assert.equal(formatEndpoints(ep([{ addresses: [1, 2, 3, 4, 5].map((i) => ({ ip: `10.244.1.${i}` })), ports: [{ port: 80 }] }])), "10.244.1.1:80,10.244.1.2:80,10.244.1.3:80 + 2 more...");
    assert.equal(formatEndpoints(ep([{ notReadyAddresses: [{ ip: "10.244.1.9" }], ports: [{ port: 80 }] }])), "", "only not-ready addresses print nothing, as in kubectl");
  });

  it("defaults port protocols and validates addresses and ports", () => {
    const { store, rt } = newStore();
    const created = store.create(rt("", "endpoints"), ep([{ addresses: [{ ip: "10.244.1.5" }], ports: [{ name: "http", port: 8080 }] }]));
    assert.equal(created.subsets[0].ports[0].protocol, "TCP");
    assert.deepEqual(endpointsKind.table!.cells(created, store.clock.now()), ["web", "10.244.1.5:8080", "0s"]);
    assert.deepEqual(lines(rejection(() => store.create(rt("", "endpoints"), { ...ep([{ addresses: [{ ip: "nope" }], ports: [{ port: 0 }] }]), metadata: { name: "bad", namespace: "default" } }))), [
      "subsets[0].addresses[0].ip: Invalid value: \"nope\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
      "subsets[0].ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive",
    ]);
  });
});
