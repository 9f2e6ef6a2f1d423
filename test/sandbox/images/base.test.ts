import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { BASE_IMAGES } from "../../../sandbox/images/index.ts";
import { ImageCatalog, type ContainerRun, type ContainerStartContext } from "../../../sandbox/images/catalog.ts";

/** The base images' behaviour models, started directly with a container spec. */
const catalog = new ImageCatalog(BASE_IMAGES);

function start(image: string, container: Record<string, unknown> = {}, extra: Partial<ContainerStartContext> = {}): ContainerRun {
  const found = catalog.resolve(image);
  assert.ok(found, `${image} resolves`);
  return found.entry.behaviour.start({
    pod: { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "default" } },
    container: { name: "c", image, ...container },
    image: found.entry.repository,
    tag: found.tag,
    env: {},
    files: {},
    restartCount: 0,
    now: Date.parse("2026-01-01T00:00:00Z"),
    random: () => 0.5,
    lookup: () => undefined,
    ...extra,
  });
}
const sh = (script: string) => ({ command: ["sh", "-c", script] });

describe("base images", () => {
  it("resolves the catalogued repositories and tags, in short and full form", () => {
    for (const ref of ["busybox", "busybox:1.36", "docker.io/library/busybox:1.37", "nginx:1.25", "nginx", "registry.k8s.io/pause:3.10", "ghcr.io/stratus-sandbox/memhog:1.0"]) {
      assert.ok(catalog.resolve(ref), ref);
    }
    assert.equal(catalog.resolve("nginx:9.99"), undefined);
    assert.equal(catalog.resolve("busybox:1.0"), undefined);
    assert.equal(catalog.hasRepository("nginx:9.99"), true);
    assert.equal(catalog.hasRepository("nope/nothing"), false);
  });

  it("busybox runs its command like a tiny shell", () => {
    assert.deepEqual(start("busybox:1.36", { command: ["sleep", "3600"] }), { outcome: "exit", afterMs: 3_600_000, exitCode: 0, reason: "Completed", logs: [] });
    assert.equal(start("busybox:1.36", { command: ["sleep", "infinity"] }).outcome, "run");
    const exit3 = start("busybox:1.36", sh("exit 3"));
    assert.equal(exit3.outcome === "exit" && exit3.exitCode, 3);
    assert.equal(exit3.outcome === "exit" && exit3.reason, "Error");
    const f = start("busybox:1.36", { command: ["false"] });
    assert.equal(f.outcome === "exit" && f.exitCode, 1);
    const t = start("busybox:1.36", { command: ["true"] });
    assert.equal(t.outcome === "exit" && t.reason, "Completed");
    const echo = start("busybox:1.36", { command: ["echo", "hello", "world"] });
    assert.deepEqual(echo.logs, ["hello world"]);
    const runs = start("busybox:1.36", sh("echo hi; sleep 3600"));
    assert.deepEqual(runs, { outcome: "exit", afterMs: 3_600_000, exitCode: 0, reason: "Completed", logs: ["hi"] });
    const forever = start("busybox:1.36", sh("echo serving; while true; do sleep 5; done"));
    assert.equal(forever.outcome, "run");
    assert.deepEqual(forever.logs, ["serving"]);
  });

  it("busybox: unknown commands in a shell exit 127; && and || short-circuit; env and files are visible", () => {
    const missing = start("busybox:1.36", sh("frobnicate --now"));
    assert.equal(missing.outcome === "exit" && missing.exitCode, 127);
    assert.deepEqual(missing.logs, ["sh: frobnicate: not found"]);
    const chain = start("busybox:1.36", sh("false && echo no || echo yes"));
    assert.deepEqual(chain.logs, ["yes"]);
    const env = start("busybox:1.36", sh('echo "mode=$MODE"; cat /etc/cfg/a'), { env: { MODE: "fast" }, files: { "/etc/cfg/a": "line 1\nline 2\n" } });
    assert.deepEqual(env.logs, ["mode=fast", "line 1", "line 2"]);
    const noFile = start("busybox:1.36", sh("cat /nope"));
    assert.equal(noFile.outcome === "exit" && noFile.exitCode, 1);
  });

  it("busybox without a command runs sh, which exits at once with no terminal", () => {
    const r = start("busybox");
    assert.equal(r.outcome === "exit" && r.exitCode, 0);
  });

  it("a binary the image does not have is a StartError with exit code 128", () => {
    const r = start("busybox:1.36", { command: ["foo"] });
    assert.equal(r.outcome, "exit");
    if (r.outcome !== "exit") return;
    assert.equal(r.exitCode, 128);
    assert.equal(r.reason, "StartError");
    assert.equal(r.message, 'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "foo": executable file not found in $PATH: unknown');
    const abs = start("nginx:1.25", { command: ["/opt/app/server"] });
    assert.match(abs.outcome === "exit" ? abs.message ?? "" : "", /exec: "\/opt\/app\/server": stat \/opt\/app\/server: no such file or directory/);
  });

  it("nginx serves / and /index.html on 80 with its entrypoint's start-up lines; a mounted config moves the port", () => {
    const r = start("nginx:1.25");
    assert.equal(r.outcome, "run");
    if (r.outcome !== "run") return;
    assert.deepEqual(r.serves, [{ port: 80, httpPaths: ["/", "/index.html"] }]);
    assert.ok(r.memoryBytes! >= 8 * 1024 * 1024 && r.memoryBytes! <= 16 * 1024 * 1024);
    assert.equal(r.logs[0], "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration");
    assert.ok(r.logs.includes("2026/01/01 00:00:00 [notice] 1#1: nginx/1.25.5"));
    const conf = "server {\n  listen 8080;\n  location / { root /usr/share/nginx/html; }\n  location = /healthz { return 200; }\n}\n";
    const moved = start("nginx:1.25", {}, { files: { "/etc/nginx/conf.d/default.conf": conf } });
    assert.deepEqual(moved.outcome === "run" && moved.serves, [{ port: 8080, httpPaths: ["/", "/index.html", "/healthz"] }]);
  });

  it("pause runs and serves nothing; memhog holds what --mem asks for", () => {
    const pause = start("registry.k8s.io/pause:3.10");
    assert.deepEqual(pause.outcome === "run" && pause.serves, []);
    const hog = start("ghcr.io/stratus-sandbox/memhog:1.0", { args: ["--mem=256Mi"] });
    assert.equal(hog.outcome === "run" && hog.memoryBytes, 256 * 1024 * 1024);
    const bad = start("ghcr.io/stratus-sandbox/memhog:1.0", { args: ["--mem=lots"] });
    assert.equal(bad.outcome === "exit" && bad.exitCode, 2);
  });
});
