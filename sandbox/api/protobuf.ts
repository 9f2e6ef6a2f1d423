/**
 * Reads the Kubernetes protobuf wire format that kubectl's typed clients send. `kubectl create
 * deployment|service|namespace|configmap|secret|serviceaccount` encode the object, and `kubectl
 * drain` the DeleteOptions of each pod it deletes, as `application/vnd.kubernetes.protobuf`;
 * client-go has no JSON fallback for that, so the server decodes the body here, walking the
 * message tables in `protobuf-schemas.ts`, into the same JSON a JSON client would have sent.
 * Unknown fields are skipped as a real decoder would; a kind with no table gets a 415 that says to
 * send JSON; bytes that do not parse get a 400.
 */
import { ApiError } from "./errors.ts";
import { ANY_VERSION_ROOTS, ROOTS, SCHEMAS, type FieldSpec, type MapValue } from "./protobuf-schemas.ts";

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"
export const PROTOBUF = "application/vnd.kubernetes.protobuf";

/** Go's zero time.Time in Unix seconds; a client that writes it means "unset". */
const GO_ZERO_TIME_SECONDS = -62135596800n;

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_BYTES = 2;
const WIRE_FIXED32 = 5;

type Field = { no: number; wire: number; value: bigint | Buffer };

/** A body that does not parse; turned into a 400 by decodeProtobufObject. */
class MalformedError extends Error {}

function readVarint(buf: Buffer, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) throw new MalformedError("truncated varint");
    const b = buf[pos++];
    result |= BigInt(b & 0x7f) << shift;
    if (!(b & 0x80)) return [BigInt.asUintN(64, result), pos];
    shift += 7n;
  }
  throw new MalformedError("varint longer than 10 bytes");
}

/** Splits one message into its fields, in wire order. */
function readFields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [tag, p1] = readVarint(buf, pos);
    pos = p1;
    const no = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (no === 0) throw new MalformedError("field number 0");
    if (wire === WIRE_VARINT) {
      const [v, p2] = readVarint(buf, pos);
      out.push({ no, wire, value: v });
      pos = p2;
      continue;
    }
    let len: number;
    if (wire === WIRE_BYTES) {
      const [l, p2] = readVarint(buf, pos);
      pos = p2;
      len = Number(l);
    } else if (wire === WIRE_FIXED64) len = 8;
    else if (wire === WIRE_FIXED32) len = 4;
    else throw new MalformedError(`unsupported wire type ${wire} for field ${no}`);
    if (pos + len > buf.length) throw new MalformedError(`field ${no} runs past the end of its message`);
    out.push({ no, wire, value: buf.subarray(pos, pos + len) });
    pos += len;
  }
  return out;
}

function expectWire(f: Field, wire: number, path: string): void {
  if (f.wire !== wire) throw new MalformedError(`${path} has wire type ${f.wire}, expected ${wire}`);
}

const utf8 = (b: Buffer) => b.toString("utf8");

/** Reads a small fixed message ({1: ..., 2: ..., 3: ...}) into its raw fields by number. */
function byNumber(buf: Buffer): Map<number, Field> {
  const m = new Map<number, Field>();
  for (const f of readFields(buf)) m.set(f.no, f);
  return m;
}

function varintOf(fields: Map<number, Field>, no: number, path: string): bigint {
  const f = fields.get(no);
  if (!f) return 0n;
  expectWire(f, WIRE_VARINT, path);
  return f.value as bigint;
}

function bytesOf(fields: Map<number, Field>, no: number, path: string): Buffer {
  const f = fields.get(no);
  if (!f) return Buffer.alloc(0);
  expectWire(f, WIRE_BYTES, path);
  return f.value as Buffer;
}

/** intstr.IntOrString {type int64 = 1, intVal int32 = 2, strVal string = 3}; type 1 is a string. */
function intOrString(buf: Buffer, path: string): number | string {
  const f = byNumber(buf);
  return varintOf(f, 1, `${path}.type`) === 1n ? utf8(bytesOf(f, 3, `${path}.strVal`)) : Number(BigInt.asIntN(32, varintOf(f, 2, `${path}.intVal`)));
}

