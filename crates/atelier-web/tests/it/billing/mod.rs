//! Buying credits through Stripe over HTTP (issue 18: G7, C4, S1), against `FakeStripe`: packs,
//! checkout, webhooks applied exactly once (replays, out-of-order and concurrent deliveries),
//! signatures, unknown sessions and mismatched amounts, refunds, and the purchase list.

mod receipts;

use atelier_billing::fake::FakeStripe;
use atelier_billing::signature::sign;
use atelier_testkit::{Auth, SignedInUser, TestApp, TestResponse};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::{Value, json};

const KEY: &str = "sk_test_fake_4242";
const WEBHOOK_SECRET: &str = "whsec_test_secret";
const WEBHOOK: &str = "/api/v1/billing/stripe/webhook";

fn settings(fake: &FakeStripe) -> String {
    format!(
        r#"
public_url = "https://art.example.com"

[billing.stripe]
secret_key = "{KEY}"
webhook_secret = "{WEBHOOK_SECRET}"
base_url = "{}"

[[billing.packs]]
id = "starter"
name = "Starter"
credits = 100
amount = 500
currency = "usd"

[[billing.packs]]
id = "big"
name = "Big pack"
credits = 1200
amount = 5000
currency = "usd"
"#,
        fake.base_url()
    )
}

async fn billing_app() -> (FakeStripe, TestApp, SignedInUser) {
    let fake = FakeStripe::start(KEY).await;
    let (t, u) = TestApp::init()
        .with_settings_toml(&settings(&fake))
        .with_user("ada@example.com")
        .await;
    (fake, t, u)
}

