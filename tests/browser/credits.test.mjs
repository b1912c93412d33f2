// The credits page in a real browser (G7, G9, C4): the balance in the header links to it; it shows
// the balance, the packs with their prices and buy buttons, the purchase history and the ledger in
// words (a generation is one line), at phone and desktop widths, in English and Chinese. (Paying is
// tested over HTTP against the project's fake Stripe server: crates/atelier-web/tests/it/billing/.)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startInstance, launchBrowser, screenshot, outbox, nextMail, PHONE, DESKTOP } from "./harness.mjs";

// Billing on (Stripe is never called here: nothing is bought), two packs, a sign-up grant.
const CONFIG = `[credits]
signup_grant = 40
[billing.stripe]
secret_key = "sk_test_never_used"
webhook_secret = "whsec_never_used"
base_url = "http://127.0.0.1:9"
[[billing.packs]]
id = "starter"
name = "Starter"
credits = 100
amount = 499
currency = "usd"
[[billing.packs]]
id = "studio"
name = "Studio"
credits = 1200
amount = 4500
currency = "usd"
[[models]]
id = "local"
name = "Atelier Local (demo)"
provider = "local"
`;

let instance;
let browser;

before(async () => {
  instance = await startInstance(4, { config: CONFIG });
  browser = await launchBrowser();
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

/** The ledger's lines: what, and the change. */
async function ledger(page) {
  return page.$$eval(".ledger-line", (lines) =>
    lines.map((l) => [l.querySelector(".ledger-what").textContent.trim(), l.querySelector(".ledger-change").textContent.trim()]),
  );
}

for (const [name, viewport] of [["desktop", DESKTOP], ["phone", PHONE]]) {
  test(`the credits page from the header's balance (${name})`, async () => {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    await signIn(page, `credits-${name}@example.com`);
    if (name === "desktop") {
      await Promise.all([page.waitForURL(/\/credits$/), page.click("header a.credits")]);
    } else {
      await page.goto(instance.url + "/credits");
    }
    assert.equal(await page.textContent("h1"), "Credits");
    assert.equal(await page.textContent("[data-balance]"), "40");
    const buttons = await page.$$eval(".pack button", (b) => b.map((x) => x.textContent.trim()));
    assert.deepEqual(buttons, ["Buy · $4.99", "Buy · $45.00"]);
    assert.match(await page.textContent("section[aria-labelledby=history-title]"), /No purchases yet\./);
    assert.deepEqual(await ledger(page), [["Welcome credits", "+40 credits"]]);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `nothing is wider than the screen (${overflow}px)`);
    await screenshot(page, `credits-${name}`);
    await context.close();
  });
}

test("a generation is one line of the ledger, in words", async () => {
  const context = await browser.newContext({ viewport: PHONE });
  const page = await context.newPage();
  await signIn(page, "credits-ledger@example.com");
  await page.fill("#prompt", "a lighthouse at dusk, oil painting");
  await Promise.all([page.waitForURL(/\/generations\/[A-Za-z0-9_-]+$/), page.click("button.generate")]);
  await page.waitForSelector(".result img", { timeout: 30000 });
  await page.goto(instance.url + "/credits");
  assert.equal(await page.textContent("[data-balance]"), "39");
  assert.deepEqual(await ledger(page), [
    ["Generation: 1 image", "\u22121 credit"],
    ["Welcome credits", "+40 credits"],
  ]);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `nothing is wider than the screen (${overflow}px)`);
  await page.evaluate(() => document.getElementById("ledger-title").scrollIntoView());
  await screenshot(page, "credits-ledger-phone");
  await context.close();
});

test("the credits page in Chinese", async () => {
  const context = await browser.newContext({ viewport: PHONE, locale: "zh-CN" });
  const page = await context.newPage();
  await signIn(page, "credits-zh@example.com");
  await page.goto(instance.url + "/credits");
  assert.equal(await page.textContent("h1"), "积分");
  assert.match(await page.textContent(".pack button"), /购买 · \$4\.99/);
  await screenshot(page, "credits-zh-phone");
  await context.close();
});
