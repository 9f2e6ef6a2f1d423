/**
 * A parser for the Prometheus text exposition format (0.0.4, and the OpenMetrics subset a
 * Prometheus client emits): `# HELP` / `# TYPE` lines, samples `name{label="value",...} value
 * [timestamp]`, label-value escapes (`\\`, `\"`, `\n`), NaN and ±Inf, and histogram / summary
 * families whose samples carry `_bucket` / `_sum` / `_count` suffixes. It exists so the scrape
 * source can read a `/metrics` endpoint when no Prometheus runs; errors name the line.
 */
import { TelemetryError } from "./metric-source.ts";

export type MetricType = "counter" | "gauge" | "histogram" | "summary" | "untyped";

export type Sample = {
  /** The sample's own name, suffix included (a histogram's `<family>_bucket`, `<family>_count`). */
  name: string;
  labels: Record<string, string>;
  value: number;
  /** Milliseconds since the epoch, when the line carried a timestamp. */
  timestampMs?: number;
};

export type MetricFamily = { name: string; type: MetricType; help?: string; samples: Sample[] };

export type Exposition = {
  /** Every sample in the order it appeared. */
  samples: Sample[];
  /** Families by name; samples without a TYPE line get an "untyped" family of their own name. */
  families: Map<string, MetricFamily>;
};

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const TYPES: readonly MetricType[] = ["counter", "gauge", "histogram", "summary", "untyped"];
/** Suffixes a sample may add to its family's name, by family type. */
const SUFFIXES: Record<MetricType, readonly string[]> = {
  counter: ["_total", "_created"],
  gauge: [],
  histogram: ["_bucket", "_sum", "_count", "_created"],
  summary: ["_sum", "_count", "_created"],
  untyped: [],
};

/** Parses a sample value the way Go's strconv.ParseFloat does for the forms exporters write. */
export function parseValue(text: string): number {
  const t = text.toLowerCase();
  if (t === "nan") return NaN;
  if (t === "+inf" || t === "inf" || t === "+infinity" || t === "infinity") return Infinity;
  if (t === "-inf" || t === "-infinity") return -Infinity;
  if (!FLOAT.test(text)) throw new Error(`"${text}" is not a number (expected a float, NaN, +Inf or -Inf)`);
  return Number(text);
}

/**
 * Parses a text exposition. With `keep`, samples whose name it refuses are skipped before their
 * labels are read (a scraper that needs a few families of a large endpoint pays for those only).
 */
export function parseExposition(text: string, keep?: (name: string) => boolean): Exposition {
  const samples: Sample[] = [];
  const families = new Map<string, MetricFamily>();
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, "");
    try {
      parseLine(line, samples, families, keep);
    } catch (e) {
      throw new TelemetryError(`metrics text line ${i + 1}: ${(e as Error).message}: ${JSON.stringify(line.slice(0, 120))}; check that the endpoint serves the Prometheus text format`, { line: i + 1 });
    }
  }
  return { samples, families };
}

