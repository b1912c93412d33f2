//! Abuse blocks (C2) over HTTP and in the console.

use super::*;

/// A JSON request with a bearer token (or none) from `peer`.
pub(super) fn from_peer(
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> axum::http::Request<axum::body::Body> {
    let mut builder = axum::http::Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json");
    if let Some(token) = token {
        builder = builder.header("authorization", format!("Bearer {token}"));
    }
    builder
        .body(axum::body::Body::from(
            body.map(|b| b.to_string()).unwrap_or_default(),
        ))
        .unwrap()
}

#[tokio::test]
async fn c2_a_blocked_network_cannot_sign_in_or_change_anything_but_may_read() {
    let (t, admin, support, user) = console().await;
    const BLOCKED: &str = "198.51.100.23:4000";
    let create = |body: Value| {
        let t = &t;
        let admin = &admin;
        async move {
            t.api(Method::POST, "/api/v1/admin/blocks", Some(body), admin)
                .await
        }
    };
    // Refusals first: a malformed or too broad network, no reason, support, the admin's own.
    for (body, code) in [
        (
            json!({ "network": "198.51.100", "reason": "spam" }),
            "invalid_network",
        ),
        (
            json!({ "network": "0.0.0.0/0", "reason": "spam" }),
            "invalid_network",
        ),
        (
            json!({ "network": "198.51.100.0/24", "reason": " " }),
            "invalid_reason",
        ),
        (
            json!({ "network": "203.0.113.0/24", "reason": "oops" }),
            "blocks_own_network",
        ),
    ] {
        let r = create(body).await;
        assert_eq!(r.error_code(), code, "{}", r.text());
    }
    let r = t
        .api(
            Method::POST,
            "/api/v1/admin/blocks",
            Some(json!({ "network": "198.51.100.0/24", "reason": "spam" })),
            &support,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        t.api(Method::GET, "/api/v1/admin/blocks", None, &admin)
            .await
            .json()["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    let r = create(json!({ "network": "198.51.100.77/24", "reason": "Sign-up spam" })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let block = r.json();
    assert_eq!(block["network"], "198.51.100.0/24");
    assert!(block["expires_at"].is_null());

    // From the blocked network: no sign-in, no change, with a token or a form; reading is open.
    let r = t
        .request_from(
            BLOCKED,
            from_peer(
                Method::POST,
                "/api/v1/auth/email",
                None,
                Some(json!({ "email": "new@example.com" })),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.error_code(), "blocked");
    let r = t
        .request_from(
            BLOCKED,
            from_peer(
                Method::POST,
                "/api/v1/boards",
                Some(&user.token),
                Some(json!({ "name": "Mine" })),
            ),
        )
        .await;
    assert_eq!(r.error_code(), "blocked");
    let r = t
        .request_from(
            BLOCKED,
            axum::http::Request::post("/login")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(axum::body::Body::from("email=new%40example.com"))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    assert!(r.text().contains("blocked on this instance"));
    let r = t
        .request_from(
            BLOCKED,
            from_peer(Method::GET, "/api/v1/gallery", None, None),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "reading stays open");
    let r = t
        .request_from(
            "198.51.101.1:4000",
            from_peer(
                Method::POST,
                "/api/v1/auth/email",
                None,
                Some(json!({ "email": "next@example.com" })),
            ),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::ACCEPTED,
        "the next network is not blocked"
    );

    // Lifted: allowed again. A block with an expiry lapses by itself.
    let id = block["id"].as_str().unwrap();
    let r = t
        .api(
            Method::DELETE,
            &format!("/api/v1/admin/blocks/{id}"),
            None,
            &admin,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let sign_in = || {
        t.request_from(
            BLOCKED,
            from_peer(
                Method::POST,
                "/api/v1/auth/email",
                None,
                Some(json!({ "email": "new@example.com" })),
            ),
        )
    };
    assert_eq!(sign_in().await.status, StatusCode::ACCEPTED);
    let r = create(json!({ "network": "198.51.100.0/24", "reason": "Again", "days": 1 })).await;
    assert!(r.json()["expires_at"].is_string());
    assert_eq!(sign_in().await.error_code(), "blocked");
    t.clock.advance_ms(25 * 3_600_000);
    assert_eq!(sign_in().await.status, StatusCode::ACCEPTED);

    let actions: Vec<String> = t
        .api(Method::GET, "/api/v1/admin/audit", None, &admin)
        .await
        .json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        actions.contains(&"block.created".to_owned())
            && actions.contains(&"block.removed".to_owned())
    );
}

#[tokio::test]
async fn c2_a_network_is_blocked_from_a_users_page_in_one_click() {
    let (t, admin, _support, user) = console().await;
    let html = t
        .page(&format!("/admin/users/{}", user.id), &admin)
        .await
        .text();
    assert!(html.contains("Block this network"));
    assert!(html.contains("name=\"network\" value=\"203.0.113.0/24\""));
    // That is the admin's own network too: the page asks to confirm, and keeps the values.
    let r = t
        .post_form(
            "/admin/blocks",
            &[("network", "203.0.113.0/24"), ("reason", "Abuse")],
            &admin,
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let html = r.text();
    assert!(html.contains("you would lock yourself out"));
    assert!(html.contains("name=\"confirm\""));
    let to = t
        .post_form(
            "/admin/blocks",
            &[
                ("network", "198.51.100.0/24"),
                ("reason", "Abuse"),
                ("days", ""),
            ],
            &admin,
        )
        .await
        .see_other();
    let html = t.page(&to, &admin).await.text();
    assert!(html.contains("Network blocked.") && html.contains("198.51.100.0/24"));
    assert!(html.contains("until lifted"));
}
