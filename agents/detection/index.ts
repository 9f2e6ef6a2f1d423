/**
 * The embedded detection reasoner: health reports over time. The agent, its timing settings, and
 * the failure view of a health report it tracks.
 */
export { EmbeddedDetectionAgent, type DetectionOptions } from "./detector.ts";
export { DEFAULT_DETECTION, type DetectionSettings } from "./defaults.ts";
export { failuresOf, type Failure } from "./failure.ts";
