/**
 * The protobuf body decoder without a cluster: bodies captured from the real kubectl v1.32
 * (`-v=9` hex dumps of `kubectl create ... --dry-run=server`) decode to exactly the JSON the same
 * command prints with `--dry-run=client -o json`; bodies built with a tiny encoder cover the whole
 * Pod/Container surface, zero-value rules, unknown fields, DeleteOptions, and malformed input
 * (400) or unsupported kinds (415).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ApiError } from "../../../sandbox/api/errors.ts";
import { decodeProtobufObject } from "../../../sandbox/api/protobuf.ts";

// --- a tiny protobuf encoder -------------------------------------------------------------------
const varint = (n: bigint | number): Buffer => {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v ? b | 0x80 : b);
  } while (v);
  return Buffer.from(out);
};
const tag = (no: number, wire: number) => varint((no << 3) | wire);
const bytes = (no: number, b: Buffer) => Buffer.concat([tag(no, 2), varint(b.length), b]);
const str = (no: number, s: string) => bytes(no, Buffer.from(s, "utf8"));
const int = (no: number, n: number | bigint) => Buffer.concat([tag(no, 0), varint(n)]);
const bool = (no: number, b: boolean) => int(no, b ? 1 : 0);
const msg = (no: number, ...fields: Buffer[]) => bytes(no, Buffer.concat(fields));
const entry = (no: number, k: string, v: string | Buffer) => msg(no, str(1, k), typeof v === "string" ? str(2, v) : bytes(2, v));
const quantity = (no: number, k: string, q: string) => msg(no, str(1, k), msg(2, str(1, q)));
const intOrStr = (no: number, v: number | string) => (typeof v === "number" ? msg(no, int(1, 0), int(2, v), str(3, "")) : msg(no, int(1, 1), int(2, 0), str(3, v)));
const MAGIC = Buffer.from("k8s\0", "binary");
const envelope = (apiVersion: string, kind: string, ...raw: Buffer[]) =>
  Buffer.concat([MAGIC, msg(1, str(1, apiVersion), str(2, kind)), msg(2, ...raw), str(3, ""), str(4, "")]);
/** ObjectMeta as gogo writes it: every non-pointer field present, creationTimestamp an empty Time. */
const meta = (name: string, ...more: Buffer[]) => msg(1, str(1, name), str(2, ""), str(3, ""), str(5, ""), str(6, ""), int(7, 0), msg(8), ...more);

const decode = (b: Buffer) => decodeProtobufObject(b);
const hex = (h: string) => Buffer.from(h, "hex");

function rejects(b: Buffer, code: number, message: RegExp): void {
  assert.throws(() => decode(b), (e: unknown) => e instanceof ApiError && e.code === code && message.test(e.message));
}

