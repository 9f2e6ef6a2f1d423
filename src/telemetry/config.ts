/**
 * The health model's configuration as it comes from outside (a YAML or JSON file, a CLI flag):
 * SLOs with per-service overrides, check weights, windows and grace periods. Validated with zod —
 * unknown keys are refused and each error names its field — then resolved against `defaults.ts`
 * into the plain HealthSettings the checks read.
 */
import { z } from "zod";
import { ValidationError } from "../base/errors.ts";
import {
  DEFAULT_BAD_TERMINATED_REASONS,
  DEFAULT_BAD_WAITING_REASONS,
  DEFAULT_CHECK_WEIGHT,
  DEFAULT_CHECK_WEIGHTS,
  DEFAULT_HEALTH_WINDOW_MS,
  DEFAULT_MIN_REQUEST_RATE,
  DEFAULT_PENDING_GRACE_MS,
  DEFAULT_RESTART_GROWTH_TOLERANCE,
  DEFAULT_SLO,
  type Slo,
} from "./defaults.ts";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** A duration: milliseconds as a number, or a string such as "90s", "5m", "250ms". */
const Duration = z.union([
  z.number().int().min(0),
  z
    .string()
    .regex(/^\d+(ms|s|m|h)$/, 'a duration such as "30s", "5m" or "250ms"')
    .transform((s) => {
      const [, n, unit] = /^(\d+)(ms|s|m|h)$/.exec(s)!;
      return Number(n) * UNIT_MS[unit];
    }),
]);

const SloOverride = z
  .object({
    maxErrorRatio: z.number().min(0).max(1).optional(),
    maxP99Seconds: z.number().positive().optional(),
  })
  .strict();

export const HealthConfigSchema = z
  .object({
    slo: z
      .object({
        maxErrorRatio: z.number().min(0).max(1).optional(),
        maxP99Seconds: z.number().positive().optional(),
        minRequestRate: z.number().min(0).optional(),
        /** Keyed "namespace/service" or just "service" (any namespace). */
        services: z.record(z.string().min(1), SloOverride).optional(),
      })
      .strict()
      .optional(),
    /** Weight per check name, overriding the check's own; 0 keeps a check informative without adding to severity. */
    weights: z.record(z.string().min(1), z.number().min(0)).optional(),
    windowMs: Duration.optional(),
    pendingGraceMs: Duration.optional(),
    restartGrowthTolerance: z.number().int().min(0).optional(),
  })
  .strict();

export type HealthConfig = z.output<typeof HealthConfigSchema>;
/** The config before validation: what a file or a caller writes. */
export type HealthConfigInput = z.input<typeof HealthConfigSchema>;

/** Everything a check reads, fully resolved. */
export type HealthSettings = {
  slo: Slo;
  sloOverrides: Record<string, Partial<Slo>>;
  minRequestRate: number;
  /** Overrides of check weights from the config (see weightOf). */
  weights: Record<string, number>;
  windowMs: number;
  pendingGraceMs: number;
  restartGrowthTolerance: number;
  badWaitingReasons: readonly string[];
  badTerminatedReasons: readonly string[];
};

/** Validates config from outside; throws ValidationError naming each bad field. */
export function parseHealthConfig(raw: unknown): HealthConfig {
  const r = HealthConfigSchema.safeParse(raw ?? {});
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ path: i.path.join(".") || "(root)", message: i.message }));
  throw new ValidationError(`invalid health config: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`, issues);
}

export function resolveSettings(cfg: HealthConfig = {}): HealthSettings {
  return {
    slo: {
      maxErrorRatio: cfg.slo?.maxErrorRatio ?? DEFAULT_SLO.maxErrorRatio,
      maxP99Seconds: cfg.slo?.maxP99Seconds ?? DEFAULT_SLO.maxP99Seconds,
    },
    sloOverrides: cfg.slo?.services ?? {},
    minRequestRate: cfg.slo?.minRequestRate ?? DEFAULT_MIN_REQUEST_RATE,
    weights: cfg.weights ?? {},
    windowMs: cfg.windowMs ?? DEFAULT_HEALTH_WINDOW_MS,
    pendingGraceMs: cfg.pendingGraceMs ?? DEFAULT_PENDING_GRACE_MS,
    restartGrowthTolerance: cfg.restartGrowthTolerance ?? DEFAULT_RESTART_GROWTH_TOLERANCE,
    badWaitingReasons: DEFAULT_BAD_WAITING_REASONS,
    badTerminatedReasons: DEFAULT_BAD_TERMINATED_REASONS,
  };
}

/** The SLO of one service: "namespace/service" override, then "service" override, then the default. */
export function sloFor(settings: HealthSettings, namespace: string, service: string): Slo {
  return { ...settings.slo, ...(settings.sloOverrides[service] ?? {}), ...(settings.sloOverrides[`${namespace}/${service}`] ?? {}) };
}

/** A check's weight: the config's, else the check's own, else the built-in default for its name. */
export const weightOf = (settings: HealthSettings, check: { name: string; weight?: number }): number =>
  settings.weights[check.name] ?? check.weight ?? DEFAULT_CHECK_WEIGHTS[check.name] ?? DEFAULT_CHECK_WEIGHT;
