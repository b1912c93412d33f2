//! The contract's error shape for every kind of bad request.

use atelier_testkit::TestApp;
use atelier_web::ApiJson;
use axum::Router;
use axum::body::Body;
use axum::extract::DefaultBodyLimit;
use axum::http::{Method, Request, StatusCode};
use axum::routing::post;
use http_body_util::BodyExt as _;
use tower::ServiceExt as _;

#[tokio::test]
async fn unknown_api_route_is_a_json_404() {
    let t = TestApp::new().await;
    for path in [
        "/api/v1/nothing-here",
        "/api/v1/",
        "/api/nope",
        "/api/v1/gallery/x/y/z?q=1",
    ] {
        let r = t.get(path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert!(
            r.header("content-type")
                .unwrap()
                .starts_with("application/json")
        );
        assert_eq!(r.error_code(), "not_found");
    }
}

#[tokio::test]
async fn wrong_method_is_a_json_405() {
    let t = TestApp::new().await;
    let r = t
        .send_json(Method::DELETE, "/api/v1/instance", &serde_json::json!({}))
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.error_code(), "method_not_allowed");
    let r = t
        .send_json(Method::POST, "/healthz", &serde_json::json!({}))
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn unknown_page_is_an_html_404() {
    let t = TestApp::new().await;
    let r = t.get("/no/such/page").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    assert!(r.text().contains("Not found"));
}

async fn echo(ApiJson(v): ApiJson<serde_json::Value>) -> ApiJson<serde_json::Value> {
    ApiJson(v)
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Shaped {
    email: String,
}

async fn shaped(ApiJson(_): ApiJson<Shaped>) -> StatusCode {
    StatusCode::NO_CONTENT
}

/// The JSON extractor every `/api/v1` handler uses, with the body limit the server sets.
fn json_router() -> Router {
    Router::new()
        .route("/echo", post(echo))
        .route("/shaped", post(shaped))
        .layer(DefaultBodyLimit::max(1024))
}

async fn send(
    router: &Router,
    path: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> (StatusCode, serde_json::Value) {
    let mut req = Request::post(path);
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    let res = router
        .clone()
        .oneshot(req.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap())
}

#[tokio::test]
async fn bad_json_bodies_get_documented_errors() {
    let r = json_router();
    let (s, b) = send(&r, "/echo", Some("application/json"), b"{\"a\": 1".to_vec()).await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("malformed_json"))
    );

    let (s, b) = send(
        &r,
        "/shaped",
        Some("application/json"),
        b"{\"mail\": 1}".to_vec(),
    )
    .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_body"))
    );

    let (s, b) = send(&r, "/echo", Some("text/plain"), b"{}".to_vec()).await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Some("unsupported_media_type")
        )
    );

    let big = format!("{{\"a\": \"{}\"}}", "x".repeat(4096));
    let (s, b) = send(&r, "/echo", Some("application/json"), big.into_bytes()).await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large"))
    );

    let (s, b) = send(
        &r,
        "/echo",
        Some("application/json"),
        b"{\"ok\": true}".to_vec(),
    )
    .await;
    assert_eq!((s, b), (StatusCode::OK, serde_json::json!({"ok": true})));
}

#[tokio::test]
async fn healthz_answers_ok_when_database_and_storage_answer() {
    let t = TestApp::new().await;
    let r = t.get("/healthz").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.text(), "ok");
    assert_eq!(r.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn healthz_is_503_when_the_database_is_gone() {
    let t = TestApp::new().await;
    t.db.store.close().await;
    let r = t.get("/healthz").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.text(), "database unavailable");
}

