/**
 * The embedded diagnosis reasoner: the agent, its rules, the call-graph walk, the taxonomy, and
 * implication (the analyzers that follow Kubernetes' links from symptoms to objects).
 */
export { EmbeddedDiagnosisAgent, rank, type DiagnosisOptions } from "./diagnoser.ts";
export { RULES } from "./rules/index.ts";
export { REMEDIES, hypothesis, type Remedy, type Rule, type RuleContext } from "./rule.ts";
export { walkCallGraph, type Walk } from "./call-graph.ts";
export { TAXONOMY, type Finding } from "./taxonomy.ts";
export { ANALYZERS, implicate, symptomWorkloads, type Analyzer, type Implicated, type ImplicationContext, type SymptomWorkload } from "./implication/index.ts";
