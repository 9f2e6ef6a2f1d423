/**
 * Shared fixture for the kind tests: a bootstrapped in-memory store (namespaces, three nodes, the
 * default StorageClass) with the real admission chain on a VirtualClock, plus small helpers to
 * create objects and catch the 422 a write is rejected with.
 */
import assert from "node:assert/strict";
import { createAdmission } from "../../../../sandbox/api/admission.ts";
import { ApiError } from "../../../../sandbox/api/errors.ts";
import { kindMap } from "../../../../sandbox/api/kinds/index.ts";
import { ResourceRegistry, type ResourceType } from "../../../../sandbox/api/resources.ts";
import { ObjectStore } from "../../../../sandbox/api/store.ts";
import type { FieldCause, KObject } from "../../../../sandbox/api/types.ts";
import { bootstrapCluster } from "../../../../sandbox/bootstrap.ts";
import { VirtualClock } from "../../../../sandbox/clock.ts";

export const START = Date.parse("2026-01-01T00:00:00Z");

export function newStore() {
  const clock = new VirtualClock(START);
  const registry = new ResourceRegistry();
  const store = new ObjectStore({ clock, registry, admission: createAdmission(kindMap()) });
  bootstrapCluster(store, registry);
  const rt = (group: string, plural: string): ResourceType => registry.all().find((t) => t.group === group && t.plural === plural)!;
  return { clock, registry, store, rt };
}

/** The field causes of the 422 that `fn` throws. */
export function rejection(fn: () => unknown): FieldCause[] {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ApiError, `expected an ApiError, got ${String(e)}`);
    assert.equal(e.code, 422, e.message);
    return e.details?.causes ?? [];
  }
  assert.fail("expected the write to be rejected with 422 Invalid");
}

/** "field: message" lines, the way kubectl lists causes. */
export const lines = (causes: FieldCause[]) => causes.map((c) => `${c.field}: ${c.message}`);

export function pod(name: string, spec: Record<string, unknown> = {}, extra: Partial<KObject> = {}): KObject {
  return { apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "default" }, spec: { containers: [{ name: "app", image: "nginx:1.25" }], ...spec }, ...extra };
}
