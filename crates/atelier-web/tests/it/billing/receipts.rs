//! What a purchase leaves for its buyer (issue 18: C1, C4, D3, D4): one receipt per paid purchase
//! and one notice per refund, in the buyer's language, whatever the webhook's retries; the ledger
//! in words on the credits page; the purchases in the export; purchases outliving a deleted
//! account without its reference.

use super::*;
use atelier_app::billing::PurchaseNoticeJob;

/// A purchase paid through Stripe.
struct Paid {
    purchase: String,
    session: String,
    intent: String,
}

/// Pays `pack` for `u` through a checkout and its `completed` event.
async fn buy(fake: &FakeStripe, t: &TestApp, u: &SignedInUser, pack: &str) -> Paid {
    let (purchase, session) = checkout(fake, t, u, pack).await;
    let event = session_event(fake, t, "checkout.session.completed", &session, "paid");
    assert_eq!(deliver(t, &event).await.json()["outcome"], "credited");
    let event: Value = serde_json::from_str(&event).unwrap();
    let intent = event["data"]["object"]["payment_intent"]
        .as_str()
        .unwrap()
        .to_owned();
    Paid {
        purchase,
        session,
        intent,
    }
}

fn mails_with_subject(t: &TestApp, to: &str, subject: &str) -> Vec<atelier_testkit::SentMail> {
    t.mails()
        .into_iter()
        .filter(|m| m.to == to && m.subject.contains(subject))
        .collect()
}

#[tokio::test]
async fn c1_g7_a_paid_purchase_mails_one_receipt_whatever_the_retries() {
    let (fake, t, u) = billing_app().await;
    let Paid {
        purchase, session, ..
    } = buy(&fake, &t, &u, "starter").await;
    t.run_jobs().await;
    let receipts = mails_with_subject(&t, "ada@example.com", "receipt");
    assert_eq!(receipts.len(), 1, "one receipt");
    let r = &receipts[0];
    assert_eq!(r.subject, "Your Atelier receipt: 100 credits for $5.00");
    for part in [&r.text, &r.html] {
        assert!(part.contains("Starter"), "{part}");
        assert!(part.contains("$5.00") && part.contains("USD"), "{part}");
        assert!(part.contains(&purchase), "names the purchase");
        assert!(part.contains("https://art.example.com/credits"));
    }
    assert!(r.text.contains("Credits:     100"), "{}", r.text);

    // Stripe retries the event, then sends the async success of the same session; the job that
    // mailed runs again: still one receipt.
    deliver(
        &t,
        &session_event(&fake, &t, "checkout.session.completed", &session, "paid"),
    )
    .await;
    let late = session_event(
        &fake,
        &t,
        "checkout.session.async_payment_succeeded",
        &session,
        "paid",
    );
    assert_eq!(deliver(&t, &late).await.json()["outcome"], "unchanged");
    t.app
        .send_purchase_notice(&PurchaseNoticeJob {
            purchase_id: purchase.clone(),
            notice: "receipt".into(),
            credits: 100,
            amount: 500,
            key: purchase.clone(),
        })
        .await
        .unwrap();
    t.run_jobs().await;
    assert_eq!(
        mails_with_subject(&t, "ada@example.com", "receipt").len(),
        1
    );
}

#[tokio::test]
async fn c1_receipts_and_refund_notices_are_in_the_buyers_language() {
    let (fake, t, u) = billing_app().await;
    let r = t
        .api(
            Method::PATCH,
            "/api/v1/me",
            Some(json!({ "language": "zh-CN" })),
            &u,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    // An opt-out of marketing does not stop service mail.
    let Paid {
        purchase, intent, ..
    } = buy(&fake, &t, &u, "big").await;
    t.run_jobs().await;
    let receipt = mails_with_subject(&t, "ada@example.com", "收据");
    assert_eq!(receipt.len(), 1);
    assert!(receipt[0].subject.contains("1200 积分") && receipt[0].subject.contains("$50.00"));
    assert!(receipt[0].text.contains("积分包：Big pack"));

    let r = deliver(&t, &refund_event("evt_zh", &intent, 5000, 5000, "usd")).await;
    assert_eq!(r.json()["outcome"], "refunded");
    t.run_jobs().await;
    let notice = mails_with_subject(&t, "ada@example.com", "已退款");
    assert_eq!(notice.len(), 1);
    assert!(notice[0].text.contains("$50.00") && notice[0].text.contains("-1200"));
    assert!(notice[0].text.contains(&purchase));
}

#[tokio::test]
async fn c1_each_refund_sends_one_notice_and_a_replayed_refund_none() {
    let (fake, t, u) = billing_app().await;
    let intent = buy(&fake, &t, &u, "starter").await.intent;
    let half = refund_event("evt_half", &intent, 500, 250, "usd");
    deliver(&t, &half).await;
    deliver(&t, &half).await;
    // A late copy of an older refund changes nothing and mails nothing.
    deliver(&t, &refund_event("evt_old", &intent, 500, 100, "usd")).await;
    t.run_jobs().await;
    let notices = mails_with_subject(&t, "ada@example.com", "Refund of your Atelier purchase");
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].subject, "Refund of your Atelier purchase: $2.50");
    assert!(
        notices[0].text.contains("Credits:   -50"),
        "{}",
        notices[0].text
    );

    deliver(&t, &refund_event("evt_rest", &intent, 500, 500, "usd")).await;
    t.run_jobs().await;
    let notices = mails_with_subject(&t, "ada@example.com", "Refund of your Atelier purchase");
    assert_eq!(notices.len(), 2);
    assert_eq!(notices[1].subject, "Refund of your Atelier purchase: $2.50");
}

