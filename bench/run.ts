/**
 * `npm run bench`: runs every benchmark and prints its figures as Markdown tables, ready to paste
 * into docs/BENCHMARKS.md. `npm run bench -- NAME...` runs only those. Figures vary with the
 * machine; these machines are shared, so compare ratios within one run, not absolute numbers.
 */
import { benchSandboxScale, benchVirtualTime } from "./sandbox.bench.ts";
import { benchTransaction } from "./transaction.bench.ts";
import { benchLedger } from "./ledger.bench.ts";
import { benchApps } from "./apps.bench.ts";
import { benchUi } from "./ui.bench.ts";
import { benchFlightRecorder } from "./flight-recorder.bench.ts";
import { benchWatchdog } from "./watchdog.bench.ts";
import { benchTwin } from "./twin.bench.ts";

type Bench = { name: string; title: string; run: () => Promise<Record<string, number | string>> };

const BENCHES: Bench[] = [
  { name: "sandbox-scale", title: "Sandbox API: 5,000 pods in 500 Deployments", run: benchSandboxScale },
  { name: "virtual-time", title: "Sandbox virtual time: 20 Deployments", run: benchVirtualTime },
  { name: "transaction", title: "TNR transaction overhead against the sandbox", run: benchTransaction },
  { name: "ledger", title: "Mitigation ledger", run: () => benchLedger() },
  { name: "apps", title: "Sandbox apps: social-network under load in virtual time", run: benchApps },
  { name: "ui", title: "Web UI over a 100,000-entry ledger", run: () => benchUi() },
  { name: "flight-recorder", title: "Flight recorder: 5,000 pods / 500 Deployments, 1 change per second for an hour", run: benchFlightRecorder },
  { name: "watchdog", title: "Watchdog process: 5,000 pods / 500 Deployments, idle", run: benchWatchdog },
  { name: "twin", title: "Predicting a plan on a twin: hotel-reservation (a twin process per plan)", run: benchTwin },
];

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const chosen = only.length ? BENCHES.filter((b) => only.includes(b.name)) : BENCHES;
  if (!chosen.length) {
    console.error(`unknown benchmark: ${only.join(", ")}; known: ${BENCHES.map((b) => b.name).join(", ")}`);
    process.exit(2);
  }
  console.log(`node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`);
  for (const b of chosen) {
    process.stderr.write(`running ${b.name}...\n`);
    const figures = await b.run();
    console.log(`### ${b.title}\n\n| measure | value |\n|---|---|`);
    for (const [k, v] of Object.entries(figures)) console.log(`| ${k} | ${typeof v === "number" ? v.toLocaleString("en-US") : v} |`);
    console.log("");
  }
}

await main();
