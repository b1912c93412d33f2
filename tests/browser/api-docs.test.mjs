// The API reference in a real browser (issue 16): reached from the footer, rendered by the server
// from the OpenAPI document, its $ref links jump to the schemas, and it loads nothing from
// elsewhere and runs no script of its own.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startInstance, launchBrowser, screenshot, PHONE, DESKTOP } from "./harness.mjs";

let instance;
let browser;

before(async () => {
  instance = await startInstance(6);
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (instance) await instance.stop();
});

test("the footer's API link opens the reference; a $ref link shows its schema", async () => {
  const context = await browser.newContext({ viewport: DESKTOP, locale: "en-US" });
  const page = await context.newPage();
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  await page.goto(instance.url + "/");
  await Promise.all([page.waitForURL(/\/api\/docs$/), page.click("footer.foot a:text-is('API')")]);
  assert.equal(await page.title(), "API reference · Atelier");
  assert.ok(await page.locator("h1", { hasText: "API reference" }).isVisible());

  // The gallery operation, with its credentials and answers.
  const gallery = page.locator("#listGalleryItems");
  assert.ok(await gallery.isVisible());
  assert.match(await gallery.locator(".api-op-line").textContent(), /GET\s+\/api\/v1\/gallery/);
  assert.ok(await gallery.locator(".api-badge.public").isVisible(), "the gallery is public");
  assert.ok((await gallery.textContent()).includes("next_cursor") || (await gallery.locator("td code", { hasText: "cursor" }).count()) > 0);
  const me = page.locator("#getAccount");
  assert.deepEqual(await me.locator("a.api-badge").allTextContents(), ["Bearer token", "Cookie atelier_session"]);
  await screenshot(page, "api-docs-desktop");

  // The Error schema, and a $ref that leads there.
  const error = page.locator("#schema-Error");
  assert.equal(await error.locator("h3").textContent(), "Error");
  const ref = page.locator("#getGalleryItem a[href='#schema-Error']").first();
  await ref.scrollIntoViewIfNeeded();
  await ref.click();
  await page.waitForURL(/#schema-Error$/);
  assert.ok(await error.isVisible(), "the schema is in view");
  const top = await error.evaluate((el) => el.getBoundingClientRect().top);
  assert.ok(top >= 0 && top < 200, `scrolled to the schema (top ${top})`);
  assert.ok((await error.locator("td code", { hasText: "error" }).count()) > 0, "its property");
  await screenshot(page, "api-docs-schema-desktop");

  // From the contents to an operation.
  await page.click(".api-side a[href='#createGeneration']");
  await page.waitForURL(/#createGeneration$/);
  assert.ok(await page.locator("#createGeneration h4", { hasText: "Request body" }).isVisible());
  await screenshot(page, "api-docs-operation-desktop");

  // Nothing but this instance was asked, and the page has no script beyond the site's own.
  const origin = new URL(instance.url).origin;
  assert.deepEqual(requests.filter((u) => new URL(u).origin !== origin), []);
  const scripts = await page.$$eval("script", (s) => s.map((x) => x.getAttribute("src")));
  assert.ok(scripts.every((src) => src && src.startsWith("/assets/")), JSON.stringify(scripts));
  await context.close();
});

test("on a phone the contents fold away and nothing is wider than the screen", async () => {
  const context = await browser.newContext({ viewport: PHONE, locale: "en-US" });
  const page = await context.newPage();
  await page.goto(instance.url + "/api/docs");
  assert.equal(await page.locator(".api-side").isVisible(), false);
  const toc = page.locator("details.api-toc-phone");
  assert.ok(await toc.isVisible());
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no sideways scroll (${overflow}px)`);
  await screenshot(page, "api-docs-phone");
  await toc.locator(":scope > summary").click();
  await screenshot(page, "api-docs-contents-phone");
  await Promise.all([page.waitForURL(/#listGalleryItems$/), toc.locator("a[href='#listGalleryItems']").click()]);
  await screenshot(page, "api-docs-operation-phone");
  await page.goto(instance.url + "/api/docs#createGeneration");
  await page.locator("#createGeneration .api-responses").scrollIntoViewIfNeeded();
  await screenshot(page, "api-docs-responses-phone");
  await page.goto(instance.url + "/api/docs#schema-GalleryItemJson");
  await screenshot(page, "api-docs-schema-phone");
  await context.close();
});

test("in Chinese the site's chrome follows the language, the reference stays English", async () => {
  const context = await browser.newContext({ viewport: PHONE, locale: "zh-CN" });
  const page = await context.newPage();
  await page.goto(instance.url + "/api/docs");
  assert.equal(await page.getAttribute("html", "lang"), "zh-CN");
  assert.equal(await page.getAttribute(".api-docs", "lang"), "en");
  assert.equal(await page.locator("footer.foot a[href='/api/docs']").count(), 1);
  await screenshot(page, "api-docs-zh-phone");
  await context.close();
});