/// A checkout of `pack` by `u`: the purchase id and the session id.
async fn checkout(
    fake: &FakeStripe,
    t: &TestApp,
    u: &SignedInUser,
    pack: &str,
) -> (String, String) {
    let r = t
        .api(
            Method::POST,
            "/api/v1/billing/checkout",
            Some(json!({ "pack_id": pack })),
            u,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let session = fake.sessions().last().unwrap().clone();
    assert_eq!(
        r.json()["url"],
        format!("{}/pay/{}", fake.base_url(), session.id)
    );
    let purchase = fake
        .requests()
        .last()
        .unwrap()
        .field("client_reference_id")
        .unwrap()
        .to_owned();
    (purchase, session.id)
}

/// The request Stripe would send with `body` and this `Stripe-Signature`.
fn webhook_request(body: &str, signature: Option<String>) -> Request<Body> {
    let mut builder = Request::post(WEBHOOK).header("content-type", "application/json");
    if let Some(signature) = signature {
        builder = builder.header("stripe-signature", signature);
    }
    builder.body(Body::from(body.to_owned())).unwrap()
}

fn signed(t: &TestApp, body: &str) -> String {
    sign(WEBHOOK_SECRET, t.clock_now() / 1000, body.as_bytes())
}

async fn deliver(t: &TestApp, body: &str) -> TestResponse {
    t.request(webhook_request(body, Some(signed(t, body))))
        .await
}

fn session_event(
    fake: &FakeStripe,
    t: &TestApp,
    event_type: &str,
    session: &str,
    paid: &str,
) -> String {
    fake.session_event(event_type, session, paid, t.clock_now() / 1000)
        .unwrap()
}

fn refund_event(
    id: &str,
    payment_intent: &str,
    amount: u64,
    refunded: u64,
    currency: &str,
) -> String {
    json!({
        "id": id, "object": "event", "api_version": "2024-06-20", "created": 1_749_945_600,
        "data": { "object": {
            "id": "ch_1", "object": "charge", "amount": amount, "amount_captured": amount,
            "amount_refunded": refunded, "captured": true, "currency": currency,
            "metadata": {}, "paid": true, "payment_intent": payment_intent,
            "refunded": refunded == amount, "status": "succeeded"
        } },
        "livemode": false, "pending_webhooks": 1, "type": "charge.refunded"
    })
    .to_string()
}

async fn purchases(t: &TestApp, u: &SignedInUser) -> Vec<Value> {
    let r = t.api(Method::GET, "/api/v1/me/purchases", None, u).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["items"].as_array().unwrap().clone()
}

async fn status_of(t: &TestApp, u: &SignedInUser, purchase: &str) -> String {
    purchases(t, u)
        .await
        .into_iter()
        .find(|p| p["id"] == purchase)
        .unwrap()["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn entries_of_kind(t: &TestApp, u: &SignedInUser, kind: &str) -> Vec<Value> {
    let r = t.api(Method::GET, "/api/v1/me/credits", None, u).await;
    r.json()["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == kind)
        .cloned()
        .collect()
}

#[tokio::test]
async fn g7_packs_are_listed_and_none_while_billing_is_off() {
    let (_fake, t, _u) = billing_app().await;
    let r = t.get("/api/v1/billing/packs").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.json(),
        json!({ "items": [
            { "id": "starter", "name": "Starter", "credits": 100, "amount": 500, "currency": "usd" },
            { "id": "big", "name": "Big pack", "credits": 1200, "amount": 5000, "currency": "usd" },
        ] })
    );

    let (off, u) = TestApp::init()
        .with_settings_toml(
            "[[billing.packs]]\nid = \"starter\"\nname = \"Starter\"\ncredits = 100\namount = 500\ncurrency = \"usd\"\n",
        )
        .with_user("bo@example.com")
        .await;
    assert_eq!(
        off.get("/api/v1/billing/packs").await.json(),
        json!({ "items": [] })
    );
    let r = off
        .api(
            Method::POST,
            "/api/v1/billing/checkout",
            Some(json!({ "pack_id": "starter" })),
            &u,
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.error_code(), "billing_disabled");
    let body = r#"{"id":"evt_1","type":"customer.created","created":1,"data":{"object":{}}}"#;
    let r = deliver(&off, body).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.error_code(), "billing_disabled");
}

#[tokio::test]
async fn g7_checkout_writes_a_pending_purchase_and_sends_stripe_the_exact_form() {
    let (fake, t, u) = billing_app().await;
    let before = t.balance(&u).await;
    let (purchase, _session) = checkout(&fake, &t, &u, "starter").await;
    let request = fake.requests().last().unwrap().clone();
    assert!(request.authorized);
    assert_eq!(request.idempotency_key.as_deref(), Some(purchase.as_str()));
    assert_eq!(
        request.content_type.as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    let form: Vec<(&str, &str)> = request
        .form
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let success = format!("https://art.example.com/credits?purchase={purchase}");
    assert_eq!(
        form,
        vec![
            ("mode", "payment"),
            ("line_items[0][price_data][currency]", "usd"),
            ("line_items[0][price_data][unit_amount]", "500"),
            ("line_items[0][price_data][product_data][name]", "Starter"),
            ("line_items[0][quantity]", "1"),
            ("client_reference_id", purchase.as_str()),
            ("metadata[purchase_id]", purchase.as_str()),
            ("success_url", success.as_str()),
            ("cancel_url", "https://art.example.com/credits?cancelled=1"),
        ]
    );
    let listed = purchases(&t, &u).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], purchase);
    assert_eq!(listed[0]["pack_id"], "starter");
    assert_eq!(listed[0]["credits"], 100);
    assert_eq!(listed[0]["amount"], 500);
    assert_eq!(listed[0]["currency"], "usd");
    assert_eq!(listed[0]["status"], "pending");
    assert!(listed[0]["created_at"].is_string());
    assert_eq!(t.balance(&u).await, before, "nothing before the payment");
}

#[tokio::test]
async fn g7_checkout_refuses_unknown_packs_strangers_and_stripe_failures() {
    let (fake, t, u) = billing_app().await;
    let r = t
        .api(
            Method::POST,
            "/api/v1/billing/checkout",
            Some(json!({ "pack_id": "nope" })),
            &u,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.error_code(), "unknown_pack");
    let r = t
        .call(
            Method::POST,
            "/api/v1/billing/checkout",
            Some(&json!({ "pack_id": "starter" })),
            &Auth::None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(fake.requests().is_empty(), "Stripe was not asked");
    assert!(purchases(&t, &u).await.is_empty());

    fake.reject_next("parameter_invalid_integer", "Invalid integer");
    let r = t
        .api(
            Method::POST,
            "/api/v1/billing/checkout",
            Some(json!({ "pack_id": "starter" })),
            &u,
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY, "{}", r.text());
    assert_eq!(r.error_code(), "provider_failed");
    let listed = purchases(&t, &u).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["status"], "failed");
}

