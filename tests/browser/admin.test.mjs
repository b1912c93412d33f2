// The operator's console in a real browser (issue 19: G8, SEC2, D3): an admin made on the command
// line finds a user, opens their file (audited), adjusts their credits, and reads the audit log and
// the deletion queue, at phone and desktop widths, in English and Chinese; a user sees no console.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startInstance, launchBrowser, screenshot, outbox, nextMail, PHONE, DESKTOP } from "./harness.mjs";

let instance;
let browser;

before(async () => {
  instance = await startInstance(4);
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (instance) await instance.stop();
});

async function signIn(page, email) {
  await page.goto(instance.url + "/login?next=/settings");
  const seen = outbox(instance.dataDir);
  await page.fill("#email", email);
  await Promise.all([page.waitForURL(/\/login$/), page.click("form[action='/login'] button[type=submit]")]);
  const mail = await nextMail(instance.dataDir, email, seen);
  await page.fill("#code", mail.code);
  await Promise.all([page.waitForURL(/\/settings$/), page.click("form[action='/login/code'] button[type=submit]")]);
}

test("a user sees no console and is refused it", async () => {
  const context = await browser.newContext({ viewport: DESKTOP });
  const page = await context.newPage();
  await signIn(page, "ada@example.com");
  assert.equal(await page.locator("a[href='/admin/users']").count(), 0);
  const r = await page.goto(instance.url + "/admin/users");
  assert.equal(r.status(), 403);
  await context.close();
});

for (const [name, viewport] of [["desktop", DESKTOP], ["phone", PHONE]]) {
  test(`an admin finds a user, adjusts their credits and reads the audit log (${name})`, async () => {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    const email = `boss-${name}@example.com`;
    await signIn(page, email);
    instance.cli(["admin", "grant", email, "admin"]);
    await page.goto(instance.url + "/settings");
    if (name === "desktop") {
      await Promise.all([page.waitForURL(/\/admin\/users$/), page.click(".account a.console-link")]);
    } else {
      await page.click("details.menu summary");
      await Promise.all([page.waitForURL(/\/admin\/users$/), page.click(".menu-panel a[href='/admin/users']")]);
    }
    assert.equal(await page.textContent("h1"), "Console");
    await page.fill("#admin-q", "ada@");
    await Promise.all([page.waitForURL(/q=ada/), page.click(".admin-search button")]);
    assert.deepEqual(await page.$$eval(".admin-users .row-title a", (a) => a.map((x) => x.textContent)), ["ada@example.com"]);
    await screenshot(page, `admin-users-${name}`);

    await Promise.all([page.waitForURL(/\/admin\/users\/[^/]+$/), page.click(".admin-users .row-title a")]);
    assert.equal(await page.textContent("#account-h"), "ada@example.com");
    const before = Number(await page.textContent("[data-balance]"));
    await page.fill("#adjust-amount", "7");
    await page.fill("#adjust-reason", "Sorry for the outage");
    await Promise.all([page.waitForURL(/saved=credits/), page.click("form[action$='/credits'] button")]);
    assert.match(await page.textContent(".flash"), /Credits adjusted\./);
    assert.equal(Number(await page.textContent("[data-balance]")), before + 7);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `nothing is wider than the screen (${overflow}px)`);
    await screenshot(page, `admin-user-${name}`);

    await Promise.all([page.waitForURL(/\/admin\/audit/), page.click(".admin-tabs a[href='/admin/audit']")]);
    const actions = await page.$$eval(".admin-audit .row-title code", (c) => c.map((x) => x.textContent));
    // Newest first: the file opened again after the change, the change, the first opening.
    assert.deepEqual(actions.slice(0, 3), ["admin.user.viewed", "credits.adjusted", "admin.user.viewed"]);
    await screenshot(page, `admin-audit-${name}`);
    await context.close();
  });
}

test("the deletion queue, in Chinese", async () => {
  const user = await browser.newContext({ viewport: PHONE });
  const page = await user.newPage();
  await signIn(page, "leaving@example.com");
  await page.goto(instance.url + "/settings/privacy");
  const del = await page.request.post(instance.url + "/api/v1/me/deletion", { headers: { origin: instance.url } });
  assert.equal(del.status(), 202);
  await user.close();

  const context = await browser.newContext({ viewport: PHONE, locale: "zh-CN" });
  const admin = await context.newPage();
  await signIn(admin, "boss-zh@example.com");
  instance.cli(["admin", "grant", "boss-zh@example.com", "admin"]);
  await admin.goto(instance.url + "/admin/deletions");
  assert.equal(await admin.textContent("h1"), "管理控制台");
  assert.equal(await admin.locator(".admin-deletions .row").count(), 1);
  assert.match(await admin.textContent(".admin-deletions .source"), /在应用内/);
  await screenshot(admin, "admin-deletions-zh-phone");
  await context.close();
});

test("a creator asks for a removal from the footer, and an admin removes the post", async () => {
  const context = await browser.newContext({ viewport: PHONE });
  const page = await context.newPage();
  await page.goto(instance.url + "/");
  await Promise.all([page.waitForURL(/\/takedown$/), page.click("footer a[href='/takedown']")]);
  const item = await (await fetch(instance.url + "/api/v1/gallery?limit=1")).json();
  const url = item.items[0].source_url;
  await page.fill("#req-url", url);
  await page.fill("#req-email", "creator@example.com");
  await page.fill("#req-reason", "I made this and did not agree to it being shown here.");
  await Promise.all([page.waitForURL(/sent=1/), page.click(".takedown-form button")]);
  assert.match(await page.textContent(".flash"), /Your request was received/);
  await screenshot(page, "takedown-request-phone");
  await context.close();

  const staff = await browser.newContext({ viewport: DESKTOP });
  const admin = await staff.newPage();
  await signIn(admin, "boss-takedown@example.com");
  instance.cli(["admin", "grant", "boss-takedown@example.com", "admin"]);
  await admin.goto(instance.url + "/admin/takedowns");
  assert.match(await admin.textContent(".admin-requests"), /creator@example\.com/);
  await screenshot(admin, "admin-takedowns-desktop");
  await Promise.all([admin.waitForURL(/answered=1/), admin.click(".admin-requests button[value=remove]")]);
  assert.match(await admin.textContent(".flash"), /the requester is told by mail/);
  const after = await (await fetch(instance.url + "/api/v1/gallery?limit=10")).json();
  assert.ok(!after.items.some((i) => i.source_url === url), "the post is gone");
  await staff.close();
});
