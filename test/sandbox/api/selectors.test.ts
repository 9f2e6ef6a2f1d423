import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  SelectorError,
  checkFieldSelectorSupported,
  fieldSelectorToString,
  fieldValue,
  formatLabelSelector,
  isEmptyLabelSelector,
  labelSelectorFromObject,
  labelSelectorToString,
  matchesFieldSelector,
  matchesLabelSelector,
  parseFieldSelector,
  parseLabelSelector,
  selectorFromMap,
} from "../../../sandbox/api/selectors.ts";

const throwsSelector = (fn: () => unknown, message: RegExp | string) =>
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof SelectorError, `expected SelectorError, got ${String(err)}`);
    if (typeof message === "string") assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });

const matches = (selector: string, labels?: Record<string, string>) => matchesLabelSelector(parseLabelSelector(selector), labels);

describe("parseLabelSelector", () => {
  it("parses every operator", () => {
    assert.deepEqual(parseLabelSelector("a=b,c==d,e!=f,g in (y,x),h notin (z),i,!j").requirements, [
      { key: "a", operator: "Equals", values: ["b"] },
      { key: "c", operator: "Equals", values: ["d"] },
      { key: "e", operator: "NotEquals", values: ["f"] },
      { key: "g", operator: "In", values: ["x", "y"] },
      { key: "h", operator: "NotIn", values: ["z"] },
      { key: "i", operator: "Exists", values: [] },
      { key: "j", operator: "DoesNotExist", values: [] },
    ]);
  });
  it("tolerates whitespace everywhere", () => {
    assert.deepEqual(parseLabelSelector("  a = b ,  tier  in ( x , y ) , ! canary ").requirements, [
      { key: "a", operator: "Equals", values: ["b"] },
      { key: "tier", operator: "In", values: ["x", "y"] },
      { key: "canary", operator: "DoesNotExist", values: [] },
    ]);
  });
  it("treats an empty string as selecting everything", () => {
    assert.deepEqual(parseLabelSelector("").requirements, []);
    assert.deepEqual(parseLabelSelector("   ").requirements, []);
    assert.ok(isEmptyLabelSelector(parseLabelSelector("")));
  });
  it("accepts prefixed keys, empty values and in/notin as values", () => {
    assert.deepEqual(parseLabelSelector("app.kubernetes.io/name=web,x=,k in (in,notin)").requirements, [
      { key: "app.kubernetes.io/name", operator: "Equals", values: ["web"] },
      { key: "x", operator: "Equals", values: [""] },
      { key: "k", operator: "In", values: ["in", "notin"] },
    ]);
  });
  it("reports syntax errors in Kubernetes' words", () => {
    throwsSelector(() => parseLabelSelector("a in x"), `unable to parse requirement: "a in x": found 'x', expected: '('`);
    throwsSelector(() => parseLabelSelector("app=web,tier in x"), `unable to parse requirement: "tier in x": found 'x', expected: '('`);
    throwsSelector(() => parseLabelSelector("a in (x,y"), `unable to parse requirement: "a in (x,y": found end of string, expected: ',' or ')'`);
    throwsSelector(() => parseLabelSelector("a in (x y)"), /found 'y', expected: ',' or '\)'/);
    throwsSelector(() => parseLabelSelector("a b"), `unable to parse requirement: "a b": found 'b', expected: =, ==, !=, in, notin`);
    throwsSelector(() => parseLabelSelector("a=b c"), /found 'c', expected: ',' or 'end of string'/);
    throwsSelector(() => parseLabelSelector("!a=b"), /found '=', expected: ',' or 'end of string'/);
    throwsSelector(() => parseLabelSelector("a=("), /found '\(', expected: identifier/);
    throwsSelector(() => parseLabelSelector("a,"), /found end of string, expected: identifier after ','/);
    throwsSelector(() => parseLabelSelector(",a"), /found ',', expected: !, identifier, or 'end of string'/);
    throwsSelector(() => parseLabelSelector("a > 1"), /found '>'/);
  });
  it("validates label keys and values", () => {
    throwsSelector(() => parseLabelSelector("-a"), /unable to parse requirement: "-a": invalid label key "-a"/);
    throwsSelector(() => parseLabelSelector("a/b/c=x"), /invalid label key "a\/b\/c"/);
    throwsSelector(() => parseLabelSelector("Bad_Prefix/x=y"), /prefix part must be a DNS subdomain/);
    throwsSelector(() => parseLabelSelector(`a=${"v".repeat(64)}`), /invalid label value/);
    throwsSelector(() => parseLabelSelector("a in (ok,b@d)"), /invalid label value "b@d"/);
  });
  it("round-trips through labelSelectorToString", () => {
    const s = "a=b,c!=d,e in (x,y),f notin (z),g,!h";
    assert.equal(labelSelectorToString(parseLabelSelector(s)), s);
    assert.equal(labelSelectorToString(parseLabelSelector("z=1, a==2")), "a=2,z=1");
    assert.equal(labelSelectorToString(parseLabelSelector("")), "");
  });
});

