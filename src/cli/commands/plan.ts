/**
 * `stratus plan validate FILE|--incident ID`: predicts what a plan would do before anything is
 * applied — starts a twin (`stratus sandbox up --twin --virtual` as a child process), seeds it with
 * a copy of the namespaces the plan touches, plays the plan there in virtual time and prints the
 * prediction as a story (or `-o json`). The live cluster is only read. With --incident, the plan is
 * the incident's latest from the ledger, judged against the incident's failing checks. Exit 0 when
 * the plan is predicted to work or the twin cannot tell, 1 when it is predicted to fail.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";
import { DEFAULT_LEDGER_PATH, openLedger } from "../../core/ledger/index.ts";
import { readPayloads } from "../../core/ledger/payload.ts";
import { parsePlan, type Plan } from "../../core/plan.ts";
import { GRAPH } from "../../graph/payloads.ts";
import { findKubeConfig, KubeClient } from "../../kube/kube-client.ts";
import { predictPlan } from "../../twin/predict.ts";
import { predictionStory } from "../../twin/story.ts";
import { UsageError, type Io } from "../io.ts";
import { twinLauncher } from "../twin.ts";

export const PLAN_USAGE = `Usage: stratus plan validate FILE|--incident ID [-o json] [--kubeconfig FILE] [--context NAME] [-n NS]...

Predicts what a plan would do, on a twin: a sandbox in virtual time seeded with a copy of the
namespaces it touches (Secrets as placeholders). Nothing is written to the cluster.
  FILE               a plan (YAML or JSON: {steps: [...]})
  --incident ID      the incident's latest plan from the ledger, judged by its failing checks
  --ledger FILE      the ledger, with --incident (default ${DEFAULT_LEDGER_PATH})
  --check KEY        an incident check the plan should clear ("check:namespace/name"; repeatable)
  -n, --namespace NS a namespace to copy besides the plan's own (repeatable)
  -o, --output json  the prediction as JSON instead of a story
Exit 0: predicted to work (or the twin cannot tell); 1: predicted to fail.`;

export async function planCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === "--help" || sub === "-h" || sub === "help") {
    io.out(PLAN_USAGE);
    return sub ? 0 : 2;
  }
  if (sub !== "validate") throw new UsageError(`unknown plan command "${sub}": expected "validate" (see stratus plan --help)`);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      incident: { type: "string" },
      ledger: { type: "string", default: DEFAULT_LEDGER_PATH },
      check: { type: "string", multiple: true, default: [] },
      namespace: { type: "string", short: "n", multiple: true, default: [] },
      output: { type: "string", short: "o" },
      kubeconfig: { type: "string" },
      context: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    io.out(PLAN_USAGE);
    return 0;
  }
  if (values.output !== undefined && values.output !== "json") throw new UsageError(`-o must be "json", got "${values.output}"`);
  if ((positionals.length === 1) === (values.incident !== undefined)) throw new UsageError("give a plan FILE or --incident ID (one of them)");
  if (positionals.length > 1) throw new UsageError(`one plan file at a time, got ${positionals.length}`);

  let plan: Plan;
  let checks = [...values.check!];
  const namespaces = [...values.namespace!];
  let baselineReplicas: Map<string, number> | undefined;
  if (values.incident) {
    const fromLedger = planOfIncident(values.ledger!, values.incident);
    plan = fromLedger.plan;
    checks = [...checks, ...fromLedger.checks];
    namespaces.push(fromLedger.namespace);
    baselineReplicas = fromLedger.baselineReplicas;
  } else {
    const text = readFileSync(positionals[0], "utf8");
    plan = parsePlan(parseYaml(text));
  }

  const found = findKubeConfig({ ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}), ...(values.context ? { context: values.context } : {}) });
  const live = new KubeClient(found.kc);
  io.err(`stratus plan validate: cluster ${live.server} (from ${found.source}); starting a twin`);
  const prediction = await predictPlan({ plan, live, launcher: twinLauncher(), incidentChecks: checks, namespaces, ...(baselineReplicas ? { baselineReplicas } : {}) });
  if (values.output === "json") io.out(JSON.stringify(prediction, null, 2));
  else for (const line of predictionStory(prediction)) io.out(line);
  return prediction.verdict === "fails" ? 1 : 0;
}

/** The incident's latest plan, its checks, namespace and replica baseline, read through the ledger's typed payloads. */
function planOfIncident(path: string, id: string): { plan: Plan; checks: string[]; namespace: string; baselineReplicas: Map<string, number> } {
  const ledger = openLedger({ path, create: false });
  try {
    const entries = ledger.byIncident(id);
    const incident = readPayloads(entries, GRAPH.incident)[0]?.payload;
    if (!incident) throw new UsageError(`no incident ${id} in ${path}: list them with 'stratus ledger list --kind incident --db ${path}'`);
    const planEntry = [...entries].reverse().find((e) => e.kind === "plan" && e.payload.plan !== undefined);
    if (!planEntry) throw new UsageError(`incident ${id} has no plan in ${path} yet`);
    return { plan: parsePlan(planEntry.payload.plan), checks: incident.incident.checks ?? [], namespace: incident.incident.namespace, baselineReplicas: new Map(Object.entries(incident.baselineReplicas)) };
  } finally {
    ledger.close();
  }
}
