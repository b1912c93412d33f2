//! The account pages over HTTP (C1, C3, D1, D5, G9): the sign-in form with the code read from the
//! outbox, magic links in the same and in another browser, settings forms with Post/Redirect/Get,
//! tokens shown once, sign-out everywhere, Chinese pages, no-store and CSRF.

use atelier_testkit::{TestApp, wrong_code};
use axum::http::StatusCode;

#[tokio::test]
async fn c1_sign_in_with_the_forms_and_land_on_next() {
    let t = TestApp::new().await;
    let form = t.page("/login?next=/settings", None).await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(form.header("cache-control"), Some("no-store"));
    let html = form.text();
    assert!(html.contains("<title>Sign in to Atelier · Atelier</title>"));
    assert!(html.contains("action=\"/login\""));
    assert!(html.contains("name=\"next\" value=\"/settings\""));

    let sent = t
        .post_form(
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
    let login_cookie = sent.set_cookie_header("atelier_login");
    assert!(login_cookie.contains("HttpOnly") && login_cookie.contains("Max-Age=600"));

    let code = t.last_mail_to("ada@example.com").await.code();
    let done = t
        .post_form(
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
    let session = done.set_cookie_header("atelier_session");
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax"));
    assert!(
        done.set_cookie_header("atelier_login")
            .contains("Max-Age=0")
    );
    assert!(done.set_cookie_header("lang").starts_with("lang=en;"));

    let cookie = format!(
        "atelier_session={}",
        done.set_cookie("atelier_session").unwrap()
    );
    let settings = t.page("/settings", &cookie).await;
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
    t.post_form("/login", &[("email", "bob@example.com")], None)
        .await;
    let code = t.last_mail_to("bob@example.com").await.code();
    let r = t
        .post_form(
            "/login/code",
            &[
                ("email", "bob@example.com"),
                ("code", &wrong_code(&code)),
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
    let r = t
        .post_form(
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
    let r = t
        .post_form("/login", &[("email", "not-an-address")], None)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(html.contains("look like an email address"));
    assert!(html.contains("value=\"not-an-address\""));
    assert!(r.set_cookie("atelier_login").is_none());

    for _ in 0..5 {
        let r = t
            .post_form("/login", &[("email", "busy@example.com")], None)
            .await;
        assert_eq!(r.status, StatusCode::OK);
    }
    let r = t
        .post_form("/login", &[("email", "busy@example.com")], None)
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.header("retry-after").is_some());
    assert!(r.text().contains("Too many attempts. Please wait 60 min"));
}

#[tokio::test]
async fn settings_need_a_session_and_the_sign_in_page_skips_the_signed_in() {
    let t = TestApp::new().await;
    let r = t.page("/settings", None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), Some("/login?next=/settings"));
    let r = t
        .post_form("/settings/tokens", &[("name", "x")], None)
        .await;
    assert_eq!(r.header("location"), Some("/login?next=/settings"));

    let cookie = t.sign_in_with_form("eve@example.com").await;
    let r = t.page("/login?next=/settings", &cookie).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), Some("/settings"));
    // A form target asked for with GET (a reload) goes back to its page.
    let r = t.page("/settings/tokens", &cookie).await;
    assert_eq!(r.header("location"), Some("/settings"));
}

#[tokio::test]
async fn c1_magic_link_in_the_same_browser_signs_in_at_once() {
    let t = TestApp::new().await;
    let sent = t
        .post_form("/login", &[("email", "link@example.com")], None)
        .await;
    let nonce = sent.set_cookie("atelier_login").unwrap();
    let token = t.last_mail_to("link@example.com").await.link_token();
    let r = t
        .page(
            &format!("/login/link?token={token}"),
            &format!("atelier_login={nonce}"),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(r.header("location"), Some("/"));
    let cookie = format!(
        "atelier_session={}",
        r.set_cookie("atelier_session").unwrap()
    );
    let home = t.page("/", &cookie).await.text();
    assert!(home.contains("class=\"who-name\">link</span>"));
    assert!(!home.contains("href=\"/login?next="));
}

#[tokio::test]
async fn c1_magic_link_in_another_browser_asks_first_and_works_once() {
    let t = TestApp::new().await;
    t.post_form("/login", &[("email", "other@example.com")], None)
        .await;
    let token = t.last_mail_to("other@example.com").await.link_token();
    let path = format!("/login/link?token={token}");

    // A mail scanner or another browser: nothing happens until the person confirms.
    let r = t.page(&path, None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert!(r.set_cookie("atelier_session").is_none());
    let html = r.text();
    assert!(html.contains("Sign in as o***@example.com on this device?"));
    assert!(html.contains("different browser"));
    assert!(html.contains(&format!("name=\"token\" value=\"{token}\"")));
    // The token is not echoed into the language switch's return address.
    assert!(html.contains("name=\"next\" value=\"/login\""));

    let r = t.post_form("/login/link", &[("token", &token)], None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), Some("/"));
    assert!(r.set_cookie("atelier_session").is_some());

    let used = t.page(&path, None).await;
    assert_eq!(used.status, StatusCode::OK);
    let html = used.text();
    assert!(html.contains("This link no longer works"));
    assert!(html.contains("href=\"/login\""));
    let garbage = t.page("/login/link?token=nope", None).await.text();
    assert!(garbage.contains("This link no longer works"));
}

#[tokio::test]
async fn c3_the_profile_form_saves_and_switches_the_language() {
    let t = TestApp::new().await;
    let cookie = t.sign_in_with_form("grace@example.com").await;
    let r = t
        .post_form(
            "/settings/profile",
            &[("display_name", "  Grace Hopper "), ("language", "zh-CN")],
            &cookie,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), Some("/settings?saved=profile"));
    assert!(r.set_cookie_header("lang").starts_with("lang=zh-CN;"));

    let with_lang = format!("{cookie}; lang=zh-CN");
    let html = t.page("/settings?saved=profile", &with_lang).await.text();
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
    let r = t
        .post_form(
            "/settings/profile",
            &[
                ("display_name", long.as_str()),
                ("language", "en"),
                ("marketing_opt_in", "on"),
            ],
            &cookie,
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
    let cookie = t.sign_in_with_form("tok@example.com").await;
    let r = t
        .post_form("/settings/tokens", &[("name", "Backup job")], &cookie)
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

    let list = t.page("/settings", &cookie).await.text();
    assert!(list.contains("Backup job"));
    assert!(!list.contains(&token), "shown once only");
    let at = list.find("/settings/tokens/").unwrap();
    let action: String = list[at..].chars().take_while(|c| *c != '"').collect();
    assert!(action.ends_with("/revoke"), "{action}");
    let r = t.post_form(&action, &[], &cookie).await;
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
    let html = t
        .page("/settings?saved=token_revoked", &cookie)
        .await
        .text();
    assert!(html.contains("The token was revoked."));
    assert!(!html.contains("Backup job"));

    let r = t
        .post_form("/settings/tokens", &[("name", "  ")], &cookie)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("1 to 80 characters"));
}

#[tokio::test]
async fn d1_sessions_are_listed_and_ended_one_by_one_or_everywhere() {
    let t = TestApp::new().await;
    let here = t.sign_in_with_form("multi@example.com").await;
    let there = t.sign_in_with_form("multi@example.com").await;
    let html = t.page("/settings", &here).await.text();
    assert_eq!(html.matches("class=\"row current\"").count(), 1);
    assert!(html.contains("This device"));
    assert_eq!(html.matches("/end\" method=\"post\"").count(), 1);
    assert!(html.contains(
        "<time datetime=\"2025-06-15T00:00:00Z\" data-local>2025-06-15 00:00 UTC</time>"
    ));

    let at = html.find("/settings/sessions/").unwrap();
    let action: String = html[at..].chars().take_while(|c| *c != '"').collect();
    let r = t.post_form(&action, &[], &here).await;
    assert_eq!(r.header("location"), Some("/settings?saved=session_ended"));
    let r = t.page("/settings", &there).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "the other device is out");
    assert!(
        t.page("/settings?saved=session_ended", &here)
            .await
            .text()
            .contains("That device was signed out.")
    );

    let third = t.sign_in_with_form("multi@example.com").await;
    let r = t.post_form("/settings/sessions/end-all", &[], &here).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), Some("/login"));
    assert!(r.set_cookie_header("atelier_session").contains("Max-Age=0"));
    for cookie in [&here, &third] {
        let r = t.page("/settings", cookie).await;
        assert_eq!(r.header("location"), Some("/login?next=/settings"));
    }
}

