/**
 * The one credential decision: real-looking secrets in free text and in objects are masked, and
 * the things diagnosis reads beside them (references to Secrets, token counts, image digests,
 * selectors, tolerations) are not.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { fingerprint, isCredentialName, MASK, maskSecret, redactText, redactValue } from "../../src/base/redact.ts";

const JWT = "eyJhbGciOiJSUzI1NiIsImtpZCI6Ik1rZ2sifQ.eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50In0.Q2lnbmF0dXJlLWJ5dGVzLWhlcmU";
const PEM = [
  "-----BEGIN RSA PRIVATE KEY-----",
  "MIIEowIBAAKCAQEAvR3m8yQ0aYp5b0m1t0aX9oS4gq0b8p1t4u3wR0cG2pH4k1rK",
  "q2Jb7XvT0b6m9kGJ8wq3YwQ2x9e4m6r7n8p1s2d3f4g5h6j7k8l9z0x1c2v3b4n5",
  "-----END RSA PRIVATE KEY-----",
].join("\n");

describe("redactText", () => {
  const masked: Array<[string, string, string]> = [
    // [sample, secret part that must disappear, what must remain]
    [`Authorization: Bearer ${JWT}`, JWT, "Authorization: Bearer "],
    ["curl -H 'Authorization: Bearer 8f14e45fceea167a5a36dedd4bea2543'", "8f14e45fceea167a5a36dedd4bea2543", "Bearer"],
    ["Authorization: Basic YWRtaW46UzNjcjN0IQ==", "YWRtaW46UzNjcjN0IQ==", "Basic"],
    [`token from projected volume: ${JWT}`, JWT, "projected volume"],
    ["dial postgres://orders:Tr0ub4dor&3@postgres.shop:5432/orders failed", "Tr0ub4dor&3", "postgres://orders:"],
    ["level=error msg=\"login failed\" password=hunter2 user=alice", "hunter2", "user=alice"],
    ['DB_PASSWORD: "correct horse battery staple"', "correct horse battery staple", "DB_PASSWORD"],
    ['{"apiKey":"3f9a2b7c-41de-4f0b-9c1e-2d6b8a7f5e44","region":"eu-west-1"}', "3f9a2b7c-41de-4f0b-9c1e-2d6b8a7f5e44", "eu-west-1"],
    ["AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE", "AWS_ACCESS_KEY_ID"],
    ["aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws_secret_access_key"],
    [`key material:\n${PEM}\nloaded`, "MIIEowIBAAKCAQEAvR3m8yQ0aYp5b0m1t0aX9oS4gq0b8p1t4u3wR0cG2pH4k1rK", "loaded"],
    ["starting with --token=s3cr3t-t0k3n --port 8080", "s3cr3t-t0k3n", "--port 8080"],
    ["starting with --client-secret 9c1e2d6b8a7f --v=2", "9c1e2d6b8a7f", "--v=2"],
    ["redis.auth.token: 0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef", "redis.auth.token"],
    ["git push https://ci-bot:ghp_R4nd0mR4nd0mR4nd0mR4nd0mR4nd0mR4nd@github.com/org/repo", "ghp_R4nd0m", "github.com/org/repo"],
    ["OPENAI_API_KEY=sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8t", "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8t", "OPENAI_API_KEY"],
    ['merge patch {"env":[{"name":"DB_PASSWORD","value":"pl41n-t3xt"}]}', "pl41n-t3xt", '"name":"DB_PASSWORD"'],
  ];
  for (const [sample, secret, kept] of masked) {
    it(`masks ${JSON.stringify(sample.slice(0, 48))}`, () => {
      const out = redactText(sample);
      assert.ok(!out.includes(secret), out);
      assert.ok(out.includes(MASK), out);
      assert.ok(out.includes(kept), out);
    });
  }

  it("leaves what diagnosis reads untouched", () => {
    const plain = [
      "Back-off restarting failed container orders in pod orders-7d9c5b6f4-x2x9q",
      "secretName: db-creds, tokenFile: /var/run/secrets/token, maxTokens: 512",
      "image: ghcr.io/acme/orders@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
      "uid: 5f1c7c0e-0b0e-4d2a-9f8e-7f6f3b2a1c0d resourceVersion: 123456",
      "Basic authentication is configured for the ingress",
      "MountVolume.SetUp failed for volume \"db-creds\" : secret \"db-creds\" not found",
      "GET https://10.0.0.1:443/api/v1/namespaces/shop/pods?limit=500 200 OK in 4ms",
      "prompt tokens: 1200, completion tokens: 80",
      "the Bearer scheme is required",
      "passwordless login is enabled",
      "failing: secret-exists:shop/api-token, pod-ready:shop/orders",
    ];
    for (const text of plain) assert.equal(redactText(text), text);
  });

  it("is idempotent", () => {
    const once = redactText(`password=x token: ${JWT} postgres://u:p@h/db`);
    assert.equal(redactText(once), once);
  });
});

describe("isCredentialName", () => {
  it("knows values from references to them", () => {
    for (const n of ["DB_PASSWORD", "password", "api-key", "x-api-key", "aws_secret_access_key", "Authorization", "clientSecret", "GITHUB_PAT", "token", "SLACK_WEBHOOK_URL", "privateKey", "passphrase", "DB_PWD", "SENTRY_DSN"]) {
      assert.equal(isCredentialName(n), true, n);
    }
    for (const n of ["secretName", "secretKeyRef", "tokenFile", "maxTokens", "passwordPolicy", "path", "patch", "key", "serviceAccountName", "imagePullSecrets", "automountServiceAccountToken", "name", "LOG_LEVEL", "PWD", "", "default/token-service", "secret-exists:shop/db"]) {
      assert.equal(isCredentialName(n), false, n);
    }
  });
});

describe("redactValue", () => {
  const secret = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: "db-creds",
      namespace: "shop",
      annotations: {
        "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify({ apiVersion: "v1", kind: "Secret", data: { password: "aHVudGVyMg==" } }) + "\n",
      },
    },
    type: "Opaque",
    data: { password: "aHVudGVyMg==", username: "YWxpY2U=" },
    stringData: { "config.yaml": "port: 5432" },
  };

  it("masks every value of a Secret's data and stringData, keeps its keys and leaves the input alone", () => {
    const before = structuredClone(secret);
    const out = redactValue(secret);
    assert.deepEqual(secret, before, "input not mutated");
    assert.deepEqual(Object.keys(out.data), ["password", "username"]);
    assert.equal(out.data.password, MASK);
    assert.equal(out.data.username, MASK);
    assert.equal(out.stringData["config.yaml"], MASK);
    assert.equal(out.metadata.name, "db-creds");
    assert.equal(out.type, "Opaque");
    assert.ok(!JSON.stringify(out).includes("aHVudGVyMg=="), "last-applied annotation carried the data in the clear");
  });

  it("masks env values by the variable's name and values under credential keys, not references", () => {
    const deployment = {
      kind: "Deployment",
      spec: {
        template: {
          spec: {
            containers: [{
              name: "orders",
              image: "acme/orders:1.4",
              env: [
                { name: "DB_PASSWORD", value: "Tr0ub4dor&3" },
                { name: "LOG_LEVEL", value: "debug" },
                { name: "API_TOKEN", valueFrom: { secretKeyRef: { name: "api", key: "token" } } },
              ],
            }],
            tolerations: [{ key: "node.kubernetes.io/not-ready", operator: "Exists" }],
            volumes: [{ name: "creds", secret: { secretName: "db-creds" } }],
          },
        },
      },
      params: { password: "p@ss", replicas: 3, clientSecret: "12345678", tlsEnabled: true, restarts: { "token-service-7d9c": 4 } },
    };
    const out = redactValue(deployment);
    const c = out.spec.template.spec.containers[0];
    assert.equal(c.env[0].value, MASK);
    assert.equal(c.env[1].value, "debug");
    assert.deepEqual(c.env[2].valueFrom, { secretKeyRef: { name: "api", key: "token" } });
    assert.equal(out.spec.template.spec.tolerations[0].key, "node.kubernetes.io/not-ready");
    assert.equal(out.spec.template.spec.volumes[0].secret.secretName, "db-creds");
    assert.deepEqual(out.params, { password: MASK, replicas: 3, clientSecret: MASK, tlsEnabled: true, restarts: { "token-service-7d9c": 4 } }, "numbers are counts, not secrets");
  });

  it("masks a plan's credential-bearing params: set-config of a Secret, a patch of one, create-object of one", () => {
    const plan = {
      steps: [
        { id: "rotate", action: { type: "set-config", params: { namespace: "shop", kind: "Secret", name: "db-creds", key: "url", value: "s3cr3t-url" } } },
        { id: "conf", action: { type: "set-config", params: { namespace: "shop", kind: "ConfigMap", name: "app", key: "DB_PASSWORD", value: "pl41n" } } },
        { id: "level", action: { type: "set-config", params: { namespace: "shop", kind: "ConfigMap", name: "app", key: "LOG_LEVEL", value: "debug" } } },
        { id: "p", action: { type: "patch", params: { apiVersion: "v1", kind: "Secret", name: "db-creds", patchType: "json", patch: [{ op: "replace", path: "/data/password", value: "bmV3" }] } } },
        { id: "c", action: { type: "create-object", params: { object: { apiVersion: "v1", kind: "Secret", metadata: { name: "x" }, stringData: { token: "abc" } } } } },
        { id: "e", action: { type: "set-env", params: { env: { DB_PASSWORD: "envpw", LOG_LEVEL: "info" } } } },
      ],
    };
    const out = redactValue(plan);
    const text = JSON.stringify(out);
    for (const secret of ["s3cr3t-url", "pl41n", "bmV3", "abc", "envpw"]) assert.ok(!text.includes(secret), secret);
    for (const kept of ["db-creds", "debug", "/data/password", "replace", "info", "LOG_LEVEL"]) assert.ok(text.includes(kept), kept);
  });

  it("runs free text inside values through redactText", () => {
    const out = redactValue({ logs: ["ok", "connect postgres://u:S3cret@db/x"], note: `Bearer ${JWT}` });
    assert.deepEqual(out, { logs: ["ok", `connect postgres://u:${MASK}@db/x`], note: `Bearer ${MASK}` });
  });

  it("with fingerprints, equal secrets compare equal and different ones do not", () => {
    const key = new Uint8Array(32).fill(7);
    const out = redactValue({ a: { password: "one" }, b: { password: "one" }, c: { password: "two" } }, { fingerprints: true, fingerprintKey: key });
    assert.match(out.a.password, /^<redacted> fp:[0-9a-f]{12}$/);
    assert.equal(out.a.password, out.b.password);
    assert.notEqual(out.a.password, out.c.password);
    assert.ok(!out.a.password.includes("one"));
    assert.deepEqual(maskSecret("one", key), { masked: MASK, fingerprint: fingerprint("one", key) });
    assert.notEqual(fingerprint("one"), fingerprint("one", key), "the default key is per process");
  });

  it("survives cycles and keeps non-JSON values", () => {
    const a: Record<string, unknown> = { token: "t0k3n-value" };
    a.self = a;
    const when = new Date(0);
    const out = redactValue({ a, when }) as { a: Record<string, unknown>; when: Date };
    assert.equal(out.a.token, MASK);
    assert.equal(out.a.self, "[Circular]");
    assert.equal(out.when, when);
  });
});
