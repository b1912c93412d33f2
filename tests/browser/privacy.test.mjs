// The privacy pages in a real browser (P1, D3, D4, D7, D8): the banner until the policy is read,
// the policy, the privacy center with its marketing switch, the ZIP download, and an account
// deletion requested and withdrawn.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { startInstance, launchBrowser, screenshot, outbox, nextMail, PHONE, DESKTOP } from "./harness.mjs";

const CONFIG = `
[operator]
name = "Example Art Ltd"
contact_email = "privacy@example.org"
address = "1 Gallery Road, Springfield"

[retention]
ip_event_days = 30
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
  await page.goto(instance.url + "/login");
  const seen = outbox(instance.dataDir);
  await page.fill("#email", email);
  await Promise.all([page.waitForURL(/\/login$/), page.click("form[action='/login'] button[type=submit]")]);
  const mail = await nextMail(instance.dataDir, email, seen);
  await page.fill("#code", mail.code);
  await Promise.all([page.waitForURL(instance.url + "/"), page.click("form[action='/login/code'] button[type=submit]")]);
}

test("the banner until the policy is read, the privacy center, the ZIP, deletion and its withdrawal", async () => {
  const context = await browser.newContext({ viewport: DESKTOP, locale: "en-US", acceptDownloads: true });
  const page = await context.newPage();
  await signIn(page, "ada@example.com");

  const banner = page.locator(".policy-banner");
  assert.ok(await banner.isVisible(), "P1: a new user sees the banner");
  assert.match(await banner.textContent(), /privacy policy \(version 1\)/);
  await screenshot(page, "privacy-banner-desktop");

  await Promise.all([page.waitForURL(/\/privacy$/), banner.locator("a").click()]);
  assert.equal(await page.title(), "Privacy policy · Atelier");
  const policy = await page.textContent("main");
  for (const fact of ["Example Art Ltd", "1 Gallery Road, Springfield", "privacy@example.org", "deleted after 30 days", "Version 1, effective"]) {
    assert.ok(policy.includes(fact), `the policy says ${fact}`);
  }
  assert.equal(await page.locator(".policy-banner").count(), 0);
  await screenshot(page, "privacy-policy-desktop");
  await page.goto(instance.url + "/");
  assert.equal(await page.locator(".policy-banner").count(), 0, "gone once read");

  await page.goto(instance.url + "/settings");
  await Promise.all([page.waitForURL(/\/settings\/privacy$/), page.click("a.privacy-callout")]);
  assert.equal(await page.title(), "Privacy center · Atelier");
  assert.equal((await page.locator("[data-held=sessions]").textContent()).trim(), "1");
  await screenshot(page, "privacy-center-desktop");

  // D7: the marketing switch.
  assert.equal(await page.getAttribute("[data-marketing]", "data-marketing"), "off");
  await Promise.all([page.waitForURL(/done=marketing_on/), page.click("#mail button[type=submit]")]);
  assert.equal(await page.getAttribute("[data-marketing]", "data-marketing"), "on");
  assert.ok((await page.locator(".flash").textContent()).includes("You are subscribed"));
  const me = await page.evaluate(async () => (await fetch("/api/v1/me")).json());
  assert.equal(me.marketing_opt_in, true);

  // D3: deletion behind a confirmation page, then withdrawn.
  await Promise.all([page.waitForURL(/\/settings\/privacy\/delete$/), page.click("#delete a.button")]);
  assert.equal(await page.title(), "Delete your account? · Atelier");
  assert.ok((await page.textContent("main")).includes("cannot be undone"));
  await screenshot(page, "privacy-delete-confirm-desktop");
  const seen = outbox(instance.dataDir);
  await Promise.all([page.waitForURL(/done=deletion/), page.click("form[action='/settings/privacy/delete'] button")]);
  assert.match(await page.locator("#delete .deletion-pending").textContent(), /Your account will be deleted on \d{4}-\d{2}-\d{2}\./);
  await nextMail(instance.dataDir, "ada@example.com", seen);
  await page.locator("#delete").scrollIntoViewIfNeeded();
  await screenshot(page, "privacy-deletion-pending-desktop");
  await Promise.all([page.waitForURL(/done=withdrawn/), page.click("form[action='/settings/privacy/withdraw'] button")]);
  assert.equal(await page.locator(".deletion-pending").count(), 0);
  assert.ok((await page.locator(".flash").textContent()).includes("withdrawn"));

  await page.setViewportSize(PHONE);
  await page.goto(instance.url + "/settings/privacy");
  await screenshot(page, "privacy-center-phone");
  await page.locator("#recipients").scrollIntoViewIfNeeded();
  await screenshot(page, "privacy-recipients-phone");

  // D4: the whole ZIP, as the browser downloads it (with compression negotiated).
  await page.goto(instance.url + "/settings/privacy");
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export a.button")]);
  assert.match(download.suggestedFilename(), /^atelier-export-\d{4}-\d{2}-\d{2}\.zip$/);
  assert.equal(await download.failure(), null, "the download completes");
  const zip = readFileSync(await download.path());
  assert.equal(zip.subarray(0, 2).toString("latin1"), "PK", "a ZIP");
  await context.close();
});

test("the policy and the privacy center in Chinese, and the banner on a phone", async () => {
  const context = await browser.newContext({ viewport: PHONE, locale: "zh-CN" });
  const page = await context.newPage();
  await signIn(page, "mei@example.com");
  assert.ok(await page.locator(".policy-banner").isVisible());
  await screenshot(page, "privacy-banner-zh-phone");
  await page.goto(instance.url + "/privacy");
  assert.equal(await page.title(), "隐私政策 · Atelier");
  assert.ok((await page.textContent("main")).includes("30 天后删除"));
  await screenshot(page, "privacy-policy-zh-phone");
  await page.goto(instance.url + "/settings/privacy");
  assert.equal(await page.title(), "隐私中心 · Atelier");
  await screenshot(page, "privacy-center-zh-phone");
  await page.setViewportSize(DESKTOP);
  await page.emulateMedia({ colorScheme: "dark" });
  await screenshot(page, "privacy-center-zh-dark-desktop");
  await context.close();
});
