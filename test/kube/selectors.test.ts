/**
 * The product's label selectors: a plain map, a LabelSelector object and selector text agree on
 * the same cases, with the API server's edge rules (an empty LabelSelector selects everything, an
 * absent one nothing, NotIn and DoesNotExist hold when the key is missing).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { labelMatcher, matchesMap, matchesSelector, selectorText, type LabelSelector } from "../../src/kube/selectors.ts";

const pod = (labels: Record<string, string>) => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "p", labels } });
const WEB = { app: "web", tier: "front" };

describe("label selectors", () => {
  it("a map selects labels that carry every pair; no map selects nothing", () => {
    assert.equal(matchesMap({ app: "web" }, WEB), true);
    assert.equal(matchesMap({ app: "web", tier: "back" }, WEB), false);
    assert.equal(matchesMap({}, WEB), true);
    assert.equal(matchesMap(undefined, WEB), false);
    assert.equal(selectorText({ app: "web", tier: "front" }), "app=web,tier=front");
  });

  it("a LabelSelector and its text form agree, case by case", () => {
    const cases: Array<[LabelSelector, string, boolean]> = [
      [{ matchLabels: { app: "web" } }, "app=web", true],
      [{ matchExpressions: [{ key: "tier", operator: "In", values: ["front", "edge"] }] }, "tier in (front,edge)", true],
      [{ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["front"] }] }, "tier notin (front)", false],
      [{ matchExpressions: [{ key: "zone", operator: "NotIn", values: ["a"] }] }, "zone notin (a)", true],
      [{ matchExpressions: [{ key: "app", operator: "Exists" }] }, "app", true],
      [{ matchExpressions: [{ key: "app", operator: "DoesNotExist" }] }, "!app", false],
      [{ matchLabels: { app: "web" }, matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] }, "app=web,zone in (a)", false],
      [{}, "", true],
    ];
    for (const [sel, text, want] of cases) {
      assert.equal(matchesSelector(sel, WEB), want, JSON.stringify(sel));
      assert.equal(labelMatcher(text)!(pod(WEB)), want, text);
    }
    assert.equal(matchesSelector(undefined, WEB), false);
    assert.equal(matchesSelector({ matchExpressions: [{ key: "app", operator: "Sometimes" }] }, WEB), false);
  });
});