#[tokio::test]
async fn g7_c4_a_paid_session_credits_the_pack_once_and_a_replay_changes_nothing() {
    let (fake, t, u) = billing_app().await;
    let before = t.balance(&u).await;
    let (purchase, session) = checkout(&fake, &t, &u, "starter").await;
    let body = session_event(&fake, &t, "checkout.session.completed", &session, "paid");
    let r = deliver(&t, &body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json(), json!({ "received": true, "outcome": "credited" }));
    assert_eq!(t.balance(&u).await, before + 100);
    assert_eq!(status_of(&t, &u, &purchase).await, "paid");
    let bought = entries_of_kind(&t, &u, "purchase").await;
    assert_eq!(bought.len(), 1);
    assert_eq!(bought[0]["amount"], 100);
    assert_eq!(bought[0]["reference"], purchase);

    // The same event again, even signed anew later: acknowledged, nothing more.
    t.clock.advance_ms(60_000);
    let r = deliver(&t, &body).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["outcome"], "duplicate");
    assert_eq!(t.balance(&u).await, before + 100);
    assert_eq!(entries_of_kind(&t, &u, "purchase").await.len(), 1);
}

#[tokio::test]
async fn g7_c4_async_success_then_completion_out_of_order_credits_once() {
    let (fake, t, u) = billing_app().await;
    let before = t.balance(&u).await;
    let (purchase, session) = checkout(&fake, &t, &u, "big").await;
    // Completed while the bank debit is pending: nothing yet.
    let unpaid = session_event(&fake, &t, "checkout.session.completed", &session, "unpaid");
    let succeeded = session_event(
        &fake,
        &t,
        "checkout.session.async_payment_succeeded",
        &session,
        "paid",
    );
    let r = deliver(&t, &succeeded).await;
    assert_eq!(r.json()["outcome"], "credited");
    let r = deliver(&t, &unpaid).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["outcome"], "unchanged");
    assert_eq!(status_of(&t, &u, &purchase).await, "paid");
    assert_eq!(t.balance(&u).await, before + 1200);

    // And a second purchase whose completed (paid) and async events both say paid.
    let (second, session) = checkout(&fake, &t, &u, "starter").await;
    for event_type in [
        "checkout.session.async_payment_succeeded",
        "checkout.session.completed",
    ] {
        let body = session_event(&fake, &t, event_type, &session, "paid");
        assert_eq!(deliver(&t, &body).await.status, StatusCode::OK);
    }
    assert_eq!(status_of(&t, &u, &second).await, "paid");
    assert_eq!(t.balance(&u).await, before + 1300);
    assert_eq!(entries_of_kind(&t, &u, "purchase").await.len(), 2);
}

#[tokio::test]
async fn g7_c4_fifty_concurrent_deliveries_of_one_event_credit_once() {
    let (fake, t, u) = billing_app().await;
    let before = t.balance(&u).await;
    let (_purchase, session) = checkout(&fake, &t, &u, "starter").await;
    let body = session_event(&fake, &t, "checkout.session.completed", &session, "paid");
    let signature = signed(&t, &body);
    let answers = futures::future::join_all(
        (0..50).map(|_| t.request(webhook_request(&body, Some(signature.clone())))),
    )
    .await;
    let mut outcomes: Vec<String> = answers
        .iter()
        .map(|r| {
            assert_eq!(r.status, StatusCode::OK, "{}", r.text());
            r.json()["outcome"].as_str().unwrap().to_owned()
        })
        .collect();
    outcomes.sort();
    outcomes.dedup_by(|a, b| a == b);
    assert_eq!(outcomes, ["credited", "duplicate"]);
    assert_eq!(t.balance(&u).await, before + 100);
    assert_eq!(entries_of_kind(&t, &u, "purchase").await.len(), 1);
}

