/**
 * The incident graph, a LangGraph StateGraph: detect → diagnose → plan → predict (on a twin, when
 * a predictor is given; a plan predicted to fail → reflect) → guard (→ approval, an
 * interrupt) → transact → resolve, or → undo → reflect → plan again (at most N attempts) →
 * escalate; a plan found stale under the Lease goes straight back to plan. With --dry-run, guard leads to preview instead of transact. Nodes return state
 * updates; the only cluster writes are runTransaction's inside `transact`.
 */
import { END, START, StateGraph, type BaseCheckpointSaver } from "@langchain/langgraph";
import type { GraphDeps } from "./deps.ts";
import { approvalNode, routeAfterApproval } from "./nodes/approval.ts";
import { detectNode } from "./nodes/detect.ts";
import { diagnoseNode, routeAfterDiagnose } from "./nodes/diagnose.ts";
import { escalateNode, previewNode, resolveNode } from "./nodes/finish.ts";
import { guardNode, routeAfterGuard } from "./nodes/guard.ts";
import { planNode, routeAfterPlan } from "./nodes/plan.ts";
import { predictNode, routeAfterPredict } from "./nodes/predict.ts";
import { reflectNode, routeAfterReflect } from "./nodes/reflect.ts";
import { routeAfterTransact, transactNode } from "./nodes/transact.ts";
import { routeAfterUndo, undoNode } from "./nodes/undo.ts";
import { IncidentGraphState } from "./state.ts";

export function buildIncidentGraph(deps: GraphDeps, checkpointer: BaseCheckpointSaver) {
  return new StateGraph(IncidentGraphState)
    .addNode("detect", detectNode(deps))
    .addNode("diagnose", diagnoseNode(deps))
    .addNode("plan", planNode(deps))
    .addNode("predict", predictNode(deps))
    .addNode("guard", guardNode(deps))
    .addNode("approval", approvalNode(deps))
    .addNode("transact", transactNode(deps))
    .addNode("undo", undoNode(deps))
    .addNode("reflect", reflectNode(deps))
    .addNode("resolve", resolveNode(deps))
    .addNode("escalate", escalateNode(deps))
    .addNode("preview", previewNode(deps))
    .addEdge(START, "detect")
    .addEdge("detect", "diagnose")
    .addConditionalEdges("diagnose", routeAfterDiagnose, ["plan", "escalate"])
    .addConditionalEdges("plan", routeAfterPlan, ["predict", "reflect", "escalate"])
    .addConditionalEdges("predict", routeAfterPredict, ["guard", "reflect"])
    .addConditionalEdges("guard", routeAfterGuard(deps), ["reflect", "approval", "transact", "preview"])
    .addConditionalEdges("approval", routeAfterApproval(deps), ["reflect", "transact", "preview"])
    .addConditionalEdges("transact", routeAfterTransact, ["resolve", "undo", "reflect", "plan"])
    .addConditionalEdges("undo", routeAfterUndo, ["escalate", "reflect"])
    .addConditionalEdges("reflect", routeAfterReflect(deps), ["plan", "escalate"])
    .addEdge("resolve", END)
    .addEdge("escalate", END)
    .addEdge("preview", END)
    .compile({ checkpointer });
}

export type IncidentGraph = ReturnType<typeof buildIncidentGraph>;
