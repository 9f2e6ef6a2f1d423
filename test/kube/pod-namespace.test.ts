/**
 * Where the writer Lease lives by default: the pod's namespace (POD_NAMESPACE from the downward
 * API, else the ServiceAccount's namespace file), else "default".
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { podNamespace } from "../../src/kube/pod-namespace.ts";

describe("podNamespace", () => {
  const file = join(mkdtempSync(join(tmpdir(), "stratus-sa-")), "namespace");
  writeFileSync(file, "stratus-system\n");
  const missing = join(tmpdir(), "stratus-no-such-dir", "namespace");

  it("prefers POD_NAMESPACE, then the ServiceAccount's namespace file, then default", () => {
    assert.equal(podNamespace({ POD_NAMESPACE: "ops" }, file), "ops");
    assert.equal(podNamespace({}, file), "stratus-system");
    assert.equal(podNamespace({ POD_NAMESPACE: " " }, missing), "default");
  });
});
