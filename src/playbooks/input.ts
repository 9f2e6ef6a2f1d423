/**
 * What a playbook matches and binds from: the fields of one diagnosis hypothesis (root-cause
 * entity, layer, fault type, facts) and of its incident (id, namespace, onset). `src/` may not
 * import the agents, so this is declared here, structurally compatible with agents' Hypothesis
 * and Incident: a Hypothesis plus `incident: Incident` is a PlaybookInput. The zod schema reads one
 * from JSON (a `--diagnosis FILE`, a ledger entry) and ignores fields it does not use.
 */
import { z } from "zod";
import { parseWith } from "../core/actions/schema.ts";

export type FactValue = string | number | boolean | null;

export type PlaybookInput = {
  rootCause: { kind: string; namespace?: string; name: string };
  layer: string;
  type: string;
  summary?: string;
  confidence?: number;
  /** Structured findings (see facts.ts for the names the library reads). */
  facts?: Record<string, FactValue>;
  incident?: { id: string; namespace?: string; onsetAt?: string; openedAt?: string; severity?: string };
};

const fact = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const playbookInputSchema = z.looseObject({
  rootCause: z.looseObject({ kind: z.string().min(1), namespace: z.string().min(1).optional(), name: z.string().min(1) }),
  layer: z.string().min(1),
  type: z.string().min(1),
  summary: z.string().optional(),
  confidence: z.number().optional(),
  facts: z.record(z.string(), fact).optional(),
  incident: z.looseObject({ id: z.string().min(1), namespace: z.string().optional(), onsetAt: z.string().optional(), openedAt: z.string().optional(), severity: z.string().optional() }).optional(),
});

/** The namespace the playbook works in: the root cause's, else the incident's. */
export function targetNamespace(input: PlaybookInput): string | undefined {
  return input.rootCause.namespace ?? input.incident?.namespace;
}

/**
 * A PlaybookInput from what a file or the ledger holds: a hypothesis itself, or a Diagnosis
 * (`{hypotheses: [...]}`, the `hypothesis`-th one, best first), with an optional incident beside it.
 * Throws a ValidationError naming the field that is missing.
 */
export function inputFrom(doc: unknown, incident?: unknown, hypothesis = 0): PlaybookInput {
  const d = (doc ?? {}) as Record<string, unknown>;
  const inner = (d.diagnosis && typeof d.diagnosis === "object" ? d.diagnosis : d) as Record<string, unknown>;
  let h: unknown = inner;
  if (Array.isArray(inner.hypotheses)) {
    if (!inner.hypotheses[hypothesis]) throw new RangeError(`the diagnosis has ${inner.hypotheses.length} hypotheses; there is no hypothesis ${hypothesis}`);
    h = inner.hypotheses[hypothesis];
  }
  const inc = incident ?? d.incident ?? inner.incident ?? (typeof inner.incidentId === "string" ? { id: inner.incidentId } : undefined);
  const withIncident = inc && typeof inc === "object" ? { ...(h as object), incident: inc } : h;
  const parsed = parseWith(playbookInputSchema, withIncident, "invalid diagnosis");
  return parsed as PlaybookInput;
}
