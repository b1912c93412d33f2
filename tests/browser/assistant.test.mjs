// The assistant in a real browser (G4, U4, C9, D6): "Enhance prompt" in the studio with the
// suggestion beside the prompt, "Describe" on an uploaded image, AI Edit of that image to black
// and white with its result page, the history in the settings and its deletion — and enhance
// without JavaScript.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startInstance, launchBrowser, screenshot, outbox, nextMail, PHONE, DESKTOP } from "./harness.mjs";

// The offline model and assistant and a sign-up grant, as `--demo` gives them.
const CONFIG = `[credits]
signup_grant = 100
[[models]]
id = "local"
name = "Atelier Local (demo)"
provider = "local"
max_reference_images = 4
description = "Offline demo generator: draws landscapes from your prompt on this server."
`;

let instance;
let browser;
let reference;

before(async () => {
  instance = await startInstance(12, { config: CONFIG });
  browser = await launchBrowser();
  // A real photo-like image to upload: one of the gallery's originals.
  const item = (await (await fetch(instance.url + "/api/v1/gallery?limit=1")).json()).items[0];
  const response = await fetch(item.image_url);
  reference = {
    name: "reference." + (response.headers.get("content-type").includes("png") ? "png" : "jpg"),
    mimeType: response.headers.get("content-type"),
    buffer: Buffer.from(await response.arrayBuffer()),
  };
});

after(async () => {
  if (browser) await browser.close();
  if (instance) await instance.stop();
});

async function signIn(page, email) {
  await page.goto(instance.url + "/login?next=/studio");
  const seen = outbox(instance.dataDir);
  await page.fill("#email", email);
  await Promise.all([page.waitForURL(/\/login$/), page.click("form[action='/login'] button[type=submit]")]);
  const mail = await nextMail(instance.dataDir, email, seen);
  await page.fill("#code", mail.code);
  await Promise.all([page.waitForURL(/\/studio$/), page.click("form[action='/login/code'] button[type=submit]")]);
}

const text = async (page, selector) => (await page.locator(selector).first().textContent()).replace(/\s+/g, " ").trim();

