/**
 * The layering and import-cycle check run by `.ci/run` and `npm run check:layers`. It parses every
 * project `.ts` file with the TypeScript parser (static `import`/`export ... from`, `import("...")`
 * calls and `import("...")` types), resolves the relative specifiers to files, and fails naming the
 * file, the line, the import and the rule on (a) an import that one of the `LAYER_RULES` below
 * forbids and (b) an import cycle. Type-only imports (`import type`, `import("x").T`) count for
 * both (see CYCLES_INCLUDE_TYPE_IMPORTS): a type is still a dependency, and a cycle of types is the
 * tangle that small contract modules exist to prevent. Usage:
 * `tsx test/tools/check-layers.ts [ROOT]` (default: the repository this file lives in).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

/** Top-level folders whose `.ts` files are checked (tests may import anything and are not). */
export const CHECKED_ROOTS = ["src", "agents", "sandbox", "evals", "bench"] as const;

/**
 * One rule per importing layer. `from` and the entries of `allow`/`deny` are folder prefixes from
 * the repository root; `except` exempts sub-folders of `from`. With `allow`, the layer may import
 * only itself and those folders; with `deny`, anything but those folders.
 */
export type LayerRule = { from: string; except?: string[]; allow?: string[]; deny?: string[]; why: string };

export const LAYER_RULES: LayerRule[] = [
  { from: "src/base", allow: [], why: "src/base (clock, errors, durations) is the bottom layer: it imports nothing of the project" },
  {
    from: "src/core",
    allow: ["src/base", "src/kube", "src/telemetry"],
    why: "src/core (actions, plans, policy, TNR transaction, ledger) imports only src/base, src/kube and src/telemetry: it knows nothing of agents, the graph, LLMs, playbooks, the watchdog, the sandbox or the evals",
  },
  {
    from: "src/mcp",
    deny: ["agents", "sandbox", "evals", "src/cli", "src/watchdog"],
    why: "src/mcp (the MCP server) sits beside src/server: it gets agents, the cluster and the approval path injected by src/cli, and imports no agent, sandbox, eval, watchdog or CLI",
  },
  { from: "sandbox", allow: [], why: "sandbox/ is a cluster reached over HTTP: it imports nothing from src/, agents/ or evals/" },
  {
    from: "src/lib",
    deny: ["bench"],
    why: "src/lib (the library entry points in package.json \"exports\") is a composition root like src/cli: it may wire every layer — the stratus entry builds the embedded agents, stratus/evals runs the eval runner, stratus/sandbox starts the sandbox — but not the benchmarks",
  },
  {
    from: "src/cli",
    deny: ["src/lib"],
    why: "src/cli is built on the layers, not on the library's public API (src/lib imports src/cli's agent factory; the reverse would be a cycle)",
  },
  {
    from: "src",
    except: ["src/cli", "src/lib"],
    deny: ["agents", "sandbox", "evals", "src/lib"],
    why: "only the composition roots (src/cli, and src/lib for the library entry points) import agents/, sandbox/ and evals/; nothing imports src/lib",
  },
  {
    from: "agents",
    deny: ["src/cli", "src/lib", "src/graph", "src/watchdog", "src/server", "sandbox", "evals"],
    why: "agents/ sit below the graph, the watchdog, the server, the CLI and the library entry points, and never see the sandbox or the evals",
  },
  {
    from: "evals",
    deny: ["src/cli", "src/lib", "agents"],
    why: "evals/ is driven by src/cli (and src/lib), never the other way round, and gets its agents from the composition root that runs it",
  },
];

/** One resolved import of a project file by a project file (paths relative to the root, `/`-separated). */
export type ImportEdge = { from: string; to: string; specifier: string; line: number; typeOnly: boolean };

export type Violation =
  | { kind: "layer"; edge: ImportEdge; rule: LayerRule }
  | { kind: "cycle"; edges: ImportEdge[] };

const posix = (p: string) => p.split(sep).join("/");
const within = (file: string, folder: string) => file === folder || file.startsWith(folder + "/");

/** Every checked `.ts` file under `root`, relative and `/`-separated (node_modules skipped). */
export function listSourceFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      if (name === "node_modules" || name.startsWith(".")) continue;
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith(".ts") && !name.endsWith(".d.ts")) out.push(posix(relative(root, full)));
    }
  };
  for (const top of CHECKED_ROOTS) if (existsSync(join(root, top))) walk(join(root, top));
  return out;
}

/** Resolves a relative specifier the way NodeNext + allowImportingTsExtensions does for this project. */
function resolveSpecifier(root: string, fromFile: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  const base = resolve(root, dirname(fromFile), specifier);
  const candidates = [base, base.replace(/\.js$/, ".ts"), base + ".ts", join(base, "index.ts")];
  const hit = candidates.find((c) => c.endsWith(".ts") && existsSync(c) && statSync(c).isFile());
  return hit === undefined ? undefined : posix(relative(root, hit));
}

