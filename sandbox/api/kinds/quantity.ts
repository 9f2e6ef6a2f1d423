/**
 * Kubernetes resource quantities ("500m", "128Mi", "1G", "2", "1e3") as plain numbers, the way
 * the API server validates them and the scheduler and kubelet compare them. A quantity is a signed
 * decimal number followed by an optional binary suffix (Ki..Ei), decimal suffix (n, u, m, k, M, G,
 * T, P, E) or decimal exponent (e3, E-2). Values are computed as an exact integer scaled by a power
 * of ten or two, so equal quantities written differently ("1.1" and "1100m") give the same number.
 */

/** The real server's wording when a quantity does not parse. */
export const QUANTITY_FORMAT_MESSAGE = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

export class QuantityError extends Error {
  constructor(readonly input: unknown) {
    super(`${JSON.stringify(input)}: ${QUANTITY_FORMAT_MESSAGE}`);
    this.name = "QuantityError";
  }
}

const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const SHAPE = /^([+-]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(.*)$/;

/**
 * The value of a quantity in base units (cores, bytes, ...): "500m" → 0.5, "128Mi" → 134217728.
 * JSON numbers are accepted as the real server accepts them. Throws QuantityError when malformed.
 */
export function parseQuantity(input: string | number): number {
  if (typeof input === "number") {
    if (!Number.isFinite(input)) throw new QuantityError(input);
    return input;
  }
  if (typeof input !== "string") throw new QuantityError(input);
  const m = SHAPE.exec(input.trim() === input ? input : "");
  if (!m) throw new QuantityError(input);
  const [, sign, number, suffix] = m;
  const [whole, frac = ""] = number.split(".");
  const digits = Number((whole + frac).replace(/^0+(?=\d)/, "") || "0");
  let exp10 = -frac.length;
  let exp2 = 0;
  if (suffix in BINARY) exp2 = BINARY[suffix];
  else if (suffix in DECIMAL) exp10 += DECIMAL[suffix];
  else if (/^[eE][+-]?[0-9]+$/.test(suffix)) exp10 += Number(suffix.slice(1));
  else throw new QuantityError(input);
  // Dividing two exact integers rounds once, so "1.1" and "1100m" give the identical double.
  let value = exp10 >= 0 ? digits * 10 ** exp10 : digits / 10 ** -exp10;
  value *= 2 ** exp2;
  if (!Number.isFinite(value)) throw new QuantityError(input);
  return sign === "-" ? -value : value;
}

/** Like parseQuantity, but undefined instead of throwing. */
export function tryParseQuantity(input: unknown): number | undefined {
  try {
    return typeof input === "string" || typeof input === "number" ? parseQuantity(input) : undefined;
  } catch {
    return undefined;
  }
}

/** True when `a` and `b` are the same quantity, allowing for float rounding in sums. */
export function sameQuantity(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}
