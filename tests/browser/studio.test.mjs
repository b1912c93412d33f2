// The studio and the generation records in a real browser (G1, G3, G6, G9, U4, R7): a reference
// uploaded in place, the choices narrowed by the model, the price and the provider notice before
// the click, the record updating itself until its images come, "My generations", "use again",
// deletion behind its confirmation — and the same without JavaScript.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startInstance, launchBrowser, screenshot, outbox, nextMail, PHONE, DESKTOP } from "./harness.mjs";

// The offline model and a sign-up grant, as `--demo` gives them, plus a model of a third-party
// provider that is never called here (it shows how the page changes with the model).
const CONFIG = `[credits]
signup_grant = 100
[providers.openai]
api_key = "sk-never-used"
base_url = "http://127.0.0.1:9"
[[models]]
id = "local"
name = "Atelier Local (demo)"
provider = "local"
max_reference_images = 4
description = "Offline demo generator: draws landscapes from your prompt on this server."
[[models]]
id = "gpt-image-1"
name = "GPT Image"
provider = "openai"
credits_per_image = 3
aspects = ["1:1", "16:9"]
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

test("studio → generation → my generations → use again → delete, with JavaScript", async () => {
  const context = await browser.newContext({ viewport: DESKTOP, locale: "en-US" });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await signIn(page, "studio@example.com");

  // The studio: the default model with its demo label, its notice and the price.
  assert.equal(await page.title(), "Studio · Atelier");
  assert.equal(await text(page, ".nav .credits"), "100 credits");
  assert.equal(await text(page, "label.model-option:has(input[value=local]) .badge.demo"), "Demo");
  assert.equal(await text(page, "p[data-price]"), "1 credit · you have 100");
  assert.equal(await text(page, "[data-notice-text]"), "Your prompt and reference images are processed on this server; nothing leaves it.");
  assert.ok(await page.locator(".ref-add").isVisible(), "the upload tile");
  assert.ok(!(await page.locator("button[data-upload-submit]").isVisible()), "no upload button with the script");
  await screenshot(page, "studio-empty-desktop");

  // Another model narrows the aspects, has no room for references, costs more and names its provider (U4).
  await page.click("label.model-option:has(input[value='gpt-image-1'])");
  assert.deepEqual(await page.locator("[data-aspects] input").evaluateAll((i) => i.map((x) => x.value)), ["1:1", "16:9"]);
  assert.equal(await text(page, "p[data-price]"), "3 credits · you have 100");
  assert.equal(await text(page, "[data-notice-text]"),
    "Your prompt and reference images are sent to OpenAI to make the images. Don't include anything confidential.");
  assert.equal(await text(page, "[data-refs-hint]"), "This model takes no reference images.");
  await page.click("label.model-option:has(input[value=local])");
  assert.equal(await page.locator("[data-aspects] input").count(), 10);

  // A reference uploaded in place (fetch to /api/v1/uploads), its preview ticked.
  await page.setInputFiles("#ref-file", reference);
  await page.waitForSelector("label.ref input[name=ref]", { state: "attached" });
  const ref = page.locator("label.ref input[name=ref]").first();
  assert.ok(await ref.isChecked(), "the new upload is ticked");
  await page.waitForFunction(() => { const i = document.querySelector("label.ref img"); return i && i.complete && i.naturalWidth > 0; });
  const refId = await ref.getAttribute("value");

  await page.fill("#prompt", "A lighthouse on a cliff at dusk, oil painting, warm light, gentle waves");
  assert.equal(await text(page, "[data-counter]"), "71 / 4000");
  await page.click("label.pill:has(input[name=aspect][value='3:4'])");
  await page.click("label.pill:has(input[name=count][value='2'])");
  assert.equal(await text(page, "p[data-price]"), "2 credits · you have 100");
  await screenshot(page, "studio-desktop");
  await page.setViewportSize(PHONE);
  await screenshot(page, "studio-phone");
  // Phones: the places are in the menu beside the avatar.
  assert.ok(!(await page.locator(".nav").isVisible()));
  await page.click("details.menu summary");
  assert.ok(await page.locator(".menu-panel a[href='/generations']").isVisible());
  assert.equal(await text(page, ".menu-credits"), "100 credits");
  await screenshot(page, "menu-phone");
  await page.keyboard.press("Escape");
  assert.ok(!(await page.locator(".menu-panel").isVisible()));
  await page.locator("#generate").scrollIntoViewIfNeeded();
  await screenshot(page, "studio-submit-phone");
  await page.setViewportSize(DESKTOP);

  await Promise.all([page.waitForURL(/\/generations\/[A-Za-z0-9_-]+$/), page.click("button.generate")]);
  const recordUrl = page.url();
  // Caught while it runs (the offline generator is quick): the spinner and "updates itself".
  if (await page.locator(".progress").count()) await screenshot(page, "generation-progress-desktop");
  // The page polls the API and shows the images when they come.
  await page.waitForSelector(".result img", { timeout: 30000 });
  await page.waitForFunction(() => Array.from(document.querySelectorAll(".result img")).every((i) => i.complete && i.naturalWidth > 0));
  assert.equal(await page.locator(".result img").count(), 2);
  const [w, h] = await page.locator(".result img").first().evaluate((i) => [i.naturalWidth, i.naturalHeight]);
  assert.ok(Math.abs(w / h - 3 / 4) < 0.02, `3:4, got ${w}×${h}`);
  assert.equal(await text(page, ".status-line .status"), "Done");
  assert.equal(await text(page, ".params dd:nth-of-type(5)"), "2", "credits charged");
  assert.equal(await page.locator(".result a[download]").count(), 2);
  assert.equal(await page.locator(`.ref-strip img[src='/img/up/${refId}/w320']`).count(), 1);
  assert.equal(await text(page, ".nav .credits"), "98 credits");
  await screenshot(page, "generation-desktop");
  await page.setViewportSize(PHONE);
  await screenshot(page, "generation-phone");
  await page.setViewportSize(DESKTOP);

  // My generations.
  await Promise.all([page.waitForURL(/\/generations$/), page.click(".nav a[href='/generations']")]);
  assert.equal(await page.locator(".record-card").count(), 1);
  assert.match(await text(page, ".record-card"), /A lighthouse on a cliff.*Atelier Local \(demo\).*2 images/);
  await page.waitForFunction(() => Array.from(document.querySelectorAll(".record-card img")).every((i) => i.complete && i.naturalWidth > 0));
  await screenshot(page, "generations-desktop");
  await page.setViewportSize(PHONE);
  await screenshot(page, "generations-phone");
  await page.setViewportSize(DESKTOP);

  // Use again: the studio with the prompt, the model and the aspect.
  await Promise.all([page.waitForURL(recordUrl), page.click(".record-card a")]);
  await Promise.all([page.waitForURL(/\/studio\?prompt=/), page.click("a:text('Use again')")]);
  assert.equal(await page.inputValue("#prompt"), "A lighthouse on a cliff at dusk, oil painting, warm light, gentle waves");
  assert.ok(await page.locator("input[name=aspect][value='3:4']").isChecked());
  assert.ok(await page.locator("input[name=model][value=local]").isChecked());

  // Delete: a confirmation that says it is permanent and offers the downloads first (R7).
  await page.goto(recordUrl);
  await Promise.all([page.waitForURL(/\/delete$/), page.click("a.button.danger")]);
  assert.equal(await page.title(), "Delete this generation? · Atelier");
  assert.equal(await text(page, ".warning-title"), "Deletion is permanent and cannot be undone.");
  assert.equal(await page.locator(".downloads a[download]").count(), 2);
  const download = page.waitForEvent("download");
  await page.click(".downloads a[download] >> nth=0");
  assert.match((await download).suggestedFilename(), /^atelier-.+-1\.(png|jpg|webp)$/);
  await screenshot(page, "generation-delete-desktop");
  await page.setViewportSize(PHONE);
  await screenshot(page, "generation-delete-phone");
  await Promise.all([page.waitForURL(/\/generations\?deleted=1$/), page.click("button.solid-danger")]);
  assert.equal(await text(page, ".flash"), "The generation was deleted for good.");
  assert.equal(await page.locator(".record-card").count(), 0);
  await screenshot(page, "generations-empty-phone");
  const gone = await page.goto(recordUrl);
  assert.equal(gone.status(), 404);
  assert.deepEqual(errors, [], "no script errors");
  await context.close();
});

test("the same without JavaScript: upload with the form, generate, the page refreshes itself", async () => {
  const context = await browser.newContext({ viewport: PHONE, locale: "en-US", javaScriptEnabled: false });
  const page = await context.newPage();
  await signIn(page, "nojs@example.com");
  assert.ok(await page.locator("button[data-upload-submit]").isVisible(), "the upload button without the script");
  await page.fill("#prompt", "Misty mountains at sunrise");
  await page.setInputFiles("#ref-file", reference);
  await Promise.all([page.waitForURL(/uploaded=1/), page.click("button[data-upload-submit]")]);
  assert.equal(await text(page, ".flash"), "Your image was uploaded.");
  assert.equal(await page.inputValue("#prompt"), "Misty mountains at sunrise");
  assert.ok(await page.locator("label.ref input[name=ref]").first().isChecked());
  await screenshot(page, "studio-nojs-phone");
  await page.click("label.pill:has(input[name=aspect][value='16:9'])");
  await Promise.all([page.waitForURL(/\/generations\/[A-Za-z0-9_-]+$/), page.click("button.generate")]);
  if (await page.locator(".progress").count()) {
    assert.equal(await page.locator("meta[http-equiv=refresh]").count(), 1);
    await screenshot(page, "generation-progress-nojs-phone");
  }
  // <meta http-equiv=refresh> reloads every 3 s until the images are there.
  await page.waitForSelector(".result img", { timeout: 30000 });
  assert.equal(await page.locator(".result img").count(), 1);
  await context.close();
});

test("the studio and the records in Chinese, and the gallery's “use this prompt”", async () => {
  const context = await browser.newContext({ viewport: PHONE, locale: "zh-CN" });
  const page = await context.newPage();
  await signIn(page, "mei@example.com");
  assert.equal(await page.title(), "创作室 · Atelier");
  assert.equal(await text(page, "[data-notice-text]"), "你的提示词和参考图片在本服务器上处理，不会离开本服务器。");
  await screenshot(page, "studio-zh-phone");
  await page.emulateMedia({ colorScheme: "dark" });
  await page.goto(instance.url + "/generations");
  assert.equal(await text(page, ".empty-state h2"), "你还没有生成过图片。");
  await screenshot(page, "generations-empty-zh-dark-phone");
  await page.emulateMedia({ colorScheme: "light" });

  const item = (await (await fetch(instance.url + "/api/v1/gallery?limit=1")).json()).items[0];
  await page.goto(instance.url + "/g/" + item.id);
  await Promise.all([page.waitForURL(/\/studio\?prompt=/), page.click(".use-prompt a")]);
  assert.equal(await page.inputValue("#prompt"), item.prompt);
  await context.close();
});
