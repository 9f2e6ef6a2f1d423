import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseQuantity, QuantityError, sameQuantity, tryParseQuantity } from "../../../../sandbox/api/kinds/quantity.ts";

describe("parseQuantity", () => {
  it("reads decimal, binary and exponent forms in base units", () => {
    assert.equal(parseQuantity("500m"), 0.5);
    assert.equal(parseQuantity("128Mi"), 134217728);
    assert.equal(parseQuantity("1G"), 1e9);
    assert.equal(parseQuantity("2"), 2);
    assert.equal(parseQuantity("1Ki"), 1024);
    assert.equal(parseQuantity("1.5Gi"), 1.5 * 2 ** 30);
    assert.equal(parseQuantity("1e3"), 1000);
    assert.equal(parseQuantity("2.5E-2"), 0.025);
    assert.equal(parseQuantity("100n"), 1e-7);
    assert.equal(parseQuantity("+3k"), 3000);
    assert.equal(parseQuantity("-1"), -1);
    assert.equal(parseQuantity(".5"), 0.5);
    assert.equal(parseQuantity(4), 4, "JSON numbers are quantities too");
  });

  it("gives the identical number for equal quantities written differently", () => {
    assert.equal(parseQuantity("1.1"), parseQuantity("1100m"));
    assert.equal(parseQuantity("0.1"), parseQuantity("100m"));
    assert.equal(parseQuantity("1Gi"), parseQuantity("1024Mi"));
    assert.ok(sameQuantity(parseQuantity("100m") * 3, 0.3));
  });

  it("rejects what the real server rejects, with its wording", () => {
    for (const bad of ["", "abc", "1.2.3", "12Mb", "1 Gi", " 1", "Mi", "1e", "1ii", "--1"]) {
      assert.throws(() => parseQuantity(bad), (e: unknown) => e instanceof QuantityError && /quantities must match the regular expression/.test(e.message), bad);
      assert.equal(tryParseQuantity(bad), undefined, bad);
    }
    assert.equal(tryParseQuantity({ cpu: 1 }), undefined);
  });
});
