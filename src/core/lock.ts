/**
 * Writer exclusivity: at most one Stratus writes to a cluster at a time. Two layers — an
 * in-process mutex (one transaction at a time in this process) and a coordination.k8s.io/v1 Lease
 * (one process at a time per cluster), taken, renewed while held, and released. A holder that
 * stops renewing loses the Lease after its duration and another may take it over; a holder that
 * finds its Lease gone or taken marks its handle lost, and the transaction aborts. Every write
 * re-checks the handle first; a rollback whose handle is lost tries to regain the Lease (only if
 * nobody else holds it) and writes nothing when it cannot.
 */
import type { Clock } from "../base/clock.ts";
import { isConflict, isAlreadyExists, isKubeApiError, StratusError } from "../base/errors.ts";
import type { ClusterClient } from "../kube/cluster-client.ts";
import type { KubeObject, ObjectRef } from "../kube/types.ts";
import { DEFAULT_LEASE_DURATION_SECONDS, DEFAULT_LEASE_NAME, DEFAULT_LEASE_NAMESPACE, LOCK_API_RETRIES } from "./lock-defaults.ts";

export type LockOptions = {
  client: ClusterClient;
  clock: Clock;
  identity: string;
  namespace?: string;
  name?: string;
  leaseDurationSeconds?: number;
};

export interface LockHandle {
  readonly identity: string;
  /** True once the Lease was found taken or gone; the holder must stop writing. */
  readonly lost: boolean;
  /** Throws LOCK_LOST when the Lease is no longer ours. Call before every write. */
  assertHeld(): void;
  /**
   * After the handle was marked lost: takes the Lease again if nobody else holds it (it is free,
   * expired, or still names us — renewals failed on a flaky API server), and resumes renewing.
   * Resolves true when the Lease is ours again; false when another holder has it (never waits for
   * one). A rollback calls it before giving up on writing.
   */
  regain?(): Promise<boolean>;
  /** Stops renewing and gives the Lease up (idempotent). */
  release(): Promise<void>;
}

/** A FIFO mutex for one process. */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();
  async lock(): Promise<() => void> {
    let unlock!: () => void;
    const next = new Promise<void>((r) => (unlock = r));
    const prev = this.tail;
    this.tail = prev.then(() => next);
    await prev;
    return unlock;
  }
}

const processMutex = new Mutex();

export class WriterLock {
  private readonly ref: ObjectRef;
  private readonly duration: number;

  constructor(private readonly opts: LockOptions) {
    this.ref = leaseRef(opts.namespace ?? DEFAULT_LEASE_NAMESPACE, opts.name ?? DEFAULT_LEASE_NAME);
    this.duration = opts.leaseDurationSeconds ?? DEFAULT_LEASE_DURATION_SECONDS;
  }

  /**
   * Takes the in-process mutex, then the Lease. Waits up to `waitMs` for another holder's Lease
   * to expire or be released; past that throws LOCK_UNAVAILABLE naming the holder.
   */
  async acquire(waitMs = 0): Promise<LockHandle> {
    const unlock = await processMutex.lock();
    try {
      const deadline = this.opts.clock.now() + waitMs;
      let apiFailures = 0;
      for (;;) {
        let holder: string;
        try {
          holder = await this.tryTake();
        } catch (e) {
          // A flaky API server is not another holder: retry a few times before giving up.
          if (!isKubeApiError(e) || !e.retryable || ++apiFailures > LOCK_API_RETRIES) throw e;
          await this.opts.clock.sleep(100 * 2 ** apiFailures);
          continue;
        }
        if (holder === this.opts.identity) return this.handle(unlock);
        if (this.opts.clock.now() >= deadline) {
          throw new StratusError("LOCK_UNAVAILABLE", `the writer Lease ${this.ref.namespace}/${this.ref.name} is held by "${holder}"; another Stratus is mitigating — wait for it, or stop it`, { holder });
        }
        await this.opts.clock.sleep(Math.min(1000, Math.max(50, deadline - this.opts.clock.now())));
      }
    } catch (e) {
      unlock();
      throw e;
    }
  }

  /** Who holds the Lease now (after trying to take it). */
  private async tryTake(): Promise<string> {
    const { client, clock, identity } = this.opts;
    return (await takeLease(client, this.ref, identity, this.duration, clock.now())).holder;
  }