#[tokio::test]
async fn openapi_document_lists_every_api_v1_route() {
    let t = TestApp::new().await;
    let r = t.get("/api/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(doc["paths"]["/api/v1/instance"]["get"].is_object());
    assert!(doc["components"]["schemas"]["Error"].is_object());
    // Every documented path is routed: an unsupported method gets 405, not the 404 fallback.
    for (path, item) in doc["paths"].as_object().unwrap() {
        let concrete = path.replace("{id}", "some-id");
        // A method the path does not document.
        let method = [Method::PATCH, Method::PUT, Method::DELETE, Method::POST]
            .into_iter()
            .find(|m| item.get(m.as_str().to_ascii_lowercase()).is_none())
            .expect("a path without every method");
        let r = t.send_json(method, &concrete, &serde_json::json!({})).await;
        assert_eq!(
            r.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{path} is documented but not routed"
        );
    }
}

#[tokio::test]
async fn security_headers_are_on_every_answer() {
    let t = TestApp::new().await;
    for path in [
        "/healthz",
        "/api/v1/instance",
        "/api/v1/missing",
        "/missing",
    ] {
        let r = t.get(path).await;
        assert_eq!(
            r.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert!(
            r.header("content-security-policy")
                .unwrap()
                .contains("frame-ancestors 'none'")
        );
        assert_eq!(
            r.header("referrer-policy"),
            Some("strict-origin-when-cross-origin")
        );
        assert!(
            r.header("strict-transport-security").is_none(),
            "no HSTS over plain http"
        );
        assert_eq!(r.header("x-request-id").map(str::len), Some(16));
    }
}

#[tokio::test]
async fn hsts_is_sent_when_the_public_url_is_https() {
    let raw = atelier_core::settings::RawSettings {
        public_url: Some("https://art.example.com".into()),
        ..Default::default()
    };
    let settings = atelier_core::Settings::resolve(raw).unwrap();
    let t = TestApp::init().with_settings(settings).build().await;
    let r = t.get("/healthz").await;
    assert!(
        r.header("strict-transport-security")
            .unwrap()
            .starts_with("max-age=")
    );
    assert_eq!(
        t.get("/api/v1/instance").await.json()["public_url"],
        "https://art.example.com/"
    );
}

#[tokio::test]
async fn responses_are_compressed_when_asked() {
    let t = TestApp::new().await;
    let req = Request::get("/api/openapi.json")
        .header("accept-encoding", "gzip")
        .body(Body::empty())
        .unwrap();
    let r = t.request(req).await;
    assert_eq!(r.header("content-encoding"), Some("gzip"));
}

/// A page route that fails answers a page (in the visitor's language, with the header of whoever is
/// signed in), never the API's JSON; the API routes keep their JSON.
#[tokio::test]
async fn a_failing_page_route_answers_an_html_page_and_an_api_route_json() {
    let (t, u) = TestApp::init().with_user("pages@example.com").await;
    let html_page = |r: &atelier_testkit::TestResponse| {
        r.header("content-type")
            .is_some_and(|v| v.starts_with("text/html"))
    };

    // A form the server cannot read (no `name`): the error page with its status and the reason.
    let r = t.post_form("/boards", &[("description", "x")], &u).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html_page(&r), "{:?}", r.header("content-type"));
    let html = r.text();
    assert!(html.contains("<h1>This did not work</h1>"), "{html}");
    assert!(html.contains("missing field `name`"), "{html}");
    assert!(
        html.contains("<span class=\"who-name\">pages</span>"),
        "the header shows who is signed in"
    );

    // Something that is not there (or not theirs): the friendly 404 page, signed-in header kept.
    for path in [
        "/boards/no-such-board",
        "/generations/no-such-generation",
        "/g/no-such-item",
    ] {
        let r = t.page(path, &u).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert!(html_page(&r), "{path}");
        assert!(r.text().contains("Not found"), "{path}");
    }
    let r = t
        .post_form("/boards/no-such-board/edit", &[("name", "x")], &u)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(html_page(&r));

    // A page address asked with the wrong method: the error page too, with its `Allow`.
    let r = t.page("/boards/no-such-board/edit", &u).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(html_page(&r));
    assert!(r.header("allow").is_some_and(|v| v.contains("POST")));

    // In the visitor's language.
    let r = t
        .post_form(
            "/boards",
            &[("description", "x")],
            u.cookie_with_language("zh-CN"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("操作未能完成"));

    // The API answers the same kind of failure in JSON.
    let r = t.get("/api/v1/gallery/no-such-item").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.error_code(), "not_found");
}