/** resource.Quantity {string = 1}; an empty Quantity marshals to "0" in JSON. */
function quantity(buf: Buffer, path: string): string {
  return utf8(bytesOf(byNumber(buf), 1, `${path}.string`)) || "0";
}

/** meta/v1 Time {seconds int64 = 1, nanos int32 = 2} as RFC 3339; undefined for the zero time. */
function time(buf: Buffer, path: string): string | undefined {
  const f = byNumber(buf);
  const seconds = BigInt.asIntN(64, varintOf(f, 1, `${path}.seconds`));
  const nanos = Number(BigInt.asIntN(32, varintOf(f, 2, `${path}.nanos`)));
  if ((seconds === 0n && nanos === 0) || seconds === GO_ZERO_TIME_SECONDS) return undefined;
  const ms = Number(seconds) * 1000 + Math.floor(nanos / 1e6);
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) throw new MalformedError(`${path} is out of range`);
  // metav1.Time serialises with second precision.
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function mapEntry(buf: Buffer, value: MapValue, path: string): [string, string] {
  const f = byNumber(buf);
  const key = utf8(bytesOf(f, 1, `${path} key`));
  const raw = bytesOf(f, 2, `${path}[${key}]`);
  if (value === "bytes") return [key, raw.toString("base64")];
  if (value === "quantity") return [key, f.has(2) ? quantity(raw, `${path}[${key}]`) : "0"];
  return [key, utf8(raw)];
}

/** Types Go marshals as structs: JSON writes them even when zero, so their zero is kept too. */
const STRUCT_SCALARS = new Set(["intOrString", "quantity", "time"]);

function isZero(spec: FieldSpec, v: unknown): boolean {
  return !STRUCT_SCALARS.has(spec.type as string) && (v === "" || v === 0 || v === false);
}

/** One scalar value of a field; undefined when the wire value means "not set". */
function scalar(spec: FieldSpec, f: Field, path: string): unknown {
  switch (spec.type) {
    case "string":
      expectWire(f, WIRE_BYTES, path);
      return utf8(f.value as Buffer);
    case "bytes":
      expectWire(f, WIRE_BYTES, path);
      return (f.value as Buffer).toString("base64");
    case "int32":
      expectWire(f, WIRE_VARINT, path);
      return Number(BigInt.asIntN(32, f.value as bigint));
    case "int64":
      expectWire(f, WIRE_VARINT, path);
      return Number(BigInt.asIntN(64, f.value as bigint));
    case "bool":
      expectWire(f, WIRE_VARINT, path);
      return (f.value as bigint) !== 0n;
    case "intOrString":
      expectWire(f, WIRE_BYTES, path);
      return intOrString(f.value as Buffer, path);
    case "quantity":
      expectWire(f, WIRE_BYTES, path);
      return quantity(f.value as Buffer, path);
    case "time":
      expectWire(f, WIRE_BYTES, path);
      return time(f.value as Buffer, path);
    default:
      throw new Error(`not a scalar: ${JSON.stringify(spec.type)}`);
  }
}

/** Proto2 writers may pack repeated numbers into one length-delimited field; unpack those. */
function unpacked(spec: FieldSpec, f: Field): Field[] {
  if (f.wire !== WIRE_BYTES || !["int32", "int64", "bool"].includes(spec.type as string)) return [f];
  const out: Field[] = [];
  const buf = f.value as Buffer;
  for (let pos = 0; pos < buf.length; ) {
    const [v, next] = readVarint(buf, pos);
    out.push({ no: f.no, wire: WIRE_VARINT, value: v });
    pos = next;
  }
  return out;
}