test("enhance, describe, edit and the history, with JavaScript", async () => {
  const context = await browser.newContext({ viewport: DESKTOP, locale: "en-US" });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await signIn(page, "assistant@example.com");

  // U4: who answers, before the click; enhancing is free here, so no price.
  assert.equal(await text(page, ".assist-note"), "Answered on this server; nothing leaves it.");

  // An empty prompt is refused in words, without a round trip.
  await page.click("button[data-enhance]");
  assert.equal(await text(page, "#studio-error"), "Write a prompt of 1 to 4,000 characters.");

  // Enhance in place: the suggestion beside the prompt as written; "Use suggestion" takes it.
  await page.fill("#prompt", "a lighthouse");
  await page.click("label.pill:has(input[name=aspect][value='3:4'])");
  await page.click("button[data-enhance]");
  await page.waitForSelector("[data-suggestion]:not([hidden])");
  assert.ok(!(await page.locator("#studio-error").isVisible()), "the error is gone");
  assert.equal(await text(page, "[data-original]"), "a lighthouse");
  const suggestion = await text(page, "[data-suggested]");
  assert.match(suggestion, /^a lighthouse.{10,}/i);
  assert.equal(page.url(), instance.url + "/studio", "no page load");
  await screenshot(page, "assistant-enhance-desktop");
  await page.setViewportSize(PHONE);
  await page.locator("[data-suggestion]").scrollIntoViewIfNeeded();
  await screenshot(page, "assistant-enhance-phone");
  await page.setViewportSize(DESKTOP);
  await page.click("[data-accept]");
  assert.ok(!(await page.locator("[data-suggestion]").isVisible()));
  assert.equal((await page.inputValue("#prompt")).replace(/\s+/g, " ").trim(), suggestion);
  assert.equal(await text(page, "[data-studio-flash]"), "The suggestion is now your prompt.");
  assert.ok(await page.locator("input[name=aspect][value='3:4']").isChecked(), "the choices kept");

  // Describe an uploaded image: the prompt describes it.
  await page.setInputFiles("#ref-file", reference);
  await page.waitForSelector(".ref-item button[data-describe]");
  const upload = await page.locator(".ref-item input[name=ref]").first().getAttribute("value");
  await page.waitForFunction(() => { const i = document.querySelector(".ref-item img"); return i && i.complete && i.naturalWidth > 0; });
  await page.click(`button[data-describe][value='${upload}']`);
  await page.waitForFunction(() => /describes your image/.test(document.querySelector("[data-studio-flash]").textContent));
  const described = await page.inputValue("#prompt");
  assert.ok(described.length > 20 && described !== suggestion, described);
  assert.equal(page.url(), instance.url + "/studio", "no page load");
  await page.locator("#references").scrollIntoViewIfNeeded();
  await screenshot(page, "assistant-describe-desktop");
  await page.setViewportSize(PHONE);
  await page.locator("#references").scrollIntoViewIfNeeded();
  await screenshot(page, "assistant-describe-phone");
  await page.setViewportSize(DESKTOP);

  // AI Edit of that image: an example fills the instruction; the price and the notice before the click.
  await Promise.all([page.waitForURL(/\/edit\?upload=/), page.click(`.ref-item a[href='/edit?upload=${upload}']`)]);
  assert.equal(await page.title(), "Edit with AI · Atelier");
  assert.equal(await text(page, ".edit-panel .price"), "1 credit · you have 100");
  assert.equal(await text(page, ".edit-panel .u4"), "Edited on this server by the offline demo editor; nothing leaves it.");
  await page.click("a[data-example='black and white']");
  assert.equal(await page.inputValue("#instruction"), "black and white");
  assert.match(page.url(), /\/edit\?upload=[^&]+$/, "the example filled the field in place");
  await screenshot(page, "assistant-edit-desktop");
  await page.setViewportSize(PHONE);
  await screenshot(page, "assistant-edit-phone");
  await page.setViewportSize(DESKTOP);
  await Promise.all([page.waitForURL(/\/generations\/[A-Za-z0-9_-]+$/), page.click("button.generate")]);
  await page.waitForSelector(".result img", { timeout: 30000 });
  await page.waitForFunction(() => Array.from(document.querySelectorAll(".result img")).every((i) => i.complete && i.naturalWidth > 0));
  assert.equal(await text(page, ".status-line .status"), "Done");
  assert.equal(await text(page, "#prompt-text"), "black and white");
  // The result is grey: red, green and blue agree in every sampled pixel.
  const grey = await page.locator(".result img").first().evaluate((img) => {
    const canvas = document.createElement("canvas");
    canvas.width = 32;
    canvas.height = 32;
    const ctx = canvas.getContext("2d");
    ctx.drawImage(img, 0, 0, 32, 32);
    const d = ctx.getImageData(0, 0, 32, 32).data;
    let worst = 0;
    for (let i = 0; i < d.length; i += 4) worst = Math.max(worst, Math.abs(d[i] - d[i + 1]), Math.abs(d[i + 1] - d[i + 2]));
    return worst;
  });
  assert.ok(grey <= 6, `grey, channels apart by ${grey}`);
  assert.equal(await text(page, ".nav .credits"), "99 credits");
  assert.equal(await page.locator(".result a[href^='/edit?image=']").count(), 1, "the result can be edited again");
  await screenshot(page, "assistant-edit-result-desktop");

  // The history in the settings: every call, then deleted on request.
  await page.goto(instance.url + "/settings#assistant");
  assert.equal(await page.locator(".assistant-logs .row").count(), 3);
  assert.match(await text(page, ".assistant-logs"), /Edit your upload · “black and white” → the result/);
  assert.match(await text(page, ".assistant-logs"), /Enhance a lighthouse →/);
  assert.match(await text(page, "#assistant .hint"), /kept 90 days/);
  await page.locator("#assistant").scrollIntoViewIfNeeded();
  await screenshot(page, "assistant-history-desktop");
  await page.setViewportSize(PHONE);
  await page.locator("#assistant").scrollIntoViewIfNeeded();
  await screenshot(page, "assistant-history-phone");
  await page.setViewportSize(DESKTOP);
  await Promise.all([page.waitForURL(/saved=assistant_deleted/), page.click("form[action='/settings/assistant-logs/delete'] button")]);
  assert.equal(await text(page, ".flash"), "Your assistant history was deleted.");
  assert.equal(await page.locator(".assistant-logs .row").count(), 0);
  assert.equal(await text(page, "[data-assistant-empty]"), "No assistant calls yet.");
  assert.deepEqual(errors, [], "no script errors");
  await context.close();
});

test("enhance without JavaScript: the studio comes back with the suggestion", async () => {
  const context = await browser.newContext({ viewport: PHONE, locale: "en-US", javaScriptEnabled: false });
  const page = await context.newPage();
  await signIn(page, "assistant-nojs@example.com");
  await page.fill("#prompt", "a fox in the snow");
  await page.click("label.pill:has(input[name=aspect][value='16:9'])");
  await Promise.all([page.waitForURL(/\/studio\/enhance$/), page.click("button[data-enhance]")]);
  assert.ok(await page.locator("[data-suggestion]").isVisible());
  assert.equal(await text(page, "[data-original]"), "a fox in the snow");
  const suggestion = await text(page, "[data-suggested]");
  await page.locator("[data-suggestion]").scrollIntoViewIfNeeded();
  await screenshot(page, "assistant-enhance-nojs-phone");
  await Promise.all([page.waitForURL(/\/studio\?prompt=/), page.click("[data-accept]")]);
  assert.equal((await page.inputValue("#prompt")).replace(/\s+/g, " ").trim(), suggestion);
  assert.ok(await page.locator("input[name=aspect][value='16:9']").isChecked(), "the choices kept");
  await context.close();
});