describe("matchesLabelSelector", () => {
  const labels = { app: "web", tier: "frontend", canary: "" };
  it("matches equality and inequality", () => {
    assert.ok(matches("app=web", labels));
    assert.ok(matches("app==web", labels));
    assert.ok(!matches("app=db", labels));
    assert.ok(matches("app!=db", labels));
    assert.ok(!matches("app!=web", labels));
    assert.ok(matches("missing!=x", labels), "!= matches a missing label");
  });
  it("matches set operators", () => {
    assert.ok(matches("tier in (frontend,backend)", labels));
    assert.ok(!matches("tier in (backend)", labels));
    assert.ok(!matches("missing in (x)", labels));
    assert.ok(matches("tier notin (backend)", labels));
    assert.ok(!matches("tier notin (frontend)", labels));
    assert.ok(matches("missing notin (x)", labels), "notin matches a missing label");
  });
  it("matches existence, including labels with empty values", () => {
    assert.ok(matches("canary", labels));
    assert.ok(!matches("!canary", labels));
    assert.ok(matches("!missing", labels));
    assert.ok(!matches("missing", labels));
    assert.ok(matches("canary=", labels));
  });
  it("requires all requirements", () => {
    assert.ok(matches("app=web,tier in (frontend),!missing", labels));
    assert.ok(!matches("app=web,tier=backend", labels));
  });
  it("handles undefined labels and the empty selector", () => {
    assert.ok(matches("", undefined));
    assert.ok(matches("", labels));
    assert.ok(!matches("app=web", undefined));
    assert.ok(matches("!app", undefined));
  });
  it("does not see inherited properties as labels", () => {
    assert.ok(!matches("constructor", {}));
    assert.ok(matches("!toString", {}));
  });
});

