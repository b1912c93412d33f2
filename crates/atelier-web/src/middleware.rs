//! Middleware every request passes through.

use crate::ApiError;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::{Duration, Instant};
use tracing::Instrument as _;

/// The header carrying the request id back to the client.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// A request's id, in the request's extensions for handlers that want it.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Gives the request a fresh id (never the client's: a client-chosen id could carry personal data
/// into the logs), opens a span with it, and writes one log line per request with the route
/// *template*, status and latency — never the path's values, the query string, headers, cookies or
/// the client's address (C10).
pub async fn request_log(mut req: Request, next: Next) -> Response {
    let id = atelier_core::random_token(12);
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "(unmatched)".to_owned(), |p| p.as_str().to_owned());
    req.extensions_mut().insert(RequestId(id.clone()));
    let span = tracing::info_span!("request", request_id = %id);
    let started = Instant::now();
    let mut response = next.run(req).instrument(span.clone()).await;
    let latency_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    let status = response.status().as_u16();
    span.in_scope(|| {
        tracing::info!(
            target: "atelier::http",
            method = %method,
            route = %route,
            status,
            latency_ms = latency_us as f64 / 1000.0,
            "request"
        );
    });
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    response
}

/// Stops a request that runs longer than the configured timeout with 408 `request_timeout`.
pub async fn timeout(State(limit): State<Duration>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => ApiError::timeout().into_response(),
    }
}

/// Security headers for every answer; HSTS only when the instance is served over HTTPS.
#[derive(Debug, Clone, Copy)]
pub struct SecurityHeaders {
    /// Whether to send `Strict-Transport-Security`.
    pub hsts: bool,
}

const CSP: &str = "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; \
    script-src 'self'; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; \
    form-action 'self'; frame-ancestors 'none'";

/// The same policy with forms also allowed to end on `sources` (the credits page's buy buttons
/// end on Stripe's checkout).
pub(crate) fn csp_with_form_action(sources: &str) -> String {
    CSP.replace(
        "form-action 'self'",
        &format!("form-action 'self' {sources}"),
    )
}

/// Adds the security headers, keeping any a handler set itself.
pub async fn security_headers(
    State(cfg): State<SecurityHeaders>,
    req: Request,
    next: Next,
) -> Response {
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    let mut set = |name: HeaderName, value: &'static str| {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    };
    set(header::CONTENT_SECURITY_POLICY, CSP);
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::REFERRER_POLICY, "strict-origin-when-cross-origin");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    );
    set(
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    if cfg.hsts {
        set(
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
    response
}