#[tokio::test]
async fn g7_s1_missing_wrong_and_stale_signatures_are_refused_and_grant_nothing() {
    let (fake, t, u) = billing_app().await;
    let before = t.balance(&u).await;
    let (purchase, session) = checkout(&fake, &t, &u, "starter").await;
    let body = session_event(&fake, &t, "checkout.session.completed", &session, "paid");
    let now = t.clock_now() / 1000;
    let cases = [
        None,
        Some(String::new()),
        Some("t=abc,v1=zz".to_owned()),
        Some(sign("whsec_someone_else", now, body.as_bytes())),
        Some(sign(WEBHOOK_SECRET, now - 301, body.as_bytes())),
        Some(sign(WEBHOOK_SECRET, now + 301, body.as_bytes())),
        Some(sign(WEBHOOK_SECRET, now, b"{}")),
    ];
    for signature in cases {
        let r = t.request(webhook_request(&body, signature.clone())).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{signature:?}");
        assert_eq!(r.error_code(), "invalid_signature");
    }
    // Several v1 values: one matching is enough (secret rotation).
    let good = sign(WEBHOOK_SECRET, now, body.as_bytes());
    let v1 = good.split_once(",v1=").unwrap().1;
    let rotated = format!("t={now},v1={},v1={v1}", "0".repeat(64));
    assert_eq!(status_of(&t, &u, &purchase).await, "pending");
    assert_eq!(t.balance(&u).await, before);
    let r = t.request(webhook_request(&body, Some(rotated))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(t.balance(&u).await, before + 100);
}

#[tokio::test]
async fn g7_unknown_sessions_and_mismatched_amounts_are_refused_and_grant_nothing() {
    let (fake, t, u) = billing_app().await;
    let before = t.balance(&u).await;
    let (purchase, session) = checkout(&fake, &t, &u, "starter").await;
    let body = session_event(&fake, &t, "checkout.session.completed", &session, "paid");

    let stranger = body.replace(&session, "cs_test_not_ours");
    let r = deliver(&t, &stranger).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.error_code(), "unknown_purchase");

    let cheaper = body.replace("\"amount_total\":500", "\"amount_total\":1");
    assert_ne!(cheaper, body);
    let r = deliver(&t, &cheaper).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.error_code(), "purchase_mismatch");
    let other_currency = body.replace("\"currency\":\"usd\"", "\"currency\":\"jpy\"");
    assert_ne!(other_currency, body);
    let r = deliver(&t, &other_currency).await;
    assert_eq!(r.error_code(), "purchase_mismatch");
    assert_eq!(status_of(&t, &u, &purchase).await, "pending");
    assert_eq!(t.balance(&u).await, before);

    // The refusals recorded nothing: the genuine event (same id) still takes effect.
    assert_eq!(deliver(&t, &body).await.json()["outcome"], "credited");
    assert_eq!(t.balance(&u).await, before + 100);
}

#[tokio::test]
async fn g7_unknown_event_types_are_acknowledged_and_change_nothing() {
    let (fake, t, u) = billing_app().await;
    let before = t.balance(&u).await;
    let (purchase, _session) = checkout(&fake, &t, &u, "starter").await;
    let body = r#"{"id":"evt_other","object":"event","created":1,"type":"customer.created","data":{"object":{"id":"cus_1","object":"customer"}}}"#;
    let r = deliver(&t, body).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json(), json!({ "received": true, "outcome": "ignored" }));
    assert_eq!(status_of(&t, &u, &purchase).await, "pending");
    assert_eq!(t.balance(&u).await, before);
    let r = deliver(&t, "not json").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.error_code(), "invalid_event");
}

#[tokio::test]
async fn g7_failed_and_expired_sessions_close_the_purchase_unpaid() {
    let (fake, t, u) = billing_app().await;
    let before = t.balance(&u).await;
    let (failed, session) = checkout(&fake, &t, &u, "starter").await;
    let body = session_event(
        &fake,
        &t,
        "checkout.session.async_payment_failed",
        &session,
        "unpaid",
    );
    assert_eq!(deliver(&t, &body).await.json()["outcome"], "closed");
    // A late success for a closed purchase books nothing.
    let late = session_event(
        &fake,
        &t,
        "checkout.session.async_payment_succeeded",
        &session,
        "paid",
    );
    assert_eq!(deliver(&t, &late).await.json()["outcome"], "unchanged");
    let (expired, session) = checkout(&fake, &t, &u, "big").await;
    let body = session_event(&fake, &t, "checkout.session.expired", &session, "unpaid");
    assert_eq!(deliver(&t, &body).await.json()["outcome"], "closed");
    assert_eq!(status_of(&t, &u, &failed).await, "failed");
    assert_eq!(status_of(&t, &u, &expired).await, "expired");
    assert_eq!(t.balance(&u).await, before);
}