describe("labelSelectorFromObject / selectorFromMap / formatLabelSelector", () => {
  it("combines matchLabels and matchExpressions", () => {
    const sel = labelSelectorFromObject({
      matchLabels: { app: "web" },
      matchExpressions: [
        { key: "tier", operator: "In", values: ["b", "a"] },
        { key: "env", operator: "NotIn", values: ["prod"] },
        { key: "team", operator: "Exists" },
        { key: "legacy", operator: "DoesNotExist", values: [] },
      ],
    });
    assert.ok(matchesLabelSelector(sel, { app: "web", tier: "a", env: "dev", team: "x" }));
    assert.ok(matchesLabelSelector(sel, { app: "web", tier: "b", team: "" }));
    assert.ok(!matchesLabelSelector(sel, { app: "web", tier: "c", team: "x" }));
    assert.ok(!matchesLabelSelector(sel, { app: "web", tier: "a", env: "prod", team: "x" }));
    assert.ok(!matchesLabelSelector(sel, { app: "web", tier: "a" }));
    assert.ok(!matchesLabelSelector(sel, { app: "web", tier: "a", team: "x", legacy: "1" }));
  });
  it("selects everything for an empty object", () => {
    const sel = labelSelectorFromObject({});
    assert.ok(isEmptyLabelSelector(sel));
    assert.ok(matchesLabelSelector(sel, { any: "thing" }));
    assert.ok(matchesLabelSelector(sel, undefined));
  });
  it("validates operators and values", () => {
    throwsSelector(() => labelSelectorFromObject({ matchExpressions: [{ key: "a", operator: "In", values: [] }] }), "matchExpressions[0]: values must be non-empty for operator In");
    throwsSelector(() => labelSelectorFromObject({ matchExpressions: [{ key: "a", operator: "NotIn" }] }), /values must be non-empty/);
    throwsSelector(() => labelSelectorFromObject({ matchExpressions: [{ key: "a", operator: "Exists", values: ["x"] }] }), /values must be empty for operator Exists/);
    throwsSelector(
      () => labelSelectorFromObject({ matchExpressions: [{ key: "a", operator: "Gt" as "In", values: ["1"] }] }),
      /"Gt" is not a valid label selector operator/,
    );
    throwsSelector(() => labelSelectorFromObject({ matchLabels: { "bad key": "x" } }), /invalid label key "bad key"/);
  });
  it("builds a Service selector from a plain map; an empty map selects everything (caller decides)", () => {
    const sel = selectorFromMap({ app: "web", tier: "fe" });
    assert.ok(matchesLabelSelector(sel, { app: "web", tier: "fe", extra: "1" }));
    assert.ok(!matchesLabelSelector(sel, { app: "web" }));
    assert.ok(isEmptyLabelSelector(selectorFromMap({})));
    assert.ok(isEmptyLabelSelector(selectorFromMap(undefined)));
  });
  it("formats as kubectl shows it", () => {
    assert.equal(formatLabelSelector({ matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "In", values: ["b", "a"] }] }), "app=web,tier in (a,b)");
    assert.equal(
      formatLabelSelector({ matchLabels: { z: "1" }, matchExpressions: [{ key: "a", operator: "Exists" }, { key: "m", operator: "DoesNotExist" }, { key: "n", operator: "NotIn", values: ["x"] }] }),
      "a,!m,n notin (x),z=1",
    );
    assert.equal(formatLabelSelector({}), "<none>");
  });
  it("formats a string that parses back to the same selector", () => {
    const obj = { matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "NotIn" as const, values: ["x", "y"] }] };
    assert.deepEqual(parseLabelSelector(formatLabelSelector(obj)).requirements, labelSelectorFromObject(obj).requirements);
  });
});

describe("parseFieldSelector", () => {
  it("parses =, == and != terms", () => {
    assert.deepEqual(parseFieldSelector("metadata.name=web,status.phase==Running,spec.nodeName!=n1").requirements, [
      { field: "metadata.name", operator: "Equals", value: "web" },
      { field: "status.phase", operator: "Equals", value: "Running" },
      { field: "spec.nodeName", operator: "NotEquals", value: "n1" },
    ]);
  });
  it("tolerates whitespace, empty terms and empty values", () => {
    assert.deepEqual(parseFieldSelector(" spec.nodeName = , ,reason=BackOff,").requirements, [
      { field: "spec.nodeName", operator: "Equals", value: "" },
      { field: "reason", operator: "Equals", value: "BackOff" },
    ]);
    assert.deepEqual(parseFieldSelector("").requirements, []);
  });
  it("unescapes values and round-trips", () => {
    const sel = parseFieldSelector("metadata.name=a\\,b\\=c\\\\d,type!=x");
    assert.deepEqual(sel.requirements[0], { field: "metadata.name", operator: "Equals", value: "a,b=c\\d" });
    assert.equal(fieldSelectorToString(sel), "metadata.name=a\\,b\\=c\\\\d,type!=x");
    assert.deepEqual(parseFieldSelector(fieldSelectorToString(sel)), sel);
  });
  it("rejects terms without an operator or field", () => {
    throwsSelector(() => parseFieldSelector("metadata.name"), "invalid selector: 'metadata.name'; can't understand 'metadata.name'");
    throwsSelector(() => parseFieldSelector("a=b,oops"), "invalid selector: 'a=b,oops'; can't understand 'oops'");
    throwsSelector(() => parseFieldSelector("=x"), /missing field name/);
    throwsSelector(() => parseFieldSelector("a=\\x"), /invalid escape sequence "\\x"/);
  });
});

