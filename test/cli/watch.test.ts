/**
 * `stratus watch` as a user runs it, in its own process, against a sandbox running hotel-reservation
 * under load with a catalog fault injected, with the embedded agents: `--once` detects, diagnoses,
 * fixes and exits 0, telling the story; `--dry-run --once` proposes, writes nothing and exits 1;
 * `--llm openai` against a scripted OpenAI-compatible endpoint diagnoses and plans through the
 * model's tool calls. Also `stratus approve` answering a waiting approval through the ledger, and
 * usage errors.
 */
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { getApp, RealClock, waitForApp } from "../../sandbox/index.ts";
import { createFaultContext, faultByKind } from "../../sandbox/faults/index.ts";
import { openLedger } from "../../src/core/ledger/index.ts";
import { KubeClient } from "../../src/kube/kube-client.ts";
import { recordApprovalRequest } from "../../src/graph/approvals.ts";
import { startTestCluster, type TestCluster } from "../helpers/sandbox.ts";
import { runCli } from "../helpers/cli.ts";
import { startScriptedOpenAI, type RecordedRequest, type ScriptedReply } from "../helpers/scripted-openai.ts";

const MAIN = join(import.meta.dirname, "../../src/cli/main.ts");
const SPEED = 10;
const NS = "hotel-reservation";

type Run = { code: number | null; stdout: string; stderr: string };
function stratus(args: string[], timeoutMs = 240_000): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ["--import", "tsx", MAIN, ...args], { timeout: timeoutMs, env: { ...process.env, OPENAI_API_KEY: "" } }, (_e, stdout, stderr) => {
      resolve({ code: child.exitCode, stdout, stderr });
    });
  });
}

const svc = (name: string) => ({ apiVersion: "v1", kind: "Service", namespace: NS, name });