describe("protobuf bodies from kubectl", () => {
  // Captured from kubectl v1.32.4; expected values are its `--dry-run=client -o json` output
  // with the `creationTimestamp: null` entries left out (null and absent mean the same).
  const captured: Array<[string, string, Record<string, unknown>]> = [
    ["create deployment web --image=nginx:1.27 --replicas=3", "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412b0010a1f0a0377656212001a0022002a003200380042005a0a0a036170701203776562127f0803120c0a0a0a0361707012037765621a650a1c0a0012001a0022002a003200380042005a0a0a036170701203776562124512270a056e67696e78120a6e67696e783a312e32372a0042006a007200800100880100900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200",
      { kind: "Deployment", apiVersion: "apps/v1", metadata: { name: "web", labels: { app: "web" } }, spec: { replicas: 3, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "nginx", image: "nginx:1.27", resources: {} }] } }, strategy: {} }, status: {} }],
    ["create deployment zero --image=nginx:1.27 --replicas=0 --port=80", "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412c1010a210a047a65726f12001a0022002a003200380042005a0b0a0361707012047a65726f128d010800120d0a0b0a0361707012047a65726f1a720a1d0a0012001a0022002a003200380042005a0b0a0361707012047a65726f125112330a056e67696e78120a6e67696e783a312e32372a00320a0a001000185022002a0042006a007200800100880100900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200",
      { kind: "Deployment", apiVersion: "apps/v1", metadata: { name: "zero", labels: { app: "zero" } }, spec: { replicas: 0, selector: { matchLabels: { app: "zero" } }, template: { metadata: { labels: { app: "zero" } }, spec: { containers: [{ name: "nginx", image: "nginx:1.27", ports: [{ containerPort: 80 }], resources: {} }] } }, strategy: {} }, status: {} }],
    ["create service clusterip web --tcp=80:8080", "6b3873000a0d0a02763112075365727669636512690a1f0a0377656212001a0022002a003200380042005a0a0a03617070120377656212420a1b0a0738302d38303830120354435018502207080010903f1a002800120a0a0361707012037765621a002209436c757374657249503a00420052005a00600068001a020a001a002200",
      { kind: "Service", apiVersion: "v1", metadata: { name: "web", labels: { app: "web" } }, spec: { ports: [{ name: "80-8080", protocol: "TCP", port: 80, targetPort: 8080 }], selector: { app: "web" }, type: "ClusterIP" }, status: { loadBalancer: {} } }],
    ["create service nodeport np --tcp=80:http --node-port=30080", "6b3873000a0d0a027631120753657276696365126a0a1d0a026e7012001a0022002a003200380042005a090a0361707012026e7012450a200a0738302d6874747012035443501850220a080110001a04687474702880eb0112090a0361707012026e701a0022084e6f6465506f72743a00420052005a00600068001a020a001a002200",
      { kind: "Service", apiVersion: "v1", metadata: { name: "np", labels: { app: "np" } }, spec: { ports: [{ name: "80-http", protocol: "TCP", port: 80, targetPort: "http", nodePort: 30080 }], selector: { app: "np" }, type: "NodePort" }, status: { loadBalancer: {} } }],
    ["create configmap cm --from-literal=a=b", "6b3873000a0f0a0276311209436f6e6669674d6170121c0a120a02636d12001a0022002a0032003800420012060a01611201621a002200",
      { kind: "ConfigMap", apiVersion: "v1", metadata: { name: "cm" }, data: { a: "b" } }],
    ["create secret generic s --from-literal=k=v", "6b3873000a0c0a0276311206536563726574121d0a110a017312001a0022002a0032003800420012060a016b1201761a001a002200",
      { kind: "Secret", apiVersion: "v1", metadata: { name: "s" }, data: { k: "dg==" } }],
    ["create namespace ns1", "6b3873000a0f0a02763112094e616d657370616365121b0a130a036e733112001a0022002a0032003800420012001a020a001a002200",
      { kind: "Namespace", apiVersion: "v1", metadata: { name: "ns1" }, spec: {}, status: {} }],
    ["create serviceaccount sa1", "6b3873000a140a027631120e536572766963654163636f756e7412150a130a0373613112001a0022002a003200380042001a002200",
      { kind: "ServiceAccount", apiVersion: "v1", metadata: { name: "sa1" } }],
    ["drain node-2 (the DELETE of each pod)", "6b3873000a130a027631120d44656c6574654f7074696f6e7312001a002200",
      { kind: "DeleteOptions", apiVersion: "v1" }],
  ];
  for (const [command, body, want] of captured) {
    it(`kubectl ${command}`, () => assert.deepEqual(decode(hex(body)), want));
  }
});

