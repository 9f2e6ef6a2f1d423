import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { eventKind, eventsV1Kind } from "../../../../sandbox/api/kinds/event.ts";
import { lines, newStore, rejection, START } from "./fixture.ts";

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");

describe("core/v1 Event", () => {
  it("writes back the fields a real server always shows and prints LAST SEEN TYPE REASON OBJECT MESSAGE", () => {
    const { store, rt } = newStore();
    const ev = store.create(rt("", "events"), {
      apiVersion: "v1", kind: "Event", metadata: { name: "web-abc.1", namespace: "default" },
      involvedObject: { kind: "Pod", name: "web-abc", namespace: "default", fieldPath: "spec.containers{app}" },
      reason: "BackOff", message: "Back-off restarting failed container app in pod web-abc_default(uid)\n", type: "Warning",
      source: { component: "kubelet", host: "node-1" }, firstTimestamp: iso(START - 600_000), lastTimestamp: iso(START - 45_000), count: 7,
    });
    assert.equal(ev.eventTime, null);
    assert.equal(ev.reportingComponent, "");
    assert.equal(ev.reportingInstance, "");
    const cells = eventKind.table!.cells(ev, START);
    const shown = eventKind.table!.columns.map((c, i) => [c.name, c.priority, cells[i]]);
    assert.deepEqual(shown, [
      ["Last Seen", 0, "45s"], ["Type", 0, "Warning"], ["Reason", 0, "BackOff"], ["Object", 0, "pod/web-abc"],
      ["Subobject", 1, "spec.containers{app}"], ["Source", 1, "kubelet, node-1"],
      ["Message", 0, "Back-off restarting failed container app in pod web-abc_default(uid)"],
      ["First Seen", 1, "10m"], ["Count", 1, 7], ["Name", 1, "web-abc.1"],
    ]);
  });

  it("requires the involved object to live in the event's namespace", () => {
    const { store, rt } = newStore();
    assert.deepEqual(lines(rejection(() => store.create(rt("", "events"), {
      apiVersion: "v1", kind: "Event", metadata: { name: "x", namespace: "kube-system" }, involvedObject: { kind: "Pod", name: "p", namespace: "default" }, reason: "R",
    }))), ["involvedObject.namespace: Invalid value: \"default\": does not match event.namespace"]);
  });
});

describe("events.k8s.io/v1 Event", () => {
  it("normalizes eventTime to microseconds and prints the same columns", () => {
    const { store, rt } = newStore();
    const ev = store.create(rt("events.k8s.io", "events"), {
      apiVersion: "events.k8s.io/v1", kind: "Event", metadata: { name: "n.1", namespace: "default" },
      eventTime: "2025-12-31T23:59:00.5Z", reportingController: "stratus", reportingInstance: "stratus-1", action: "Scale", reason: "Mitigated", type: "Normal",
      regarding: { kind: "Deployment", name: "web", namespace: "default" }, note: "scaled web to 3",
    });
    assert.equal(ev.eventTime, "2025-12-31T23:59:00.500000Z");
    assert.deepEqual(eventsV1Kind.table!.cells(ev, START).filter((_, i) => eventsV1Kind.table!.columns[i].priority === 0), ["59s", "Normal", "Mitigated", "deployment/web", "scaled web to 3"]);
    assert.deepEqual(lines(rejection(() => store.create(rt("events.k8s.io", "events"), { apiVersion: "events.k8s.io/v1", kind: "Event", metadata: { name: "bad", namespace: "default" }, type: "Info" }))), [
      "eventTime: Required value", "reportingController: Required value", "reportingInstance: Required value", "action: Required value", "reason: Required value",
      "type: Unsupported value: \"Info\": supported values: \"Normal\", \"Warning\"",
    ]);
  });
});
