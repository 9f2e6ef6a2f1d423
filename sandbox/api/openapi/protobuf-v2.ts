/**
 * `/openapi/v2` in the protobuf form client-go asks for (gnostic's openapi_v2.Document, media type
 * `application/com.github.proto-openapi.spec.v2@v1.0+protobuf`). kubectl falls back to this
 * document to validate what the v3 documents do not cover (a `kind: List` file, for one), so the
 * definitions are encoded in full: refs, types, formats, descriptions, required fields, items,
 * properties, additionalProperties, allOf and the `x-kubernetes-*` extensions (as YAML, which
 * JSON is). Paths are left out: kubectl reads only the definitions from it.
 */
type Json = Record<string, unknown>;

export const OPENAPI_V2_PROTOBUF = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";
/** What the response says it is: Go's mime parser rejects the "@" of the requested type, so the real server answers with this one. */
export const OPENAPI_V2_PROTOBUF_RETURNED = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

class Writer {
  private readonly parts: Buffer[] = [];
  bytes(field: number, b: Buffer): this {
    this.parts.push(Buffer.from([...varint((field << 3) | 2), ...varint(b.length)]), b);
    return this;
  }
  string(field: number, s: unknown): this {
    return typeof s === "string" && s !== "" ? this.bytes(field, Buffer.from(s, "utf8")) : this;
  }
  message(field: number, w: Writer): this {
    return this.bytes(field, w.done());
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

const namedAny = (name: string, value: unknown) => new Writer().string(1, name).message(2, new Writer().string(2, `${JSON.stringify(value)}\n`));

function schema(s: Json): Writer {
  const w = new Writer().string(1, s.$ref).string(2, s.format).string(4, s.description);
  for (const r of (s.required as string[] | undefined) ?? []) w.string(19, r);
  if (s.additionalProperties && typeof s.additionalProperties === "object") w.message(21, new Writer().message(1, schema(s.additionalProperties as Json)));
  if (typeof s.type === "string") w.message(22, new Writer().string(1, s.type));
  if (s.items && typeof s.items === "object") w.message(23, new Writer().message(1, schema(s.items as Json)));
  for (const a of (s.allOf as Json[] | undefined) ?? []) w.message(24, schema(a));
  if (s.properties && typeof s.properties === "object") {
    const props = new Writer();
    for (const [name, p] of Object.entries(s.properties as Record<string, Json>)) props.message(1, new Writer().string(1, name).message(2, schema(p)));
    w.message(25, props);
  }
  for (const [k, v] of Object.entries(s)) if (k.startsWith("x-")) w.message(31, namedAny(k, v));
  return w;
}

/** Encodes a Swagger 2.0 JSON document (as documents.ts builds it) as an openapi_v2.Document. */
export function encodeSwaggerProtobuf(doc: Json): Buffer {
  const info = (doc.info ?? {}) as Json;
  const defs = new Writer();
  for (const [name, s] of Object.entries((doc.definitions ?? {}) as Record<string, Json>)) defs.message(1, new Writer().string(1, name).message(2, schema(s)));
  return new Writer()
    .string(1, doc.swagger)
    .message(2, new Writer().string(1, info.title).string(2, info.version))
    .message(9, defs)
    .done();
}