describe("protobuf schema coverage", () => {
  it("decodes a Pod with the whole container surface", () => {
    const httpProbe = msg(10, msg(1, msg(2, str(1, "/healthz"), intOrStr(2, "http"), str(3, ""), str(4, "HTTP"), msg(5, str(1, "X-Probe"), str(2, "1")))),
      int(2, 5), int(3, 1), int(4, 10), int(5, 1), int(6, 3));
    const tcpProbe = msg(11, msg(1, msg(3, intOrStr(1, 8080), str(2, ""))), int(2, 0), int(4, 2));
    const execProbe = msg(22, msg(1, msg(1, str(1, "cat"), str(1, "/tmp/ready"))), int(6, 30));
    const container = msg(2,
      str(1, "app"), str(2, "shop/app:1.2"), str(3, "/bin/app"), str(4, "--port"), str(4, "8080"), str(5, "/srv"),
      msg(6, str(1, "http"), int(2, 0), int(3, 8080), str(4, "TCP"), str(5, "")),
      msg(19, str(1, "CFG_"), msg(2, msg(1, str(1, "app-config")), bool(2, true))),
      msg(19, str(1, ""), msg(3, msg(1, str(1, "app-secret")))),
      msg(7, str(1, "MODE"), str(2, "prod")),
      msg(7, str(1, "DB_HOST"), str(2, ""), msg(3, msg(3, msg(1, str(1, "app-config")), str(2, "db_host")))),
      msg(7, str(1, "DB_PASS"), str(2, ""), msg(3, msg(4, msg(1, str(1, "db")), str(2, "password"), bool(3, false)))),
      msg(7, str(1, "POD_NAME"), str(2, ""), msg(3, msg(1, str(1, "v1"), str(2, "metadata.name")))),
      msg(8, quantity(1, "cpu", "500m"), quantity(1, "memory", "256Mi"), quantity(2, "cpu", "100m")),
      msg(9, str(1, "config"), bool(2, true), str(3, "/etc/app"), str(4, ""), str(6, "")),
      httpProbe, tcpProbe, execProbe,
      str(13, "/dev/termination-log"), str(20, "File"), str(14, "IfNotPresent"), bool(16, true), bool(17, false), bool(18, true));
    const init = msg(20, str(1, "migrate"), str(2, "shop/app:1.2"), str(3, "migrate"), msg(8), bool(16, false));
    const spec = msg(2,
      msg(1, str(1, "config"), msg(2, msg(19, msg(1, str(1, "app-config")), msg(2, str(1, "app.yaml"), str(2, "app.yaml")), int(3, 420)))),
      msg(1, str(1, "creds"), msg(2, msg(6, str(1, "db"), int(3, 256), bool(4, true)))),
      msg(1, str(1, "scratch"), msg(2, msg(2, str(1, "Memory"), msg(2, str(1, "64Mi"))))),
      msg(1, str(1, "data"), msg(2, msg(10, str(1, "data-claim"), bool(2, false)))),
      init, container,
      str(3, "Always"), int(4, 0), str(6, "ClusterFirst"), entry(7, "disk", "ssd"), str(8, "shop"), str(9, ""), str(10, ""),
      bool(11, false), bool(12, false), bool(13, false), msg(14), str(16, ""), str(17, ""), str(19, "default-scheduler"),
      msg(22, str(1, "dedicated"), str(2, "Equal"), str(3, "shop"), str(4, "NoSchedule")), str(24, ""));
    const pod = decode(envelope("v1", "Pod", meta("app-0", entry(11, "app", "shop"), entry(12, "note", "made by hand")), spec, msg(3, str(1, ""))));
    assert.deepEqual(pod, {
      apiVersion: "v1", kind: "Pod",
      metadata: { name: "app-0", labels: { app: "shop" }, annotations: { note: "made by hand" } },
      spec: {
        volumes: [
          { name: "config", configMap: { name: "app-config", items: [{ key: "app.yaml", path: "app.yaml" }], defaultMode: 420 } },
          { name: "creds", secret: { secretName: "db", defaultMode: 256, optional: true } },
          { name: "scratch", emptyDir: { medium: "Memory", sizeLimit: "64Mi" } },
          { name: "data", persistentVolumeClaim: { claimName: "data-claim" } },
        ],
        initContainers: [{ name: "migrate", image: "shop/app:1.2", command: ["migrate"], resources: {} }],
        containers: [{
          name: "app", image: "shop/app:1.2", command: ["/bin/app"], args: ["--port", "8080"], workingDir: "/srv",
          ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }],
          envFrom: [{ prefix: "CFG_", configMapRef: { name: "app-config", optional: true } }, { secretRef: { name: "app-secret" } }],
          env: [
            { name: "MODE", value: "prod" },
            { name: "DB_HOST", valueFrom: { configMapKeyRef: { name: "app-config", key: "db_host" } } },
            { name: "DB_PASS", valueFrom: { secretKeyRef: { name: "db", key: "password", optional: false } } },
            { name: "POD_NAME", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.name" } } },
          ],
          resources: { limits: { cpu: "500m", memory: "256Mi" }, requests: { cpu: "100m" } },
          volumeMounts: [{ name: "config", readOnly: true, mountPath: "/etc/app" }],
          livenessProbe: { httpGet: { path: "/healthz", port: "http", scheme: "HTTP", httpHeaders: [{ name: "X-Probe", value: "1" }] }, initialDelaySeconds: 5, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
          readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 2 },
          startupProbe: { exec: { command: ["cat", "/tmp/ready"] }, failureThreshold: 30 },
          terminationMessagePath: "/dev/termination-log", terminationMessagePolicy: "File", imagePullPolicy: "IfNotPresent",
          stdin: true, tty: true,
        }],
        restartPolicy: "Always", terminationGracePeriodSeconds: 0, dnsPolicy: "ClusterFirst", nodeSelector: { disk: "ssd" },
        serviceAccountName: "shop", securityContext: {}, schedulerName: "default-scheduler",
        tolerations: [{ key: "dedicated", operator: "Equal", value: "shop", effect: "NoSchedule" }],
      },
      status: {},
    });
  });

  it("keeps zeros a client set on pointer fields and drops the zeros gogo always writes", () => {
    const d = decode(envelope("apps/v1", "Deployment", meta("d"),
      msg(2, int(1, 0), int(5, 0), int(6, 0), bool(7, false), msg(4, str(1, "RollingUpdate"), msg(2, intOrStr(1, 0), intOrStr(2, "50%"))))));
    assert.deepEqual(d.spec, { replicas: 0, revisionHistoryLimit: 0, strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "50%" } } });
    const cm = decode(envelope("v1", "ConfigMap", meta("c"), bool(4, false), entry(3, "blob", Buffer.from([0, 1, 2]))));
    assert.deepEqual(cm, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, immutable: false, binaryData: { blob: "AAEC" } });
  });

  it("skips fields it does not model, of every wire type and at any depth", () => {
    const unknownAll = Buffer.concat([int(99, 7), Buffer.concat([tag(98, 1), Buffer.alloc(8)]), str(97, "x"), Buffer.concat([tag(96, 5), Buffer.alloc(4)])]);
    const svc = decode(envelope("v1", "Service", meta("s", msg(17, str(1, "kubectl"))), unknownAll,
      msg(2, msg(1, int(3, 80), intOrStr(4, 80), unknownAll), str(23, "PreferClose"), msg(30, str(1, "not-modelled"))), msg(3, msg(2, unknownAll))));
    assert.deepEqual(svc, { apiVersion: "v1", kind: "Service", metadata: { name: "s" }, spec: { ports: [{ port: 80, targetPort: 80 }] }, status: {} });
  });

  it("reads times, negative numbers, packed repeated numbers and secret bytes", () => {
    const pod = decode(envelope("v1", "Pod",
      meta("t", msg(9, int(1, 1714564800), int(2, 500_000_000)), int(10, 30)),
      msg(2, msg(14, int(4, 1000), Buffer.concat([tag(4, 2), varint(4), varint(2000), varint(3000)]), int(2, -1)), int(25, -5))));
    assert.deepEqual(pod.metadata, { name: "t", deletionTimestamp: "2024-05-01T12:00:00Z", deletionGracePeriodSeconds: 30 });
    assert.deepEqual(pod.spec, { securityContext: { supplementalGroups: [1000, 2000, 3000], runAsUser: -1 }, priority: -5 });
    const secret = decode(envelope("v1", "Secret", meta("s"), entry(2, "bin", Buffer.from([0xff, 0x00])), entry(4, "plain", "text"), str(3, "Opaque")));
    assert.deepEqual(secret, { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, data: { bin: "/wA=" }, stringData: { plain: "text" }, type: "Opaque" });
  });

  it("keeps a map key named __proto__ as an ordinary entry", () => {
    const cm = decode(envelope("v1", "ConfigMap", meta("c"), entry(2, "__proto__", "v")));
    assert.equal(JSON.stringify(cm.data), '{"__proto__":"v"}');
    assert.equal(Object.getPrototypeOf(cm.data), Object.prototype);
  });

  it("decodes DeleteOptions under any group version", () => {
    for (const gv of ["v1", "apps/v1"]) {
      const opts = decode(envelope(gv, "DeleteOptions", int(1, 0), msg(2, str(1, "uid-1"), str(2, "42")), str(4, "Foreground"), str(5, "All")));
      assert.deepEqual(opts, { apiVersion: gv, kind: "DeleteOptions", gracePeriodSeconds: 0, preconditions: { uid: "uid-1", resourceVersion: "42" }, propagationPolicy: "Foreground", dryRun: ["All"] });
    }
  });
});

