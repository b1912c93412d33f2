//! The events a fake session leads to, signed and verified as a webhook handler will.

use atelier_billing::fake::FakeStripe;
use atelier_billing::signature::{sign, verify};
use atelier_billing::{
    CheckoutRequest, DEFAULT_TOLERANCE_SECS, Event, EventKind, SignatureError, StripeClient,
};
use atelier_core::Secret;

const KEY: &str = "sk_test_fake_4242";
const WEBHOOK_SECRET: &str = "whsec_fake_secret";

#[tokio::test]
async fn g7_a_paid_session_event_verifies_and_names_the_purchase() {
    let fake = FakeStripe::start(KEY).await;
    let client = StripeClient::new(
        fake.base_url(),
        Secret::new(KEY.into()),
        reqwest::Client::new(),
    )
    .unwrap();
    let session = client
        .create_checkout_session(
            &CheckoutRequest {
                purchase_id: "pur_7".into(),
                pack_name: "Big pack".into(),
                amount: 500,
                currency: "jpy".into(),
                success_url: "https://art.example.com/done".into(),
                cancel_url: "https://art.example.com/credits".into(),
                customer_email: None,
            },
            "purchase-pur_7",
        )
        .await
        .unwrap();
    let now = 1_800_000_000;
    let body = fake
        .session_event("checkout.session.completed", &session.id, "paid", now)
        .unwrap();
    let header = sign(WEBHOOK_SECRET, now, body.as_bytes());
    assert!(
        verify(
            &header,
            body.as_bytes(),
            &[WEBHOOK_SECRET],
            now + 5,
            DEFAULT_TOLERANCE_SECS
        )
        .is_ok()
    );
    assert_eq!(
        verify(
            &header,
            body.as_bytes(),
            &[WEBHOOK_SECRET],
            now + 301,
            DEFAULT_TOLERANCE_SECS
        ),
        Err(SignatureError::Stale { age_secs: 301 })
    );
    let event = Event::parse(body.as_bytes()).unwrap();
    let EventKind::CheckoutCompleted(s) = event.kind else {
        panic!("{:?}", event.kind)
    };
    assert_eq!(s.session_id, session.id);
    assert!(s.is_paid());
    assert_eq!(s.purchase(), Some("pur_7"));
    assert_eq!(s.client_reference_id.as_deref(), Some("pur_7"));
    assert_eq!(
        (s.amount_total, s.currency.as_deref()),
        (Some(500), Some("jpy"))
    );
    assert!(s.payment_intent.is_some());

    let expired = fake
        .session_event("checkout.session.expired", &session.id, "unpaid", now)
        .unwrap();
    assert!(matches!(
        Event::parse(expired.as_bytes()).unwrap().kind,
        EventKind::Expired(_)
    ));
    assert!(
        fake.session_event("checkout.session.completed", "cs_unknown", "paid", now)
            .is_none()
    );
}
