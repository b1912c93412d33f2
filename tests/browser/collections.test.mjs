// Favorites and boards in a real browser (G5, D2): a heart on the grid flips in place (JavaScript,
// no reload), "My favorites" lists it, a board made from the detail page, one's own generation
// added from its page, the share link with its warning, the shared page in a fresh browser (no
// session), and the board deleted while its items stay.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startInstance, launchBrowser, screenshot, outbox, nextMail, PHONE, DESKTOP } from "./harness.mjs";

const CONFIG = `[credits]
signup_grant = 100
[[models]]
id = "local"
name = "Atelier Local (demo)"
provider = "local"
`;

let instance;
let browser;

before(async () => {
  instance = await startInstance(12, { config: CONFIG });
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (instance) await instance.stop();
});

async function signIn(page, email) {
  await page.goto(instance.url + "/login?next=/");
  const seen = outbox(instance.dataDir);
  await page.fill("#email", email);
  await Promise.all([page.waitForURL(/\/login$/), page.click("form[action='/login'] button[type=submit]")]);
  const mail = await nextMail(instance.dataDir, email, seen);
  await page.fill("#code", mail.code);
  await Promise.all([page.waitForURL(instance.url + "/"), page.click("form[action='/login/code'] button[type=submit]")]);
}

const text = async (page, selector) => (await page.locator(selector).first().textContent()).replace(/\s+/g, " ").trim();

test("heart → my favorites → board from the detail page → share → shared page → delete", async () => {
  const context = await browser.newContext({ viewport: DESKTOP, locale: "en-US" });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await signIn(page, "collector@example.com");

  // The grid: hearts off; one click flips it without a reload, through the JSON API.
  assert.equal(await page.locator(".card .heart[aria-pressed=true]").count(), 0);
  await page.evaluate(() => { window.__noReload = true; });
  const heart = page.locator(".card form.fav button").first();
  const [api] = await Promise.all([
    page.waitForResponse((r) => r.url().includes("/api/v1/favorites/") && r.request().method() === "PUT"),
    heart.click(),
  ]);
  assert.equal(api.status(), 204);
  await page.waitForSelector(".card .heart.on[aria-pressed=true]");
  assert.equal(await page.evaluate(() => window.__noReload), true, "no page load");
  await screenshot(page, "favorites-heart-desktop");

  // My favorites, from the header.
  await Promise.all([page.waitForURL(/\/favorites$/), page.click(".nav a[href='/favorites']")]);
  assert.equal(await page.title(), "My favorites · Atelier");
  assert.equal(await page.locator(".grid .card").count(), 1);
  await screenshot(page, "favorites-desktop");
  await page.setViewportSize(PHONE);
  await screenshot(page, "favorites-phone");
  await page.setViewportSize(DESKTOP);

  // The detail page: hearted, with its count; a new board from here.
  await Promise.all([page.waitForURL(/\/g\//), page.locator(".grid .card .card-link").first().click()]);
  assert.equal(await text(page, ".detail-fav .fav-count"), "1 in favorites");
  await page.fill(".add-board input[name=new_board_name]", "Evening light");
  await Promise.all([page.waitForURL(/\/boards\/[A-Za-z0-9_-]+$/), page.click(".add-board button[type=submit]")]);
  const boardUrl = page.url();
  assert.equal(await text(page, "h1"), "Evening light");
  assert.equal(await page.locator(".grid .card").count(), 1);

  // One's own generation, added from its page.
  const id = await page.evaluate(async () => {
    const r = await fetch("/api/v1/generations", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ prompt: "a quiet harbor at dusk", model: "local" }) });
    return (await r.json()).id;
  });
  for (let i = 0; i < 150; i++) {
    const status = await page.evaluate(async (id) => (await (await fetch("/api/v1/generations/" + id)).json()).status, id);
    if (status === "succeeded") break;
    assert.notEqual(status, "failed");
    await new Promise((r) => setTimeout(r, 200));
  }
  await page.goto(instance.url + "/generations/" + id);
  await page.selectOption(".add-board select[name=board_id]", { label: "Evening light" });
  await Promise.all([page.waitForURL(boardUrl), page.click(".add-board button[type=submit]")]);
  assert.equal(await page.locator(".gen-card").count(), 1);
  assert.equal(await text(page, ".gen-card .gen-shared"), "Not on the shared page");

  // Share: the warning about one's own generations; then show this one.
  await page.click("form[action$='/share'] button");
  await page.waitForSelector("#share-url");
  assert.match(await text(page, "[data-share-warning]"), /only those marked “show on the shared page” appear/);
  await Promise.all([page.waitForURL(boardUrl), page.click(".gen-card form[action*='/generations/'] button")]);
  assert.equal(await text(page, ".gen-card .gen-shared"), "Shown on the shared page");
  await page.locator("#share-url").scrollIntoViewIfNeeded();
  await screenshot(page, "board-desktop");
  await page.setViewportSize(PHONE);
  await page.locator("#share-url").scrollIntoViewIfNeeded();
  await screenshot(page, "board-phone");
  const shareUrl = await page.inputValue("#share-url");
  assert.match(shareUrl, /\/b\/[A-Za-z0-9_-]{16,}$/);

  // The shared page in a fresh browser: no session, nothing of the owner.
  const visitor = await browser.newContext({ viewport: PHONE, locale: "en-US" });
  const shared = await visitor.newPage();
  const r = await shared.goto(shareUrl);
  assert.equal(r.status(), 200);
  assert.equal(r.headers()["cache-control"], "no-store");
  assert.equal(await text(shared, "h1"), "Evening light");
  assert.equal(await shared.locator(".grid .card:not(.gen-card)").count(), 1);
  assert.equal(await shared.locator(".gen-card").count(), 1);
  assert.ok(await shared.locator(".gen-card img").evaluate((img) => img.complete && img.naturalWidth > 0), "the generated image loads");
  assert.ok(!(await shared.content()).includes("collector"), "no owner details");
  await screenshot(shared, "board-shared-phone");
  await shared.setViewportSize(DESKTOP);
  await screenshot(shared, "board-shared-desktop");

  // Delete the board behind its confirmation; the favorite stays.
  await page.setViewportSize(DESKTOP);
  await Promise.all([page.waitForURL(/\/delete$/), page.click("a.button.danger[href$='/delete']")]);
  assert.match(await text(page, ".warning"), /are not deleted/);
  await screenshot(page, "board-delete-desktop");
  await Promise.all([page.waitForURL(/\/boards$/), page.click(".confirm-actions button[type=submit]")]);
  assert.equal(await page.locator(".board-card").count(), 0);
  assert.equal((await shared.goto(shareUrl)).status(), 404);
  await page.goto(instance.url + "/favorites");
  assert.equal(await page.locator(".grid .card").count(), 1);
  assert.deepEqual(errors, []);
  await visitor.close();
  await context.close();
});
