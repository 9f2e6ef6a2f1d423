/**
 * The watchdog: what `stratus watch` and `stratus start` use from `src/watchdog/`.
 */
export { Watchdog, inPolicyScope, type WatchdogOptions } from "./watchdog.ts";
export { IncidentLoop, type IncidentLoopOptions, type Approver } from "./loop.ts";
export { InformerCache, INFORMED_KINDS, type InformedKind } from "./informers.ts";
export { CachedClient } from "./cached-client.ts";
export { ScaledClock, serverAlignedClock } from "./clock.ts";
export { chooseMetricSource, type MetricChoice } from "./metric-source.ts";
export { storyLine } from "./story.ts";
export { IncidentBook, type BookEntry } from "./incident-book.ts";
export { ReplicaHistory } from "./replica-history.ts";
export { DEFAULT_DETECT_INTERVAL_MS, DEFAULT_IDENTITY, EXIT_BLIND, DEFAULT_ONCE_QUIET_MS, DEFAULT_ONCE_TIMEOUT_MS } from "./defaults.ts";
export { DEFAULT_LEADER_LEASE_DURATION_SECONDS } from "./leader.ts";
