/**
 * Time for the simulated cluster. Every controller, probe and timer in the sandbox reads time and
 * waits through a Clock, so the same code runs in real time (optionally sped up) for `sandbox up`
 * and in virtual, discrete-event time for evals, where simulated minutes pass in milliseconds.
 */

export type TimerHandle = { cancel(): void };

export interface Clock {
  /** Milliseconds since the epoch, in this clock's time. */
  now(): number;
  /** Resolves once `ms` of this clock's time has passed. */
  sleep(ms: number): Promise<void>;
  /** Runs `fn` once after `ms` of this clock's time. */
  setTimer(ms: number, fn: () => void): TimerHandle;
  /** Runs `fn` every `ms` of this clock's time until cancelled. */
  every(ms: number, fn: () => void): TimerHandle;
}

/** Wall-clock time, optionally sped up: with speed 10, one real second is ten simulated seconds. */
export class RealClock implements Clock {
  private readonly origin = Date.now();
  constructor(private readonly speed = 1) {
    if (!(speed > 0)) throw new RangeError(`clock speed must be > 0, got ${speed}`);
  }
  now(): number {
    return this.origin + (Date.now() - this.origin) * this.speed;
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms / this.speed)));
  }
  setTimer(ms: number, fn: () => void): TimerHandle {
    const t = setTimeout(fn, Math.max(0, ms / this.speed));
    t.unref?.();
    return { cancel: () => clearTimeout(t) };
  }
  every(ms: number, fn: () => void): TimerHandle {
    const t = setInterval(fn, Math.max(1, ms / this.speed));
    t.unref?.();
    return { cancel: () => clearInterval(t) };
  }
}

type Pending = { at: number; seq: number; fn: () => void; cancelled: boolean };

/**
 * Discrete-event time. Nothing moves until `advance`/`advanceTo` is called, or until `run()` is
 * started, which jumps from one due timer to the next whenever the event loop has had a turn — so
 * I/O in flight (an HTTP request to the sandbox) still completes between simulated steps.
 */
export class VirtualClock implements Clock {
  private t: number;
  private seq = 0;
  private queue: Pending[] = [];
  private running = false;
  private stopRequested = false;

  constructor(start = Date.parse("2026-01-01T00:00:00Z")) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(ms, resolve));
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const p: Pending = { at: this.t + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.insert(p);
    return { cancel: () => { p.cancelled = true; } };
  }

  every(ms: number, fn: () => void): TimerHandle {
    const period = Math.max(1, ms);
    let handle: TimerHandle | undefined;
    let stopped = false;
    const tick = () => {
      if (stopped) return;
      handle = this.setTimer(period, tick);
      fn();
    };
    handle = this.setTimer(period, tick);
    return { cancel: () => { stopped = true; handle?.cancel(); } };
  }

  /** Clock time of the next timer not yet fired or cancelled; undefined when none is pending. */
  nextDueAt(): number | undefined {
    return this.queue.find((p) => !p.cancelled)?.at;
  }

  /** Number of timers not yet fired or cancelled. */
  pending(): number {
    return this.queue.filter((p) => !p.cancelled).length;
  }

  /** Fires, in order, every timer due up to `target`, and leaves the clock at `target`. */
  advanceTo(target: number): void {
    for (;;) {
      const next = this.queue[0];
      if (!next || next.at > target) break;
      this.queue.shift();
      if (next.cancelled) continue;
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
    this.t = Math.max(this.t, target);
  }

  advance(ms: number): void {
    this.advanceTo(this.t + ms);
  }

  /**
   * Advances time by `ms`, one due timer at a time, yielding to the event loop between timers so
   * that promise chains and loopback I/O woken by one timer settle before the next fires.
   */
  async advanceAsync(ms: number, yieldEvery = 1): Promise<void> {
    const target = this.t + ms;
    let fired = 0;
    for (;;) {
      const next = this.queue.find((p) => !p.cancelled);
      if (!next || next.at > target) break;
      this.advanceTo(next.at);
      if (++fired % yieldEvery === 0) await turn();
    }
    this.t = Math.max(this.t, target);
    await turn();
  }

  /**
   * Starts free-running time: after each turn of the event loop, jump to the next due timer,
   * at most `maxStepMs` of simulated time per turn. Returns a function that stops it.
   */
  run(maxStepMs = 1000): () => void {
    if (this.running) return () => { this.stopRequested = true; };
    this.running = true;
    this.stopRequested = false;
    const loop = async () => {
      while (!this.stopRequested) {
        await turn();
        const next = this.queue.find((p) => !p.cancelled);
        const target = next ? Math.min(next.at, this.t + maxStepMs) : this.t + maxStepMs;
        this.advanceTo(target);
      }
      this.running = false;
    };
    void loop();
    return () => { this.stopRequested = true; };
  }

  private insert(p: Pending): void {
    // Binary search keeps the queue ordered by (at, seq): timers due at the same instant fire in
    // the order they were set, which keeps runs with the same seed identical.
    let lo = 0;
    let hi = this.queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const q = this.queue[mid];
      if (q.at < p.at || (q.at === p.at && q.seq < p.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.queue.splice(lo, 0, p);
  }
}

/** One full turn of the event loop: pending I/O callbacks and promise jobs get to run. */
function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
