//! The privacy pages (P1, D3, D4, D6, D7, D8): the policy with the configured periods and the
//! operator's details in both languages, the banner until the policy is read, the privacy center
//! with counts, the marketing switch, the background export with its limit, and account deletion
//! confirmed, scheduled and withdrawn — all as plain forms through the real router.

use atelier_core::clock::DAY_MS;
use atelier_testkit::TestApp;
use axum::http::{Method, StatusCode};

fn held(html: &str, what: &str) -> String {
    let needle = format!("data-held=\"{what}\">");
    let at = html.find(&needle).expect(what) + needle.len();
    html[at..].split('<').next().unwrap().to_owned()
}

fn date(ms: i64) -> String {
    atelier_core::time::rfc3339(ms)[..10].to_owned()
}

#[tokio::test]
async fn p1_the_policy_states_the_configured_periods_and_the_operator() {
    let t = TestApp::init()
        .demo()
        .with_settings_toml(
            "[operator]\nname = \"Example Art Ltd\"\ncontact_email = \"privacy@example.org\"\n\
             address = \"1 Gallery Road, Springfield\"\n\
             [retention]\nip_event_days = 30\nassistant_log_days = 45\naccount_deletion_grace_days = 5\n",
        )
        .build()
        .await;

    let r = t.get("/privacy").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("cache-control"), Some("public, max-age=300"));
    let html = r.text();
    assert!(html.contains("<title>Privacy policy · Atelier</title>"));
    assert!(html.contains("Version 1, effective 2026-11-25"), "P1");
    for fact in [
        "Example Art Ltd",
        "1 Gallery Road, Springfield",
        "mailto:privacy@example.org",
        "are deleted after 30 days",
        "<td>30 days</td>",
        "45 days, removed by a scheduled job",
        "5 days to change your mind; never more than 30 days",
        "at most 7 days after deletion",
        "Atelier (offline, on this server)",
        "href=\"/settings/privacy\"",
        "Global Privacy Control",
        "<code>doctor</code>",
    ] {
        assert!(html.contains(fact), "missing: {fact}");
    }
    assert!(!html.contains("policy-banner"), "no banner signed out");

    let zh = t.page("/privacy", "lang=zh-CN").await;
    assert_eq!(zh.header("content-language"), Some("zh-CN"));
    let html = zh.text();
    assert!(html.contains("<title>隐私政策 · Atelier</title>"));
    assert!(html.contains("第 1 版，自 2026-11-25 起生效"));
    for fact in [
        "Example Art Ltd",
        "privacy@example.org",
        "<td>30 天</td>",
        "45 天，由定时任务自动删除",
        "5 天内可以撤回，最迟不超过 30 天",
        "Atelier（离线生成，在本服务器上）",
    ] {
        assert!(html.contains(fact), "missing: {fact}");
    }
}

#[tokio::test]
async fn p1_a_new_user_sees_the_banner_until_they_open_the_policy() {
    let (t, u) = TestApp::init().demo().with_user("banner@example.com").await;
    let home = t.page("/", &u).await.text();
    assert!(home.contains("class=\"policy-banner\""), "P1 banner");
    assert!(home.contains("read our privacy policy (version 1)"));
    assert!(
        home.contains("href=\"/settings/privacy\""),
        "menu and footer link"
    );

    let r = t.page("/privacy", &u).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("cache-control"), Some("no-store"), "signed in");
    assert!(!r.text().contains("class=\"policy-banner\""));

    for path in ["/", "/settings", "/settings/privacy"] {
        let html = t.page(path, &u).await.text();
        assert!(!html.contains("class=\"policy-banner\""), "{path}");
    }
    let api = t
        .call(Method::GET, "/api/v1/me/privacy", None, &u.bearer())
        .await
        .json();
    assert_eq!(api["policy"]["unread"], false);
    let center = t.page("/settings/privacy", &u).await.text();
    assert!(center.contains("Opened privacy policy version 1 · on the policy page"));
}

