//! The account pages over HTTP (C1, C3, D1, D5, G9): the sign-in form with the code read from the
//! outbox, magic links in the same and in another browser, settings forms with Post/Redirect/Get,
//! tokens shown once, sign-out everywhere, Chinese pages, no-store and CSRF.

use atelier_testkit::{TestApp, TestResponse};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use url::form_urlencoded;

/// A form post as a browser sends it from one of our pages.
async fn post_form(
    t: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
    cookie: Option<&str>,
) -> TestResponse {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    let mut request = Request::post(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin");
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    t.request(request.body(Body::from(body)).unwrap()).await
}

/// A page as a browser with `cookie` asks for it.
async fn get_page(t: &TestApp, path: &str, cookie: Option<&str>) -> TestResponse {
    let mut request = Request::get(path);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    t.request(request.body(Body::empty()).unwrap()).await
}

/// The whole `Set-Cookie` header for `name`.
fn set_cookie_header(r: &TestResponse, name: &str) -> String {
    r.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no Set-Cookie for {name}"))
        .to_owned()
}

/// Signs in through the pages; returns the `Cookie` header value with the session.
async fn sign_in_with_form(t: &TestApp, email: &str) -> String {
    let sent = post_form(t, "/login", &[("email", email), ("next", "")], None).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.text());
    let code = t.last_mail_to(email).await.code();
    let done = post_form(
        t,
        "/login/code",
        &[("email", email), ("code", &code), ("next", "")],
        None,
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text());
    format!(
        "atelier_session={}",
        done.set_cookie("atelier_session").unwrap()
    )
}

fn wrong(code: &str) -> String {
    let n: u32 = code.parse().unwrap();
    format!("{:06}", (n + 1) % 1_000_000)
}

#[tokio::test]
async fn c1_sign_in_with_the_forms_and_land_on_next() {
    let t = TestApp::new().await;
    let form = get_page(&t, "/login?next=/settings", None).await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(form.header("cache-control"), Some("no-store"));
    let html = form.text();
    assert!(html.contains("<title>Sign in to Atelier · Atelier</title>"));
    assert!(html.contains("action=\"/login\""));
    assert!(html.contains("name=\"next\" value=\"/settings\""));

    let sent = post_form(
        &t,
        "/login",
        &[("email", " Ada@Example.com "), ("next", "/settings")],
        None,
    )
    .await;
    assert_eq!(sent.status, StatusCode::OK, "a page, not a redirect");
    assert_eq!(sent.header("cache-control"), Some("no-store"));
    let html = sent.text();
    assert!(html.contains("Check your email"));
    assert!(html.contains("ada@example.com"));
    assert!(html.contains("expire in 10 minutes"));
    assert!(html.contains("action=\"/login/code\""));
    assert!(html.contains("autocomplete=\"one-time-code\""));
    let login_cookie = set_cookie_header(&sent, "atelier_login");
    assert!(login_cookie.contains("HttpOnly") && login_cookie.contains("Max-Age=600"));

    let code = t.last_mail_to("ada@example.com").await.code();
    let done = post_form(
        &t,
        "/login/code",
        &[
            ("email", "ada@example.com"),
            ("code", &code),
            ("next", "/settings"),
        ],
        None,
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text());
    assert_eq!(done.header("location"), Some("/settings"));
    let session = set_cookie_header(&done, "atelier_session");
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax"));
    assert!(set_cookie_header(&done, "atelier_login").contains("Max-Age=0"));
    assert!(set_cookie_header(&done, "lang").starts_with("lang=en;"));

    let cookie = format!(
        "atelier_session={}",
        done.set_cookie("atelier_session").unwrap()
    );
    let settings = get_page(&t, "/settings", Some(&cookie)).await;
    assert_eq!(settings.status, StatusCode::OK);
    assert_eq!(settings.header("cache-control"), Some("no-store"));
    let html = settings.text();
    assert!(html.contains("<title>Account settings · Atelier</title>"));
    assert!(html.contains("ada@example.com"));
    // The header shows who is signed in, with a sign-out button.
    assert!(html.contains("class=\"who-name\">ada</span>"));
    assert!(html.contains("action=\"/logout\""));
}

