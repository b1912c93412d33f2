// Page weight and largest contentful paint of the gallery (issue 22, "images never heavier than
// asked"), measured by hand, never by the test suite. Starts `serve --demo` on a fresh data folder
// and, as soon as its first demo cards are listed (the demo still drawing), drives Debian's
// Chromium through playwright-core (the browser tests' setup, `tests/browser/harness.mjs`):
//
// - total bytes transferred (headers and bodies, as the network saw them) until the network is
//   idle, for the home page and the first item's detail page, at 390 px (a phone: 390 × 844,
//   device pixel ratio 3, touch) and at 1440 px (a desktop: 1440 × 900, ratio 1), each in a fresh
//   browser context (empty cache);
// - the largest contentful paint of both pages on the phone under DevTools' "Fast 3G" (562.5 ms
//   round trip, 1.44 Mbit/s down, 675 kbit/s up: CDP `Network.emulateNetworkConditions`).
//
// Usage: `node bench/page-weight.mjs` (or `bench/page-weight.sh`, which installs playwright-core
// first). ATELIER_BIN picks the binary (default target/release/atelier, else target/debug);
// ROUNDS=n repeats the measurements n times (printing the seconds since the server started);
// CHROMIUM names the browser. Prints markdown table rows.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import net from "node:net";
import { launchBrowser } from "../tests/browser/harness.mjs";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const binary =
  (process.env.ATELIER_BIN && resolve(process.env.ATELIER_BIN)) ||
  [join(repo, "target", "release", "atelier"), join(repo, "target", "debug", "atelier")].find(existsSync);
const rounds = Number(process.env.ROUNDS || 1);

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true };
const DESKTOP = { viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 };
// DevTools' "Fast 3G" preset (now called "Slow 4G" in DevTools).
const FAST_3G = { offline: false, latency: 562.5, downloadThroughput: 180000, uploadThroughput: 84375 };

function freePort() {
  return new Promise((ok, fail) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
    server.on("error", fail);
  });
}

let exited = false;

async function waitFor(check, what, timeoutMs = 120000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`the server stopped while waiting for ${what}`);
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Loads `url` in a fresh context; returns the bytes transferred by kind, the number of
 * responses, the PNG responses (originals) and the LCP in ms. */
async function measure(browser, device, url, network) {
  const context = await browser.newContext(device);
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.__lcp = 0;
    window.__lcpElement = "";
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        window.__lcp = entry.renderTime || entry.loadTime || entry.startTime;
        const node = entry.element;
        window.__lcpElement = node ? node.tagName.toLowerCase() + (entry.url ? " " + new URL(entry.url).pathname.replace(/^\/img\/g\/[^/]+/, "…") : "") : "";
      }
    }).observe({ type: "largest-contentful-paint", buffered: true });
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  if (network) await cdp.send("Network.emulateNetworkConditions", network);
  const types = new Map();
  const bytes = { total: 0, image: 0, other: 0 };
  let responses = 0;
  let pngs = 0;
  cdp.on("Network.responseReceived", (e) => {
    types.set(e.requestId, e.response.mimeType || "");
  });
  cdp.on("Network.loadingFinished", (e) => {
    const type = types.get(e.requestId) || "";
    responses += 1;
    bytes.total += e.encodedDataLength;
    if (type.startsWith("image/")) bytes.image += e.encodedDataLength;
    else bytes.other += e.encodedDataLength;
    if (type === "image/png") pngs += 1;
  });
  await page.goto(url, { waitUntil: "networkidle", timeout: 180000 });
  const { lcp, lcpElement } = await page.evaluate(() => ({ lcp: window.__lcp, lcpElement: window.__lcpElement }));
  await context.close();
  return { bytes, responses, pngs, lcp, lcpElement };
}

const kb = (n) => `${(n / 1024).toFixed(0)} KB`;

async function main() {
  if (!binary) throw new Error("no binary: build with `cargo build --release -p atelier` or set ATELIER_BIN");
  const dir = mkdtempSync(join(tmpdir(), "atelier-weight-"));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = { ...process.env, ATELIER_DATA_DIR: join(dir, "data"), ATELIER_BIND: `127.0.0.1:${port}` };
  delete env.ATELIER_DATABASE_URL;
  delete env.ATELIER_BIN; // not a setting: the server would refuse an unknown key
  const started = Date.now();
  const server = spawn(binary, ["serve", "--demo"], { env, cwd: dir, stdio: ["ignore", "ignore", "ignore"] });
  server.on("exit", () => (exited = true));
  const browser = await launchBrowser();
  try {
    await waitFor(async () => (await fetch(`${base}/healthz`)).ok, "the server");
    // The first page of demo cards: the demo is still drawing the rest.
    let first;
    await waitFor(async () => {
      const body = await (await fetch(`${base}/api/v1/gallery?limit=24`)).json();
      const drawn = body.items.filter((i) => i.image_url);
      first = drawn[0];
      return drawn.length >= 24;
    }, "24 demo items");
    const detail = `${base}/g/${first.id}`;
    console.log(`binary: ${binary}`);
    console.log();
    console.log("| s after start | page | transferred | images | other | responses | PNG responses | LCP (Fast 3G) |");
    console.log("|---|---|---|---|---|---|---|---|");
    for (let round = 0; round < rounds; round++) {
      for (const [name, device, url, network] of [
        ["phone home", PHONE, base + "/", null],
        ["phone detail", PHONE, detail, null],
        ["desktop home", DESKTOP, base + "/", null],
        ["desktop detail", DESKTOP, detail, null],
        ["phone home, Fast 3G", PHONE, base + "/", FAST_3G],
        ["phone detail, Fast 3G", PHONE, detail, FAST_3G],
      ]) {
        const at = ((Date.now() - started) / 1000).toFixed(0);
        const m = await measure(browser, device, url, network);
        const lcp = network ? `${(m.lcp / 1000).toFixed(2)} s (${m.lcpElement})` : "";
        console.log(
          `| ${at} | ${name} | ${kb(m.bytes.total)} | ${kb(m.bytes.image)} | ${kb(m.bytes.other)} | ${m.responses} | ${m.pngs} | ${lcp} |`,
        );
      }
    }
  } finally {
    await browser.close();
    if (!exited) {
      server.kill("SIGTERM");
      await new Promise((r) => server.on("exit", r));
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