function decodeMessage(buf: Buffer, schemaName: string, path: string): Record<string, unknown> {
  const schema = SCHEMAS.get(schemaName);
  if (!schema) throw new Error(`no protobuf schema named ${schemaName}`);
  const out: Record<string, unknown> = {};
  for (const f of readFields(buf)) {
    const spec = schema.get(f.no);
    if (!spec) continue; // a field this server does not model: skipped, as any proto reader does
    const at = spec.inline ? path : path ? `${path}.${spec.name}` : spec.name;
    const type = spec.type;
    if (typeof type === "object" && "map" in type) {
      expectWire(f, WIRE_BYTES, at);
      const [k, v] = mapEntry(f.value as Buffer, type.map, at);
      // defineProperty, not assignment: a key named "__proto__" must stay an ordinary entry.
      Object.defineProperty((out[spec.name] ??= {}) as object, k, { value: v, enumerable: true, writable: true, configurable: true });
    } else if (typeof type === "object") {
      expectWire(f, WIRE_BYTES, at);
      if (spec.repeated) {
        const list = (out[spec.name] ??= []) as unknown[];
        list.push(decodeMessage(f.value as Buffer, type.message, `${at}[${list.length}]`));
      } else if (spec.inline) Object.assign(out, decodeMessage(f.value as Buffer, type.message, at));
      // gogo writes every non-pointer struct, and JSON writes it too (as {}), so keep empty ones.
      else out[spec.name] = decodeMessage(f.value as Buffer, type.message, at);
    } else if (spec.repeated) {
      const list = (out[spec.name] ??= []) as unknown[];
      for (const item of unpacked(spec, f)) list.push(scalar(spec, item, `${at}[${list.length}]`));
    } else {
      const v = scalar(spec, f, at);
      // gogo writes non-pointer scalars even when zero; JSON's omitempty would have left them out.
      if (v === undefined || (!spec.pointer && isZero(spec, v))) delete out[spec.name];
      else out[spec.name] = v;
    }
  }
  return out;
}

function rootSchema(apiVersion: string, kind: string): string | undefined {
  return ROOTS[`${apiVersion}/${kind}`] ?? ANY_VERSION_ROOTS[kind];
}

/** Decodes a protobuf-encoded object body into JSON; throws 415/400 when it cannot. */
export function decodeProtobufObject(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) {
    throw new ApiError(400, "BadRequest", "the body is not a Kubernetes protobuf message (missing the k8s\\0 prefix): send JSON instead");
  }
  try {
    // runtime.Unknown {typeMeta = 1 {apiVersion = 1, kind = 2}, raw = 2, contentEncoding = 3, contentType = 4}
    const unknown = byNumber(body.subarray(4));
    const typeMeta = byNumber(bytesOf(unknown, 1, "typeMeta"));
    const apiVersion = utf8(bytesOf(typeMeta, 1, "typeMeta.apiVersion"));
    const kind = utf8(bytesOf(typeMeta, 2, "typeMeta.kind"));
    const encoding = utf8(bytesOf(unknown, 3, "contentEncoding"));
    if (encoding) {
      throw new ApiError(415, "UnsupportedMediaType", `this server does not read protobuf bodies with content encoding "${encoding}": send the object uncompressed, or as JSON`);
    }
    const root = rootSchema(apiVersion, kind);
    if (!root) {
      const supported = [...Object.keys(ROOTS).map((k) => k.split("/").pop()), ...Object.keys(ANY_VERSION_ROOTS)].join(", ");
      throw new ApiError(415, "UnsupportedMediaType", `this server reads protobuf only for ${supported}; send ${kind || "the object"} as JSON (Content-Type: application/json)`);
    }
    return { apiVersion, kind, ...decodeMessage(bytesOf(unknown, 2, "raw"), root, "") };
  } catch (e) {
    if (e instanceof ApiError) throw e;
    // Anything else thrown while walking the bytes also comes from the bytes, so it is a 400 too.
    throw new ApiError(400, "BadRequest", `the protobuf body could not be decoded (${(e as Error).message}): send JSON instead`);
  }
}
