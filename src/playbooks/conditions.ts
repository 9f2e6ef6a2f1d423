/**
 * Conditions on evidence, for a playbook's `match.when` and a decision step's `when`: a list (all
 * must hold) of tests such as `{ref: facts.rolloutPrecededOnset, equals: true}` or
 * `{ref: params.replicas, gte: 2}`, combined with `any`, `all` and `not`. A `ref` names a value
 * of the diagnosis (`facts.X`, `target.kind|namespace|name`, `incident.id|namespace|onsetAt|…`,
 * `diagnosis.type|layer|confidence`) or, in decisions only, a bound param. Evaluation is pure.
 */
import { z } from "zod";

const OPERATORS = ["equals", "notEquals", "in", "exists", "gt", "gte", "lt", "lte", "matches"] as const;
const COMBINATORS = ["all", "any", "not"] as const;
const REF = /^(facts\.[A-Za-z0-9_]+|target\.(kind|namespace|name)|incident\.(id|namespace|onsetAt|openedAt|severity)|diagnosis\.(type|layer|confidence|summary)|params\.[a-z][A-Za-z0-9]*(\.[A-Za-z0-9_-]+)*)$/;

export type Condition = {
  ref?: string;
  equals?: unknown;
  notEquals?: unknown;
  in?: unknown[];
  exists?: boolean;
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
  matches?: string;
  all?: Condition[];
  any?: Condition[];
  not?: Condition;
};

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z
    .strictObject({
      ref: z.string().regex(REF, "must name facts.NAME, target.kind|namespace|name, incident.FIELD, diagnosis.type|layer|confidence or params.NAME").optional(),
      equals: scalar.optional(),
      notEquals: scalar.optional(),
      in: z.array(scalar).min(1).optional(),
      exists: z.boolean().optional(),
      gt: z.number().optional(),
      gte: z.number().optional(),
      lt: z.number().optional(),
      lte: z.number().optional(),
      matches: z.string().refine(isRegex, "must be a valid regular expression").optional(),
      all: z.array(conditionSchema).min(1).optional(),
      any: z.array(conditionSchema).min(1).optional(),
      not: conditionSchema.optional(),
    })
    .superRefine((c, ctx) => {
      const ops = OPERATORS.filter((k) => c[k] !== undefined);
      const combos = COMBINATORS.filter((k) => c[k] !== undefined);
      if (combos.length + (c.ref !== undefined ? 1 : 0) !== 1) {
        ctx.addIssue({ code: "custom", message: `a condition is either {ref, <one test>} or one of ${COMBINATORS.join(", ")}` });
      } else if (c.ref !== undefined && ops.length !== 1) {
        ctx.addIssue({ code: "custom", path: ["ref"], message: `give exactly one test for ${c.ref}: ${OPERATORS.join(", ")}${ops.length ? ` (got ${ops.join(", ")})` : ""}` });
      } else if (combos.length && ops.length) {
        ctx.addIssue({ code: "custom", path: [ops[0]], message: `${ops[0]} needs a ref` });
      }
    }),
);

/** `when:` is one condition or a list that must all hold. */
export const whenSchema = z.union([conditionSchema, z.array(conditionSchema).min(1)]).transform((w) => (Array.isArray(w) ? w : [w]));

function isRegex(s: string): boolean {
  try {
    new RegExp(s);
    return true;
  } catch {
    return false;
  }
}

/** Every ref a condition list reads, for static checks. */
export function conditionRefs(conds: Condition[]): string[] {
  return conds.flatMap((c) => [...(c.ref ? [c.ref] : []), ...conditionRefs(c.all ?? []), ...conditionRefs(c.any ?? []), ...conditionRefs(c.not ? [c.not] : [])]);
}

/** What conditions can read: the diagnosis as PlaybookInput fields, and bound params. */
export type Scope = { facts: Record<string, unknown>; target: Record<string, unknown>; incident: Record<string, unknown>; diagnosis: Record<string, unknown>; params: Record<string, unknown> };

export function evaluate(conds: Condition[], scope: Scope): boolean {
  return conds.every((c) => evaluateOne(c, scope));
}

function evaluateOne(c: Condition, scope: Scope): boolean {
  if (c.all) return evaluate(c.all, scope);
  if (c.any) return c.any.some((x) => evaluateOne(x, scope));
  if (c.not) return !evaluateOne(c.not, scope);
  const v = read(scope, c.ref!);
  if (c.exists !== undefined) return (v !== undefined && v !== null) === c.exists;
  if (c.equals !== undefined) return same(v, c.equals);
  if (c.notEquals !== undefined) return !same(v, c.notEquals);
  if (c.in) return c.in.some((x) => same(v, x));
  if (c.matches !== undefined) return v !== undefined && v !== null && new RegExp(c.matches).test(String(v));
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  if (Number.isNaN(n)) return false;
  if (c.gt !== undefined) return n > c.gt;
  if (c.gte !== undefined) return n >= c.gte;
  if (c.lt !== undefined) return n < c.lt;
  return n <= c.lte!;
}

function read(scope: Scope, ref: string): unknown {
  const [head, ...rest] = ref.split(".");
  let v: unknown = scope[head as keyof Scope];
  for (const k of rest) {
    if (v === undefined || v === null || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

/** Facts arrive as JSON scalars from many hands: "true" and true, "3" and 3 are the same. */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || a === null || b === null) return false;
  return typeof a !== "object" && String(a) === String(b);
}

/** "facts.oomKilled equals true", for match explanations. */
export function describeConditions(conds: Condition[]): string {
  return conds.map(describeOne).join(" and ");
}

function describeOne(c: Condition): string {
  if (c.all) return `(${describeConditions(c.all)})`;
  if (c.any) return `(${c.any.map(describeOne).join(" or ")})`;
  if (c.not) return `not ${describeOne(c.not)}`;
  const op = OPERATORS.find((k) => c[k] !== undefined)!;
  return `${c.ref} ${op} ${JSON.stringify(c[op])}`;
}
