/**
 * End to end on hotel-reservation, faults on Services and their traffic: each is injected into the
 * running app, detected by the embedded detection agent, diagnosed (entity, layer, type as the
 * catalog's ground truth), mitigated inside a TNR transaction that commits, and the fault's oracle
 * passes afterwards.
 */
import { describe, it } from "node:test";
import { fixes } from "./expect.ts";

const T = { timeout: 180_000 };
const app = "hotel-reservation";

describe("agents end to end: hotel-reservation, service and traffic faults", { concurrency: 1 }, () => {
  it("service-target-port on Service rate: restores the served targetPort", T, fixes(app, { kind: "service-target-port", target: { kind: "Service", name: "rate" } }));
  it("service-selector on Service search: restores the selector", T, fixes(app, { kind: "service-selector", target: { kind: "Service", name: "search" } }));
  it("network-policy-deny on Service rate: deletes the blocking NetworkPolicy", T, fixes(app, { kind: "network-policy-deny", target: { kind: "Service", name: "rate" } }));
  it("scale-zero on Deployment reservation: scales back to the pre-incident count", T, fixes(app, { kind: "scale-zero", target: { kind: "Deployment", name: "reservation" } }));
  it("network-loss on Deployment geo: deletes the NetworkChaos", T, fixes(app, { kind: "network-loss", target: { kind: "Deployment", name: "geo" } }));
  it("cpu-stress on Deployment rate: deletes the StressChaos", T, fixes(app, { kind: "cpu-stress", target: { kind: "Deployment", name: "rate" } }));
});
