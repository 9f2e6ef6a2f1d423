/**
 * The embedded detection reasoner: the agent, its signals and settings.
 */
export { EmbeddedDetectionAgent, type DetectionOptions } from "./detector.ts";
export { DEFAULT_DETECTION, type DetectionSettings } from "./defaults.ts";
export { SIGNALS } from "./signals/index.ts";
export { symptom, type Signal, type SignalContext, type Symptom } from "./signal.ts";