  private handle(unlock: () => void): LockHandle {
    const { client, clock, identity } = this.opts;
    let lost = false;
    let released = false;
    const renewEveryMs = (this.duration * 1000) / 3;
    const renewLoop = async () => {
      let lastOk = clock.now();
      while (!released && !lost) {
        await clock.sleep(renewEveryMs);
        if (released || lost) break;
        try {
          const lease = await client.read(this.ref);
          if (!lease || lease.spec?.holderIdentity !== identity) {
            lost = true;
            break;
          }
          await client.replace(leaseObject(this.ref, lease, identity, this.duration, clock.now(), lease.spec.leaseTransitions ?? 0, lease.spec.acquireTime));
          lastOk = clock.now();
        } catch {
          // A renewal that keeps failing past the duration means someone else may hold it now.
          if (clock.now() - lastOk >= this.duration * 1000) lost = true;
        }
      }
    };
    void renewLoop();
    const ref = this.ref;
    const retake = () => this.tryTake();
    return {
      identity,
      get lost() {
        return lost;
      },
      async regain() {
        if (released) return false;
        if (!lost) return true;
        for (let failures = 0; ; failures++) {
          try {
            if ((await retake()) !== identity) return false;
            lost = false;
            void renewLoop();
            return true;
          } catch (e) {
            if (!isKubeApiError(e) || !e.retryable || failures >= LOCK_API_RETRIES) return false;
            await clock.sleep(100 * 2 ** failures);
          }
        }
      },
      assertHeld() {
        if (lost) throw new StratusError("LOCK_LOST", `lost the writer Lease ${ref.namespace}/${ref.name}: another writer took it or it expired; aborting`);
        if (released) throw new StratusError("LOCK_LOST", "the writer lock was already released");
      },
      async release() {
        if (released) return;
        released = true;
        unlock();
        if (lost) return;
        await releaseLease(client, ref, identity, clock.now());
      },
    };
  }
}

/** Lease times are MicroTime: RFC 3339 with microseconds. */
export const microTime = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");

/*
 * Lease mechanics, shared by the writer lock (above) and leader election (src/watchdog/leader.ts):
 * one decider for who holds a coordination.k8s.io/v1 Lease, when it has expired, and how it is
 * taken, renewed and given up. Every write is a replace carrying the resourceVersion that was read,
 * so of two contenders the API server lets one win and answers the other 409.
 */

export type LeaseTake = {
  /** Who holds the Lease now: `identity` when the take or renewal succeeded. */
  holder: string;
  /** The Lease as written (when ours) or as read (someone else's); undefined when it was just created by someone else. */
  lease?: KubeObject;
};

/** "(someone else, just now)": the holder when a create or replace lost a race (409). */
export const LOST_RACE = "(someone else, just now)";

/**
 * Reads the Lease and takes it when it is free, expired, or already ours (a renewal: acquireTime
 * and leaseTransitions kept); a takeover from another holder increments leaseTransitions.
 */
export async function takeLease(client: ClusterClient, ref: ObjectRef, identity: string, durationSeconds: number, now: number): Promise<LeaseTake> {
  const lease = await client.read(ref);
  if (!lease) {
    try {
      return { holder: identity, lease: await client.create(leaseObject(ref, undefined, identity, durationSeconds, now, 0)) };
    } catch (e) {
      if (isAlreadyExists(e)) return { holder: LOST_RACE };
      throw e;
    }
  }
  const spec = lease.spec ?? {};
  const holder: string | undefined = spec.holderIdentity || undefined;
  if (holder === identity || !holder || leaseExpired(lease, now, durationSeconds)) {
    const transitions = (spec.leaseTransitions ?? 0) + (holder === identity ? 0 : 1);
    try {
      return { holder: identity, lease: await client.replace(leaseObject(ref, lease, identity, durationSeconds, now, transitions, holder === identity ? spec.acquireTime : undefined)) };
    } catch (e) {
      if (isConflict(e)) return { holder: LOST_RACE };
      throw e;
    }
  }
  return { holder, lease };
}

/**
 * Renews a Lease we hold from the copy last written (its resourceVersion, no read first): a 409
 * means someone else wrote it since — the caller reads it again to learn who.
 */
export async function renewLease(client: ClusterClient, ref: ObjectRef, observed: KubeObject, identity: string, durationSeconds: number, now: number): Promise<KubeObject> {
  return client.replace(leaseObject(ref, observed, identity, durationSeconds, now, observed.spec?.leaseTransitions ?? 0, observed.spec?.acquireTime));
}

/** Gives the Lease up if it still names `identity`: clears the holder, so the next one need not wait for expiry. Never throws. */
export async function releaseLease(client: ClusterClient, ref: ObjectRef, identity: string, now: number): Promise<void> {
  try {
    const lease = await client.read(ref);
    if (lease && lease.spec?.holderIdentity === identity) {
      await client.replace({ ...lease, spec: { ...lease.spec, holderIdentity: "", renewTime: microTime(now) } });
    }
  } catch {
    /* it will expire on its own */
  }
}

/** Whether the holder's renewTime (or acquireTime) + leaseDurationSeconds has passed. */
export function leaseExpired(lease: KubeObject, now: number, defaultDurationSeconds: number): boolean {
  const renew = Date.parse(lease.spec?.renewTime ?? lease.spec?.acquireTime ?? "");
  const duration = (lease.spec?.leaseDurationSeconds ?? defaultDurationSeconds) * 1000;
  return !Number.isFinite(renew) || renew + duration <= now;
}

export function leaseRef(namespace: string, name: string): ObjectRef {
  return { apiVersion: "coordination.k8s.io/v1", kind: "Lease", namespace, name };
}

function leaseObject(ref: ObjectRef, current: KubeObject | undefined, identity: string, durationSeconds: number, now: number, transitions: number, acquireTime?: string): KubeObject {
  const time = microTime(now);
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: { ...(current?.metadata ?? {}), name: ref.name, namespace: ref.namespace },
    spec: { holderIdentity: identity, leaseDurationSeconds: durationSeconds, acquireTime: acquireTime ?? time, renewTime: time, leaseTransitions: transitions },
  };
}
