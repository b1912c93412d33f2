//! A fake Stripe for tests (feature `fake`): a local server speaking the part of Stripe's API the
//! instance uses, `POST /v1/checkout/sessions`, strictly enough to catch a wrong request.
//!
//! It checks the `Bearer` key (401 otherwise), the `Stripe-Version` header, the form's content
//! type and required keys (400 `parameter_missing`), records every request, and answers a session
//! whose `url` is its own `/pay/<id>`. The same `Idempotency-Key` answers the same session (with
//! `Idempotent-Replayed: true`); the same key with another form is a 400 `idempotency_error`, as
//! on Stripe. Tests can make the next requests fail with 429 (`Retry-After: 0`) or 500, or be
//! refused with a 400 `invalid_request_error` carrying a chosen code. It also writes the
//! webhook events Stripe would send about a session.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bytes::Bytes;
use serde_json::{Value, json};

use crate::form::decode;

/// A failure the fake answers instead of the next request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// 429 `rate_limit` with `Retry-After: 0`.
    RateLimited,
    /// 500 `api_error`.
    ServerError,
}

/// A request the fake received, whatever it answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The path, such as `/v1/checkout/sessions`.
    pub path: String,
    /// Whether `Authorization` was `Bearer <the fake's key>`.
    pub authorized: bool,
    /// The `Stripe-Version` header.
    pub stripe_version: Option<String>,
    /// The `Idempotency-Key` header.
    pub idempotency_key: Option<String>,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The form's pairs, decoded, in order.
    pub form: Vec<(String, String)>,
    /// The status the fake answered.
    pub status: u16,
}