describe("matchesFieldSelector", () => {
  const pod = { metadata: { name: "web-1", namespace: "prod" }, spec: { nodeName: "n1" }, status: { phase: "Running" } };
  const event = {
    metadata: { name: "web-1.abc", namespace: "prod" },
    involvedObject: { kind: "Pod", name: "web-1", namespace: "prod", uid: "u-1" },
    reason: "BackOff",
    type: "Warning",
  };
  const match = (s: string, obj: unknown, supported?: string[]) => matchesFieldSelector(parseFieldSelector(s), obj, supported);

  it("reads dotted paths from pods", () => {
    assert.ok(match("metadata.name=web-1,metadata.namespace=prod", pod));
    assert.ok(match("status.phase=Running,spec.nodeName==n1", pod));
    assert.ok(!match("status.phase!=Running", pod));
    assert.ok(match("status.phase!=Pending", pod));
  });
  it("treats missing fields as empty strings", () => {
    const pending = { metadata: { name: "p" }, status: {} };
    assert.ok(match("spec.nodeName=", pending));
    assert.ok(!match("spec.nodeName!=", pending));
    assert.ok(match("status.phase!=Running", pending));
    assert.ok(match("metadata.namespace=", pending));
    assert.equal(fieldValue(undefined, "metadata.name"), "");
    assert.equal(fieldValue({ spec: "scalar" }, "spec.nodeName"), "");
  });
  it("reads event fields", () => {
    assert.ok(match("involvedObject.name=web-1,involvedObject.kind=Pod,involvedObject.namespace=prod", event));
    assert.ok(match("involvedObject.uid=u-1,reason=BackOff,type=Warning", event));
    assert.ok(!match("type=Normal", event));
  });
  it("stringifies booleans and numbers; spec.unschedulable defaults to false like Kubernetes", () => {
    assert.ok(match("spec.unschedulable=true", { spec: { unschedulable: true } }));
    assert.ok(match("spec.unschedulable=false", { spec: {} }));
    assert.ok(match("spec.unschedulable!=true", { spec: {} }));
    assert.ok(match("spec.replicas=3", { spec: { replicas: 3 } }));
  });
  it("enforces supported fields when given", () => {
    const supported = ["status.phase", "spec.nodeName"];
    assert.ok(match("status.phase=Running,metadata.name=web-1", pod, supported), "metadata.name/namespace are always allowed");
    throwsSelector(() => match("foo.bar=x", pod, supported), "field label not supported: foo.bar");
    assert.ok(!match("foo.bar=x", pod), "without a list any path is read");
  });
});

describe("checkFieldSelectorSupported", () => {
  it("accepts supported fields and metadata.name/namespace", () => {
    checkFieldSelectorSupported(parseFieldSelector("spec.nodeName=n1,metadata.name=x,metadata.namespace=y"), ["spec.nodeName"]);
    checkFieldSelectorSupported(parseFieldSelector(""), []);
  });
  it("names the first unsupported field", () => {
    throwsSelector(() => checkFieldSelectorSupported(parseFieldSelector("spec.nodeName=n1,foo.bar=x,baz=y"), ["spec.nodeName"]), "field label not supported: foo.bar");
  });
});
