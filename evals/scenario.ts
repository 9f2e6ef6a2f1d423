/**
 * The eval scenario format, as a zod schema: one YAML file per scenario — an app, a seed, the
 * faults to inject (zero or more), benign noise, what a correct agent achieves (`expect`) and the
 * budget. The shape is public (scenarios are written outside this repository too), so it is strict:
 * an unknown field is refused by name. Durations are written "30s", "1m30s", "500ms" or "2h".
 * Checks that need the fault catalog or an app's objects live in `loader.ts`.
 */
import { z } from "zod";
import { durationSchema } from "../src/base/duration.ts";

const Duration = durationSchema();

const Name = z.string().min(1).max(253);

const Target = z.strictObject({
  kind: z.string().min(1),
  name: Name,
});

/** One injection: a catalog kind aimed at an object of the app, optionally delayed after warm-up. */
const Injection = z.strictObject({
  kind: z.string().min(1),
  target: Target,
  params: z.record(z.string(), z.unknown()).optional(),
  at: Duration.optional(),
});

export const LAYERS = ["application", "virtualization", "network", "storage"] as const;
export const FAULT_TYPES = ["misconfiguration", "operation-error", "authentication", "dependency", "code-defect", "resource"] as const;

export const APPS = ["hotel-reservation", "social-network"] as const;

export const ScenarioSchema = z.strictObject({
  id: z.string().min(1).max(200).regex(/^[a-z0-9][a-z0-9._/-]*$/, "lower-case letters, digits, '.', '_', '-' and '/' only"),
  app: z.enum(APPS),
  seed: z.number().int().min(0).max(2 ** 31 - 1),
  description: z.string().optional(),
  faults: z.array(Injection).default([]),
  noise: z.array(Injection).optional(),
  expect: z.strictObject({
    detected: z.boolean(),
    localization: z.array(Name).min(1).optional(),
    rootCause: z.strictObject({ layer: z.enum(LAYERS), type: z.enum(FAULT_TYPES) }).optional(),
    mitigated: z.boolean(),
  }),
  budget: z
    .strictObject({
      simTime: Duration.optional(),
      attempts: z.number().int().min(1).max(20).optional(),
    })
    .optional(),
});

/** A scenario after parsing: durations in milliseconds, `faults` always present. */
export type Scenario = z.output<typeof ScenarioSchema>;
export type Injection = z.output<typeof Injection>;

/** A scenario as loaded: where it came from, so every message can name the file. */
export type LoadedScenario = { file: string; scenario: Scenario };

/** One problem with one scenario file: the file, the field (dotted path) and what is wrong. */
export type ScenarioProblem = { file: string; field: string; message: string };

export const formatProblem = (p: ScenarioProblem) => `${p.file}: ${p.field}: ${p.message}`;

/** True when no write is needed: no fault, only noise, or faults that heal themselves. */
export const needsNoWrite = (s: Scenario) => !s.expect.mitigated;
