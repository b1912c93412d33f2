// The public gallery in a real browser (issue: gallery and search, G1, G2, G9).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startInstance, launchBrowser, screenshot, PHONE, DESKTOP } from "./harness.mjs";

let instance;
let browser;

before(async () => {
  instance = await startInstance(60);
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (instance) await instance.stop();
});

async function newPage(viewport = DESKTOP, locale = "en-US") {
  const context = await browser.newContext({ viewport, locale });
  return { context, page: await context.newPage() };
}

test("the grid loads with real images at phone and desktop widths", async () => {
  for (const [name, viewport] of [["phone", PHONE], ["desktop", DESKTOP]]) {
    const { context, page } = await newPage(viewport);
    await page.goto(instance.url + "/");
    const cards = page.locator(".card");
    assert.ok((await cards.count()) >= 20, "a page of cards");
    await page.waitForFunction(() => {
      const imgs = Array.from(document.querySelectorAll(".card img")).slice(0, 4);
      return imgs.length === 4 && imgs.every((i) => i.complete && i.naturalWidth > 0);
    });
    // Masonry columns were built by the script.
    const columns = await page.locator(".masonry-col").count();
    assert.ok(columns >= 2, `masonry columns: ${columns}`);
    await screenshot(page, `home-${name}`);
    await context.close();
  }
});

test("a search narrows the results and highlights the words", async () => {
  const { context, page } = await newPage();
  await page.goto(instance.url + "/");
  const before = await page.locator(".card").count();
  await page.fill("#q", "coffee");
  await Promise.all([page.waitForURL(/q=coffee/), page.press("#q", "Enter")]);
  const after = await page.locator(".card").count();
  assert.ok(after > 0 && after < before, `search narrows: ${after} of ${before}`);
  assert.ok((await page.locator(".card mark").count()) > 0, "matches are highlighted");
  await screenshot(page, "search-desktop");
  await context.close();
});

test("infinite scroll appends the next page", async () => {
  const { context, page } = await newPage(PHONE);
  await page.goto(instance.url + "/");
  const first = await page.locator(".card").count();
  for (let i = 0; i < 10 && (await page.locator(".card").count()) === first; i++) {
    await page.mouse.wheel(0, 20000);
    await page.waitForTimeout(300);
  }
  const more = await page.locator(".card").count();
  assert.ok(more > first, `more cards after scrolling: ${first} -> ${more}`);
  await context.close();
});

test("the detail page shows the prompt, attribution, and copies the prompt", async () => {
  const { context, page } = await newPage();
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: instance.url });
  await page.goto(instance.url + "/");
  await Promise.all([page.waitForURL(/\/g\//), page.locator(".card a").first().click()]);
  const prompt = (await page.locator("#prompt-text").textContent()).trim();
  assert.ok(prompt.length > 20, "the full prompt is shown");
  const original = page.locator("a", { hasText: "View the original post" });
  assert.match(await original.getAttribute("href"), /^https:\/\/x\.com\/.+\/status\//);
  assert.ok((await page.locator(".byline").textContent()).includes("@"), "the creator is credited");
  await page.click("button.copy");
  await page.waitForFunction(() => document.querySelector("button.copy").classList.contains("ok"));
  const clipboard = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(clipboard.trim(), prompt);
  await screenshot(page, "detail-desktop");
  await page.setViewportSize(PHONE);
  await screenshot(page, "detail-phone");
  await context.close();
});

test("the language switch changes the interface and is remembered", async () => {
  const { context, page } = await newPage();
  await page.goto(instance.url + "/");
  assert.equal(await page.getAttribute("html", "lang"), "en");
  await Promise.all([page.waitForNavigation(), page.selectOption("#lang-select", "zh-CN")]);
  assert.equal(await page.getAttribute("html", "lang"), "zh-CN");
  assert.equal((await page.locator(".search button").textContent()).trim(), "搜索");
  await page.goto(instance.url + "/?q=photo");
  assert.equal(await page.getAttribute("html", "lang"), "zh-CN", "kept in a cookie");
  await screenshot(page, "home-zh-desktop");
  await context.close();
});

test("a Chinese browser gets Chinese pages, and unknown pages a friendly 404", async () => {
  const { context, page } = await newPage(PHONE, "zh-CN");
  const response = await page.goto(instance.url + "/g/does-not-exist");
  assert.equal(response.status(), 404);
  assert.equal(await page.getAttribute("html", "lang"), "zh-CN");
  assert.ok((await page.textContent("main")).includes("返回画廊"));
  await screenshot(page, "not-found-phone-zh");
  await context.close();
});