#[tokio::test]
async fn c4_the_credits_page_reads_the_ledger_in_words() {
    let fake = FakeStripe::start(KEY).await;
    let (t, u) = TestApp::init()
        .demo()
        .with_settings_toml(&settings(&fake))
        .with_user("ada@example.com")
        .await;
    buy(&fake, &t, &u, "starter").await;
    let r = t
        .api(
            Method::POST,
            "/api/v1/generations",
            Some(json!({ "prompt": "a lighthouse at dusk", "count": 2 })),
            &u,
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    let html = t.page("/credits", &u).await.text();
    assert!(
        html.contains("Generation of 2 images, in progress"),
        "a running generation shows what it holds"
    );
    t.run_jobs().await;

    let html = t.page("/credits", &u).await.text();
    assert!(html.contains("Credit history"));
    assert!(html.contains("Generation: 2 images"), "{html}");
    assert!(html.contains("\u{2212}2 credits"), "a true minus sign");
    assert!(html.contains("Purchase: Starter"));
    assert!(html.contains("+100 credits"));
    assert!(html.contains("Welcome credits"));
    assert_eq!(
        html.matches("class=\"ledger-line").count(),
        3,
        "one line per generation, not its hold, capture and release"
    );
    assert!(!html.contains(">hold<") && !html.contains("capture"));

    let html = t
        .page("/credits", u.cookie_with_language("zh-CN"))
        .await
        .text();
    assert!(html.contains("积分明细") && html.contains("生成：2 张图片"));
    assert!(html.contains("购买：Starter"));
}

#[tokio::test]
async fn c4_the_ledger_pages_back_through_older_lines() {
    let (_fake, t, u) = billing_app().await;
    for i in 0..35 {
        t.clock.advance_ms(1_000);
        t.app
            .adjust_credits("ada@example.com", 1, &format!("Bonus {i}"))
            .await
            .unwrap();
    }
    let html = t.page("/credits", &u).await.text();
    assert_eq!(html.matches("class=\"ledger-line").count(), 30);
    assert!(html.contains("Adjustment by the operator: Bonus 34"));
    let start = html
        .find("/credits?ledger=")
        .expect("a link to older lines");
    let href = &html[start..html[start..].find('"').unwrap() + start];
    let older = t
        .page(&href.replace("&amp;", "&").replace("#ledger-title", ""), &u)
        .await
        .text();
    assert_eq!(
        older.matches("class=\"ledger-line").count(),
        5,
        "the 5 oldest"
    );
    assert!(older.contains("Bonus 0") && !older.contains("Bonus 34"));
}

#[tokio::test]
async fn g7_buying_a_pack_no_longer_on_sale_says_why_on_the_page() {
    let (_fake, t, u) = billing_app().await;
    let r = t
        .post_form("/credits/buy", &[("pack_id", "no-such-pack")], &u)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(
        html.contains("That credit pack is no longer on sale."),
        "{html}"
    );
    assert!(html.contains("Buy · $5.00"), "the packs are offered again");
}

#[tokio::test]
async fn d4_the_export_holds_the_purchases() {
    let (fake, t, u) = billing_app().await;
    let Paid {
        purchase, session, ..
    } = buy(&fake, &t, &u, "starter").await;
    t.clock.advance_ms(1_000);
    checkout(&fake, &t, &u, "big").await;
    let r = t.api(Method::GET, "/api/v1/me/export", None, &u).await;
    assert_eq!(r.status, StatusCode::OK);
    let files = crate::export::unzip(&r.body);
    let purchases: Value = serde_json::from_slice(&files["purchases.json"]).unwrap();
    let list = purchases.as_array().unwrap();
    assert_eq!(list.len(), 2, "{purchases}");
    assert_eq!(list[0]["id"], purchase.as_str(), "oldest first");
    assert_eq!(list[0]["status"], "paid");
    assert_eq!(list[0]["amount"], 500);
    assert_eq!(list[0]["currency"], "usd");
    assert_eq!(list[0]["credits"], 100);
    assert_eq!(list[0]["stripe_session_id"], session.as_str());
    assert_eq!(list[1]["status"], "pending");
}

#[tokio::test]
async fn d3_a_deleted_account_leaves_its_purchases_without_a_reference_to_it() {
    let fake = FakeStripe::start(KEY).await;
    let (t, u) = TestApp::init()
        .with_settings_toml(&settings(&fake))
        .with_settings_toml("[retention]\naccount_deletion_grace_days = 0\n")
        .with_user("gone@example.com")
        .await;
    let Paid {
        purchase, intent, ..
    } = buy(&fake, &t, &u, "starter").await;
    let r = t.api(Method::POST, "/api/v1/me/deletion", None, &u).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    t.run_jobs().await;
    let deleted = t
        .app
        .run_retention(atelier_app::privacy::retention::Retention::AccountDeletions)
        .await
        .unwrap();
    assert_eq!(deleted, 1);
    let kept = t.db.store.purchase(&purchase).await.unwrap().unwrap();
    assert_eq!(
        kept.user_id, None,
        "the bookkeeping stays, without the person"
    );
    assert_eq!(kept.amount, 500);

    // A refund after the deletion is recorded and mails nobody.
    t.run_jobs().await;
    let before = t.mails().len();
    let r = deliver(&t, &refund_event("evt_after", &intent, 500, 500, "usd")).await;
    assert_eq!(r.json()["outcome"], "refunded");
    t.run_jobs().await;
    assert_eq!(t.mails().len(), before);
}

/// C10 for billing: refused webhooks (bad signature, unknown session, wrong amount) and a whole
/// purchase with its receipt and refund are logged by ids and outcomes — never the buyer's
/// address (Stripe's events carry it), the signature, the secret or the event body.
#[tokio::test]
async fn c10_billing_logs_name_ids_and_outcomes_never_the_buyer() {
    let logs = atelier_testkit::LogCapture::install();
    let (fake, t, u) = billing_app().await;
    let (purchase, session) = checkout(&fake, &t, &u, "starter").await;
    let with_email = |body: String| {
        let mut event: Value = serde_json::from_str(&body).unwrap();
        event["data"]["object"]["customer_details"] =
            json!({ "email": "ada@example.com", "name": "Ada Lovelace" });
        event.to_string()
    };
    let paid = with_email(session_event(
        &fake,
        &t,
        "checkout.session.completed",
        &session,
        "paid",
    ));
    let bad = sign("whsec_wrong", t.clock_now() / 1000, paid.as_bytes());
    let r = t.request(webhook_request(&paid, Some(bad.clone()))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let mut wrong: Value = serde_json::from_str(&paid).unwrap();
    wrong["id"] = json!("evt_wrong_amount");
    wrong["data"]["object"]["amount_total"] = json!(1);
    assert_eq!(
        deliver(&t, &wrong.to_string()).await.error_code(),
        "purchase_mismatch"
    );
    assert_eq!(deliver(&t, &paid).await.json()["outcome"], "credited");
    let event: Value = serde_json::from_str(&paid).unwrap();
    let intent = event["data"]["object"]["payment_intent"].as_str().unwrap();
    deliver(&t, &refund_event("evt_log_refund", intent, 500, 500, "usd")).await;
    t.run_jobs().await;

    let out = logs.contents();
    assert!(out.contains("stripe webhook refused"), "{out}");
    assert!(out.contains("\"outcome\":\"mismatch\""), "{out}");
    assert!(out.contains("\"outcome\":\"credited\""), "{out}");
    assert!(out.contains(&purchase), "logs name the purchase by id");
    assert!(out.contains("purchase mail queued"), "{out}");
    let signature = bad.split("v1=").nth(1).unwrap();
    for secret in [
        "ada@example.com",
        "Ada Lovelace",
        signature,
        WEBHOOK_SECRET,
        KEY,
        "customer_details",
    ] {
        assert!(
            !out.contains(secret),
            "log output contains `{secret}`:\n{out}"
        );
    }
}

/// SEC3: an event id is kept while Stripe may redeliver it and the month is reconciled, then
/// forgotten by its retention job; the purchase and its ledger entry stay.
#[tokio::test]
async fn sec3_webhook_event_ids_are_forgotten_after_ninety_days() {
    use atelier_app::privacy::retention::Retention;
    let (fake, t, u) = billing_app().await;
    let Paid { purchase, .. } = buy(&fake, &t, &u, "starter").await;
    assert_eq!(
        t.app.run_retention(Retention::StripeEvents).await.unwrap(),
        0
    );
    t.clock.advance_ms(89 * 24 * 3_600_000);
    assert_eq!(
        t.app.run_retention(Retention::StripeEvents).await.unwrap(),
        0
    );
    t.clock.advance_ms(2 * 24 * 3_600_000);
    assert_eq!(
        t.app.run_retention(Retention::StripeEvents).await.unwrap(),
        1
    );
    let kept = t.db.store.purchase(&purchase).await.unwrap().unwrap();
    assert_eq!(kept.status.as_str(), "paid");
    let ledger = t.app.credit_history(&u.id, 200, None).await.unwrap();
    assert!(
        ledger
            .entries
            .iter()
            .any(|e| e.reference.as_deref() == Some(purchase.as_str()))
    );
}
