/**
 * Drives virtual time for one scenario. The sandbox's controllers and workload, the agents, the
 * transaction and the runner all wait on one VirtualClock; the driver jumps it from one due timer to
 * the next, but only when the process is quiet: no client HTTP request in flight (HttpActivity) for
 * a couple of event-loop turns in a row. So an agent that is reading the cluster or writing to it is
 * never overtaken by simulated time, and one that sleeps (a detection interval, a stabilization
 * window) sees those minutes pass in milliseconds. `until(cond)` runs time until a condition holds
 * or a simulated deadline passes.
 */
import type { VirtualClock } from "../../sandbox/clock.ts";
import { HttpActivity } from "./http-activity.ts";

export type DriverOptions = {
  /** At most this much simulated time per step (so pollers without timers still move). */
  maxStepMs?: number;
  /** Quiet turns of the event loop required before time moves. */
  idleTurns?: number;
};

export class SimDriver {
  private stopped = true;
  private loop?: Promise<void>;
  private failure?: unknown;
  private fail!: (e: unknown) => void;
  /** Rejects when a timer callback threw: every wait below races with it, so nothing hangs. */
  private readonly failed = new Promise<never>((_, reject) => (this.fail = reject));
  readonly activity: HttpActivity;

  constructor(readonly clock: VirtualClock, private readonly opts: DriverOptions = {}, activity?: HttpActivity) {
    this.activity = activity ?? new HttpActivity();
    this.failed.catch(() => undefined);
  }

  /** Starts moving time; idempotent. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.activity.start();
    const maxStep = this.opts.maxStepMs ?? 1_000;
    const needIdle = this.opts.idleTurns ?? 2;
    this.loop = (async () => {
      let idle = 0;
      while (!this.stopped) {
        await turn();
        if (this.activity.busy() > 0) {
          idle = 0;
          continue;
        }
        if (++idle < needIdle) continue;
        idle = 0;
        const now = this.clock.now();
        const next = this.clock.nextDueAt();
        try {
          this.clock.advanceTo(next === undefined ? now + maxStep : Math.min(Math.max(next, now), now + maxStep));
        } catch (e) {
          // A timer callback threw: that is a bug in whoever set it; stop time and report it.
          this.failure = e;
          this.stopped = true;
          this.fail(e);
        }
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    this.activity.stop();
  }

  /** Lets `ms` of simulated time pass (the driver must be running). */
  async sleep(ms: number): Promise<void> {
    this.start();
    await Promise.race([this.clock.sleep(ms), this.failed]);
  }

  /**
   * Runs time until `cond()` is true (checked every `everyMs` of simulated time) or `deadline`
   * (clock time) passes. Returns whether the condition held.
   */
  async until(cond: () => boolean | Promise<boolean>, deadline: number, everyMs = 1_000): Promise<boolean> {
    this.start();
    for (;;) {
      if (await cond()) return true;
      if (this.clock.now() >= deadline) return false;
      await Promise.race([this.clock.sleep(Math.min(everyMs, Math.max(1, deadline - this.clock.now()))), this.failed]);
    }
  }

  /** The error a timer callback threw, if time stopped because of one. */
  get error(): unknown {
    return this.failure;
  }
}

function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
