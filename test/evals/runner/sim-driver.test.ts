/**
 * The simulation driver: virtual time runs from timer to timer while nothing is in flight, and
 * holds still while an HTTP request is — so an agent reading the cluster is never overtaken by
 * simulated minutes. Watches do not hold time.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { VirtualClock } from "../../../sandbox/clock.ts";
import { SimDriver } from "../../../evals/runner/sim-driver.ts";

describe("SimDriver", () => {
  let server: Server;
  let url: string;
  before(async () => {
    // Answers after 300 ms of wall time; a watch request is left open.
    server = createServer((req, res) => {
      if (req.url?.includes("watch=true")) return void res.writeHead(200).flushHeaders();
      setTimeout(() => res.end("ok"), 300);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));

  it("jumps from timer to timer when nothing is in flight", async () => {
    const clock = new VirtualClock(0);
    const driver = new SimDriver(clock);
    const t = Date.now();
    await driver.sleep(10 * 60_000);
    await driver.stop();
    assert.ok(clock.now() >= 10 * 60_000);
    assert.ok(Date.now() - t < 5_000, "ten simulated minutes take well under five wall seconds");
  });

  it("holds time still while a request is in flight, but not for a watch", async () => {
    const clock = new VirtualClock(0);
    const driver = new SimDriver(clock);
    const ticks: number[] = [];
    const timer = clock.every(1_000, () => ticks.push(clock.now()));
    driver.start();
    await driver.sleep(5_000);
    const watch = new AbortController();
    void fetch(`${url}/?watch=true`, { signal: watch.signal }).catch(() => undefined);
    const before = clock.now();
    const body = await (await fetch(`${url}/x`)).text();
    const during = clock.now() - before;
    assert.equal(body, "ok");
    assert.ok(during <= 1_000, `time moved ${during} ms during a 300 ms request`);
    await driver.sleep(5_000);
    assert.ok(clock.now() >= before + 5_000, "time runs again once the request is done, watch open or not");
    watch.abort();
    timer.cancel();
    await driver.stop();
    assert.ok(ticks.length >= 9);
  });
});