#[tokio::test]
async fn c1_a_wrong_code_shows_the_error_and_keeps_the_address() {
    let t = TestApp::new().await;
    post_form(&t, "/login", &[("email", "bob@example.com")], None).await;
    let code = t.last_mail_to("bob@example.com").await.code();
    let r = post_form(
        &t,
        "/login/code",
        &[
            ("email", "bob@example.com"),
            ("code", &wrong(&code)),
            ("next", "/g/x"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.set_cookie("atelier_session").is_none());
    let html = r.text();
    assert!(html.contains("That code is wrong or has expired"));
    assert!(html.contains("name=\"email\" value=\"bob@example.com\""));
    assert!(html.contains("name=\"next\" value=\"/g/x\""));
    assert!(html.contains("aria-invalid=\"true\""));
    // The right code still works, and an unsafe `next` goes to the gallery.
    let r = post_form(
        &t,
        "/login/code",
        &[
            ("email", "bob@example.com"),
            ("code", &code),
            ("next", "//evil.example"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), Some("/"));
}

#[tokio::test]
async fn c1_a_bad_address_and_too_many_mails_are_explained() {
    let t = TestApp::new().await;
    let r = post_form(&t, "/login", &[("email", "not-an-address")], None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(html.contains("look like an email address"));
    assert!(html.contains("value=\"not-an-address\""));
    assert!(r.set_cookie("atelier_login").is_none());

    for _ in 0..5 {
        let r = post_form(&t, "/login", &[("email", "busy@example.com")], None).await;
        assert_eq!(r.status, StatusCode::OK);
    }
    let r = post_form(&t, "/login", &[("email", "busy@example.com")], None).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.header("retry-after").is_some());
    assert!(r.text().contains("Too many attempts. Please wait 60 min"));
}

#[tokio::test]
async fn settings_need_a_session_and_the_sign_in_page_skips_the_signed_in() {
    let t = TestApp::new().await;
    let r = get_page(&t, "/settings", None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), Some("/login?next=/settings"));
    let r = post_form(&t, "/settings/tokens", &[("name", "x")], None).await;
    assert_eq!(r.header("location"), Some("/login?next=/settings"));

    let cookie = sign_in_with_form(&t, "eve@example.com").await;
    let r = get_page(&t, "/login?next=/settings", Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), Some("/settings"));
    // A form target asked for with GET (a reload) goes back to its page.
    let r = get_page(&t, "/settings/tokens", Some(&cookie)).await;
    assert_eq!(r.header("location"), Some("/settings"));
}

#[tokio::test]
async fn c1_magic_link_in_the_same_browser_signs_in_at_once() {
    let t = TestApp::new().await;
    let sent = post_form(&t, "/login", &[("email", "link@example.com")], None).await;
    let nonce = sent.set_cookie("atelier_login").unwrap();
    let token = t.last_mail_to("link@example.com").await.link_token();
    let r = get_page(
        &t,
        &format!("/login/link?token={token}"),
        Some(&format!("atelier_login={nonce}")),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(r.header("location"), Some("/"));
    let cookie = format!(
        "atelier_session={}",
        r.set_cookie("atelier_session").unwrap()
    );
    let home = get_page(&t, "/", Some(&cookie)).await.text();
    assert!(home.contains("class=\"who-name\">link</span>"));
    assert!(!home.contains("href=\"/login?next="));
}

#[tokio::test]
async fn c1_magic_link_in_another_browser_asks_first_and_works_once() {
    let t = TestApp::new().await;
    post_form(&t, "/login", &[("email", "other@example.com")], None).await;
    let token = t.last_mail_to("other@example.com").await.link_token();
    let path = format!("/login/link?token={token}");

    // A mail scanner or another browser: nothing happens until the person confirms.
    let r = get_page(&t, &path, None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert!(r.set_cookie("atelier_session").is_none());
    let html = r.text();
    assert!(html.contains("Sign in as o***@example.com on this device?"));
    assert!(html.contains("different browser"));
    assert!(html.contains(&format!("name=\"token\" value=\"{token}\"")));
    // The token is not echoed into the language switch's return address.
    assert!(html.contains("name=\"next\" value=\"/login\""));

    let r = post_form(&t, "/login/link", &[("token", &token)], None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), Some("/"));
    assert!(r.set_cookie("atelier_session").is_some());

    let used = get_page(&t, &path, None).await;
    assert_eq!(used.status, StatusCode::OK);
    let html = used.text();
    assert!(html.contains("This link no longer works"));
    assert!(html.contains("href=\"/login\""));
    let garbage = get_page(&t, "/login/link?token=nope", None).await.text();
    assert!(garbage.contains("This link no longer works"));
}

#[tokio::test]
async fn c3_the_profile_form_saves_and_switches_the_language() {
    let t = TestApp::new().await;
    let cookie = sign_in_with_form(&t, "grace@example.com").await;
    let r = post_form(
        &t,
        "/settings/profile",
        &[("display_name", "  Grace Hopper "), ("language", "zh-CN")],
        Some(&cookie),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), Some("/settings?saved=profile"));
    assert!(set_cookie_header(&r, "lang").starts_with("lang=zh-CN;"));

    let with_lang = format!("{cookie}; lang=zh-CN");
    let html = get_page(&t, "/settings?saved=profile", Some(&with_lang))
        .await
        .text();
    assert!(html.contains("<html lang=\"zh-CN\">"));
    assert!(html.contains("个人资料已保存。"));
    assert!(html.contains("value=\"Grace Hopper\""));
    assert!(html.contains("class=\"who-name\">Grace Hopper</span>"));
    assert!(html.contains("<option value=\"zh-CN\" selected>"));
    let me = t
        .call(
            axum::http::Method::GET,
            "/api/v1/me",
            None,
            &atelier_testkit::Auth::Cookie(cookie.clone()),
        )
        .await
        .json();
    assert_eq!(me["display_name"], "Grace Hopper");
    assert_eq!(me["language"], "zh-CN");
    assert_eq!(me["marketing_opt_in"], false, "an unticked box opts out");

    let long = "x".repeat(61);
    let r = post_form(
        &t,
        "/settings/profile",
        &[
            ("display_name", long.as_str()),
            ("language", "en"),
            ("marketing_opt_in", "on"),
        ],
        Some(&cookie),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(html.contains("at most 60 characters"));
    assert!(html.contains(&format!("value=\"{long}\"")));
}

#[tokio::test]
async fn a_new_token_is_shown_once_and_can_be_revoked() {
    let t = TestApp::new().await;
    let cookie = sign_in_with_form(&t, "tok@example.com").await;
    let r = post_form(
        &t,
        "/settings/tokens",
        &[("name", "Backup job")],
        Some(&cookie),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let html = r.text();
    assert!(html.contains("it will not be shown again"));
    let at = html.find("id=\"new-token-value\">").unwrap() + "id=\"new-token-value\">".len();
    let token: String = html[at..].chars().take_while(|c| *c != '<').collect();
    assert!(token.starts_with("atl_"), "{token}");
    let base = t.app.settings().public_url.as_str().trim_end_matches('/');
    assert!(html.contains(&format!(
        "curl -H &#34;Authorization: Bearer {token}&#34; {base}/api/v1/me"
    )));
    let me = t
        .call(
            axum::http::Method::GET,
            "/api/v1/me",
            None,
            &atelier_testkit::Auth::Bearer(token.clone()),
        )
        .await;
    assert_eq!(me.status, StatusCode::OK);

    let list = get_page(&t, "/settings", Some(&cookie)).await.text();
    assert!(list.contains("Backup job"));
    assert!(!list.contains(&token), "shown once only");
    let at = list.find("/settings/tokens/").unwrap();
    let action: String = list[at..].chars().take_while(|c| *c != '"').collect();
    assert!(action.ends_with("/revoke"), "{action}");
    let r = post_form(&t, &action, &[], Some(&cookie)).await;
    assert_eq!(r.header("location"), Some("/settings?saved=token_revoked"));
    let me = t
        .call(
            axum::http::Method::GET,
            "/api/v1/me",
            None,
            &atelier_testkit::Auth::Bearer(token),
        )
        .await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    let html = get_page(&t, "/settings?saved=token_revoked", Some(&cookie))
        .await
        .text();
    assert!(html.contains("The token was revoked."));
    assert!(!html.contains("Backup job"));

    let r = post_form(&t, "/settings/tokens", &[("name", "  ")], Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("1 to 80 characters"));
}

#[tokio::test]
async fn d1_sessions_are_listed_and_ended_one_by_one_or_everywhere() {
    let t = TestApp::new().await;
    let here = sign_in_with_form(&t, "multi@example.com").await;
    let there = sign_in_with_form(&t, "multi@example.com").await;
    let html = get_page(&t, "/settings", Some(&here)).await.text();
    assert_eq!(html.matches("class=\"row current\"").count(), 1);
    assert!(html.contains("This device"));
    assert_eq!(html.matches("/end\" method=\"post\"").count(), 1);
    assert!(html.contains(
        "<time datetime=\"2025-06-15T00:00:00Z\" data-local>2025-06-15 00:00 UTC</time>"
    ));

    let at = html.find("/settings/sessions/").unwrap();
    let action: String = html[at..].chars().take_while(|c| *c != '"').collect();
    let r = post_form(&t, &action, &[], Some(&here)).await;
    assert_eq!(r.header("location"), Some("/settings?saved=session_ended"));
    let r = get_page(&t, "/settings", Some(&there)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "the other device is out");
    assert!(
        get_page(&t, "/settings?saved=session_ended", Some(&here))
            .await
            .text()
            .contains("That device was signed out.")
    );

    let third = sign_in_with_form(&t, "multi@example.com").await;
    let r = post_form(&t, "/settings/sessions/end-all", &[], Some(&here)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), Some("/login"));
    assert!(set_cookie_header(&r, "atelier_session").contains("Max-Age=0"));
    for cookie in [&here, &third] {
        let r = get_page(&t, "/settings", Some(cookie)).await;
        assert_eq!(r.header("location"), Some("/login?next=/settings"));
    }
}

#[tokio::test]
async fn d1_sign_out_from_the_header() {
    let t = TestApp::new().await;
    let signed_out = get_page(&t, "/", None).await.text();
    assert!(signed_out.contains("<a class=\"signin\" href=\"/login?next=/\">Sign in</a>"));
    let cookie = sign_in_with_form(&t, "bye@example.com").await;
    let r = post_form(&t, "/logout", &[], Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), Some("/"));
    assert!(set_cookie_header(&r, "atelier_session").contains("Max-Age=0"));
    let r = get_page(&t, "/settings", Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "the session is gone");
    // The 404 page knows who is signed in too.
    let cookie = sign_in_with_form(&t, "bye@example.com").await;
    let r = get_page(&t, "/no/such/page", Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.text().contains("class=\"who-name\">bye</span>"));
}

#[tokio::test]
async fn d5_email_change_with_a_code_sent_to_the_new_address() {
    let t = TestApp::new().await;
    let cookie = sign_in_with_form(&t, "old@example.com").await;
    let r = post_form(
        &t,
        "/settings/email",
        &[("new_email", "New@Example.com")],
        Some(&cookie),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains("Enter the code we sent to new@example.com."));
    assert!(html.contains("action=\"/settings/email/verify#email\""));
    let code = t.last_mail_to("new@example.com").await.code();

    let r = post_form(
        &t,
        "/settings/email/verify",
        &[("code", &wrong(&code)), ("new_email", "new@example.com")],
        Some(&cookie),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(html.contains("That code is wrong or has expired"));
    assert!(html.contains("Enter the code we sent to new@example.com."));

    let r = post_form(
        &t,
        "/settings/email/verify",
        &[("code", &code), ("new_email", "new@example.com")],
        Some(&cookie),
    )
    .await;
    assert_eq!(r.header("location"), Some("/settings?saved=email"));
    let html = get_page(&t, "/settings?saved=email", Some(&cookie))
        .await
        .text();
    assert!(html.contains("Your email address was changed."));
    assert!(html.contains("<dd>new@example.com</dd>"));

    let same = post_form(
        &t,
        "/settings/email",
        &[("new_email", "new@example.com")],
        Some(&cookie),
    )
    .await;
    assert_eq!(same.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(same.text().contains("That is already your address."));
}

#[tokio::test]
async fn g9_account_pages_in_chinese() {
    let t = TestApp::new().await;
    let html = get_page(&t, "/login", Some("lang=zh-CN")).await.text();
    assert!(html.contains("<html lang=\"zh-CN\">"));
    assert!(html.contains("<title>登录 Atelier · Atelier</title>"));
    assert!(html.contains("发送验证码"));
    let r = t
        .request(
            Request::post("/login")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("cookie", "lang=zh-CN")
                .header("sec-fetch-site", "same-origin")
                .body(Body::from("email=zh%40example.com"))
                .unwrap(),
        )
        .await;
    let html = r.text();
    assert!(html.contains("请查收邮件"));
    assert!(html.contains("验证码和链接在 10 分钟内有效"));
    let mail = t.last_mail_to("zh@example.com").await;
    assert!(mail.subject.contains(&mail.code()));
    let r = t
        .request(
            Request::post("/login/code")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("cookie", "lang=zh-CN")
                .header("sec-fetch-site", "same-origin")
                .body(Body::from("email=zh%40example.com&code=000000x"))
                .unwrap(),
        )
        .await;
    assert!(r.text().contains("验证码错误或已过期"));
    let r = post_form(
        &t,
        "/login/code",
        &[("email", "zh@example.com"), ("code", &mail.code())],
        Some("lang=zh-CN"),
    )
    .await;
    // The account was made in Chinese: the language cookie follows it.
    assert!(set_cookie_header(&r, "lang").starts_with("lang=zh-CN;"));
    let cookie = format!(
        "atelier_session={}; lang=zh-CN",
        r.set_cookie("atelier_session").unwrap()
    );
    let html = get_page(&t, "/settings", Some(&cookie)).await.text();
    assert!(html.contains("<title>账户设置 · Atelier</title>"));
    for text in [
        "个人资料",
        "已登录的设备",
        "个人访问令牌",
        "退出所有设备",
        "当前设备",
    ] {
        assert!(html.contains(text), "{text}");
    }
}

#[tokio::test]
async fn a_cross_site_form_post_is_refused() {
    let t = TestApp::new().await;
    let cookie = sign_in_with_form(&t, "csrf@example.com").await;
    let r = t
        .request(
            Request::post("/settings/profile")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("cookie", &cookie)
                .header("sec-fetch-site", "cross-site")
                .body(Body::from("display_name=pwned&language=en"))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = t
        .request(
            Request::post("/settings/sessions/end-all")
                .header("cookie", &cookie)
                .header("origin", "https://evil.example")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let html = get_page(&t, "/settings", Some(&cookie)).await.text();
    assert!(!html.contains("pwned"));
}