/** The relative imports of one file: static, re-exports, dynamic `import()` and `import()` types. */
export function importsOf(root: string, file: string): ImportEdge[] {
  const text = readFileSync(join(root, file), "utf8");
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const edges: ImportEdge[] = [];
  const add = (spec: ts.Expression | ts.Node | undefined, typeOnly: boolean) => {
    if (!spec || !ts.isStringLiteralLike(spec)) return;
    const to = resolveSpecifier(root, file, spec.text);
    if (to === undefined) return;
    const line = sf.getLineAndCharacterOfPosition(spec.getStart(sf)).line + 1;
    edges.push({ from: file, to, specifier: spec.text, line, typeOnly });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named = clause?.namedBindings;
      const allTypeNames =
        clause !== undefined && !clause.name && named !== undefined && ts.isNamedImports(named) &&
        named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
      add(node.moduleSpecifier, clause !== undefined && (clause.isTypeOnly || allTypeNames));
    } else if (ts.isExportDeclaration(node)) {
      const named = node.exportClause;
      const allTypeNames = named !== undefined && ts.isNamedExports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
      add(node.moduleSpecifier, node.isTypeOnly || allTypeNames);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0], false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return edges;
}

/** The rule an edge breaks, if any (an import inside the importer's own layer never breaks one). */
export function brokenRule(edge: ImportEdge, rules: LayerRule[] = LAYER_RULES): LayerRule | undefined {
  return rules.find((r) => {
    if (!within(edge.from, r.from) || (r.except ?? []).some((e) => within(edge.from, e))) return false;
    if (within(edge.to, r.from)) return false;
    if (r.allow) return !r.allow.some((a) => within(edge.to, a));
    return (r.deny ?? []).some((d) => within(edge.to, d));
  });
}

/**
 * Whether type-only imports count toward cycles. They are erased at runtime, so a cycle through one
 * cannot break module initialisation; it is still two modules that each need the other, which a
 * small contract module both import removes. Set false to check runtime cycles only.
 */
export const CYCLES_INCLUDE_TYPE_IMPORTS = true;

/** Strongly connected components of the import graph with more than one file (or a self-import), each named by one cycle of edges. */
export function findCycles(edges: ImportEdge[], includeTypeOnly = CYCLES_INCLUDE_TYPE_IMPORTS): ImportEdge[][] {
  const out = new Map<string, ImportEdge[]>();
  for (const e of edges) if (includeTypeOnly || !e.typeOnly) out.set(e.from, [...(out.get(e.from) ?? []), e]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let next = 0;
  const strong = (v: string) => {
    // Tarjan's algorithm; the project graph is a few hundred files deep at most, so recursion is fine.
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const e of out.get(v) ?? []) {
      if (!index.has(e.to)) {
        strong(e.to);
        low.set(v, Math.min(low.get(v)!, low.get(e.to)!));
      } else if (onStack.has(e.to)) low.set(v, Math.min(low.get(v)!, index.get(e.to)!));
    }
    if (low.get(v) === index.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (out.get(v) ?? []).some((e) => e.to === v)) components.push(comp);
    }
  };
  for (const v of [...out.keys()].sort()) if (!index.has(v)) strong(v);
  // Name one concrete cycle per component: the shortest path from its first file back to itself.
  return components.map((comp) => {
    const members = new Set(comp);
    const start = [...comp].sort()[0];
    const via = new Map<string, ImportEdge>();
    const queue = [start];
    for (let i = 0; i < queue.length; i++) {
      for (const e of out.get(queue[i]) ?? []) {
        if (!members.has(e.to)) continue;
        if (e.to === start) {
          const path = [e];
          for (let at = e.from; at !== start; at = via.get(at)!.from) path.unshift(via.get(at)!);
          return path;
        }
        if (!via.has(e.to)) {
          via.set(e.to, e);
          queue.push(e.to);
        }
      }
    }
    throw new Error(`bug: no cycle through ${start} in its component`);
  });
}

/** Every layering violation and import cycle under `root`. */
export function checkLayers(root: string, rules: LayerRule[] = LAYER_RULES): Violation[] {
  const edges = listSourceFiles(root).flatMap((f) => importsOf(root, f));
  const violations: Violation[] = [];
  for (const edge of edges) {
    const rule = brokenRule(edge, rules);
    if (rule) violations.push({ kind: "layer", edge, rule });
  }
  for (const cycle of findCycles(edges)) violations.push({ kind: "cycle", edges: cycle });
  return violations;
}

/** One human-readable paragraph per violation: file:line, the import, the rule. */
export function formatViolation(v: Violation): string {
  if (v.kind === "layer") {
    const e = v.edge;
    return `forbidden import: ${e.from}:${e.line} imports "${e.specifier}" (${e.to})\n  rule: ${v.rule.why}`;
  }
  const steps = v.edges.map((e) => `  ${e.from}:${e.line} imports ${e.typeOnly ? "type from " : ""}"${e.specifier}"`).join("\n");
  const rule = CYCLES_INCLUDE_TYPE_IMPORTS ? "no import cycles, type imports included" : "no import cycles among runtime imports";
  return `import cycle: ${[...v.edges.map((e) => e.from), v.edges[0].from].join(" -> ")}\n${steps}\n  rule: ${rule} (move what both sides need into a smaller module both import)`;
}

function main(): void {
  const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), "..", ".."));
  const violations = checkLayers(root);
  if (violations.length === 0) {
    console.log(`check-layers: ${listSourceFiles(root).length} files, no forbidden import, no import cycle`);
    return;
  }
  for (const v of violations) console.error(formatViolation(v) + "\n");
  const layers = violations.filter((v) => v.kind === "layer").length;
  console.error(`check-layers: ${layers} forbidden import(s), ${violations.length - layers} import cycle(s); the rules are LAYER_RULES in test/tools/check-layers.ts`);
  process.exitCode = 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