#[tokio::test]
async fn g7_c4_refunds_take_back_their_share_of_the_credits() {
    let (fake, t, u) = billing_app().await;
    let before = t.balance(&u).await;
    let (purchase, session) = checkout(&fake, &t, &u, "starter").await;
    let body = session_event(&fake, &t, "checkout.session.completed", &session, "paid");
    deliver(&t, &body).await;
    let paid: Value = serde_json::from_str(&body).unwrap();
    let intent = paid["data"]["object"]["payment_intent"]
        .as_str()
        .unwrap()
        .to_owned();

    // A refund of an unknown payment, or of another amount, grants and takes nothing.
    let r = deliver(&t, &refund_event("evt_r0", "pi_unknown", 500, 250, "usd")).await;
    assert_eq!(r.error_code(), "unknown_purchase");
    let r = deliver(&t, &refund_event("evt_r0", &intent, 900, 250, "usd")).await;
    assert_eq!(r.error_code(), "purchase_mismatch");

    // Half.
    let half = refund_event("evt_r1", &intent, 500, 250, "usd");
    assert_eq!(deliver(&t, &half).await.json()["outcome"], "refunded");
    assert_eq!(status_of(&t, &u, &purchase).await, "partially_refunded");
    assert_eq!(t.balance(&u).await, before + 50);
    let refunds = entries_of_kind(&t, &u, "refund").await;
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0]["amount"], -50);
    assert_eq!(refunds[0]["reference"], purchase);
    assert_eq!(deliver(&t, &half).await.json()["outcome"], "duplicate");
    assert_eq!(t.balance(&u).await, before + 50);

    // Then the rest: all of it is taken back.
    let full = refund_event("evt_r2", &intent, 500, 500, "usd");
    assert_eq!(deliver(&t, &full).await.json()["outcome"], "refunded");
    assert_eq!(status_of(&t, &u, &purchase).await, "refunded");
    assert_eq!(t.balance(&u).await, before);
    let refunds = entries_of_kind(&t, &u, "refund").await;
    assert_eq!(refunds.len(), 2);
    let taken: i64 = refunds.iter().map(|e| e["amount"].as_i64().unwrap()).sum();
    assert_eq!(taken, -100);
    // A late copy of the first refund changes nothing.
    let late = refund_event("evt_r1_late", &intent, 500, 250, "usd");
    assert_eq!(deliver(&t, &late).await.status, StatusCode::OK);
    assert_eq!(t.balance(&u).await, before);
}

#[tokio::test]
async fn g7_a_refund_may_take_the_balance_below_zero() {
    let fake = FakeStripe::start(KEY).await;
    let (t, u) = TestApp::init()
        .with_settings_toml(&settings(&fake))
        .with_user("cy@example.com")
        .await;
    let (_purchase, session) = checkout(&fake, &t, &u, "starter").await;
    let body = session_event(&fake, &t, "checkout.session.completed", &session, "paid");
    deliver(&t, &body).await;
    assert_eq!(t.balance(&u).await, 100);
    t.app
        .hold_credits(&u.id, 80, "work", "gen-1")
        .await
        .unwrap();
    let paid: Value = serde_json::from_str(&body).unwrap();
    let intent = paid["data"]["object"]["payment_intent"].as_str().unwrap();
    let full = refund_event("evt_full", intent, 500, 500, "usd");
    assert_eq!(deliver(&t, &full).await.status, StatusCode::OK);
    assert_eq!(t.balance(&u).await, -80);
}

