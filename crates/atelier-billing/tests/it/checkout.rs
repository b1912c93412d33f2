//! Checkout sessions: the exact form, idempotent retries, Stripe's errors surfaced.

use std::time::Duration;

use atelier_billing::fake::{Failure, FakeStripe};
use atelier_billing::{CheckoutRequest, RetryPolicy, STRIPE_VERSION, StripeClient, StripeError};
use atelier_core::Secret;

const KEY: &str = "sk_test_fake_4242";

fn client(fake: &FakeStripe, key: &str) -> StripeClient {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("an HTTP client");
    StripeClient::new(fake.base_url(), Secret::new(key.to_owned()), http)
        .expect("a client of the fake")
        .with_retry_policy(RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(50),
        })
}

fn request() -> CheckoutRequest {
    CheckoutRequest {
        purchase_id: "pur_42".into(),
        pack_name: "Starter — 100 credits".into(),
        amount: 499,
        currency: "usd".into(),
        success_url: "https://art.example.com/credits/done?session={CHECKOUT_SESSION_ID}".into(),
        cancel_url: "https://art.example.com/credits".into(),
        customer_email: Some("ada+art@example.com".into()),
    }
}

#[tokio::test]
async fn g7_s1_a_session_is_created_with_the_exact_form_and_headers() {
    let fake = FakeStripe::start(KEY).await;
    let session = client(&fake, KEY)
        .create_checkout_session(&request(), "purchase-pur_42")
        .await
        .unwrap();
    assert!(session.id.starts_with("cs_test_"), "{}", session.id);
    assert_eq!(
        session.url,
        format!("{}/pay/{}", fake.base_url(), session.id)
    );

    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert!(r.authorized);
    assert_eq!(r.status, 200);
    assert_eq!(r.stripe_version.as_deref(), Some(STRIPE_VERSION));
    assert_eq!(r.idempotency_key.as_deref(), Some("purchase-pur_42"));
    assert_eq!(
        r.content_type.as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    let expected = [
        ("mode", "payment"),
        ("line_items[0][price_data][currency]", "usd"),
        ("line_items[0][price_data][unit_amount]", "499"),
        (
            "line_items[0][price_data][product_data][name]",
            "Starter — 100 credits",
        ),
        ("line_items[0][quantity]", "1"),
        ("client_reference_id", "pur_42"),
        ("metadata[purchase_id]", "pur_42"),
        (
            "success_url",
            "https://art.example.com/credits/done?session={CHECKOUT_SESSION_ID}",
        ),
        ("cancel_url", "https://art.example.com/credits"),
        ("customer_email", "ada+art@example.com"),
    ]
    .map(|(k, v)| (k.to_owned(), v.to_owned()));
    assert_eq!(r.form, expected);

    let sessions = fake.sessions();
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].body["metadata"]["purchase_id"], "pur_42");
    assert_eq!(sessions[0].body["amount_total"], 499);
    let page = reqwest::get(&session.url).await.unwrap();
    assert_eq!(page.status(), 200);
}

#[tokio::test]
async fn s1_a_rate_limit_is_retried_with_the_same_idempotency_key() {
    let fake = FakeStripe::start(KEY).await;
    fake.fail_next(2, Failure::RateLimited);
    let session = client(&fake, KEY)
        .create_checkout_session(&request(), "purchase-pur_42")
        .await
        .unwrap();
    let requests = fake.requests();
    let statuses: Vec<u16> = requests.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [429, 429, 200]);
    assert!(
        requests
            .iter()
            .all(|r| r.idempotency_key.as_deref() == Some("purchase-pur_42")
                && r.form == requests[0].form)
    );
    assert_eq!(fake.sessions().len(), 1);
    assert_eq!(fake.sessions()[0].id, session.id);
}

#[tokio::test]
async fn s1_a_server_error_is_retried_and_a_repeat_answers_the_same_session() {
    let fake = FakeStripe::start(KEY).await;
    fake.fail_next(1, Failure::ServerError);
    let client = client(&fake, KEY);
    let first = client
        .create_checkout_session(&request(), "purchase-pur_42")
        .await
        .unwrap();
    let statuses: Vec<u16> = fake.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [500, 200]);
    // A second call with the same key (a retried job, a double click) is the same session.
    let again = client
        .create_checkout_session(&request(), "purchase-pur_42")
        .await
        .unwrap();
    assert_eq!(again, first);
    assert_eq!(fake.sessions().len(), 1);
    // Another purchase is another session.
    let mut other = request();
    other.purchase_id = "pur_43".into();
    let second = client
        .create_checkout_session(&other, "purchase-pur_43")
        .await
        .unwrap();
    assert_ne!(second.id, first.id);
    // The same key with another form is Stripe's idempotency error, not a session.
    let err = client
        .create_checkout_session(&other, "purchase-pur_42")
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), Some("idempotency_error"));
    assert_eq!(fake.sessions().len(), 2);
}

#[tokio::test]
async fn s1_retries_stop_after_three_and_the_last_error_is_returned() {
    let fake = FakeStripe::start(KEY).await;
    fake.fail_next(10, Failure::ServerError);
    let err = client(&fake, KEY)
        .create_checkout_session(&request(), "purchase-pur_42")
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(500));
    assert_eq!(err.error_type(), Some("api_error"));
    assert_eq!(
        fake.requests().len(),
        4,
        "the first attempt and three retries"
    );
    assert!(fake.sessions().is_empty());
}

#[tokio::test]
async fn g7_an_invalid_request_is_surfaced_with_its_code_and_not_retried() {
    let fake = FakeStripe::start(KEY).await;
    fake.reject_next(
        "amount_too_small",
        "Amount must convert to at least 50 cents.",
    );
    let err = client(&fake, KEY)
        .create_checkout_session(&request(), "purchase-pur_42")
        .await
        .unwrap_err();
    let StripeError::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.status, 400);
    assert_eq!(api.error_type, "invalid_request_error");
    assert_eq!(api.code.as_deref(), Some("amount_too_small"));
    assert_eq!(api.message, "Amount must convert to at least 50 cents.");
    assert_eq!(fake.requests().len(), 1, "4xx are not retried");
    assert!(err.to_string().contains("amount_too_small"), "{err}");
}

#[tokio::test]
async fn s1_a_wrong_key_is_a_401_that_never_shows_the_key() {
    let fake = FakeStripe::start(KEY).await;
    let wrong = "sk_test_wrong_key_9999";
    let err = client(&fake, wrong)
        .create_checkout_session(&request(), "purchase-pur_42")
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert_eq!(err.error_type(), Some("invalid_request_error"));
    assert_eq!(fake.requests().len(), 1);
    assert!(!fake.requests()[0].authorized);
    let shown = format!("{err} {err:?} {:?}", client(&fake, wrong));
    assert!(!shown.contains(wrong), "{shown}");
    assert!(shown.contains("Invalid API Key provided"), "{shown}");
}

#[tokio::test]
async fn s1_an_unreachable_stripe_is_retried_then_a_transport_error() {
    // A port that was free a moment ago: connections are refused.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let client = StripeClient::new(&base, Secret::new(KEY.into()), reqwest::Client::new())
        .unwrap()
        .with_retry_policy(RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(10),
        });
    let err = client
        .create_checkout_session(&request(), "purchase-pur_42")
        .await
        .unwrap_err();
    assert!(matches!(err, StripeError::Transport(_)), "{err:?}");
    assert!(!err.to_string().contains(KEY));
}