#[tokio::test]
async fn d8_the_privacy_center_shows_what_is_held_and_each_period() {
    let (t, u) = TestApp::init()
        .demo()
        .with_sample_posts(3)
        .with_user("held@example.com")
        .await;
    let before = t.page("/settings/privacy", &u).await.text();
    assert_eq!(held(&before, "uploads"), "0");
    t.upload_image(&u, 40, 30).await;
    let items = t.get("/api/v1/gallery?limit=1").await.json();
    let item = items["items"][0]["id"].as_str().unwrap().to_owned();
    t.favorite(&u, &item).await;

    let r = t.page("/settings/privacy", &u).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let html = r.text();
    assert!(html.contains("<title>Privacy center · Atelier</title>"));
    assert!(html.contains("held@example.com"));
    assert_eq!(held(&html, "uploads"), "1");
    assert_eq!(held(&html, "favorites"), "1");
    assert_eq!(held(&html, "generations"), "0");
    assert!(held(&html, "sessions").parse::<i64>().unwrap() >= 1);
    assert!(held(&html, "ip_events").parse::<i64>().unwrap() >= 1);
    assert!(html.contains("data-period=\"assistant\">90 days<"));
    assert!(html.contains("data-period=\"ip\">180 days<"));
    assert!(html.contains("7 days to change your mind, never more than 30 days"));
    assert!(
        html.contains("Atelier (offline, on this server)"),
        "recipients"
    );
    assert!(html.contains("href=\"/api/v1/me/export\""), "D4 download");
    assert!(
        html.contains("action=\"/settings/assistant-logs/delete\""),
        "D6"
    );
    assert!(html.contains("This device"));

    let settings = t.page("/settings", &u).await.text();
    assert!(settings.contains("class=\"privacy-callout\" href=\"/settings/privacy\""));

    let zh = t
        .page("/settings/privacy", u.cookie_with_language("zh-CN"))
        .await
        .text();
    assert!(zh.contains("<title>隐私中心 · Atelier</title>"));
    assert!(zh.contains("data-period=\"ip\">180 天<"));
    assert!(zh.contains("下载全部数据（ZIP）"));
}

#[tokio::test]
async fn d7_the_marketing_switch_flips_the_choice_and_records_it() {
    let (t, u) = TestApp::init().demo().with_user("news@example.com").await;
    assert_eq!(
        t.api(Method::GET, "/api/v1/me", None, &u).await.json()["marketing_opt_in"],
        false
    );
    let html = t.page("/settings/privacy", &u).await.text();
    assert!(html.contains("data-marketing=\"off\""));

    let r = t
        .post_form("/settings/privacy/marketing", &[("marketing", "on")], &u)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.header("location"),
        Some("/settings/privacy?done=marketing_on#mail")
    );
    assert_eq!(
        t.api(Method::GET, "/api/v1/me", None, &u).await.json()["marketing_opt_in"],
        true
    );
    let html = t
        .page("/settings/privacy?done=marketing_on", &u)
        .await
        .text();
    assert!(html.contains("You are subscribed to news and offers."));
    assert!(html.contains("data-marketing=\"on\""));
    assert!(html.contains("Subscribed to news and offers · in settings"));

    let r = t
        .post_form("/settings/privacy/marketing", &[("marketing", "off")], &u)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        t.api(Method::GET, "/api/v1/me", None, &u).await.json()["marketing_opt_in"],
        false
    );
    let html = t.page("/settings/privacy", &u).await.text();
    assert!(html.contains("Unsubscribed from news and offers · in settings"));
}

