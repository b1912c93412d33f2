//! Accounts over HTTP (C1, C2, C3, D1, D5, SEC2): the whole sign-in flow with the code read from the
//! file transport's outbox, one-time code rules, no enumeration, rate limits, CSRF, session expiry
//! with the test clock, access tokens, IP events and email change.

use atelier_core::clock::{DAY_MS, HOUR_MS, MINUTE_MS};
use atelier_core::settings::RawSettings;
use atelier_core::{Clock as _, Settings};
use atelier_testkit::{Auth, TestApp, fakes, wrong_code};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::json;

#[tokio::test]
async fn c1_sign_in_by_code_creates_the_account_and_a_session() {
    let t = TestApp::new().await;
    let r = t.ask_code("  Ada@Example.COM ").await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    assert!(r.set_cookie("atelier_login").is_some());
    let mail = t.last_mail_to("ada@example.com").await;
    assert!(mail.subject.contains(&mail.code()), "{}", mail.subject);
    assert!(mail.raw_headers.contains("Message-ID: <"));
    assert!(mail.raw_headers.contains("Date: "));
    assert!(mail.html.contains(&mail.code()));
    assert!(mail.text.contains("/login/link?token="));
    // The outbox row goes once the transport took the message.
    assert_eq!(t.db.store.outbox_count().await.unwrap(), 0);

    let r = t.verify_code("ada@example.com", &mail.code()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let body = r.json();
    assert_eq!(body["user"]["email"], "ada@example.com");
    assert_eq!(body["user"]["roles"], json!(["user"]));
    assert_eq!(body["user"]["credits"], 0);
    assert!(body["token"].as_str().unwrap().starts_with("atl_"));
    let set_cookie = r
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("atelier_session="))
        .unwrap();
    assert!(set_cookie.contains("HttpOnly"));
    assert!(set_cookie.contains("SameSite=Lax"));
    let token = r.set_cookie("atelier_session").unwrap();
    assert!(token.len() >= 43, "at least 256 bits");

    let me = t
        .call(
            Method::GET,
            "/api/v1/me",
            None,
            &Auth::Cookie(format!("atelier_session={token}")),
        )
        .await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["email"], "ada@example.com");
    let me = t
        .call(
            Method::GET,
            "/api/v1/me",
            None,
            &Auth::Bearer(body["token"].as_str().unwrap().to_owned()),
        )
        .await;
    assert_eq!(me.json()["id"], body["user"]["id"]);

    // Signing in again reuses the account and issues a new session token.
    let again = t.sign_in("ada@example.com").await;
    assert_eq!(again.id, body["user"]["id"].as_str().unwrap());
    assert_ne!(again.cookie, format!("atelier_session={token}"));
}