#[tokio::test]
async fn g7_purchases_are_listed_newest_first_in_pages_and_only_the_owners() {
    let (fake, t, u) = billing_app().await;
    let (first, _) = checkout(&fake, &t, &u, "starter").await;
    t.clock.advance_ms(1000);
    let (second, _) = checkout(&fake, &t, &u, "big").await;
    let r = t
        .api(Method::GET, "/api/v1/me/purchases?limit=1", None, &u)
        .await;
    let page = r.json();
    assert_eq!(page["items"][0]["id"], second);
    let cursor = page["next_cursor"].as_str().unwrap();
    let r = t
        .api(
            Method::GET,
            &format!("/api/v1/me/purchases?limit=1&cursor={cursor}"),
            None,
            &u,
        )
        .await;
    assert_eq!(r.json()["items"][0]["id"], first);
    assert!(r.json()["next_cursor"].is_null());
    let other = t.sign_in("eve@example.com").await;
    assert!(purchases(&t, &other).await.is_empty());
    let r = t
        .call(Method::GET, "/api/v1/me/purchases", None, &Auth::None)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

/// The credits page (G7): balance, packs with prices and buy buttons, the history; buying goes to
/// Stripe's checkout, and only the webhook adds the credits.
#[tokio::test]
async fn g7_the_credits_page_sells_packs_through_stripe_and_lists_purchases() {
    let (fake, t, u) = billing_app().await;

    // Signed out: sign in first, then back here.
    let r = t.get("/credits").await;
    assert_eq!(r.header("location"), Some("/login?next=/credits"));

    let r = t.page("/credits", &u).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let csp = r.header("content-security-policy").unwrap().to_owned();
    assert!(
        csp.contains(&format!(
            "form-action 'self' https://checkout.stripe.com {}",
            fake.base_url()
        )),
        "the buy forms may end on Stripe's checkout: {csp}"
    );
    let html = r.text();
    assert!(html.contains("<h1>Credits</h1>"));
    assert!(html.contains("Starter") && html.contains("Big pack"));
    assert!(html.contains("Buy · $5.00") && html.contains("Buy · $50.00"));
    assert!(html.contains("100 credits"));
    assert!(html.contains("No purchases yet."));
    assert!(
        html.contains("href=\"/credits\""),
        "the header's balance links here"
    );
    let before = t.balance(&u).await;

    // Buying sends the browser to Stripe; nothing is credited yet.
    let to = t
        .post_form("/credits/buy", &[("pack_id", "starter")], &u)
        .await
        .see_other();
    let session = fake.sessions().last().unwrap().clone();
    assert_eq!(to, format!("{}/pay/{}", fake.base_url(), session.id));
    let purchase = fake
        .requests()
        .last()
        .unwrap()
        .field("client_reference_id")
        .unwrap()
        .to_owned();
    assert_eq!(t.balance(&u).await, before);
    let html = t
        .page(&format!("/credits?purchase={purchase}"), &u)
        .await
        .text();
    assert!(html.contains("Waiting for payment"));
    assert!(html.contains("as soon as Stripe confirms the payment"));

    // Stripe's webhook pays it: the page says so.
    let event = session_event(&fake, &t, "checkout.session.completed", &session.id, "paid");
    assert_eq!(deliver(&t, &event).await.status, StatusCode::OK);
    assert_eq!(t.balance(&u).await, before + 100);
    let html = t
        .page(&format!("/credits?purchase={purchase}"), &u)
        .await
        .text();
    assert!(html.contains("Payment received"));
    assert!(html.contains(">Paid</span>"));
    assert!(html.contains(&format!("<strong data-balance>{}</strong>", before + 100)));

    // Coming back from a cancelled checkout; an unknown pack is the error page.
    let html = t.page("/credits?cancelled=1", &u).await.text();
    assert!(html.contains("Checkout cancelled. Nothing was charged."));
    let r = t
        .post_form("/credits/buy", &[("pack_id", "no-such-pack")], &u)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));

    // In Chinese.
    let html = t
        .page("/credits", u.cookie_with_language("zh-CN"))
        .await
        .text();
    assert!(html.contains("<h1>积分</h1>") && html.contains("已付款"));
}

/// Without Stripe keys the page says how credits are obtained here, and nothing errors (G7).
#[tokio::test]
async fn g7_without_billing_the_credits_page_says_how_credits_come() {
    let (t, u) = TestApp::init().with_user("plain@example.com").await;
    let r = t.page("/credits", &u).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        !r.header("content-security-policy")
            .unwrap()
            .contains("stripe"),
        "the policy stays the site's own"
    );
    let html = r.text();
    assert!(html.contains("This instance does not sell credits."));
    assert!(!html.contains("action=\"/credits/buy\""));
    let r = t
        .post_form("/credits/buy", &[("pack_id", "starter")], &u)
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
}