describe("stratus watch on a sandbox with a fault injected", () => {
  let cluster: TestCluster;
  let client: KubeClient;
  let clock: RealClock;
  before(async () => {
    clock = new RealClock(SPEED);
    cluster = await startTestCluster({ clock, apps: [NS] });
    client = new KubeClient(cluster.kc, { clock, retryBaseMs: 20 });
    const status = await waitForApp(cluster.sandbox, getApp(NS), 600_000);
    assert.ok(status.ready, `hotel-reservation up: waiting for ${status.waiting.join(", ")}`);
  });
  after(async () => { await cluster.close(); });

  const inject = async (kind: string, target: { kind: string; name: string }) => {
    const ctx = createFaultContext({ kubeconfig: cluster.kc, now: () => clock.now() });
    return faultByKind(kind).inject(ctx, { ...target, namespace: NS });
  };

  it("--once detects, diagnoses and fixes a Service targeting a dead port, tells the story, exits 0", async () => {
    await inject("service-target-port", { kind: "Service", name: "rate" });
    const ledgerPath = join(mkdtempSync(join(tmpdir(), "stratus-cli-watch-")), "ledger.db");
    const run = await stratus(["watch", "--kubeconfig", cluster.kubeconfigFile, "-n", NS, "--ledger", ledgerPath, "--once", "--once-quiet", "90s", "--once-timeout", "20m", "--speed", String(SPEED)]);
    assert.equal(run.code, 0, `exit 0 when everything found was fixed:\n${run.stdout}\n${run.stderr}`);
    const lines = run.stdout.trim().split("\n");
    const order = [/^detected \S+ in hotel-reservation: /, /^diagnosed: Service rate .*\(misconfiguration, [01]\.\d\d\)/, /^plan: update-service/, /^applied: /, /^verified: /, /^committed$/];
    let at = -1;
    for (const re of order) {
      const i = lines.findIndex((l, k) => k > at && re.test(l));
      assert.ok(i > at, `${re} in order in:\n${run.stdout}`);
      at = i;
    }
    assert.match(run.stderr, /ledger: .*stratus ledger list --db /);
    const rate = await client.read(svc("rate"));
    assert.equal(rate!.spec.ports[0].targetPort, 8084);
    const ledger = openLedger({ path: ledgerPath, create: false });
    try {
      assert.equal(ledger.verify().ok, true);
      assert.ok(ledger.byKind("commit").length >= 1);
    } finally {
      ledger.close();
    }
  });

  it("--dry-run --once proposes the fix, writes nothing, and exits 1", async () => {
    await inject("service-target-port", { kind: "Service", name: "search" });
    const rv = (await client.read(svc("search")))!.metadata.resourceVersion;
    const ledgerPath = join(mkdtempSync(join(tmpdir(), "stratus-cli-dry-")), "ledger.db");
    const run = await stratus(["watch", "--kubeconfig", cluster.kubeconfigFile, "-n", NS, "--ledger", ledgerPath, "--dry-run", "--once", "--once-quiet", "90s", "--once-timeout", "10m", "--speed", String(SPEED)]);
    assert.equal(run.code, 1, `a proposal is not a fix:\n${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /plan: update-service/);
    assert.match(run.stdout, /dry run, not applied: /);
    assert.equal((await client.read(svc("search")))!.metadata.resourceVersion, rv, "nothing written");
    const ledger = openLedger({ path: ledgerPath, create: false });
    try {
      assert.ok(ledger.query({ kind: "note" }).some((e) => e.payload.phase === "dry-run"));
      assert.equal(ledger.byKind("transaction").length, 0);
    } finally {
      ledger.close();
      // Leave the app healthy for the next story.
      const search = (await client.read(svc("search")))!;
      search.spec.ports[0].targetPort = 8082;
      await client.replace(search);
    }
  });

  it("--llm openai runs diagnosis and mitigation through the model's tool calls, counts tokens, and the fix commits", async () => {
    await inject("service-target-port", { kind: "Service", name: "geo" });
    const api = await startScriptedOpenAI();
    const model = (req: RecordedRequest): ScriptedReply => {
      // langchain's agent sends the system prompt as content parts: read their text either way.
      const system = JSON.stringify(req.messages[0]?.content ?? "");
      const sawTool = req.messages.some((m) => m.role === "tool");
      if (system.includes("diagnosis agent")) {
        if (!sawTool) return { toolCalls: [{ name: "get_object", args: { kind: "Service", namespace: NS, name: "geo" } }] };
        // Answers go through the stage's structured-output tool, as langchain's createAgent asks.
        return { toolCalls: [{ name: "extract-diagnosis", args: { hypotheses: [{ rootCause: { kind: "Service", namespace: NS, name: "geo" }, layer: "virtualization", type: "misconfiguration", summary: "Service geo targets port 9999, which geo does not serve", confidence: 0.9, evidence: [{ source: "spec", fact: "targetPort 9999" }], facts: { servedPort: 8083 } }], path: ["frontend", "search", "geo"] } }] };
      }
      if (system.includes("mitigation agent")) {
        return { toolCalls: [{ name: "extract-plan", args: { hypothesis: 0, plan: { steps: [{ id: "port", action: { type: "update-service", params: { namespace: NS, name: "geo", ports: [{ name: "grpc", port: 8083, targetPort: 8083 }] } } }] }, rationale: "restore the port geo serves" } }] };
      }
      return { toolCalls: [{ name: "extract-review", args: { restored: true, escalate: false, summary: "ok", details: [] } }] };
    };
    api.push(...Array.from({ length: 20 }, () => model));
    try {
      const ledgerPath = join(mkdtempSync(join(tmpdir(), "stratus-cli-llm-")), "ledger.db");
      const run = await stratus(["watch", "--kubeconfig", cluster.kubeconfigFile, "-n", NS, "--ledger", ledgerPath, "--once", "--once-quiet", "90s", "--once-timeout", "20m", "--speed", String(SPEED),
        "--llm", "openai", "--model", "scripted-model", "--base-url", api.url]);
      assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
      assert.match(run.stdout, /^diagnosed: Service geo targets port 9999.*\[llm\]$/m, run.stderr);
      assert.match(run.stderr, /llm openai model=scripted-model/);
      assert.ok(api.requests.some((r) => r.messages.some((m) => m.role === "tool" && String(m.content).includes('"targetPort":9999'))), "the tool result reached the model");
      assert.equal((await client.read(svc("geo")))!.spec.ports[0].targetPort, 8083);
      const ledger = openLedger({ path: ledgerPath, create: false });
      try {
        const notes = ledger.query({ kind: "note" }).filter((e) => e.payload.phase === "llm");
        assert.deepEqual(notes.map((e) => e.actor).slice(0, 2), ["agent:diagnosis", "agent:mitigation"]);
        assert.ok(notes.every((e) => (e.payload.tokens as { total: number }).total > 0), "tokens counted per call");
        assert.equal(ledger.verify().ok, true);
      } finally {
        ledger.close();
      }
    } finally {
      await api.close();
    }
  });
});

describe("stratus watch and approve: flags", () => {
  it("refuses contradictory or incomplete flags with exit 2 and says what to pass", async () => {
    const a = await runCli(["watch", "--once-timeout", "5m"]);
    assert.equal(a.code, 2);
    assert.match(a.stderr, /--once-timeout and --once-quiet need --once/);
    const b = await runCli(["watch", "--llm", "openai"]);
    assert.equal(b.code, 2);
    assert.match(b.stderr, /needs --model NAME/);
    const c = await runCli(["watch", "--interval", "soon"]);
    assert.equal(c.code, 2);
    assert.match(c.stderr, /--interval: "soon" is not a duration: .* e\.g\. 90s, 1m30s, 500ms or 2h/);
    const bare = await runCli(["watch", "--interval", "30"]);
    assert.equal(bare.code, 2);
    assert.match(bare.stderr, /--interval: 30 has no unit: add one, e\.g\. 30s/);
    const lease = await runCli(["watch", "--leader-elect-lease-duration", "10s", "--leader-elect-renew-deadline", "10s"]);
    assert.equal(lease.code, 2);
    assert.match(lease.stderr, /--leader-elect-lease-duration \(10s\) must be longer than --leader-elect-renew-deadline \(10s\)/);
    const retry = await runCli(["watch", "--leader-elect-renew-deadline", "2s", "--leader-elect-retry-period", "2s"]);
    assert.equal(retry.code, 2);
    assert.match(retry.stderr, /must be longer than 1\.2 × --leader-elect-retry-period \(2s\)/);
    const part = await runCli(["watch", "--leader-elect-lease-duration", "1500ms"]);
    assert.equal(part.code, 2);
    assert.match(part.stderr, /not whole seconds/);
    const prices = await runCli(["watch", "--llm-prices", "prices.json"]);
    assert.equal(prices.code, 2);
    assert.match(prices.stderr, /--llm-prices need --llm openai/);
    const d = await runCli(["watch", "--help"]);
    assert.equal(d.code, 0);
    assert.match(d.stdout, /--once/);
  });

  it("stratus approve records a decision for a waiting incident in the ledger, once", async () => {
    const ledgerPath = join(mkdtempSync(join(tmpdir(), "stratus-cli-approve-")), "ledger.db");
    recordApprovalRequestForTest(ledgerPath, "INC-7", 1);
    const ok = await runCli(["approve", "INC-7", "--by", "alice", "--note", "go", "--ledger", ledgerPath]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /approved attempt 1 of INC-7 by alice/);
    const again = await runCli(["approve", "INC-7", "--by", "bob", "--ledger", ledgerPath]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /not waiting for an approval/);
    const noBy = await runCli(["approve", "INC-7", "--ledger", ledgerPath]);
    assert.equal(noBy.code, 2);
    assert.match(noBy.stderr, /--by NAME is required/);
    const ledger = openLedger({ path: ledgerPath, create: false });
    try {
      const decision = ledger.byIncident("INC-7").find((e) => e.payload.phase === "decision");
      assert.equal(decision?.actor, "person:alice");
      assert.equal(decision?.payload.note, "go");
    } finally {
      ledger.close();
    }
  });
});

/** A ledger with one incident whose attempt waits for a person, as the graph's guard leaves it. */
function recordApprovalRequestForTest(path: string, incidentId: string, attempt: number): void {
  const ledger = openLedger({ path });
  try {
    ledger.append({ kind: "incident", actor: "agent:detection", incidentId, payload: { step: "incident" } });
    recordApprovalRequest(ledger, incidentId, { attempt, digest: `sha256:${"ab".repeat(32)}`, reasons: ["medium-risk action needs approval: set-image"] });
  } finally {
    ledger.close();
  }
}
