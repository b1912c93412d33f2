//! The Resend transport against a local stand-in for Resend's API.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use atelier_mail::{ResendTransport, SendError, Transport};
use axum::Router;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::routing::any;

use crate::sample_mail;

/// A request the fake server received.
#[derive(Debug, Clone)]
struct Seen {
    method: Method,
    path: String,
    headers: HeaderMap,
    body: serde_json::Value,
}

/// Starts a server answering every request with `status`, `headers` and `body` (after `delay`),
/// and returns its base URL and what it saw.
async fn fake(
    status: u16,
    headers: &[(&'static str, &'static str)],
    body: &'static str,
    delay: Duration,
) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let headers: Vec<_> = headers.to_vec();
    let app = Router::new().fallback(any(
        move |method: Method, uri: Uri, req_headers: HeaderMap, req_body: String| {
            let log = Arc::clone(&log);
            let headers = headers.clone();
            async move {
                log.lock().unwrap().push(Seen {
                    method,
                    path: uri.path().to_owned(),
                    headers: req_headers,
                    body: serde_json::from_str(&req_body).unwrap_or(serde_json::Value::Null),
                });
                tokio::time::sleep(delay).await;
                let mut response = (
                    StatusCode::from_u16(status).unwrap(),
                    [("content-type", "application/json")],
                    body,
                )
                    .into_response();
                for (k, v) in headers {
                    response.headers_mut().insert(k, v.parse().unwrap());
                }
                response
            }
        },
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), seen)
}

fn transport(base: &str) -> ResendTransport {
    ResendTransport::new(base, "re_test_key", Duration::from_secs(5)).unwrap()
}

#[tokio::test]
async fn sends_what_resend_expects() {
    let (base, seen) = fake(
        200,
        &[],
        r#"{"id":"49a3999c-0ce1-4ea6-ab68-afcd6dc2e794"}"#,
        Duration::ZERO,
    )
    .await;
    let t = transport(&format!("{base}/"));
    assert_eq!(t.name(), "resend");
    let mut mail = sample_mail("idem_KEY-1", "en", "someone@example.org");
    mail.headers = vec![(
        "List-Unsubscribe".to_owned(),
        "<https://art.example.com/u/t>".to_owned(),
    )];
    t.send(&mail).await.unwrap();

    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    let req = &seen[0];
    assert_eq!(req.method, Method::POST);
    assert_eq!(req.path, "/emails");
    assert_eq!(req.headers["authorization"], "Bearer re_test_key");
    assert_eq!(req.headers["idempotency-key"], "idem_KEY-1");
    assert!(
        req.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let b = &req.body;
    assert_eq!(b["from"], "Atelier <no-reply@example.com>");
    assert_eq!(b["to"], serde_json::json!(["someone@example.org"]));
    assert_eq!(b["subject"], "123456 is your Atelier sign-in code");
    assert_eq!(b["text"], mail.text.as_str());
    assert_eq!(b["html"], mail.html.as_str());
    assert!(b["text"].as_str().unwrap().contains("123456"));
    assert_eq!(b["headers"]["Message-ID"], "<idem_KEY-1@example.com>");
    assert_eq!(
        b["headers"]["List-Unsubscribe"],
        "<https://art.example.com/u/t>"
    );
}

#[tokio::test]
async fn created_is_success() {
    let (base, _) = fake(201, &[], r#"{"id":"x"}"#, Duration::ZERO).await;
    transport(&base)
        .send(&sample_mail("c1", "en", "a@example.org"))
        .await
        .unwrap();
}

#[tokio::test]
async fn rate_limited_is_retried_after_the_asked_wait() {
    let body = r#"{"statusCode":429,"name":"rate_limit_exceeded","message":"Too many requests. You can only make 2 requests per second."}"#;
    let (base, _) = fake(
        429,
        &[("retry-after", "7"), ("ratelimit-reset", "1")],
        body,
        Duration::ZERO,
    )
    .await;
    let err = transport(&base)
        .send(&sample_mail("r1", "en", "a@example.org"))
        .await
        .unwrap_err();
    match err {
        SendError::Retry { after, reason } => {
            assert_eq!(after, Some(Duration::from_secs(7)));
            assert!(reason.contains("rate_limit_exceeded"), "{reason}");
        }
        SendError::Permanent(m) => panic!("permanent: {m}"),
    }

    let (base, _) = fake(429, &[("ratelimit-reset", "3")], body, Duration::ZERO).await;
    let err = transport(&base)
        .send(&sample_mail("r2", "en", "a@example.org"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, SendError::Retry { after: Some(d), .. } if d == Duration::from_secs(3)),
        "{err:?}"
    );
}

#[tokio::test]
async fn validation_errors_are_permanent_with_resend_s_message() {
    let body = r#"{"statusCode":422,"name":"validation_error","message":"Invalid `to` field. The email address needs to follow the `email@example.com` format."}"#;
    let (base, _) = fake(422, &[], body, Duration::ZERO).await;
    let err = transport(&base)
        .send(&sample_mail("v1", "en", "a@example.org"))
        .await
        .unwrap_err();
    match err {
        SendError::Permanent(m) => {
            assert!(m.contains("422"), "{m}");
            assert!(m.contains("validation_error"), "{m}");
            assert!(m.contains("Invalid `to` field."), "{m}");
            assert!(!m.contains('@'), "addresses are redacted: {m}");
        }
        SendError::Retry { reason, .. } => panic!("retry: {reason}"),
    }

    let (base, _) = fake(
        401,
        &[],
        r#"{"statusCode":401,"name":"missing_api_key","message":"Missing API key in the authorization header."}"#,
        Duration::ZERO,
    )
    .await;
    let err = transport(&base)
        .send(&sample_mail("v2", "en", "a@example.org"))
        .await
        .unwrap_err();
    assert!(matches!(err, SendError::Permanent(_)), "{err:?}");
}

#[tokio::test]
async fn server_errors_are_retried() {
    let (base, _) = fake(
        500,
        &[],
        r#"{"statusCode":500,"name":"internal_server_error","message":"An unexpected error occurred."}"#,
        Duration::ZERO,
    )
    .await;
    let err = transport(&base)
        .send(&sample_mail("s1", "en", "a@example.org"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, SendError::Retry { after: None, .. }),
        "{err:?}"
    );

    let (base, _) = fake(
        409,
        &[],
        r#"{"statusCode":409,"name":"concurrent_idempotent_requests","message":"Same idempotency key used while original request is still in progress."}"#,
        Duration::ZERO,
    )
    .await;
    let err = transport(&base)
        .send(&sample_mail("s2", "en", "a@example.org"))
        .await
        .unwrap_err();
    assert!(err.is_retry(), "{err:?}");
}

#[tokio::test]
async fn timeouts_and_refused_connections_are_retried() {
    let (base, _) = fake(200, &[], "{}", Duration::from_secs(3)).await;
    let t = ResendTransport::new(&base, "re_test_key", Duration::from_millis(300)).unwrap();
    let err = t
        .send(&sample_mail("t1", "en", "a@example.org"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, SendError::Retry { after: None, .. }),
        "{err:?}"
    );

    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = closed.local_addr().unwrap();
    drop(closed);
    let err = transport(&format!("http://{addr}"))
        .send(&sample_mail("t2", "en", "a@example.org"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, SendError::Retry { after: None, .. }),
        "{err:?}"
    );
}