#[tokio::test]
async fn c1_codes_are_single_use_expire_and_die_after_five_wrong_tries() {
    let t = TestApp::new().await;
    t.ask_code("bo@example.com").await;
    let code = t.last_mail_to("bo@example.com").await.code();
    assert_eq!(
        t.verify_code("bo@example.com", &code).await.status,
        StatusCode::OK
    );
    // Reused.
    let r = t.verify_code("bo@example.com", &code).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.error_code(), "invalid_code");

    // Expired after 10 minutes.
    t.ask_code("bo@example.com").await;
    let code = t.last_mail_to("bo@example.com").await.code();
    t.clock.advance_ms(10 * MINUTE_MS + 1);
    assert_eq!(
        t.verify_code("bo@example.com", &code).await.error_code(),
        "invalid_code"
    );

    // Five wrong tries void the code, even for the right one afterwards.
    t.ask_code("bo@example.com").await;
    let code = t.last_mail_to("bo@example.com").await.code();
    for _ in 0..5 {
        let r = t.verify_code("bo@example.com", &wrong_code(&code)).await;
        assert_eq!(r.error_code(), "invalid_code");
    }
    assert_eq!(
        t.verify_code("bo@example.com", &code).await.error_code(),
        "invalid_code"
    );

    // A newer code voids the older one.
    t.ask_code("bo@example.com").await;
    let first = t.last_mail_to("bo@example.com").await.code();
    t.ask_code("bo@example.com").await;
    let second = t.last_mail_to("bo@example.com").await.code();
    if first != second {
        assert_eq!(
            t.verify_code("bo@example.com", &first).await.error_code(),
            "invalid_code"
        );
    }
    assert_eq!(
        t.verify_code("bo@example.com", &second).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn c1_no_enumeration_same_answer_for_known_and_unknown_addresses() {
    let t = TestApp::new().await;
    t.sign_in("known@example.com").await;
    let known = t.ask_code("known@example.com").await;
    let unknown = t.ask_code("nobody@example.com").await;
    assert_eq!(known.status, unknown.status);
    assert_eq!(known.body, unknown.body);
    let a = t.verify_code("known@example.com", "000000").await;
    let b = t.verify_code("never-asked@example.com", "000000").await;
    assert_eq!(a.status, b.status);
    assert_eq!(a.body, b.body);
}

#[tokio::test]
async fn bad_addresses_are_clear_422s_and_nothing_is_sent_or_stored() {
    let t = TestApp::new().await;
    let long_local = format!("{}@example.com", "a".repeat(65));
    let long_total = format!("a@{}.com", vec!["b".repeat(60); 5].join("."));
    for bad in [
        "not-an-address",
        "a@example.com\r\nBcc: victim@example.org",
        "a@example.com\nSubject: hi",
        long_local.as_str(),
        long_total.as_str(),
        "",
    ] {
        let r = t.ask_code(bad).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
        assert_eq!(r.error_code(), "invalid_email");
    }
    let r = t
        .send_raw(
            Method::POST,
            "/api/v1/auth/email",
            "application/json",
            "{\"email\":",
        )
        .await;
    assert_eq!(r.error_code(), "malformed_json");
    let r = t
        .send_json(Method::POST, "/api/v1/auth/email", &json!({ "email": 5 }))
        .await;
    assert_eq!(r.error_code(), "invalid_body");
    let huge = json!({ "email": "a".repeat(400_000) });
    let r = t.send_json(Method::POST, "/api/v1/auth/email", &huge).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    t.run_jobs().await;
    assert!(t.mails().is_empty());
    assert_eq!(t.db.store.outbox_count().await.unwrap(), 0);
}

#[tokio::test]
async fn rate_limits_answer_429_with_retry_after() {
    let mut raw = RawSettings::default();
    raw.rate_limits.sign_in_mail_per_address_per_hour = 2;
    raw.rate_limits.verify_per_ip_per_hour = 3;
    let t = TestApp::init()
        .with_settings(Settings::resolve(raw).unwrap())
        .build()
        .await;
    assert_eq!(
        t.ask_code("rl@example.com").await.status,
        StatusCode::ACCEPTED
    );
    assert_eq!(
        t.ask_code("rl@example.com").await.status,
        StatusCode::ACCEPTED
    );
    let r = t.ask_code("rl@example.com").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.error_code(), "rate_limited");
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=3600).contains(&retry));
    // Another address is not affected.
    assert_eq!(
        t.ask_code("other@example.com").await.status,
        StatusCode::ACCEPTED
    );
    // An hour later the address may ask again.
    t.clock.advance_ms(HOUR_MS);
    assert_eq!(
        t.ask_code("rl@example.com").await.status,
        StatusCode::ACCEPTED
    );

    for _ in 0..3 {
        t.verify_code("rl@example.com", "000000").await;
    }
    let r = t.verify_code("rl@example.com", "000000").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.header("retry-after").is_some());
}

#[tokio::test]
async fn the_general_per_ip_limit_applies_per_client_address() {
    let mut raw = RawSettings::default();
    raw.rate_limits.requests_per_ip_per_minute = 5;
    let t = TestApp::init()
        .with_settings(Settings::resolve(raw).unwrap())
        .build()
        .await;
    for _ in 0..5 {
        assert_eq!(t.get("/api/v1/instance").await.status, StatusCode::OK);
    }
    let r = t.get("/api/v1/instance").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.header("retry-after").is_some());
    let mut other = Request::get("/api/v1/instance")
        .body(Body::empty())
        .unwrap();
    other.extensions_mut().insert(axum::extract::ConnectInfo(
        "198.51.100.77:4000"
            .parse::<std::net::SocketAddr>()
            .unwrap(),
    ));
    assert_eq!(t.request(other).await.status, StatusCode::OK);
}

