/**
 * What tokens cost: a price table (dollars per million input and output tokens, per model name) read
 * from a JSON or YAML file given with `--llm-prices FILE`, and the cost of a token count under it.
 * A model missing from the table has no cost (undefined), never a guessed one.
 */
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { StratusError } from "../base/errors.ts";
import type { TokenCount } from "./usage.ts";

export const Price = z.strictObject({
  /** Dollars per million input (prompt) tokens. */
  input: z.number().nonnegative(),
  /** Dollars per million output (completion) tokens. */
  output: z.number().nonnegative(),
});
export type Price = z.infer<typeof Price>;

export const PriceTable = z.record(z.string().min(1), Price);
export type PriceTable = z.infer<typeof PriceTable>;

/** Reads a price table file; throws INVALID_INPUT naming the file and the bad entry. */
export function loadPriceTable(file: string): PriceTable {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, "utf8"));
  } catch (e) {
    throw new StratusError("INVALID_INPUT", `cannot read the price table ${file}: ${(e as Error).message}`);
  }
  const r = PriceTable.safeParse(raw);
  if (!r.success) throw new StratusError("INVALID_INPUT", `invalid price table ${file}: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")} (expected {"MODEL": {"input": DOLLARS_PER_MTOK, "output": DOLLARS_PER_MTOK}})`);
  return r.data;
}

/** Dollars for `tokens` at `price`, rounded to a millionth of a dollar. */
export function costOf(tokens: Pick<TokenCount, "input" | "output">, price: Price | undefined): number | undefined {
  if (!price) return undefined;
  return Math.round(((tokens.input * price.input + tokens.output * price.output) / 1e6) * 1e6) / 1e6;
}
