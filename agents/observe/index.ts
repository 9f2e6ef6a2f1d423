/**
 * The shared, read-only observation layer of the embedded reasoners: an Observation snapshot
 * builder over a ClusterClient and a MetricSource, the change tracker (the flight recorder) that
 * remembers what changed between snapshots and each object's last known good version, and the
 * lookups rules use to navigate one snapshot.
 */
export { buildObservation, eventTime, type ObserveOptions } from "./build.ts";
export { ChangeTracker, type TrackedRef, type TrackerOptions, type Version } from "./changes.ts";
export { reconstruct } from "./reconstruct.ts";
export { describeChange, latestWrite, TRACKED } from "./tracked-kinds.ts";
export { failingContainers, runningContainers, readLogs, boundLines, type LogRequest, type ReadLogsOptions } from "./logs.ts";
export {
  ObservationIndex, containerStatuses, declaredPorts, isActivePod, key, nsOf, podReady, referencedObjects, revisionOf, templateContainers, REVISION_ANNOTATION,
} from "./lookups.ts";
export { chaosSelects, formatMap } from "./selectors.ts";
export { parseUserList, shortHash, summarizeSecret } from "./secrets.ts";
export { emptyObservation, type DeclaredUser, type LogExcerpt, type Observation, type ObservedChange, type SecretInsight, type SecretSummary } from "./types.ts";
