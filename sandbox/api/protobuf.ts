/**
 * Just enough of Kubernetes' protobuf wire format to read what kubectl's typed clients send.
 * kubectl encodes built-in objects it creates itself (`kubectl create namespace`, `create
 * configmap`, `create secret`, `create serviceaccount`) as `application/vnd.kubernetes.protobuf`
 * and client-go has no JSON fallback for that, so the server decodes those kinds here into the
 * same JSON a client would have sent. Other kinds get a 415 that says to send JSON.
 */
import { ApiError } from "./errors.ts";

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"
export const PROTOBUF = "application/vnd.kubernetes.protobuf";

type Field = { no: number; wire: number; value: bigint | Buffer };

function readVarint(buf: Buffer, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (pos >= buf.length) throw new Error("truncated varint");
    const b = buf[pos++];
    result |= BigInt(b & 0x7f) << shift;
    if (!(b & 0x80)) return [result, pos];
    shift += 7n;
  }
}

function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [tag, p1] = readVarint(buf, pos);
    pos = p1;
    const no = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (wire === 0) {
      const [v, p2] = readVarint(buf, pos);
      out.push({ no, wire, value: v });
      pos = p2;
    } else if (wire === 2) {
      const [len, p2] = readVarint(buf, pos);
      const end = p2 + Number(len);
      if (end > buf.length) throw new Error("truncated field");
      out.push({ no, wire, value: buf.subarray(p2, end) });
      pos = end;
    } else if (wire === 1) {
      out.push({ no, wire, value: buf.subarray(pos, pos + 8) });
      pos += 8;
    } else if (wire === 5) {
      out.push({ no, wire, value: buf.subarray(pos, pos + 4) });
      pos += 4;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}

const str = (f: Field) => (f.value as Buffer).toString("utf8");

function map(entries: Field[], asBase64 = false): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of entries) {
    let k = "";
    let v = "";
    for (const f of fields(e.value as Buffer)) {
      if (f.no === 1) k = str(f);
      if (f.no === 2) v = asBase64 ? (f.value as Buffer).toString("base64") : str(f);
    }
    out[k] = v;
  }
  return out;
}

function objectMeta(buf: Buffer): Record<string, unknown> {
  const fs = fields(buf);
  const meta: Record<string, unknown> = {};
  const strings: Record<number, string> = { 1: "name", 2: "generateName", 3: "namespace", 5: "uid", 6: "resourceVersion" };
  // gogo-protobuf writes empty strings; JSON clients would have left them out.
  for (const f of fs) if (strings[f.no] && f.wire === 2 && str(f)) meta[strings[f.no]] = str(f);
  const labels = fs.filter((f) => f.no === 11);
  const annotations = fs.filter((f) => f.no === 12);
  const finalizers = fs.filter((f) => f.no === 14).map(str);
  if (labels.length) meta.labels = map(labels);
  if (annotations.length) meta.annotations = map(annotations);
  if (finalizers.length) meta.finalizers = finalizers;
  return meta;
}

type Decoder = (fs: Field[]) => Record<string, unknown>;

const DECODERS: Record<string, Decoder> = {
  "v1/Namespace": (fs) => {
    const finalizers = fs.filter((f) => f.no === 2).flatMap((f) => fields(f.value as Buffer).filter((x) => x.no === 1).map(str));
    return finalizers.length ? { spec: { finalizers } } : {};
  },
  "v1/ConfigMap": (fs) => {
    const data = fs.filter((f) => f.no === 2);
    const bin = fs.filter((f) => f.no === 3);
    return { ...(data.length ? { data: map(data) } : {}), ...(bin.length ? { binaryData: map(bin, true) } : {}) };
  },
  "v1/Secret": (fs) => {
    const data = fs.filter((f) => f.no === 2);
    const type = fs.find((f) => f.no === 3);
    const stringData = fs.filter((f) => f.no === 4);
    return {
      ...(data.length ? { data: map(data, true) } : {}),
      ...(type && str(type) ? { type: str(type) } : {}),
      ...(stringData.length ? { stringData: map(stringData) } : {}),
    };
  },
  "v1/ServiceAccount": () => ({}),
};

/** Decodes a protobuf-encoded object body into JSON; throws 415/400 when it cannot. */
export function decodeProtobufObject(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) {
    throw new ApiError(400, "BadRequest", "the body is not a Kubernetes protobuf message (missing the k8s\\0 prefix): send JSON instead");
  }
  try {
    const unknown = fields(body.subarray(4));
    const typeMeta = unknown.find((f) => f.no === 1);
    const raw = unknown.find((f) => f.no === 2);
    let apiVersion = "";
    let kind = "";
    for (const f of typeMeta ? fields(typeMeta.value as Buffer) : []) {
      if (f.no === 1) apiVersion = str(f);
      if (f.no === 2) kind = str(f);
    }
    const decode = DECODERS[`${apiVersion}/${kind}`];
    if (!decode) {
      throw new ApiError(415, "UnsupportedMediaType", `this server reads protobuf only for ${Object.keys(DECODERS).map((k) => k.split("/")[1]).join(", ")}; send ${kind || "the object"} as JSON (Content-Type: application/json)`);
    }
    const fs = raw ? fields(raw.value as Buffer) : [];
    const meta = fs.find((f) => f.no === 1);
    return { apiVersion, kind, metadata: meta ? objectMeta(meta.value as Buffer) : {}, ...decode(fs) };
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw new ApiError(400, "BadRequest", `the protobuf body could not be decoded (${(e as Error).message}): send JSON instead`);
  }
}
