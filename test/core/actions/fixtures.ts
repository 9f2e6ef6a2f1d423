/**
 * Shared fixtures for the action integration tests: objects to create in the sandbox, a helper
 * that runs an action as a dry run and then for real (checking the dry run changed nothing), and a
 * client wrapper that lets a test change an object between an action's read and its write.
 */
import assert from "node:assert/strict";
import type { Action, ActionOutcome } from "../../../src/core/actions/action.ts";
import { applyAction, parseAction } from "../../../src/core/actions/registry.ts";
import type { ClusterClient } from "../../../src/kube/cluster-client.ts";
import type { KubeObject, ObjectRef } from "../../../src/kube/types.ts";

export const NS = "shop";
export const FIXED_NOW = Date.parse("2026-01-01T00:00:00Z");

export const namespace = (name = NS): KubeObject => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } });

export function deployment(name: string, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: NS, labels: { app: name } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            { name: "app", image: "nginx:1.25", env: [{ name: "MODE", value: "fast" }, { name: "KEEP", value: "1" }], ports: [{ containerPort: 80 }] },
            { name: "sidecar", image: "busybox:1.36", command: ["sleep", "3600"] },
          ],
          ...extra,
        },
      },
    },
  };
}

export const deploymentRef = (name: string): ObjectRef => ({ apiVersion: "apps/v1", kind: "Deployment", namespace: NS, name });

export type Run = { dry: ActionOutcome; real: ActionOutcome; before: KubeObject | undefined; after: KubeObject | undefined };

/**
 * Applies `{type, params}` with dryRun (asserting `ref` is exactly as it was: same
 * resourceVersion, same everything), then for real; returns both outcomes and the object before
 * and after.
 */
export async function dryThenReal(client: ClusterClient, type: string, params: Record<string, unknown>, ref: ObjectRef): Promise<Run> {
  const action: Action = parseAction({ type, params });
  const before = await client.read(ref);
  const dry = await applyAction(action, { client, dryRun: true, now: () => FIXED_NOW });
  assert.match(dry.summary, /\(dry run\)$/, "a dry run's summary says so");
  const unchanged = await client.read(ref);
  assert.deepEqual(unchanged, before, `the dry run of ${type} left ${ref.kind} ${ref.name} unchanged`);
  assert.equal(unchanged?.metadata.resourceVersion, before?.metadata.resourceVersion);
  const real = await applyAction(action, { client, dryRun: false, now: () => FIXED_NOW });
  const after = await client.read(ref);
  return { dry, real, before, after };
}

/** A client whose first read of `ref` is followed, before it returns, by someone else's change. */
export function racingClient(client: ClusterClient, change: (ref: ObjectRef) => Promise<unknown>): ClusterClient {
  let raced = false;
  return {
    server: client.server,
    async read(ref) {
      const obj = await client.read(ref);
      if (obj && !raced) {
        raced = true;
        await change(ref);
      }
      return obj;
    },
    list: (...a) => client.list(...a),
    create: (...a) => client.create(...a),
    replace: (...a) => client.replace(...a),
    patch: (...a) => client.patch(...a),
    delete: (...a) => client.delete(...a),
    podLogs: (...a) => client.podLogs(...a),
  };
}

export const containerOf = (d: KubeObject | undefined, name: string) =>
  (d?.spec.template.spec.containers as Array<Record<string, unknown> & { name: string }>).find((c) => c.name === name)!;
