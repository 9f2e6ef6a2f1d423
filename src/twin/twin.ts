/**
 * The twin seam. A twin is a simulated cluster in virtual time — in practice a sandbox process
 * started with `stratus sandbox up --twin --virtual` — reached over HTTP with the same kube client
 * as the live cluster: Stratus seeds it with a copy of the live objects a plan touches, applies the
 * plan to it and advances its clock to see what the plan would do. The product never imports the
 * sandbox; the composition root (src/cli) hands it a `TwinLauncher`. No launcher, no prediction.
 */
import type { Clock } from "../base/clock.ts";
import type { ClusterClient } from "../kube/cluster-client.ts";

export interface Twin {
  /** The twin's API, through the real kube client. */
  readonly client: ClusterClient;
  /** The twin's simulated time (ms since the epoch); it moves only through `advance`. */
  now(): number;
  /** Moves the twin's clock `ms` forward, firing every controller, kubelet and probe due on the way. */
  advance(ms: number): Promise<void>;
  /** Stops the twin (the process ends); idempotent. */
  close(): Promise<void>;
}

export interface TwinLauncher {
  /** A fresh, empty twin (its nodes come from the seed). Throws TwinError when it cannot start. */
  start(): Promise<Twin>;
}

/** The twin's time as a Clock: sleeping advances the twin, so plan waits poll in virtual time. */
export function twinClock(twin: Twin): Clock {
  return { now: () => twin.now(), sleep: (ms) => twin.advance(Math.max(0, Math.round(ms))) };
}

/** A twin could not be started, reached or seeded; the message says what to check. */
export class TwinError extends Error {
  readonly code = "TWIN";
  constructor(message: string) {
    super(message);
    this.name = "TwinError";
  }
}
