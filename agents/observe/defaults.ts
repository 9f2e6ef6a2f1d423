/**
 * Every bound of the observation builder in one place: how far back events reach, how many pods'
 * logs are read and how many lines each, and which chaos-mesh kinds are looked for. Bounded so an
 * observation of a big namespace stays small enough to reason over (and to hand to a model).
 */
import { FIELD_MANAGER } from "../../src/kube/types.ts";

/** Events older than this (by lastTimestamp) are left out. */
export const DEFAULT_EVENT_LOOKBACK_MS = 15 * 60_000;
/** At most this many events per namespace (the newest are kept). */
export const DEFAULT_MAX_EVENTS_PER_NAMESPACE = 400;
/** Logs: at most this many containers' logs per observation. */
export const DEFAULT_MAX_LOG_CONTAINERS = 16;
/** Logs: lines read from the end of each log. */
export const DEFAULT_LOG_TAIL_LINES = 60;
/** Logs: distinct lines kept per excerpt, and the longest line kept. */
export const DEFAULT_MAX_LOG_LINES = 30;
export const DEFAULT_MAX_LOG_LINE_CHARS = 400;
/** The chaos-mesh.org kinds listed (a kind the cluster does not serve is skipped). */
export const CHAOS_KINDS: readonly string[] = ["NetworkChaos", "StressChaos", "PodChaos", "IOChaos", "HTTPChaos", "TimeChaos", "DNSChaos"];
export const CHAOS_API_VERSION = "chaos-mesh.org/v1alpha1";
/** The change tracker keeps this many changes (oldest dropped first). */
export const DEFAULT_MAX_CHANGES = 500;
/** The change tracker keeps this many earlier versions per object. */
export const DEFAULT_VERSIONS_PER_OBJECT = 4;
/** The flight recorder follows at most this many objects (deleted ones are forgotten first). */
export const DEFAULT_MAX_TRACKED_OBJECTS = 20_000;
/** A watchdog starting late reconstructs changes the cluster shows as written this recently. */
export const DEFAULT_RECONSTRUCT_WINDOW_MS = 15 * 60_000;
/** Field managers that are Stratus itself (its own writes are never "a person's change"). */
export const STRATUS_FIELD_MANAGERS: readonly string[] = [FIELD_MANAGER];
