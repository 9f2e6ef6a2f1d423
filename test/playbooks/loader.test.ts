/**
 * Loading playbooks: every playbook in the shipped library validates against the default policy
 * and carries the sha256 of its file; every malformed playbook in fixtures/bad is refused with a
 * message naming its file, the field (as a path) and the line; a library directory loads its good
 * files and reports its bad ones, including two files claiming one name.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { DEFAULT_POLICY } from "../../src/core/policy.ts";
import { DEFAULT_PLAYBOOK_DIR, isPlaybookError, loadPlaybookDir, loadPlaybookFile, parsePlaybook } from "../../src/playbooks/index.ts";

const BAD = join(import.meta.dirname, "fixtures/bad");

/** Each malformed fixture: the field its error must name, the line, and what the message says. */
const EXPECTED: Record<string, { field: string; line: number; says: RegExp }> = {
  "unknown-top-field.yaml": { field: "owner", line: 4, says: /unknown field "owner"/ },
  "unknown-step-field.yaml": { field: "steps[0].retires", line: 9, says: /unknown field "retires"/ },
  "unknown-action.yaml": { field: "steps[0].action", line: 7, says: /unknown action type "rollout-undoo" \(did you mean "rollout-undo"\?\)/ },
  "unknown-action-param.yaml": { field: "steps[0].with.replica", line: 13, says: /unknown field "replica" for scale/ },
  "bad-literal-value.yaml": { field: "steps[0].with.replicas", line: 13, says: />=0/ },
  "undeclared-param.yaml": { field: "steps[0].with.name", line: 12, says: /unknown param "deploy"; the playbook declares: deployment/ },
  "param-order.yaml": { field: "params.secretName.value", line: 8, says: /param "deployment" is declared after "secretName"/ },
  "unknown-resolver.yaml": { field: "params.revision.from[0].resolve", line: 9, says: /unknown resolver "previousRevisions"/ },
  "resolver-unknown-arg.yaml": { field: "params.revision.from[0].deploy", line: 10, says: /unknown field "deploy" \(resolver previousRevision takes: namespace, deployment\)/ },
  "cycle.yaml": { field: "steps", line: 5, says: /cycle in after: first → second → first/ },
  "unknown-after.yaml": { field: "steps[1].after[0]", line: 10, says: /unknown step "scael"/ },
  "duplicate-id.yaml": { field: "steps[1].id", line: 9, says: /duplicate step id "fix"/ },
  "parallel-conflict.yaml": { field: "steps[0].parallel", line: 9, says: /"scale" and "restart" in parallel group "both" both write Deployment/ },
  "parallel-ordered.yaml": { field: "steps[0].parallel[1].after", line: 12, says: /"scale-api" runs after "scale-web", but both are in parallel group "both"/ },
  "policy-forbidden.yaml": { field: "steps[0].action", line: 9, says: /the policy refuses this action: deleting PersistentVolumeClaim is never allowed/ },
  "missing-gate.yaml": { field: "gate", line: 1, says: /the policy wants a person's approval for delete-policy \(high risk\)/ },
  "timeout-approves.yaml": { field: "gate.approval.onTimeout", line: 15, says: /a timeout stand in for the person the policy requires/ },
  "bad-duration.yaml": { field: "steps[0].postcondition.within", line: 11, says: /"5 minutes" is not a duration: write numbers with units \(h, m, s, ms\), largest first, e\.g\. 90s, 1m30s, 500ms or 2h/ },
  "bare-duration.yaml": { field: "steps[0].postcondition.within", line: 11, says: /300 has no unit: add one, e\.g\. 300s, 300m or 300ms \(a bare number is not read as milliseconds\)/ },
  "bad-retry.yaml": { field: "steps[0].retry.retryOn[1]", line: 13, says: /deadline-missed is never retried/ },
  "bad-match-type.yaml": { field: "match.type[0]", line: 6, says: /expected one of "misconfiguration"/ },
  "two-kinds.yaml": { field: "steps[0].wait", line: 9, says: /a step is exactly one of action, exec, wait, decision, parallel \(this one has action and wait\)/ },
  "deadline-unordered.yaml": { field: "steps[1].deadline.after", line: 12, says: /"restart" does not run after "scale"/ },
  "not-yaml.yaml": { field: "", line: 5, says: /not valid YAML/ },
  "bad-template.yaml": { field: "steps[0].with.replicas", line: 11, says: /is not a param reference; write \$\{\{ params.NAME \}\}/ },
  "match-reads-params.yaml": { field: "match.when", line: 6, says: /match conditions read the diagnosis/ },
  "condition-no-test.yaml": { field: "match.when[0].ref", line: 7, says: /give exactly one test for facts.oomKilled/ },
  "bad-param-type.yaml": { field: "params.replicas.type", line: 6, says: /expected one of "string"\|"integer"/ },
  "bad-param-default.yaml": { field: "params.replicas.default", line: 6, says: /"two" is not an integer/ },
  "unknown-gate-field.yaml": { field: "gate.approval.escalateTo", line: 12, says: /unknown field "escalateTo"/ },
};

describe("the playbook library", () => {
  const files = readdirSync(DEFAULT_PLAYBOOK_DIR).filter((n) => n.endsWith(".yaml"));

  it("has a playbook for every fault class in the catalog", () => {
    const want = [
      "fix-pvc-storage-class.yaml", "raise-memory-limit.yaml", "remove-blocking-network-policy.yaml", "remove-chaos-experiment.yaml",
      "remove-node-selector.yaml", "restart-transient.yaml", "restore-config-value.yaml", "restore-db-users.yaml", "restore-service-port.yaml",
      "restore-service-selector.yaml", "rollout-undo.yaml", "scale-back.yaml", "scale-out-cpu.yaml",
    ];
    assert.deepEqual(want.filter((w) => !files.includes(w)), []);
  });

  for (const file of files) {
    it(`${file} validates against the default policy and is named like its file`, () => {
      const path = join(DEFAULT_PLAYBOOK_DIR, file);
      const pb = loadPlaybookFile(path, { policy: DEFAULT_POLICY });
      assert.equal(`${pb.name}.yaml`, file);
      assert.match(pb.version, /^\d+\.\d+\.\d+$/);
      assert.equal(pb.source.digest, `sha256:${createHash("sha256").update(readFileSync(path)).digest("hex")}`);
      assert.ok(pb.steps.length >= 1 && pb.steps.length <= 4, "small enough to read like a runbook");
    });
  }
});

describe("malformed playbooks", () => {
  it(`are ${Object.keys(EXPECTED).length} fixtures, one expectation each`, () => {
    assert.deepEqual(readdirSync(BAD).sort(), Object.keys(EXPECTED).sort());
  });

  for (const [file, want] of Object.entries(EXPECTED)) {
    it(`${file} is refused naming the file, ${want.field || "the document"} and line ${want.line}`, () => {
      const path = join(BAD, file);
      assert.throws(() => loadPlaybookFile(path, { policy: DEFAULT_POLICY }), (e: unknown) => {
        assert.ok(isPlaybookError(e), String(e));
        assert.equal(e.file, path);
        const issue = e.playbookIssues.find((i) => i.path === want.field && want.says.test(i.message));
        assert.ok(issue, `an issue at "${want.field}" saying ${want.says}; got:\n${e.message}`);
        assert.equal(issue.line, want.line, e.message);
        assert.ok(e.message.includes(`${path}:${want.line}: ${want.field ? `${want.field}: ` : ""}`), e.message);
        return true;
      });
    });
  }
});

describe("loading a library directory", () => {
  it("loads the good files, reports the bad ones, and refuses a second playbook with the same name", () => {
    const dir = mkdtempSync(join(tmpdir(), "stratus-playbooks-"));
    copyFileSync(join(DEFAULT_PLAYBOOK_DIR, "scale-back.yaml"), join(dir, "a.yaml"));
    copyFileSync(join(DEFAULT_PLAYBOOK_DIR, "scale-back.yaml"), join(dir, "b.yaml"));
    copyFileSync(join(BAD, "cycle.yaml"), join(dir, "c.yaml"));
    writeFileSync(join(dir, "notes.txt"), "not a playbook");
    const { playbooks, errors } = loadPlaybookDir(dir, { policy: DEFAULT_POLICY });
    assert.deepEqual(playbooks.map((p) => `${p.name} ${basename(p.source.file)}`), ["scale-back a.yaml"]);
    assert.deepEqual(errors.map((e) => basename(e.file)), ["b.yaml", "c.yaml"]);
    assert.match(errors[0].message, /b\.yaml:1: name: playbook name "scale-back" is already used by .*a\.yaml/);
  });

  it("digests the exact bytes: one changed comment is a different digest", () => {
    const text = readFileSync(join(DEFAULT_PLAYBOOK_DIR, "scale-back.yaml"), "utf8");
    const a = parsePlaybook(text, "a.yaml");
    const b = parsePlaybook(`${text}\n# reviewed\n`, "a.yaml");
    assert.notEqual(a.source.digest, b.source.digest);
  });
});