impl RecordedRequest {
    /// The value of form key `key`.
    #[must_use]
    pub fn field(&self, key: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// A session the fake created.
#[derive(Debug, Clone, PartialEq)]
pub struct FakeSession {
    /// `cs_test_…`.
    pub id: String,
    /// The key it was created under.
    pub idempotency_key: Option<String>,
    /// The form it was created from.
    pub form: Vec<(String, String)>,
    /// The answer it was created with (what a replay answers again).
    pub body: Value,
}

#[derive(Debug, Default)]
struct FakeState {
    base_url: String,
    secret_key: String,
    requests: Vec<RecordedRequest>,
    sessions: Vec<FakeSession>,
    failures: VecDeque<Failure>,
    rejection: Option<(String, String)>,
}

type Shared = Arc<Mutex<FakeState>>;

fn lock(state: &Shared) -> MutexGuard<'_, FakeState> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The fake server; it stops when dropped.
#[derive(Debug)]
pub struct FakeStripe {
    base_url: String,
    state: Shared,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for FakeStripe {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// The form keys `POST /v1/checkout/sessions` needs in payment mode with inline prices.
const REQUIRED: [&str; 7] = [
    "mode",
    "line_items[0][price_data][currency]",
    "line_items[0][price_data][unit_amount]",
    "line_items[0][price_data][product_data][name]",
    "line_items[0][quantity]",
    "success_url",
    "cancel_url",
];

impl FakeStripe {
    /// Starts a fake on a free port of 127.0.0.1 that accepts `secret_key`.
    ///
    /// # Panics
    /// When no local port can be bound.
    pub async fn start(secret_key: &str) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free local port");
        let addr = listener.local_addr().expect("the bound address");
        let base_url = format!("http://{addr}");
        let state: Shared = Arc::new(Mutex::new(FakeState {
            base_url: base_url.clone(),
            secret_key: secret_key.to_owned(),
            ..FakeState::default()
        }));
        let router = Router::new()
            .route("/v1/checkout/sessions", post(create_session))
            .route("/pay/{id}", get(pay_page))
            .with_state(Arc::clone(&state));
        let server = tokio::spawn(async move {
            // The server runs until the fake is dropped; an error ends the test's requests.
            let _ = axum::serve(listener, router).await;
        });
        Self {
            base_url,
            state,
            server,
        }
    }

    /// The base URL (`http://127.0.0.1:…`), to pass as `billing.stripe.base_url`.
    #[must_use]
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The next `n` requests (after the key check) answer `failure`.
    pub fn fail_next(&self, n: usize, failure: Failure) {
        lock(&self.state)
            .failures
            .extend(std::iter::repeat_n(failure, n));
    }

    /// The next request (after the key check) answers 400 `invalid_request_error` with `code`.
    pub fn reject_next(&self, code: &str, message: &str) {
        lock(&self.state).rejection = Some((code.to_owned(), message.to_owned()));
    }

    /// Every request received so far.
    #[must_use]
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.state).requests.clone()
    }

    /// Every session created so far.
    #[must_use]
    pub fn sessions(&self) -> Vec<FakeSession> {
        lock(&self.state).sessions.clone()
    }

    /// The body of the event Stripe sends about session `session_id` (`checkout.session.*`),
    /// with `payment_status` and a payment intent when paid; `None` for an unknown session.
    #[must_use]
    pub fn session_event(
        &self,
        event_type: &str,
        session_id: &str,
        payment_status: &str,
        created: i64,
    ) -> Option<String> {
        let state = lock(&self.state);
        let session = state.sessions.iter().find(|s| s.id == session_id)?;
        let mut object = session.body.clone();
        object["payment_status"] = json!(payment_status);
        object["status"] = json!(if event_type == "checkout.session.expired" {
            "expired"
        } else {
            "complete"
        });
        object["payment_intent"] = if payment_status == "paid" {
            json!(format!("pi_{}", &session_id[session_id.len().min(8)..]))
        } else {
            Value::Null
        };
        let event = json!({
            "id": format!("evt_{}_{}", event_type.replace('.', "_"), &session_id[session_id.len().min(8)..]),
            "object": "event",
            "api_version": crate::STRIPE_VERSION,
            "created": created,
            "data": { "object": object },
            "livemode": false,
            "pending_webhooks": 1,
            "request": { "id": null, "idempotency_key": session.idempotency_key },
            "type": event_type,
        });
        Some(event.to_string())
    }
}

/// Stripe's error answer.
fn stripe_error(
    status: StatusCode,
    error_type: &str,
    code: Option<&str>,
    message: &str,
    param: Option<&str>,
) -> Response {
    let mut error = json!({ "type": error_type, "message": message });
    if let Some(code) = code {
        error["code"] = json!(code);
    }
    if let Some(param) = param {
        error["param"] = json!(param);
    }
    (status, axum::Json(json!({ "error": error }))).into_response()
}

fn text_header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// A key masked as Stripe does in its messages: `sk_test_****1234`.
fn masked(key: &str) -> String {
    let prefix: String = key.chars().take(8).collect();
    let suffix: String = key
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("{prefix}****{suffix}")
}

async fn create_session(State(state): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let mut guard = lock(&state);
    let st = &mut *guard;
    let authorization = text_header(&headers, "authorization");
    let mut recorded = RecordedRequest {
        path: "/v1/checkout/sessions".to_owned(),
        authorized: authorization.as_deref() == Some(&format!("Bearer {}", st.secret_key)),
        stripe_version: text_header(&headers, "stripe-version"),
        idempotency_key: text_header(&headers, "idempotency-key"),
        content_type: text_header(&headers, "content-type"),
        form: decode(&body),
        status: 0,
    };
    let given_key = authorization
        .as_deref()
        .and_then(|a| a.strip_prefix("Bearer "))
        .unwrap_or_default();
    let response = answer(st, &recorded, given_key);
    recorded.status = response.status().as_u16();
    st.requests.push(recorded);
    response
}

/// What the fake answers `request`, in the order Stripe would judge it.
fn answer(st: &mut FakeState, request: &RecordedRequest, given_key: &str) -> Response {
    if !request.authorized {
        return stripe_error(
            StatusCode::UNAUTHORIZED,
            "invalid_request_error",
            None,
            &format!("Invalid API Key provided: {}", masked(given_key)),
            None,
        );
    }
    if request.stripe_version.as_deref().is_none_or(str::is_empty) {
        return stripe_error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            Some("stripe_version_missing"),
            "The fake asks every request to name its Stripe-Version.",
            None,
        );
    }
    if let Some(failure) = st.failures.pop_front() {
        return match failure {
            Failure::RateLimited => {
                let mut response = stripe_error(
                    StatusCode::TOO_MANY_REQUESTS,
                    "invalid_request_error",
                    Some("rate_limit"),
                    "Too many requests hit the API too quickly.",
                    None,
                );
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, header::HeaderValue::from_static("0"));
                response
            }
            Failure::ServerError => stripe_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "api_error",
                None,
                "An unknown error occurred.",
                None,
            ),
        };
    }
    if let Some((code, message)) = st.rejection.take() {
        return stripe_error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            Some(&code),
            &message,
            None,
        );
    }
    if request.content_type.as_deref() != Some("application/x-www-form-urlencoded") {
        return stripe_error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            None,
            "Stripe takes form-encoded bodies.",
            None,
        );
    }
    if let Some(missing) = REQUIRED.iter().find(|k| request.field(k).is_none()) {
        return stripe_error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            Some("parameter_missing"),
            &format!("Missing required param: {missing}."),
            Some(missing),
        );
    }
    if request.field("mode") != Some("payment") {
        return stripe_error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            Some("parameter_invalid_string"),
            "The fake only knows mode=payment.",
            Some("mode"),
        );
    }
    if let Some(key) = &request.idempotency_key
        && let Some(earlier) = st
            .sessions
            .iter()
            .find(|s| s.idempotency_key.as_ref() == Some(key))
    {
        if earlier.form != request.form {
            return stripe_error(
                StatusCode::BAD_REQUEST,
                "idempotency_error",
                None,
                "Keys for idempotent requests can only be used with the same parameters they were first used with.",
                None,
            );
        }
        let mut response = axum::Json(earlier.body.clone()).into_response();
        response.headers_mut().insert(
            "idempotent-replayed",
            header::HeaderValue::from_static("true"),
        );
        return response;
    }
    let id = format!("cs_test_fake{:016}", st.sessions.len() + 1);
    let field = |k: &str| request.field(k).map(str::to_owned);
    let amount: Option<u64> = request
        .field("line_items[0][price_data][unit_amount]")
        .and_then(|a| a.parse().ok());
    let metadata: serde_json::Map<String, Value> = request
        .form
        .iter()
        .filter_map(|(k, v)| {
            let name = k.strip_prefix("metadata[")?.strip_suffix(']')?;
            Some((name.to_owned(), json!(v)))
        })
        .collect();
    let body = json!({
        "id": id,
        "object": "checkout.session",
        "amount_subtotal": amount,
        "amount_total": amount,
        "cancel_url": field("cancel_url"),
        "client_reference_id": field("client_reference_id"),
        "currency": field("line_items[0][price_data][currency]"),
        "customer_email": field("customer_email"),
        "livemode": false,
        "metadata": metadata,
        "mode": "payment",
        "payment_intent": null,
        "payment_status": "unpaid",
        "status": "open",
        "success_url": field("success_url"),
        "url": format!("{}/pay/{id}", st.base_url),
    });
    st.sessions.push(FakeSession {
        id,
        idempotency_key: request.idempotency_key.clone(),
        form: request.form.clone(),
        body: body.clone(),
    });
    axum::Json(body).into_response()
}

/// Stripe's payment page for a session, reduced to its name.
async fn pay_page(State(state): State<Shared>, Path(id): Path<String>) -> Response {
    if lock(&state).sessions.iter().any(|s| s.id == id) {
        (StatusCode::OK, format!("Fake Stripe Checkout for {id}")).into_response()
    } else {
        StatusCode::NOT_FOUND.into_response()
    }
}
