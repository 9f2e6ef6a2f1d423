/**
 * The embedded undo reasoner.
 */
export { EmbeddedUndoAgent, type UndoOptions } from "./reviewer.ts";