#[tokio::test]
async fn d3_r7_account_deletion_is_confirmed_scheduled_and_withdrawn() {
    let (t, u) = TestApp::init()
        .demo()
        .with_user("leaving@example.com")
        .await;
    let center = t.page("/settings/privacy", &u).await.text();
    assert!(center.contains("href=\"/settings/privacy/delete\""));

    let r = t.page("/settings/privacy/delete", &u).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let html = r.text();
    let due = date(t.clock_now() + 7 * DAY_MS);
    assert!(html.contains("Delete your account?"));
    assert!(html.contains(&format!("It happens on {due}, 7 days from now.")));
    assert!(html.contains("After that it cannot be undone."), "R7");
    assert!(
        html.contains("href=\"/api/v1/me/export\""),
        "R7: a download first"
    );
    assert!(html.contains("leaving@example.com"));
    assert!(html.contains("action=\"/settings/privacy/delete\" method=\"post\""));

    let r = t.post_form("/settings/privacy/delete", &[], &u).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.header("location"),
        Some("/settings/privacy?done=deletion#delete")
    );
    t.last_mail_to("leaving@example.com").await;
    let html = t.page("/settings/privacy?done=deletion", &u).await.text();
    assert!(html.contains("Your account is scheduled for deletion."));
    assert!(html.contains(&format!("Your account will be deleted on {due}.")));
    assert!(html.contains("action=\"/settings/privacy/withdraw\""));
    assert!(!html.contains("href=\"/settings/privacy/delete\""));
    let api = t
        .call(Method::GET, "/api/v1/me/privacy", None, &u.bearer())
        .await
        .json();
    assert!(api["deletion"]["due_at"].is_string());
    // The confirmation page is not offered twice.
    let r = t.page("/settings/privacy/delete", &u).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    let r = t.post_form("/settings/privacy/withdraw", &[], &u).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.header("location"),
        Some("/settings/privacy?done=withdrawn#delete")
    );
    let html = t.page("/settings/privacy?done=withdrawn", &u).await.text();
    assert!(html.contains("The deletion request was withdrawn."));
    assert!(!html.contains("will be deleted on"));
    assert!(html.contains("href=\"/settings/privacy/delete\""));
    let api = t
        .call(Method::GET, "/api/v1/me/privacy", None, &u.bearer())
        .await
        .json();
    assert!(api["deletion"].is_null());
}

#[tokio::test]
async fn d4_the_export_form_queues_a_background_export_within_the_limit() {
    let (t, u) = TestApp::init().demo().with_user("export@example.com").await;
    let r = t.post_form("/settings/privacy/export", &[], &u).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.header("location"),
        Some("/settings/privacy?done=export#export")
    );
    let html = t.page("/settings/privacy?done=export", &u).await.text();
    assert!(html.contains("Your export is being prepared."));
    assert!(html.contains("being prepared</span>"));
    t.run_jobs().await;
    let html = t.page("/settings/privacy", &u).await.text();
    assert!(html.contains("ready — the link is in your mail"), "{html}");

    let mut limited = None;
    for _ in 0..10 {
        let r = t.post_form("/settings/privacy/export", &[], &u).await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(r);
            break;
        }
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    }
    let r = limited.expect("the hourly limit");
    assert!(r.header("retry-after").is_some());
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert!(r.text().contains("Too many attempts."));
}

#[tokio::test]
async fn signed_out_visitors_of_the_privacy_center_sign_in_first() {
    let t = TestApp::init().demo().build().await;
    for (path, to) in [
        ("/settings/privacy", "/login?next=/settings/privacy"),
        (
            "/settings/privacy/delete",
            "/login?next=/settings/privacy/delete",
        ),
        ("/settings/privacy/export", "/settings/privacy"),
    ] {
        let r = t.get(path).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(r.header("location"), Some(to), "{path}");
    }
    for path in [
        "/settings/privacy/marketing",
        "/settings/privacy/export",
        "/settings/privacy/delete",
        "/settings/privacy/withdraw",
    ] {
        let r = t.post_form(path, &[("marketing", "on")], "").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(
            r.header("location"),
            Some("/login?next=/settings/privacy"),
            "{path}"
        );
    }
}