describe("protobuf bodies the server cannot use", () => {
  it("answers 415 for a kind without a schema, naming the kinds it reads", () => {
    rejects(envelope("batch/v1", "Job", meta("j")), 415, /reads protobuf only for .*Deployment.*send Job as JSON/);
  });

  it("answers 415 for a compressed body", () => {
    rejects(Buffer.concat([MAGIC, msg(1, str(1, "v1"), str(2, "Pod")), msg(2, meta("p")), str(3, "gzip")]), 415, /content encoding "gzip"/);
  });

  it("answers 400 for malformed bytes", () => {
    const cases: Array<[string, Buffer]> = [
      ["no k8s prefix", Buffer.from('{"kind":"Pod"}')],
      ["a length past the end", Buffer.concat([MAGIC, Buffer.from([0x0a, 0x7f, 0x0a])])],
      ["a truncated varint", Buffer.concat([MAGIC, Buffer.from([0x08, 0xff])])],
      ["an over-long varint", Buffer.concat([MAGIC, Buffer.from([0x08, ...Array(11).fill(0xff), 0x01])])],
      ["a group wire type", Buffer.concat([MAGIC, Buffer.from([0x0b, 0x0c])])],
      ["field number zero", Buffer.concat([MAGIC, Buffer.from([0x02, 0x00])])],
      ["a string field sent as a number", envelope("v1", "Pod", msg(1, int(1, 5)))],
      ["a message field sent as a number", envelope("apps/v1", "Deployment", meta("d"), int(2, 1))],
      ["a nested length past the end", envelope("v1", "Pod", meta("p"), Buffer.from([0x12, 0x03, 0x12, 0x09, 0x0a]))],
    ];
    for (const [what, body] of cases) {
      assert.throws(() => decode(body), (e: unknown) => e instanceof ApiError && e.code === 400 && /send JSON/.test(e.message), what);
    }
  });

  it("never throws anything but a 4xx ApiError on random bytes", () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const good = hex(captured());
    for (let i = 0; i < 500; i++) {
      const b = Buffer.from(good);
      for (let k = 1 + Math.floor(rand() * 4); k > 0; k--) b[4 + Math.floor(rand() * (b.length - 4))] = Math.floor(rand() * 256);
      const cut = rand() < 0.3 ? b.subarray(0, 4 + Math.floor(rand() * (b.length - 4))) : b;
      try {
        decode(cut);
      } catch (e) {
        assert.ok(e instanceof ApiError && (e.code === 400 || e.code === 415), `unexpected ${String(e)}`);
      }
    }
  });
});

/** The `create deployment web` body from above, reused as a seed for mutations. */
function captured(): string {
  return "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412b0010a1f0a0377656212001a0022002a003200380042005a0a0a036170701203776562127f0803120c0a0a0a0361707012037765621a650a1c0a0012001a0022002a003200380042005a0a0a036170701203776562124512270a056e67696e78120a6e67696e783a312e32372a0042006a007200800100880100900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200";
}
