// Starts a real Atelier instance for the browser tests: imports a sample of the real data with
// offline rendering, serves it on a free port, and drives Debian's Chromium with playwright-core.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, readdirSync, statSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import net from "node:net";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
export const repo = resolve(here, "../..");
export const artifacts = join(repo, "test-artifacts", "screenshots");
const binary = process.env.ATELIER_BIN || join(repo, "target", "debug", "atelier");
const sharedData = resolve(repo, "..", "shared", "data", "trending-prompts.json");

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

async function waitFor(check, what, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ""}`);
}

/** Imports `count` real posts and serves them. Returns { url, dataDir, cli, logs, stop }; the file mail
 * transport writes to `<dataDir>/outbox/`. `options.config` is written to `atelier.toml` in the
 * instance's working folder (models, a sign-up grant: what `--demo` would give, without drawing
 * its 2,400 demo images). */
export async function startInstance(count = 60, options = {}) {
  const dir = mkdtempSync(join(tmpdir(), "atelier-browser-"));
  if (options.config) writeFileSync(join(dir, "atelier.toml"), options.config);
  const sample = JSON.parse(readFileSync(sharedData, "utf8")).slice(0, count);
  const file = join(dir, "sample.json");
  writeFileSync(file, JSON.stringify(sample));
  const dataDir = join(dir, "data");
  const env = { ...process.env, ATELIER_DATA_DIR: dataDir, ATELIER_LOG__FORMAT: "json" };
  delete env.ATELIER_DATABASE_URL;
  execFileSync(binary, ["import", file, "--render-missing"], { env, cwd: dir, stdio: ["ignore", "ignore", "inherit"] });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(binary, ["serve"], {
    env: { ...env, ATELIER_BIND: `127.0.0.1:${port}` },
    cwd: dir,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let logs = "";
  child.stderr.on("data", (d) => (logs += d));
  await waitFor(async () => (await fetch(`${url}/healthz`)).ok, "the server");
  await waitFor(async () => {
    const body = await (await fetch(`${url}/api/v1/gallery?limit=1`)).json();
    return body.total === count;
  }, "the search index");
  // Thumbnails are made by background jobs: wait until the first ones are WebP.
  await waitFor(async () => {
    const body = await (await fetch(`${url}/api/v1/gallery?limit=3`)).json();
    for (const item of body.items) {
      const r = await fetch(item.thumb_url);
      if (r.headers.get("content-type") !== "image/webp") return false;
    }
    return true;
  }, "thumbnails");
  return {
    url,
    dataDir,
    /** Runs `atelier <args>` on this instance (its data folder and settings), as its operator. */
    cli: (args) => execFileSync(binary, args, { env, cwd: dir, encoding: "utf8" }),
    logs: () => logs,
    stop: () =>
      new Promise((ok) => {
        child.on("exit", () => ok());
        child.kill("SIGTERM");
      }),
  };
}

export async function launchBrowser() {
  const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export async function screenshot(page, name) {
  mkdirSync(artifacts, { recursive: true });
  // Wait for the images in view, so the picture shows what a person sees.
  await page.waitForFunction(() =>
    Array.from(document.images)
      .filter((i) => i.getBoundingClientRect().top < window.innerHeight)
      .every((i) => i.complete),
  );
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: false });
}

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1440, height: 900 };

/** Decodes a quoted-printable body (soft line breaks, `=XX` bytes) as UTF-8. */
function decodeQuotedPrintable(text) {
  const bytes = [];
  const soft = text.replace(/=\r?\n/g, "");
  for (let i = 0; i < soft.length; i++) {
    if (soft[i] === "=" && /^[0-9A-Fa-f]{2}$/.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(soft[i], "utf8"));
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

/** Reads one `.eml` of the file transport: `{ to, subject, text, code, link }` (the text part
 * decoded from quoted-printable or base64; `code` is its first run of exactly six digits). */
export function readMail(path) {
  const raw = readFileSync(path, "utf8");
  const [head] = raw.split(/\r?\n\r?\n/);
  const header = (name) => {
    const m = head.match(new RegExp(`^${name}: (.*(?:\\r?\\n[ \\t].*)*)`, "mi"));
    return m ? m[1].replace(/\r?\n[ \t]+/g, " ").trim() : "";
  };
  const boundary = (header("Content-Type").match(/boundary="?([^";]+)"?/) || [])[1];
  const parts = boundary ? raw.split(`--${boundary}`).slice(1, -1) : [raw];
  let text = "";
  for (const part of parts) {
    const [partHead, ...rest] = part.replace(/^\r?\n/, "").split(/\r?\n\r?\n/);
    if (!/content-type: text\/plain/i.test(partHead)) continue;
    const body = rest.join("\n\n");
    if (/transfer-encoding: quoted-printable/i.test(partHead)) text = decodeQuotedPrintable(body);
    else if (/transfer-encoding: base64/i.test(partHead)) text = Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
    else text = body;
  }
  const code = (text.match(/(?<!\d)\d{6}(?!\d)/) || [])[0];
  const link = (text.match(/https?:\/\/\S+\/login\/link\?token=[A-Za-z0-9_-]+/) || [])[0];
  return { to: header("To"), subject: header("Subject"), text, code, link };
}

/** The mail files in the outbox, oldest first. */
export function outbox(dataDir) {
  const dir = join(dataDir, "outbox");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith(".eml"))
    .map((name) => join(dir, name))
    .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs || a.localeCompare(b));
}

/** Waits for a mail to `to` that was not among `seen` (the paths before the request), and reads it. */
export async function nextMail(dataDir, to, seen = []) {
  let found;
  await waitFor(() => {
    found = outbox(dataDir)
      .filter((path) => !seen.includes(path))
      .map(readMail)
      .find((mail) => mail.to.includes(to));
    return Boolean(found);
  }, `a mail to ${to}`, 30000);
  return found;
}
