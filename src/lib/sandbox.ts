/**
 * The `stratus/sandbox` entry point: a simulated Kubernetes cluster for other projects' tests. It
 * speaks the real Kubernetes HTTP API (kubectl and @kubernetes/client-node work against it
 * unchanged), runs the DeathStarBench-style apps under load, and injects faults from the catalog
 * through that API, as a chaos tool would. The `Sandbox` class itself (its store, registry,
 * controllers) is internal; this handle is the stable surface.
 */
import { KubeConfig } from "@kubernetes/client-node";
import { z } from "zod";
import { APP_NAMES, RealClock, Sandbox, getApp, waitForApp } from "../../sandbox/index.ts";
import { createFaultContext, faultByKind, FAULT_KINDS, FAULTS } from "../../sandbox/faults/index.ts";
import type { Clock } from "../base/clock.ts";
import { parseOptions } from "./cluster.ts";

import { FaultError as CatalogFaultError, isFaultError as isCatalogFaultError } from "../../sandbox/faults/index.ts";

/** A fault could not be injected: `code` says why (unknown-kind, bad-target, target-missing, bad-params, inject-failed). */
export const FaultError: typeof CatalogFaultError = CatalogFaultError;
/** An instance of FaultError, for type positions. */
export type FaultError = CatalogFaultError;
/** Whether `e` is a FaultError. */
export const isFaultError: (e: unknown) => e is CatalogFaultError = isCatalogFaultError;

/** The apps a sandbox can run (`hotel-reservation`, `social-network`). */
export const SANDBOX_APPS: readonly string[] = [...APP_NAMES];

/** The fault kinds `injectFault` knows, faults and benign noise (see `stratus sandbox faults`). */
export const SANDBOX_FAULT_KINDS: readonly string[] = [...FAULT_KINDS];

const sandboxOptionsSchema = z.strictObject({
  /** Apps to deploy at start, each with its load generator (default none). */
  apps: z.array(z.string().refine((a) => APP_NAMES.includes(a), `unknown app; known apps are ${APP_NAMES.join(", ")}`)).default([]),
  /** Seeds names, uids and traffic jitter: one seed, one cluster (default 1). */
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
  /** Simulated time runs this many times faster than wall time (default 1). Pass `sandbox.clock` to whatever waits on it. */
  speed: z.number().positive().max(10_000).default(1),
  /** The port on 127.0.0.1 (default: an ephemeral one). */
  port: z.number().int().min(0).max(65_535).optional(),
});
/** Options of startSandbox (checked with zod). */
export type SandboxOptions = z.input<typeof sandboxOptionsSchema>;

/** Where a fault is aimed: an object of the app, by kind, namespace and name. */
export type FaultTarget = { kind: string; namespace: string; name: string };

/** What an injection changed, in an operator's words (the cluster itself carries no hint of it). */
export type FaultInjection = { kind: string; target: FaultTarget; at: string; params: Record<string, unknown>; changes: string[] };

/** A running sandbox. */
export interface SandboxHandle {
  /** The API over HTTPS (what kubeconfigs name); the same port answers plain HTTP at `url`. */
  readonly server: string;
  /** Plain HTTP: /metrics and raw API calls that send `Authorization: Bearer <adminToken>`. */
  readonly url: string;
  /** The cluster admin's bearer token (system:masters), as in the kubeconfig. */
  readonly adminToken: string;
  /** The sandbox's clock: pass it to runTransaction / createIncidentLoop when `speed` is not 1. */
  readonly clock: Clock;
  /** A kubeconfig (YAML) for the admin, or for `token` (a ServiceAccount's, from createToken). */
  kubeconfig(token?: string): string;
  /** Writes that kubeconfig to `file` (0600). */
  writeKubeconfig(file: string, token?: string): void;
  /** A bound token for ServiceAccount namespace/name, as `kubectl create token` mints one. Throws when the account does not exist. */
  createToken(namespace: string, name: string): string;
  /** Deploys an app with its load generator. Throws for an unknown app. Not idempotent. */
  deployApp(app: string): void;
  /**
   * Waits until every Deployment of `app` is available and every pod Running and Ready, or
   * `timeoutMs` of the sandbox's time passed; resolves either way with what still waits.
   */
  waitForApp(app: string, timeoutMs?: number): Promise<{ ready: boolean; waiting: string[] }>;
  /**
   * Breaks `target` the way fault `kind` does, through the API. Validates params and target first
   * (FaultError bad-params / bad-target / target-missing before any write). Not idempotent.
   */
  injectFault(kind: string, target: FaultTarget, params?: Record<string, unknown>): Promise<FaultInjection>;
  /** Whether the fault's symptoms are gone (its mitigation oracle). Reads only; never throws for a broken cluster. */
  faultCleared(kind: string, target: FaultTarget, params?: Record<string, unknown>): Promise<{ ok: boolean; reasons: string[] }>;
  /** Stops the load, the controllers and the API server. Idempotent. */
  close(): Promise<void>;
}

/** The faults and noise kinds with what each breaks, for listings. */
export function sandboxFaults(): Array<{ kind: string; targets: string[]; summary: string; benign: boolean }> {
  return FAULTS.map((f) => ({ kind: f.spec.kind, targets: [...f.spec.targetKinds], summary: f.spec.summary, benign: f.spec.truth === "benign" }));
}

/**
 * Starts a sandbox on 127.0.0.1 and deploys `apps`. Throws ValidationError (INVALID_INPUT) for bad
 * options, and the listen error when `port` is taken. Close it when done.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<SandboxHandle> {
  const o = parseOptions(sandboxOptionsSchema, options, "sandbox options");
  const clock = new RealClock(o.speed);
  const sandbox = await Sandbox.start({ clock, seed: o.seed, apps: o.apps, ...(o.port !== undefined ? { port: o.port } : {}) });
  const kc = new KubeConfig();
  kc.loadFromString(sandbox.kubeconfig());
  const faults = createFaultContext({ kubeconfig: kc, now: () => clock.now() });
  let closed: Promise<void> | undefined;
  return {
    server: sandbox.secureUrl,
    url: sandbox.url,
    adminToken: sandbox.adminToken,
    clock,
    kubeconfig: (token) => sandbox.kubeconfig(undefined, token),
    writeKubeconfig: (file, token) => sandbox.writeKubeconfig(file, token),
    createToken: (namespace, name) => sandbox.createToken(namespace, name),
    deployApp: (app) => sandbox.deployApp(app),
    async waitForApp(app, timeoutMs) {
      const s = await waitForApp(sandbox, getApp(app), timeoutMs);
      return { ready: s.ready, waiting: [...s.waiting] };
    },
    async injectFault(kind, target, params) {
      const r = await faultByKind(kind).inject(faults, target, params);
      return { kind: r.kind, target: r.target, at: r.at, params: r.params, changes: r.changes.map((c) => `${c.verb} ${c.object.kind} ${c.object.namespace ? `${c.object.namespace}/` : ""}${c.object.name}: ${c.detail}`) };
    },
    faultCleared: (kind, target, params) => faultByKind(kind).oracle(faults, target, params),
    close() {
      closed ??= sandbox.close();
      return closed;
    },
  };
}
