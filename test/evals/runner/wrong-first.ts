/**
 * A scenario whose first candidate is wrong, for the runner's ablation and prediction stories: the
 * real agents, except that the first plan of each incident sets a bad image for rate before the
 * real fix.
 */
import type { Agents } from "../../../src/incident/agent.ts";

export const WRONG_FIRST_FILE = "evals/scenarios/hotel-reservation/service-target-port-rate.yaml";
const BAD_FIRST = { steps: [{ id: "bad", action: { type: "set-image", params: { namespace: "hotel-reservation", name: "rate", container: "rate", image: "docker.io/deathstarbench/hotel-reservation:9.9.9" } } }] };

/** The real agents, except that the first plan of each incident is a bad one. */
export const wrongFirst = (agents: Agents): Agents => ({
  ...agents,
  mitigation: {
    async propose(incident, diagnosis, attempts, ctx) {
      const real = await agents.mitigation.propose(incident, diagnosis, attempts, ctx);
      if (!real || attempts.length > 0) return real;
      return { ...real, plan: BAD_FIRST as never, rationale: "a wrong first guess (scripted)" };
    },
  },
});