#[tokio::test]
async fn csrf_cross_site_cookie_requests_are_refused_bearer_is_exempt() {
    let t = TestApp::new().await;
    let u = t.sign_in("csrf@example.com").await;
    let patch = json!({ "display_name": "Mallory was here" });
    // A cross-site form or fetch with the victim's cookie.
    for (header, value) in [
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
        ("origin", "https://evil.example"),
    ] {
        let req = Request::builder()
            .method(Method::PATCH)
            .uri("/api/v1/me")
            .header("cookie", &u.cookie)
            .header(header, value)
            .header("content-type", "application/json")
            .body(Body::from(patch.to_string()))
            .unwrap();
        let r = t.request(req).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{header}: {value}");
        assert_eq!(r.error_code(), "csrf_rejected");
    }
    // `Sec-Fetch-Site` decides when present, whatever `Origin` says.
    let req = Request::builder()
        .method(Method::PATCH)
        .uri("/api/v1/me")
        .header("cookie", &u.cookie)
        .header("sec-fetch-site", "cross-site")
        .header("origin", "http://127.0.0.1:8080")
        .header("content-type", "application/json")
        .body(Body::from(patch.to_string()))
        .unwrap();
    assert_eq!(t.request(req).await.status, StatusCode::FORBIDDEN);
    let req = Request::builder()
        .method(Method::PATCH)
        .uri("/api/v1/me")
        .header("cookie", &u.cookie)
        .header("sec-fetch-site", "same-origin")
        .header("origin", "https://evil.example")
        .header("content-type", "application/json")
        .body(Body::from(json!({ "display_name": "Ada" }).to_string()))
        .unwrap();
    assert_eq!(t.request(req).await.status, StatusCode::OK);
    // A typed URL or bookmark (`none`) is the user's own doing.
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/auth/logout")
        .header("cookie", &u.cookie)
        .header("sec-fetch-site", "none")
        .body(Body::empty())
        .unwrap();
    assert_eq!(t.request(req).await.status, StatusCode::NO_CONTENT);
    let u = t.sign_in("csrf@example.com").await;
    // An opaque origin (a sandboxed frame, a `data:` page) is not this instance.
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/auth/logout")
        .header("cookie", &u.cookie)
        .header("origin", "null")
        .body(Body::empty())
        .unwrap();
    assert_eq!(t.request(req).await.status, StatusCode::FORBIDDEN);
    // Same-origin (the app's own pages) and bearer requests pass.
    let req = Request::builder()
        .method(Method::PATCH)
        .uri("/api/v1/me")
        .header("cookie", &u.cookie)
        .header("origin", "http://127.0.0.1:8080")
        .header("content-type", "application/json")
        .body(Body::from(json!({ "display_name": "Ada" }).to_string()))
        .unwrap();
    assert_eq!(t.request(req).await.status, StatusCode::OK);
    let r = t
        .call(
            Method::PATCH,
            "/api/v1/me",
            Some(&json!({ "display_name": "Ada L." })),
            &u.bearer(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["display_name"], "Ada L.");
}

/// A script's cookie jar (`curl -b -c`, Python's `requests.Session`): keeps every cookie the
/// server sets and sends them all back, with no `Origin` and no `Sec-Fetch-Site`.
#[derive(Default)]
struct CookieJar(std::collections::BTreeMap<String, String>);

impl CookieJar {
    async fn send(
        &mut self,
        t: &TestApp,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> atelier_testkit::TestResponse {
        let mut req = Request::builder().method(method).uri(path);
        if !self.0.is_empty() {
            let cookies: Vec<String> = self.0.iter().map(|(k, v)| format!("{k}={v}")).collect();
            req = req.header("cookie", cookies.join("; "));
        }
        let body = match body {
            Some(json) => {
                req = req.header("content-type", "application/json");
                Body::from(json.to_string())
            }
            None => Body::empty(),
        };
        let r = t.request(req.body(body).unwrap()).await;
        for value in r.headers.get_all("set-cookie") {
            let pair = value.to_str().unwrap().split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || value == "\"\"" {
                self.0.remove(name);
            } else {
                self.0.insert(name.to_owned(), value.to_owned());
            }
        }
        r
    }
}

#[tokio::test]
async fn csrf_a_cookie_jar_script_signs_in_and_uses_the_api() {
    let t = TestApp::new().await;
    let mut jar = CookieJar::default();
    let email = "script@example.com";
    let r = jar
        .send(
            &t,
            Method::POST,
            "/api/v1/auth/email",
            Some(json!({ "email": email })),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    assert!(!jar.0.is_empty(), "the sign-in step sets a cookie");
    let code = t.last_mail_to(email).await.code();
    let r = jar
        .send(
            &t,
            Method::POST,
            "/api/v1/auth/verify",
            Some(json!({ "email": email, "code": code })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(jar.0.contains_key("atelier_session"));
    let r = jar
        .send(
            &t,
            Method::PATCH,
            "/api/v1/me",
            Some(json!({ "display_name": "Script" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = jar
        .send(
            &t,
            Method::POST,
            "/api/v1/boards",
            Some(json!({ "name": "From a script" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let r = jar.send(&t, Method::GET, "/api/v1/me", None).await;
    assert_eq!(r.json()["display_name"], "Script");
    let r = jar
        .send(&t, Method::POST, "/api/v1/auth/logout", None)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = jar.send(&t, Method::GET, "/api/v1/me", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

async fn me(t: &TestApp, auth: Auth) -> StatusCode {
    t.call(Method::GET, "/api/v1/me", None, &auth).await.status
}

#[tokio::test]
async fn d1_sessions_expire_idle_and_absolute_and_sign_out_works() {
    let t = TestApp::new().await; // idle 7 days, absolute 30 days
    let u = t.sign_in("s@example.com").await;
    // Idle: used every 6 days it survives to the absolute limit, then dies.
    for _ in 0..4 {
        t.clock.advance_ms(6 * DAY_MS);
        assert_eq!(me(&t, u.browser()).await, StatusCode::OK);
    }
    t.clock.advance_ms(6 * DAY_MS + 1); // 30 days after sign-in
    assert_eq!(me(&t, u.browser()).await, StatusCode::UNAUTHORIZED);

    let u = t.sign_in("s@example.com").await;
    t.clock.advance_ms(7 * DAY_MS);
    assert_eq!(
        me(&t, u.browser()).await,
        StatusCode::UNAUTHORIZED,
        "idle for 7 days"
    );

    // Sign out ends this session only; sign out everywhere ends all.
    let a = t.sign_in("s@example.com").await;
    let b = t.sign_in("s@example.com").await;
    let list = t
        .call(Method::GET, "/api/v1/me/sessions", None, &a.browser())
        .await
        .json();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items.iter().filter(|s| s["current"] == true).count(), 1);
    assert!(items[0]["browser"].is_string());
    let r = t
        .call(Method::POST, "/api/v1/auth/logout", None, &a.browser())
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(r.set_cookie("atelier_session").as_deref(), Some(""));
    assert_eq!(me(&t, a.browser()).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me(&t, b.browser()).await, StatusCode::OK);
    let c = t.sign_in("s@example.com").await;
    let r = t
        .call(Method::POST, "/api/v1/auth/logout-all", None, &c.browser())
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(me(&t, b.browser()).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me(&t, c.browser()).await, StatusCode::UNAUTHORIZED);
    // Tokens stay until revoked.
    assert_eq!(me(&t, c.bearer()).await, StatusCode::OK);
}

#[tokio::test]
async fn access_tokens_are_shown_once_stored_hashed_and_revocable() {
    let t = TestApp::new().await;
    let u = t.sign_in("tok@example.com").await;
    let r = t
        .call(
            Method::POST,
            "/api/v1/me/tokens",
            Some(&json!({ "name": "MeiGen CLI" })),
            &u.browser(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let created = r.json();
    let token = created["token"].as_str().unwrap().to_owned();
    let list = t
        .call(Method::GET, "/api/v1/me/tokens", None, &u.browser())
        .await
        .json();
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"MeiGen CLI"));
    assert!(
        !list.to_string().contains(&token),
        "the token is never listed"
    );
    assert_eq!(
        t.call(
            Method::GET,
            "/api/v1/me",
            None,
            &Auth::Bearer(token.clone())
        )
        .await
        .status,
        StatusCode::OK
    );
    // Revoked: 401 invalid_token.
    let id = created["id"].as_str().unwrap();
    let r = t
        .call(
            Method::DELETE,
            &format!("/api/v1/me/tokens/{id}"),
            None,
            &u.browser(),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = t
        .call(Method::GET, "/api/v1/me", None, &Auth::Bearer(token))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.error_code(), "invalid_token");
    // Unknown tokens, garbage and another user's token id.
    for bad in ["atl_nope", "garbage", ""] {
        let r = t
            .call(
                Method::GET,
                "/api/v1/me",
                None,
                &Auth::Bearer(bad.to_owned()),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{bad:?}");
    }
    let other = t.sign_in("other@example.com").await;
    let r = t
        .call(
            Method::POST,
            "/api/v1/me/tokens",
            Some(&json!({ "name": "x" })),
            &other.browser(),
        )
        .await;
    let other_id = r.json()["id"].as_str().unwrap().to_owned();
    let r = t
        .call(
            Method::DELETE,
            &format!("/api/v1/me/tokens/{other_id}"),
            None,
            &u.browser(),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Names: 1..80 characters.
    for name in ["", "   ", &"n".repeat(81)] {
        let r = t
            .call(
                Method::POST,
                "/api/v1/me/tokens",
                Some(&json!({ "name": name })),
                &u.browser(),
            )
            .await;
        assert_eq!(r.error_code(), "invalid_name");
    }
    // Without credentials.
    assert_eq!(t.get("/api/v1/me").await.error_code(), "unauthorized");
}

#[tokio::test]
async fn c2_ip_events_are_written_with_the_network_and_purged_after_retention() {
    let mut raw = RawSettings::default();
    raw.retention.ip_event_days = 180;
    let t = TestApp::init()
        .with_settings(Settings::resolve(raw).unwrap())
        .build()
        .await;
    let u = t.sign_in("ip@example.com").await;
    let events = t.db.store.ip_events_of_user(&u.id, 10).await.unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert!(
        kinds.contains(&"signup") && kinds.contains(&"sign_in"),
        "{kinds:?}"
    );
    assert!(
        events
            .iter()
            .all(|e| e.ip == "203.0.113.10" && e.network == "203.0.113.0/24")
    );
    // Session use: at most once per hour.
    for _ in 0..3 {
        t.call(Method::GET, "/api/v1/me", None, &u.browser()).await;
    }
    t.clock.advance_ms(HOUR_MS);
    for _ in 0..3 {
        t.call(Method::GET, "/api/v1/me", None, &u.browser()).await;
    }
    let events = t.db.store.ip_events_of_user(&u.id, 50).await.unwrap();
    assert_eq!(events.iter().filter(|e| e.kind == "session").count(), 1);

    // Retention: 179 days kept, past 180 purged.
    t.clock.advance_ms(179 * DAY_MS);
    assert_eq!(t.app.purge_ip_events().await.unwrap(), 0);
    t.clock.advance_ms(DAY_MS);
    assert!(t.app.purge_ip_events().await.unwrap() >= 2);
    let left = t.db.store.ip_events_of_user(&u.id, 50).await.unwrap();
    assert_eq!(
        left.len(),
        1,
        "only the session event of an hour later remains"
    );
}

#[tokio::test]
async fn c1_security_alert_on_a_sign_in_from_a_new_network_only() {
    let t = TestApp::new().await;
    t.sign_in("alert@example.com").await;
    let before = t.mails().len();
    t.sign_in("alert@example.com").await; // same network
    assert_eq!(
        t.mails()
            .iter()
            .skip(before)
            .filter(|m| m.subject.to_lowercase().contains("sign-in") && !m.text.contains("token="))
            .count(),
        0
    );
    // From another /24.
    ask_code_from(&t, "alert@example.com", "198.51.100.23:1000").await;
    let code = t.last_mail_to("alert@example.com").await.code();
    let mut req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/auth/verify")
        .header("content-type", "application/json")
        .header(
            "user-agent",
            "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        )
        .body(Body::from(
            json!({ "email": "alert@example.com", "code": code }).to_string(),
        ))
        .unwrap();
    req.extensions_mut().insert(axum::extract::ConnectInfo(
        "198.51.100.23:1000"
            .parse::<std::net::SocketAddr>()
            .unwrap(),
    ));
    assert_eq!(t.request(req).await.status, StatusCode::OK);
    let alert = t.last_mail_to("alert@example.com").await;
    assert!(alert.text.contains("198.51.100.0/24"), "{}", alert.text);
    assert!(alert.text.contains("Firefox on Linux"));
    assert!(
        !alert.text.contains("198.51.100.23"),
        "the full address stays out of the mail"
    );
}

async fn ask_code_from(t: &TestApp, email: &str, peer: &str) {
    let mut req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/auth/email")
        .header("content-type", "application/json")
        .body(Body::from(json!({ "email": email }).to_string()))
        .unwrap();
    req.extensions_mut().insert(axum::extract::ConnectInfo(
        peer.parse::<std::net::SocketAddr>().unwrap(),
    ));
    assert_eq!(t.request(req).await.status, StatusCode::ACCEPTED);
}

#[tokio::test]
async fn d5_email_change_is_verified_at_the_new_address_and_the_old_one_is_told() {
    let t = TestApp::new().await;
    let u = t.sign_in("old@example.com").await;
    t.sign_in("taken@example.com").await;
    let r = t
        .call(
            Method::POST,
            "/api/v1/me/email",
            Some(&json!({ "new_email": "new@example.com" })),
            &u.browser(),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    let mail = t.last_mail_to("new@example.com").await;
    let r = t
        .call(
            Method::POST,
            "/api/v1/me/email/verify",
            Some(&json!({ "code": wrong_code(&mail.code()) })),
            &u.browser(),
        )
        .await;
    assert_eq!(r.error_code(), "invalid_code");
    let r = t
        .call(
            Method::POST,
            "/api/v1/me/email/verify",
            Some(&json!({ "code": mail.code() })),
            &u.browser(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["email"], "new@example.com");
    let notice = t.last_mail_to("old@example.com").await;
    assert!(notice.text.contains("n***@example.com"), "{}", notice.text);
    assert!(!notice.text.contains("new@example.com"));
    // The address is taken by another account.
    t.call(
        Method::POST,
        "/api/v1/me/email",
        Some(&json!({ "new_email": "taken@example.com" })),
        &u.browser(),
    )
    .await;
    let code = t.last_mail_to("taken@example.com").await.code();
    let r = t
        .call(
            Method::POST,
            "/api/v1/me/email/verify",
            Some(&json!({ "code": code })),
            &u.browser(),
        )
        .await;
    assert_eq!(r.error_code(), "email_taken");
    let r = t
        .call(
            Method::POST,
            "/api/v1/me/email",
            Some(&json!({ "new_email": "new@example.com" })),
            &u.browser(),
        )
        .await;
    assert_eq!(r.error_code(), "same_email");
}

#[tokio::test]
async fn c3_profile_holds_only_a_display_name_language_and_opt_in() {
    let t = TestApp::new().await;
    let u = t.sign_in("p@example.com").await;
    let r = t
        .call(
            Method::PATCH,
            "/api/v1/me",
            Some(&json!({ "display_name": "  Ada  ", "language": "zh-CN", "marketing_opt_in": true })),
            &u.browser(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let me = r.json();
    assert_eq!(me["display_name"], "Ada");
    assert_eq!(me["language"], "zh-CN");
    assert_eq!(me["marketing_opt_in"], true);
    let keys: Vec<&String> = me.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "created_at",
            "credits",
            "display_name",
            "email",
            "id",
            "language",
            "marketing_opt_in",
            "roles"
        ]
    );
    for (body, code) in [
        (json!({ "language": "fr" }), "invalid_language"),
        (
            json!({ "display_name": "x".repeat(61) }),
            "invalid_display_name",
        ),
        (json!({ "phone": "123" }), "invalid_body"),
    ] {
        let r = t
            .call(Method::PATCH, "/api/v1/me", Some(&body), &u.browser())
            .await;
        assert_eq!(r.error_code(), code);
    }
    let r = t
        .call(
            Method::PATCH,
            "/api/v1/me",
            Some(&json!({ "display_name": null })),
            &u.browser(),
        )
        .await;
    assert_eq!(r.json()["display_name"], serde_json::Value::Null);
    // Mail comes in the account's language.
    t.ask_code("p@example.com").await;
    let mail = t.last_mail_to("p@example.com").await;
    assert!(
        mail.text
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{}",
        mail.text
    );
}

#[tokio::test]
async fn sec2_admin_grant_adds_a_role() {
    let t = TestApp::new().await;
    let u = t.sign_in("boss@example.com").await;
    let user = t
        .app
        .grant_role("boss@example.com", atelier_core::Role::Admin)
        .await
        .unwrap();
    assert!(user.has_role(atelier_core::Role::Admin));
    let me = t
        .call(Method::GET, "/api/v1/me", None, &u.bearer())
        .await
        .json();
    assert_eq!(me["roles"], json!(["user", "admin"]));
    assert!(matches!(
        t.app
            .grant_role("ghost@example.com", atelier_core::Role::Admin)
            .await,
        Err(atelier_app::AppError::NotFound)
    ));
}

#[tokio::test]
async fn expired_rows_are_purged() {
    let t = TestApp::new().await;
    let u = t.sign_in("purge@example.com").await;
    t.ask_code("purge@example.com").await;
    t.clock.advance_ms(31 * DAY_MS);
    let p = t.app.purge_expired_account_rows().await.unwrap();
    assert_eq!(p.challenges, 1);
    assert_eq!(p.sessions, 1);
    assert!(
        p.access_tokens >= 1,
        "sign-in tokens end with the session lifetime"
    );
    assert!(p.rate_limits >= 1);
    let r = t.call(Method::GET, "/api/v1/me", None, &u.bearer()).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let _ = t.clock.now_ms();
}

/// What the fake Resend server received: (Idempotency-Key, JSON body).
type Seen = std::sync::Arc<std::sync::Mutex<Vec<(String, serde_json::Value)>>>;
/// The fake's answers in order: (status, Retry-After seconds).
type Script = std::sync::Arc<std::sync::Mutex<std::vec::IntoIter<(u16, Option<u64>)>>>;

/// A local server speaking Resend's `POST /emails`: answers from a script, records what it got.
async fn fake_resend(script: Vec<(u16, Option<u64>)>) -> (String, Seen) {
    use axum::extract::State;
    use axum::http::HeaderMap;
    use axum::response::IntoResponse;
    let seen: Seen = std::sync::Arc::default();
    let script = std::sync::Arc::new(std::sync::Mutex::new(script.into_iter()));
    let app = axum::Router::new()
        .route(
            "/emails",
            axum::routing::post(
                |State((seen, script)): State<(Seen, Script)>,
                 headers: HeaderMap,
                 body: axum::Json<serde_json::Value>| async move {
                    assert_eq!(headers["authorization"], "Bearer re_test_key");
                    let key = headers["idempotency-key"].to_str().unwrap().to_owned();
                    seen.lock().unwrap().push((key, body.0));
                    let (status, retry) = script.lock().unwrap().next().unwrap_or((200, None));
                    let status = StatusCode::from_u16(status).unwrap();
                    let mut response = if status.is_success() {
                        (status, axum::Json(json!({ "id": "4ef9a417-02e9-4d39-ad75-9611e0fcc33c" }))).into_response()
                    } else {
                        (status, axum::Json(json!({ "statusCode": status.as_u16(), "name": "validation_error", "message": "The `to` field is invalid." }))).into_response()
                    };
                    if let Some(secs) = retry {
                        response.headers_mut().insert("retry-after", secs.into());
                    }
                    response
                },
            ),
        )
        .with_state((seen.clone(), script));
    (fakes::serve(app).await, seen)
}

#[tokio::test]
async fn c1_mail_job_honours_resend_429_retry_after_and_never_sends_twice() {
    let (url, seen) = fake_resend(vec![(429, Some(30)), (200, None), (422, None)]).await;
    let mut raw = RawSettings::default();
    raw.mail.transport = atelier_core::settings::MailTransport::Resend;
    raw.mail.resend.api_key = Some(atelier_core::Secret::new("re_test_key".into()));
    raw.mail.resend.base_url = url;
    let t = TestApp::init()
        .with_settings(Settings::resolve(raw).unwrap())
        .build()
        .await;
    assert_eq!(
        t.ask_code("re@example.com").await.status,
        StatusCode::ACCEPTED
    );
    t.run_jobs().await;
    assert_eq!(seen.lock().unwrap().len(), 1, "first attempt: 429");
    assert_eq!(
        t.db.store.outbox_count().await.unwrap(),
        1,
        "kept for the retry"
    );
    t.clock.advance_ms(29_000);
    t.run_jobs().await;
    assert_eq!(seen.lock().unwrap().len(), 1, "Retry-After: 30 is honoured");
    t.clock.advance_ms(2_000);
    t.run_jobs().await;
    {
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 2, "sent after the wait");
        assert_eq!(
            seen[0].0, seen[1].0,
            "the same Idempotency-Key: a retry never sends twice"
        );
        let body = &seen[1].1;
        assert_eq!(body["to"], json!(["re@example.com"]));
        assert!(body["subject"].as_str().unwrap().contains("sign-in"));
        assert!(body["html"].is_string() && body["text"].is_string());
        assert!(
            body["headers"]["Message-ID"]
                .as_str()
                .unwrap()
                .starts_with('<')
        );
    }
    assert_eq!(
        t.db.store.outbox_count().await.unwrap(),
        0,
        "sent mail is not kept"
    );

    // A permanent refusal: the message is dropped, not retried.
    t.ask_code("re@example.com").await;
    t.run_jobs().await;
    assert_eq!(seen.lock().unwrap().len(), 3);
    assert_eq!(t.db.store.outbox_count().await.unwrap(), 0);
    t.clock.advance_ms(HOUR_MS);
    t.run_jobs().await;
    assert_eq!(seen.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn sec5_only_essential_cookies_are_set() {
    let t = TestApp::new().await;
    let mut names = std::collections::BTreeSet::new();
    let mut collect = |r: &atelier_testkit::TestResponse| {
        for v in r.headers.get_all("set-cookie") {
            let name = v.to_str().unwrap().split('=').next().unwrap().to_owned();
            names.insert(name);
        }
    };
    collect(&t.ask_code("cookies@example.com").await);
    let code = t.last_mail_to("cookies@example.com").await.code();
    collect(&t.verify_code("cookies@example.com", &code).await);
    let u = t.sign_in("cookies@example.com").await;
    for path in ["/", "/login", "/settings", "/api/v1/me", "/api/v1/gallery"] {
        collect(&t.call(Method::GET, path, None, &u.browser()).await);
    }
    let form = Request::builder()
        .method(Method::POST)
        .uri("/lang")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from("lang=zh-CN&next=/"))
        .unwrap();
    collect(&t.request(form).await);
    collect(
        &t.call(Method::POST, "/api/v1/auth/logout", None, &u.browser())
            .await,
    );
    let allowed = ["atelier_login", "atelier_session", "lang"];
    assert!(
        names.iter().all(|n| allowed.contains(&n.as_str())),
        "only session, sign-in and language cookies: {names:?}"
    );
    assert!(names.contains("atelier_session") && names.contains("lang"));
}
