/**
 * The web UI in a real browser (Debian's chromium driven by playwright-core) against a real ledger:
 * the watchdog — embedded agents, the shipped incident loop, TNR transactions — runs against the
 * sandbox, where a Deployment's image is broken; the policy holds the plan for a person. The UI is
 * mounted on the watchdog's own server and authenticates through the cluster (KubeAuthenticator:
 * the sandbox's TokenReview and SubjectAccessReview, tokens from `kubectl create token`, RBAC on
 * incidents.stratus.dev). The operator logs in by pasting a token, sees the held plan, approves it
 * from the page, and the plan applies; the incident page then tells the whole story — timeline,
 * ranked hypotheses, the before/after diff of the Deployment, health before and after, the chart
 * — and live updates arrive over server-sent events. A viewer without the approve verb is refused.
 * Screenshots go to a temp dir, or to STRATUS_UI_SCREENSHOTS=DIR.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { RealClock } from "../../../sandbox/index.ts";
import { createEmbeddedAgents } from "../../../agents/index.ts";
import { openLedger, type SqliteLedger } from "../../../src/core/ledger/index.ts";
import { parsePolicy } from "../../../src/core/policy.ts";
import { closeCheckpointer, openCheckpointer } from "../../../src/graph/index.ts";
import { KubeClient } from "../../../src/kube/kube-client.ts";
import { AlertStore, KubeAuthenticator, StratusMetrics, startServer, type RunningServer } from "../../../src/server/index.ts";
import { uiRoutes } from "../../../src/server/ui/index.ts";
import { Watchdog } from "../../../src/watchdog/index.ts";
import { eventually, startTestCluster, type TestCluster } from "../../helpers/sandbox.ts";
import { deployment, deploymentRef } from "../../graph/harness.ts";
import { incidentRbacYaml } from "../../helpers/incident-rbac.ts";

const SPEED = 20;
export const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

const RBAC = incidentRbacYaml("default");

describe("the web UI in chromium, over a real watchdog's ledger", () => {
  let cluster: TestCluster;
  let clock: RealClock;
  let ledger: SqliteLedger;
  let checkpointer: ReturnType<typeof openCheckpointer>;
  let wd: Watchdog;
  let done: Promise<number>;
  let srv: RunningServer;
  let context: BrowserContext;
  let page: Page;
  const story: string[] = [];
  const tokens: Record<string, string> = {};
  const dirs: string[] = [];
  const shots = process.env.STRATUS_UI_SCREENSHOTS ?? mkdtempSync(join(tmpdir(), "stratus-ui-shots-"));
  const shot = (name: string) => page.screenshot({ path: join(shots, `ui-${name}.png`), fullPage: true });

  before(async () => {
    mkdirSync(shots, { recursive: true });
    clock = new RealClock(SPEED);
    cluster = await startTestCluster({ clock });
    const applied = await cluster.kubectl(["create", "-f", "-"], RBAC);
    assert.equal(applied.code, 0, applied.stderr);
    for (const sa of ["oncall", "viewer"]) {
      assert.equal((await cluster.kubectl(["create", "serviceaccount", sa, "-n", "default"])).code, 0);
      const t = await cluster.kubectl(["create", "token", sa, "-n", "default"]);
      assert.equal(t.code, 0, t.stderr);
      tokens[sa] = t.stdout.trim();
    }
    const client = new KubeClient(cluster.kc, { clock, retryBaseMs: 20 });
    await client.create(deployment("shop"));
    await eventually(async () => (await client.read(deploymentRef("shop")))?.status?.availableReplicas === 2, 30_000, "shop available");
    await client.patch(deploymentRef("shop"), { spec: { template: { spec: { containers: [{ name: "nginx", image: "nginx:9.9.9" }] } } } }, "strategic");

    const dir = mkdtempSync(join(tmpdir(), "stratus-ui-"));
    dirs.push(dir);
    ledger = openLedger({ path: join(dir, "ledger.db"), now: () => clock.now() });
    checkpointer = openCheckpointer(join(dir, "ledger.checkpoints.db"));
    wd = new Watchdog({
      kubeConfig: cluster.kc, client, clock, namespaces: ["default"], ledger, checkpointer,
      policy: parsePolicy("requireApproval: [medium, high]\n"), agents: createEmbeddedAgents(),
      metrics: new StratusMetrics(() => clock.now(), { processMetrics: false }), alerts: new AlertStore(() => clock.now()),
      once: { quietMs: 200_000, timeoutMs: 2_000_000 }, identity: "watchdog-ui-test", story: (l) => story.push(l),
    });
    const ui = uiRoutes({
      ledger,
      authenticator: new KubeAuthenticator(client),
      incidents: () => wd.incidents(),
      approve: (id, body) => wd.approve(id, body),
      verify: () => ledger.verify(),
      livePollMs: 200,
    });
    srv = await startServer("127.0.0.1:0", {
      alerts: new AlertStore(), ledger, readiness: () => wd.readiness(), authenticator: new KubeAuthenticator(client),
      incidents: () => wd.incidents(), approve: (id, body) => wd.approve(id, body), routes: [ui],
    } as Parameters<typeof startServer>[1]);
    done = wd.run();

    const profile = mkdtempSync(join(tmpdir(), "stratus-chromium-"));
    dirs.push(profile);
    assert.ok(existsSync("/usr/bin/chromium"), "the browser tests drive Debian's chromium: apt-get install chromium (.ci/run does); never a downloaded browser");
    context = await chromium.launchPersistentContext(profile, { executablePath: "/usr/bin/chromium", headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 900 } });
    page = context.pages()[0] ?? (await context.newPage());
  });

  after(async () => {
    await context?.close();
    await srv?.close();
    if (checkpointer) closeCheckpointer(checkpointer);
    ledger?.close();
    await cluster?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("sends a browser without a session to the login page, and refuses a token the cluster does not know", async () => {
    await page.goto(`${srv.url}/ui/incidents`);
    assert.match(page.url(), /\/ui\/login$/);
    await page.fill("textarea[name=token]", `${tokens.oncall.slice(0, -6)}AAAAAA`);
    await page.click("form.login button[type=submit]");
    await page.waitForSelector("p.error");
    assert.match(await page.textContent("p.error") ?? "", /Not accepted/);
    await shot("login");
  });

  it("logs in with a pasted token and shows the plan the policy holds, with approve and reject buttons", async () => {
    await page.goto(`${srv.url}/ui/login`);
    await page.fill("textarea[name=token]", tokens.oncall);
    await Promise.all([page.waitForURL(/\/ui\/incidents$/), page.click("form.login button[type=submit]")]);
    const cookies = await context.cookies(srv.url);
    const session = cookies.find((c) => c.name === "stratus_token");
    assert.ok(session?.httpOnly && session.sameSite === "Strict", "the session cookie is HttpOnly and SameSite=Strict");
    assert.equal(await page.evaluate(() => document.cookie), "", "no script can read the token");

    const waiting = await eventually(() => wd.book.waiting()[0], 120_000, "an incident held for approval");
    await page.goto(`${srv.url}/ui/approvals`);
    const row = page.locator(`li[data-incident="${waiting.incident.id}"]`);
    assert.match(await row.textContent() ?? "", /rollout-undo: roll Deployment default\/shop back to revision 1/);
    assert.equal(await row.locator("button.approve").count(), 1);
    await shot("approvals");
  });

  it("approves from the incident page; the plan applies and commits; the page tells the story with the diff and the chart", async () => {
    const waiting = wd.book.waiting()[0];
    await page.goto(`${srv.url}/ui/incidents/${encodeURIComponent(waiting.incident.id)}`);
    const hypothesis = page.locator("ol.hypotheses li.hypothesis").first();
    assert.match(await hypothesis.textContent() ?? "", /nginx:9\.9\.9.*cannot be pulled/);
    await Promise.all([page.waitForURL(/done=approved/), page.click("form.decision button.approve")]);
    assert.match(await page.textContent("p.flash") ?? "", /approved by system:serviceaccount:default:oncall/);

    // Live updates: the entries the watchdog writes from now on arrive over server-sent events.
    await page.waitForSelector("#live li", { timeout: 60_000 });
    assert.equal(await done, 0, `everything found was fixed:\n${story.join("\n")}`);
    await page.waitForFunction(() => [...document.querySelectorAll("#live li")].some((li) => / commit /.test(li.textContent ?? "")), undefined, { timeout: 30_000 });

    await page.reload();
    const tx = page.locator("li.step.transaction").first();
    assert.equal(await tx.locator(".badge").first().textContent(), "committed");
    const diff = await tx.locator("div.diff[data-object='Deployment default/shop'] pre.udiff").textContent() ?? "";
    assert.match(diff, /^--- Deployment default\/shop \(before\)$/m);
    assert.match(diff, /^-\s+- image: nginx:9\.9\.9$/m);
    assert.match(diff, /^\+\s+- image: nginx:1\.27$/m);
    assert.match(await tx.locator("tr[data-phase=baseline]").textContent() ?? "", /container-states:default\/shop/);
    assert.match(await tx.locator("tr[data-phase=verify]").textContent() ?? "", /none.*Successful/s);
    assert.match(await tx.textContent() ?? "", /Dry run: passed/);
    const decided = page.locator("li.step.approval.decision");
    assert.match(await decided.textContent() ?? "", /approved by system:serviceaccount:default:oncall/);
    assert.equal(await page.locator("li.step.closed").textContent().then((t) => /resolved/.test(t ?? "")), true);

    const chart = page.locator("svg[data-chart=health]");
    assert.deepEqual(await chart.locator("circle.point").evaluateAll((cs) => cs.map((c) => c.getAttribute("data-phase"))), ["baseline", "verify"]);
    assert.deepEqual(await chart.locator("circle.point").evaluateAll((cs) => cs.map((c) => Number(c.getAttribute("data-severity")))), [2, 0]);
    const marks = await chart.locator("g.mark").evaluateAll((gs) => gs.map((g) => g.getAttribute("data-mark")));
    for (const m of ["detected", "apply", "commit"]) assert.ok(marks.includes(m), `a ${m} mark in ${marks.join(", ")}`);
    await shot("incident");

    await page.goto(`${srv.url}/ui/incidents?outcome=resolved`);
    assert.equal(await page.locator(`tr[data-incident="${waiting.incident.id}"]`).count(), 1);
    await page.goto(`${srv.url}/ui/incidents?namespace=kube-system`);
    assert.equal(await page.locator("tr[data-incident]").count(), 0);
    await page.goto(`${srv.url}/ui/incidents`);
    await shot("incidents");
  });

  it("shows the chain verified", async () => {
    await page.goto(`${srv.url}/ui/verify`);
    assert.match(await page.textContent("[data-verify=ok]") ?? "", /Intact: \d+ entries/);
    await shot("verify");
  });

  it("refuses a decision from a viewer without the approve verb (403, in the cluster's words), and a cross-origin post", async () => {
    const incident = ledger.query({ kind: "incident", limit: 1 })[0].incidentId!;
    const post = (headers: Record<string, string>) => fetch(`${srv.url}/ui/incidents/${encodeURIComponent(incident)}/decision`, {
      method: "POST", redirect: "manual", body: "decision=approve",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    });
    const before = ledger.count();
    const viewer = await post({ cookie: `stratus_token=${tokens.viewer}`, origin: srv.url });
    assert.equal(viewer.status, 403);
    assert.match(await viewer.text(), /cannot approve resource &quot;incidents&quot; in API group &quot;stratus.dev&quot;/);
    const forged = await post({ cookie: `stratus_token=${tokens.oncall}`, origin: "http://evil.example" });
    assert.equal(forged.status, 403);
    assert.equal(ledger.count(), before, "nothing written");
  });
});
