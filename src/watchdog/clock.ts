/**
 * The watchdog's clock. Against a real cluster it is the system clock. Against a sandbox running
 * sped-up time (`--speed X`) the watchdog must wait and timestamp in the sandbox's time — event
 * times, rate windows and stabilization all live there — so its clock runs X times faster and is
 * aligned to the server's: a server-side dry-run create (nothing stored) returns the server's
 * current time as the object's creationTimestamp.
 */
import type { Clock } from "../base/clock.ts";
import type { ClusterClient } from "../kube/cluster-client.ts";

/** now = anchor + (wall - wallAnchor) × speed; waits are divided by speed. */
export class ScaledClock implements Clock {
  constructor(private readonly speed: number, private readonly anchor = Date.now(), private readonly wallAnchor = Date.now()) {
    if (!(speed > 0)) throw new RangeError(`clock speed must be > 0, got ${speed}`);
  }
  now(): number {
    return this.anchor + (Date.now() - this.wallAnchor) * this.speed;
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms / this.speed)));
  }
}

/**
 * A clock at `speed` aligned to the server's time, read from a dry-run create in `namespace`.
 * Falls back to the system time as anchor when the server does not answer with a timestamp.
 */
export async function serverAlignedClock(client: ClusterClient, speed: number, namespace: string): Promise<ScaledClock> {
  const wall = Date.now();
  try {
    const probe = await client.create(
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: `stratus-clock-probe-${wall.toString(36)}`, namespace }, data: {} },
      { dryRun: true },
    );
    const server = Date.parse(probe.metadata.creationTimestamp ?? "");
    // creationTimestamp has whole seconds: aim at the middle of the second.
    if (Number.isFinite(server)) return new ScaledClock(speed, server + 500, (wall + Date.now()) / 2);
  } catch {
    /* fall through */
  }
  return new ScaledClock(speed);
}
