// Accounts in a real browser (C1, C3, D1, G9): sign-in with the code from the outbox's .eml,
// settings, a token shown once, sign-out everywhere, and magic links in the same and another browser.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startInstance, launchBrowser, screenshot, outbox, nextMail, PHONE, DESKTOP } from "./harness.mjs";

let instance;
let browser;

before(async () => {
  instance = await startInstance(24);
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

/** Asks for a sign-in mail on the open /login page and returns the mail. */
async function askForMail(page, email) {
  const seen = outbox(instance.dataDir);
  await page.fill("#email", email);
  await Promise.all([page.waitForURL(/\/login$/), page.click("form[action='/login'] button[type=submit]")]);
  return nextMail(instance.dataDir, email, seen);
}

test("sign in with the emailed code, edit settings, create a token, sign out everywhere", async () => {
  const { context, page } = await newPage(DESKTOP);
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: instance.url });
  await page.goto(instance.url + "/");
  await Promise.all([page.waitForURL(/\/login\?next=%2F|\/login\?next=\//), page.click("a.signin")]);
  assert.equal(await page.title(), "Sign in to Atelier · Atelier");
  await screenshot(page, "login-desktop");

  const mail = await askForMail(page, "ada@example.com");
  assert.match(mail.subject, /^\d{6} is your Atelier sign-in code$/);
  assert.equal((await page.locator("h1").textContent()).trim(), "Check your email");
  assert.ok((await page.textContent("main")).includes("ada@example.com"));
  await screenshot(page, "login-code-desktop");

  await page.fill("#code", mail.code);
  await Promise.all([page.waitForURL(instance.url + "/"), page.click("form[action='/login/code'] button[type=submit]")]);
  assert.equal((await page.locator(".who-name").textContent()).trim(), "ada", "the header shows who is signed in");
  await screenshot(page, "home-signed-in-desktop");

  await Promise.all([page.waitForURL(/\/settings$/), page.click("a.who")]);
  assert.equal(await page.title(), "Account settings · Atelier");
  await screenshot(page, "settings-desktop");

  await page.fill("#display_name", "Ada Lovelace");
  await Promise.all([page.waitForURL(/saved=profile/), page.click("#profile button[type=submit]")]);
  assert.ok((await page.locator(".flash").textContent()).includes("Your profile was saved."));
  assert.equal((await page.locator(".who-name").textContent()).trim(), "Ada Lovelace");

  await page.fill("#token-name", "Playwright");
  await Promise.all([page.waitForURL(/\/settings\/tokens#tokens$/), page.click("form[action='/settings/tokens#tokens'] button[type=submit]")]);
  const token = (await page.locator("#new-token-value").textContent()).trim();
  assert.match(token, /^atl_/);
  assert.ok((await page.locator(".secret").textContent()).includes("it will not be shown again"));
  const copy = page.locator(".secret button.copy");
  assert.ok(await copy.isVisible(), "the copy button appears with the script");
  await copy.click();
  await page.waitForFunction(() => document.querySelector(".secret button.copy").classList.contains("ok"));
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), token);
  await page.locator(".secret").scrollIntoViewIfNeeded();
  await screenshot(page, "settings-token-desktop");

  const me = await fetch(instance.url + "/api/v1/me", { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(me.status, 200);
  assert.equal((await me.json()).display_name, "Ada Lovelace");

  await page.goto(instance.url + "/settings");
  assert.equal(await page.locator(".secret").count(), 0);
  assert.ok(!(await page.content()).includes(token), "the token is shown once only");
  assert.ok((await page.locator("#tokens .row-title").allTextContents()).includes("Playwright"));
  await page.setViewportSize(PHONE);
  await screenshot(page, "settings-phone");
  await page.locator("#sessions").scrollIntoViewIfNeeded();
  await screenshot(page, "settings-sessions-phone");

  await Promise.all([page.waitForURL(/\/login$/), page.click("#sessions .danger-zone button")]);
  await page.goto(instance.url + "/settings");
  assert.match(page.url(), /\/login\?next=/, "signed out everywhere");
  const still = await fetch(instance.url + "/api/v1/me", { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(still.status, 200, "access tokens stay until revoked");
  await context.close();
});

test("a magic link signs in at once in the browser that asked for it", async () => {
  const { context, page } = await newPage(PHONE);
  await page.goto(instance.url + "/login");
  await screenshot(page, "login-phone");
  const mail = await askForMail(page, "grace@example.com");
  await screenshot(page, "login-code-phone");
  await Promise.all([page.waitForURL(instance.url + "/"), page.goto(mail.link)]);
  assert.ok(await page.locator(".account .avatar").isVisible(), "signed in");
  assert.equal((await page.locator(".avatar").textContent()).trim(), "G");
  await screenshot(page, "home-signed-in-phone");
  await page.emulateMedia({ colorScheme: "dark" });
  await page.goto(instance.url + "/settings");
  await screenshot(page, "settings-dark-phone");
  await context.close();
});

test("a magic link opened in another browser asks first, and works once", async () => {
  const asking = await newPage(PHONE);
  await asking.page.goto(instance.url + "/login");
  const mail = await askForMail(asking.page, "linus@example.com");
  await asking.context.close();

  const { context, page } = await newPage(PHONE);
  await page.goto(mail.link);
  assert.equal((await page.locator("h1").textContent()).trim(), "Sign in as l***@example.com on this device?");
  assert.equal(await page.locator(".account").count(), 0, "not signed in yet");
  await screenshot(page, "link-confirm-phone");
  await Promise.all([page.waitForURL(instance.url + "/"), page.click("form[action='/login/link'] button")]);
  assert.ok(await page.locator(".account").isVisible());
  await page.goto(mail.link);
  assert.equal((await page.locator("h1").textContent()).trim(), "This link no longer works");
  await screenshot(page, "link-invalid-phone");
  await context.close();
});

test("a Chinese browser signs in in Chinese", async () => {
  const { context, page } = await newPage(PHONE, "zh-CN");
  await page.goto(instance.url + "/login");
  assert.equal(await page.getAttribute("html", "lang"), "zh-CN");
  assert.equal(await page.title(), "登录 Atelier · Atelier");
  const mail = await askForMail(page, "mei@example.com");
  assert.equal((await page.locator("h1").textContent()).trim(), "请查收邮件");
  await page.fill("#code", mail.code === "000000" ? "111111" : "000000");
  await page.click("form[action='/login/code'] button[type=submit]");
  assert.ok((await page.locator(".field-error").textContent()).includes("验证码错误或已过期"));
  await screenshot(page, "login-code-error-zh-phone");
  await page.fill("#code", mail.code);
  await Promise.all([page.waitForURL(instance.url + "/"), page.click("form[action='/login/code'] button[type=submit]")]);
  await page.goto(instance.url + "/settings");
  assert.equal(await page.title(), "账户设置 · Atelier");
  await screenshot(page, "settings-zh-phone");
  await page.setViewportSize(DESKTOP);
  await screenshot(page, "settings-zh-desktop");
  await context.close();
});
