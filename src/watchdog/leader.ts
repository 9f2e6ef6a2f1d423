/**
 * Leader election between watchdog replicas, with client-go's leaderelection semantics on a
 * coordination.k8s.io/v1 Lease (`stratus-leader`, beside the writer Lease): the leader renews every
 * retry period with the resourceVersion it last wrote — a 409 means someone else wrote the Lease,
 * and if it now names another holder this replica is no longer leader; a standby tries every retry
 * period and takes the Lease only once the holder's renewTime + leaseDurationSeconds has passed
 * (leaseTransitions incremented); a leader that cannot renew for the renew deadline (shorter than
 * the duration) steps down before anyone may take over; release on a clean stop clears the holder
 * so the standby takes over at its next try instead of after the duration.
 *
 * Only the leader runs the incident loop. The writer Lease (src/core/lock.ts) still guards every
 * write, so a leader that loses the election mid-transaction cannot collide with the new one.
 * Lease mechanics (take, renew, release, expiry) are lock.ts's; this file decides only when.
 */
import type { Clock } from "../base/clock.ts";
import { isConflict } from "../base/errors.ts";
import { LOST_RACE, leaseRef, releaseLease, renewLease, takeLease } from "../core/lock.ts";
import type { ClusterClient } from "../kube/cluster-client.ts";
import type { KubeObject, ObjectRef } from "../kube/types.ts";

export const DEFAULT_LEADER_LEASE_NAME = "stratus-leader";
export const DEFAULT_LEADER_LEASE_DURATION_SECONDS = 15;

export type LeaderElectorOptions = {
  client: ClusterClient;
  clock: Clock;
  identity: string;
  namespace: string;
  name?: string;
  /** How long a silent leader keeps the Lease (default 15 s). */
  leaseDurationSeconds?: number;
  /** A leader that has not renewed for this long steps down (default 2/3 of the duration, client-go's 10 s of 15 s). */
  renewDeadlineMs?: number;
  /** Between tries, leader or not (default 2 s, client-go's retryPeriod). */
  retryPeriodMs?: number;
  /** Called on every change of leadership (true: this replica leads now). Must not throw. */
  onChange?(leading: boolean): void;
  log?(line: string): void;
};

export class LeaderElector {
  readonly ref: ObjectRef;
  private readonly duration: number;
  private readonly renewDeadlineMs: number;
  private readonly retryMs: number;
  private leadingNow = false;
  private holder: string | undefined;
  private observed: KubeObject | undefined;
  private lastRenew = -Infinity;
  private failure: string | undefined;
  private stopped = false;
  private loopDone: Promise<void> | undefined;
  private wake?: () => void;
  private readonly waiters = new Set<() => void>();

  constructor(private readonly o: LeaderElectorOptions) {
    this.ref = leaseRef(o.namespace, o.name ?? DEFAULT_LEADER_LEASE_NAME);
    this.duration = o.leaseDurationSeconds ?? DEFAULT_LEADER_LEASE_DURATION_SECONDS;
    this.renewDeadlineMs = o.renewDeadlineMs ?? (this.duration * 1000 * 2) / 3;
    this.retryMs = o.retryPeriodMs ?? 2000;
    if (!(this.renewDeadlineMs < this.duration * 1000)) throw new RangeError(`the renew deadline (${this.renewDeadlineMs} ms) must be shorter than the lease duration (${this.duration} s)`);
  }

  get identity(): string {
    return this.o.identity;
  }

  get leading(): boolean {
    return this.leadingNow;
  }

  /** Who leads, as last seen (this replica's identity when it leads; undefined when nobody does or not yet known). */
  get leader(): string | undefined {
    return this.leadingNow ? this.o.identity : this.holder;
  }

  /** Why the last try could not reach or write the Lease (a 403, an unreachable API server); undefined when it could. */
  get problem(): string | undefined {
    return this.failure;
  }

  /** Starts trying (idempotent); returns at once. */
  start(): void {
    this.loopDone ??= this.loop();
  }

  /** Resolves when this replica leads, or when stop() is called. */
  whenLeading(): Promise<void> {
    if (this.leadingNow || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.waiters.add(resolve));
  }

  /** Stops trying; a leader gives the Lease up so the standby takes over at its next try. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.wake?.();
    await this.loopDone;
    const was = this.leadingNow;
    this.set(false, undefined);
    if (was) await releaseLease(this.o.client, this.ref, this.o.identity, this.o.clock.now());
    for (const w of this.waiters) w();
    this.waiters.clear();
  }

  /** One try: renew (leader) or acquire (standby). Exposed for tests; the loop calls it every retry period. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const { client, clock, identity } = this.o;
    try {
      if (this.leadingNow && this.observed) {
        try {
          this.observed = await renewLease(client, this.ref, this.observed, identity, this.duration, clock.now());
          this.lastRenew = clock.now();
          this.failure = undefined;
          return true;
        } catch (e) {
          // Someone else wrote the Lease since our renewal: read it to learn whether they took it.
          if (!isConflict(e)) throw e;
          this.observed = undefined;
        }
      }
      const took = await takeLease(client, this.ref, identity, this.duration, clock.now());
      this.failure = undefined;
      if (took.holder === identity) {
        this.observed = took.lease;
        this.lastRenew = clock.now();
        this.set(true, identity);
        return true;
      }
      this.observed = undefined;
      this.set(false, took.holder === LOST_RACE ? this.holder : took.holder);
      return false;
    } catch (e) {
      this.failure = `cannot take or renew the leader Lease ${this.ref.namespace}/${this.ref.name}: ${(e as Error).message}`;
      // The API server did not answer: a leader keeps leading until its renew deadline, then steps
      // down (before the Lease expires for the others, so two never act at once).
      if (this.leadingNow && clock.now() - this.lastRenew >= this.renewDeadlineMs) {
        this.o.log?.(`leader election: could not renew ${this.ref.namespace}/${this.ref.name} for ${Math.round(this.renewDeadlineMs / 1000)} s (${(e as Error).message}); stepping down`);
        this.set(false, undefined);
      }
      return this.leadingNow;
    }
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      await this.tryAcquireOrRenew();
      if (this.stopped) break;
      await Promise.race([this.o.clock.sleep(this.retryMs), new Promise<void>((r) => (this.wake = r))]);
      this.wake = undefined;
    }
  }

  private set(leading: boolean, holder: string | undefined): void {
    this.holder = holder;
    if (leading === this.leadingNow) return;
    this.leadingNow = leading;
    this.o.log?.(leading ? `leader election: this replica (${this.o.identity}) leads now (Lease ${this.ref.namespace}/${this.ref.name})` : `leader election: not leading${holder ? `; the leader is ${holder}` : ""}`);
    this.o.onChange?.(leading);
    if (leading) {
      for (const w of this.waiters) w();
      this.waiters.clear();
    }
  }
}