#[tokio::test]
async fn d1_sign_out_from_the_header() {
    let t = TestApp::new().await;
    let signed_out = t.page("/", None).await.text();
    assert!(signed_out.contains("<a class=\"signin\" href=\"/login?next=/\">Sign in</a>"));
    let cookie = t.sign_in_with_form("bye@example.com").await;
    let r = t.post_form("/logout", &[], &cookie).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), Some("/"));
    assert!(r.set_cookie_header("atelier_session").contains("Max-Age=0"));
    let r = t.page("/settings", &cookie).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "the session is gone");
    // The 404 page knows who is signed in too.
    let cookie = t.sign_in_with_form("bye@example.com").await;
    let r = t.page("/no/such/page", &cookie).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.text().contains("class=\"who-name\">bye</span>"));
}

#[tokio::test]
async fn d5_email_change_with_a_code_sent_to_the_new_address() {
    let t = TestApp::new().await;
    let cookie = t.sign_in_with_form("old@example.com").await;
    let r = t
        .post_form(
            "/settings/email",
            &[("new_email", "New@Example.com")],
            &cookie,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains("Enter the code we sent to new@example.com."));
    assert!(html.contains("action=\"/settings/email/verify#email\""));
    let code = t.last_mail_to("new@example.com").await.code();

    let r = t
        .post_form(
            "/settings/email/verify",
            &[
                ("code", &wrong_code(&code)),
                ("new_email", "new@example.com"),
            ],
            &cookie,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(html.contains("That code is wrong or has expired"));
    assert!(html.contains("Enter the code we sent to new@example.com."));

    let r = t
        .post_form(
            "/settings/email/verify",
            &[("code", &code), ("new_email", "new@example.com")],
            &cookie,
        )
        .await;
    assert_eq!(r.header("location"), Some("/settings?saved=email"));
    let html = t.page("/settings?saved=email", &cookie).await.text();
    assert!(html.contains("Your email address was changed."));
    assert!(html.contains("<dd>new@example.com</dd>"));

    let same = t
        .post_form(
            "/settings/email",
            &[("new_email", "new@example.com")],
            &cookie,
        )
        .await;
    assert_eq!(same.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(same.text().contains("That is already your address."));
}

#[tokio::test]
async fn g9_account_pages_in_chinese() {
    let t = TestApp::new().await;
    let html = t.page("/login", "lang=zh-CN").await.text();
    assert!(html.contains("<html lang=\"zh-CN\">"));
    assert!(html.contains("<title>登录 Atelier · Atelier</title>"));
    assert!(html.contains("发送验证码"));
    let r = t
        .post_form("/login", &[("email", "zh@example.com")], "lang=zh-CN")
        .await;
    let html = r.text();
    assert!(html.contains("请查收邮件"));
    assert!(html.contains("验证码和链接在 10 分钟内有效"));
    let mail = t.last_mail_to("zh@example.com").await;
    assert!(mail.subject.contains(&mail.code()));
    let r = t
        .post_form(
            "/login/code",
            &[("email", "zh@example.com"), ("code", "000000x")],
            "lang=zh-CN",
        )
        .await;
    assert!(r.text().contains("验证码错误或已过期"));
    let r = t
        .post_form(
            "/login/code",
            &[("email", "zh@example.com"), ("code", &mail.code())],
            "lang=zh-CN",
        )
        .await;
    // The account was made in Chinese: the language cookie follows it.
    assert!(r.set_cookie_header("lang").starts_with("lang=zh-CN;"));
    let cookie = format!(
        "atelier_session={}; lang=zh-CN",
        r.set_cookie("atelier_session").unwrap()
    );
    let html = t.page("/settings", &cookie).await.text();
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
    let cookie = t.sign_in_with_form("csrf@example.com").await;
    let r = t
        .post_form_cross_site(
            "/settings/profile",
            "display_name=pwned&language=en",
            &cookie,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = t
        .post_from_origin(
            "/settings/sessions/end-all",
            "https://evil.example",
            &cookie,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let html = t.page("/settings", &cookie).await.text();
    assert!(!html.contains("pwned"));
}
