/**
 * Test doubles implementing agents/agent.ts, for the graph, LLM and watchdog tests while the
 * embedded reasoners are built elsewhere: a detector that opens one incident per Deployment whose
 * pods cannot run (waiting in a bad state), a diagnosis that names that Deployment, a mitigation
 * that plays a script of plans (one per attempt, seeing the attempts so far), and an undo reviewer
 * that checks the core's restore outcomes.
 */
import type { AgentContext, Agents, DetectionAgent, DiagnosisAgent, MitigationAgent, Proposal, UndoAgent, UndoReport } from "../../src/incident/agent.ts";
import type { Attempt, Diagnosis, Hypothesis, Incident } from "../../src/incident/types.ts";
import type { Plan } from "../../src/core/plan.ts";
import type { TransactionResult } from "../../src/core/transaction.ts";

const BAD = new Set(["ImagePullBackOff", "ErrImagePull", "CrashLoopBackOff", "CreateContainerConfigError"]);

/** Opens an incident per Deployment with a pod waiting in a bad state; one open incident per Deployment. */
export class StubDetection implements DetectionAgent {
  private readonly open = new Map<string, string>();
  private seq = 0;
  observations = 0;
  async observe(ctx: AgentContext): Promise<Incident | null> {
    this.observations++;
    for (const namespace of ctx.namespaces) {
      const pods = await ctx.client.list("v1", "Pod", { namespace });
      for (const p of pods) {
        if (p.metadata.deletionTimestamp) continue;
        const waiting = p.status?.containerStatuses?.find((c: { state?: { waiting?: { reason?: string } } }) => BAD.has(c.state?.waiting?.reason ?? ""));
        if (!waiting) continue;
        const app = p.metadata.labels?.app ?? p.metadata.name;
        const fingerprint = `${namespace}/${app}`;
        if (this.open.has(fingerprint)) continue;
        const at = new Date(ctx.clock.now()).toISOString();
        const id = `INC-${app}-${ctx.clock.now().toString(36)}-${++this.seq}`;
        this.open.set(fingerprint, id);
        return {
          id, namespace, openedAt: at, onsetAt: at, severity: "critical", fingerprint,
          symptoms: [`container-states:${namespace}/${app}`],
          affected: [app],
          evidence: [{ source: "pod-status", entity: { kind: "Pod", namespace, name: p.metadata.name }, fact: `${waiting.name} is waiting: ${waiting.state.waiting.reason}` }],
        };
      }
    }
    return null;
  }
  close(incidentId: string): void {
    for (const [k, v] of this.open) if (v === incidentId) this.open.delete(k);
  }
}

export const hypothesisFor = (incident: Incident, summary = "the last release's image cannot be pulled"): Hypothesis => ({
  rootCause: { kind: "Deployment", namespace: incident.namespace, name: incident.affected[0] },
  layer: "virtualization",
  type: "operation-error",
  summary,
  confidence: 0.9,
  evidence: incident.evidence,
  facts: {},
});

export class StubDiagnosis implements DiagnosisAgent {
  calls = 0;
  async diagnose(incident: Incident): Promise<Diagnosis> {
    this.calls++;
    return { incidentId: incident.id, hypotheses: [hypothesisFor(incident)], path: incident.affected, reasoner: "embedded" };
  }
}

/** A plan per attempt: the i-th call (0-based) gets script[i]; past the end, no plan. */
export type PlanScript = Array<(incident: Incident, attempts: Attempt[]) => Plan>;

export class ScriptedMitigation implements MitigationAgent {
  readonly seen: Attempt[][] = [];
  constructor(private readonly script: PlanScript) {}
  async propose(incident: Incident, diagnosis: Diagnosis, attempts: Attempt[]): Promise<Proposal | null> {
    this.seen.push(attempts.map((a) => ({ ...a })));
    const make = this.script[attempts.length];
    if (!make) return null;
    return { plan: make(incident, attempts), hypothesis: diagnosis.hypotheses[0], rationale: `scripted attempt ${attempts.length + 1}`, origin: { source: "test-script" } };
  }
}

export class StubUndo implements UndoAgent {
  async review(result: TransactionResult): Promise<UndoReport> {
    const bad = result.restored.filter((r) => !r.matches);
    return {
      restored: bad.length === 0,
      escalate: bad.length > 0,
      summary: bad.length ? `${bad.length} object(s) not restored` : `restored ${result.restored.length} object(s)`,
      details: result.restored.map((r) => `${r.ref.kind} ${r.ref.name}: ${r.action}`),
    };
  }
}

export function stubAgents(script: PlanScript, detection: DetectionAgent = new StubDetection()): Agents & { mitigation: ScriptedMitigation; diagnosis: StubDiagnosis } {
  return { detection, diagnosis: new StubDiagnosis(), mitigation: new ScriptedMitigation(script), undo: new StubUndo() };
}

/** Plan helpers the scripts use. */
export const setImage = (namespace: string, name: string, image: string, container = "nginx"): Plan => ({
  steps: [{ id: "set-image", action: { type: "set-image", params: { namespace, name, container, image } } }],
});