function parseLine(line: string, samples: Sample[], families: Map<string, MetricFamily>, keep?: (name: string) => boolean): void {
  const trimmed = line.trim();
  if (trimmed === "") return;
  if (keep && !trimmed.startsWith("#")) {
    const end = trimmed.search(/[{ \t]/);
    if (!keep(end < 0 ? trimmed : trimmed.slice(0, end))) return;
  }
  if (trimmed.startsWith("#")) {
    const m = /^#\s*(HELP|TYPE)\s+(\S+)(?:\s+(.*))?$/.exec(trimmed);
    if (!m) return; // a plain comment, or OpenMetrics' "# EOF"
    const [, keyword, name, rest = ""] = m;
    if (!NAME.test(name) || NAME.exec(name)![0] !== name) throw new Error(`invalid metric name "${name}"`);
    const fam = familyFor(families, name);
    if (keyword === "HELP") fam.help = unescapeHelp(rest);
    else {
      const type = rest.trim().toLowerCase() as MetricType;
      if (!TYPES.includes(type)) throw new Error(`unknown metric type "${rest.trim()}"`);
      if (fam.samples.length) throw new Error(`TYPE for ${name} comes after its samples`);
      fam.type = type;
    }
    return;
  }
  const sample = parseSample(trimmed);
  samples.push(sample);
  (findFamily(families, sample.name) ?? familyFor(families, sample.name)).samples.push(sample);
}

function familyFor(families: Map<string, MetricFamily>, name: string): MetricFamily {
  let fam = families.get(name);
  if (!fam) families.set(name, (fam = { name, type: "untyped", samples: [] }));
  return fam;
}

/** The declared family a sample belongs to: its own name, or its name less a type's suffix. */
function findFamily(families: Map<string, MetricFamily>, sampleName: string): MetricFamily | undefined {
  const exact = families.get(sampleName);
  if (exact) return exact;
  for (const [name, fam] of families) {
    if (sampleName.startsWith(name) && SUFFIXES[fam.type].includes(sampleName.slice(name.length))) return fam;
  }
  return undefined;
}

function parseSample(line: string): Sample {
  const nameMatch = NAME.exec(line);
  if (!nameMatch) throw new Error("expected a metric name");
  const name = nameMatch[0];
  let pos = name.length;
  const labels: Record<string, string> = {};
  const brace = skipSpaces(line, pos); // Prometheus allows blanks between the name and "{"
  if (line[brace] === "{") {
    pos = parseLabels(line, brace + 1, labels);
  }
  const rest = line.slice(pos);
  if (rest.length && !/^[ \t]/.test(rest)) throw new Error(`unexpected "${rest[0]}" after the metric name`);
  const fields = rest.trim().split(/[ \t]+/);
  if (fields.length < 1 || fields[0] === "") throw new Error("expected a value");
  if (fields.length > 2) throw new Error(`unexpected text after the timestamp: "${fields.slice(2).join(" ")}"`);
  const value = parseValue(fields[0]);
  const sample: Sample = { name, labels, value };
  if (fields.length === 2) {
    if (!/^-?\d+$/.test(fields[1])) throw new Error(`timestamp "${fields[1]}" is not an integer of milliseconds`);
    sample.timestampMs = Number(fields[1]);
  }
  return sample;
}

/** Parses `name="value",...}` from `pos` (just after `{`); returns the index after `}`. */
function parseLabels(line: string, pos: number, labels: Record<string, string>): number {
  for (;;) {
    pos = skipSpaces(line, pos);
    if (line[pos] === "}") return pos + 1;
    const m = LABEL_NAME.exec(line.slice(pos));
    if (!m) throw new Error(`expected a label name at column ${pos + 1}`);
    const label = m[0];
    pos = skipSpaces(line, pos + label.length);
    if (line[pos] !== "=") throw new Error(`expected "=" after label ${label}`);
    pos = skipSpaces(line, pos + 1);
    if (line[pos] !== '"') throw new Error(`expected a quoted value for label ${label}`);
    pos++;
    let value = "";
    for (;;) {
      // Copy the run up to the next quote or backslash at once; most values have no escapes.
      const q = line.indexOf('"', pos);
      const b = line.indexOf("\\", pos);
      const stop = b >= 0 && (q < 0 || b < q) ? b : q;
      if (stop < 0) throw new Error(`unterminated value for label ${label}`);
      value += line.slice(pos, stop);
      pos = stop;
      const c = line[pos];
      if (c === '"') break;
      if (c === "\\") {
        const n = line[pos + 1];
        if (n === "\\") value += "\\";
        else if (n === '"') value += '"';
        else if (n === "n") value += "\n";
        else throw new Error(`invalid escape "\\${n ?? ""}" in label ${label} (allowed: \\\\, \\", \\n)`);
        pos += 2;
      }
    }
    if (label in labels) throw new Error(`label ${label} appears twice`);
    labels[label] = value;
    pos = skipSpaces(line, pos + 1);
    if (line[pos] === ",") pos++;
    else if (line[pos] !== "}") throw new Error(`expected "," or "}" after label ${label}`);
  }
}

const skipSpaces = (s: string, pos: number) => {
  while (s[pos] === " " || s[pos] === "\t") pos++;
  return pos;
};

function unescapeHelp(s: string): string {
  return s.replace(/\\(\\|n)/g, (_, c: string) => (c === "n" ? "\n" : "\\"));
}
