/**
 * Playbooks: typed YAML remediation workflows. Load, lock and check them (loader, lockfile, watcher), pick the
 * one that serves a diagnosis (match), bind its params (bind), compile it to a Plan (compile) and
 * run it inside a TNR transaction behind its gate (executor). Everything here is named, nothing
 * re-exported wholesale.
 */
export { DEFAULT_PLAYBOOK_DIR } from "./defaults.ts";
export { PlaybookError, NotApplicable, isPlaybookError, isNotApplicable, formatIssue } from "./errors.ts";
export type { PlaybookIssue } from "./errors.ts";
export { inputFrom, playbookInputSchema, targetNamespace } from "./input.ts";
export type { PlaybookInput, FactValue } from "./input.ts";
export { parsePlaybook, loadPlaybookFile, loadPlaybookDir, digestOf as playbookDigest } from "./loader.ts";
export type { LibraryLoad, LoadOptions } from "./loader.ts";
export { playbookRef, FAULT_TYPES, LAYERS, PARAM_TYPES } from "./schema.ts";
export type { Playbook, PlaybookRef, StepSpec, ParamSpec, GateSpec, MatchSpec } from "./schema.ts";
export { bindParams, shownParams } from "./bind.ts";
export type { Binding, BindContext } from "./bind.ts";
export { compilePlaybook } from "./compile.ts";
export type { CompiledPlaybook, DecisionTaken } from "./compile.ts";
export { explainMatch, matchPlaybooks, selectPlaybook } from "./match.ts";
export type { MatchExplanation, Selection, Tried } from "./match.ts";
export { watchPlaybooks } from "./watcher.ts";
export { createLock, readLock, lockIssues, LockError, LOCK_FILE } from "./lockfile.ts";
export type { PlaybookLock } from "./lockfile.ts";
export { staticStages } from "./stages.ts";
export type { StaticStep } from "./stages.ts";
export type { LibraryEvent, LockOptions, LockStatus, PlaybookWatcher, WatchOptions } from "./watcher.ts";
export { KNOWN_FACTS } from "./facts.ts";
export { RESOLVERS, RESOLVER_NAMES } from "./resolvers/index.ts";
