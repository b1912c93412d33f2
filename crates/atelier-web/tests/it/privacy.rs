//! The privacy center over HTTP (D3, D7, D8, R1, R5, C1, SEC2, SEC4): what is held, account
//! deletion with its grace period and a scan of every table afterwards, one-click unsubscribe,
//! the retention registry and `doctor`'s data checks with a controllable clock.

use atelier_app::privacy::retention::Retention;
use atelier_core::clock::DAY_MS;
use atelier_core::settings::RawSettings;
use atelier_media::BlobKey;
use atelier_testkit::{SignedInUser, TestApp, sample_posts};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use futures::TryStreamExt as _;
use serde_json::json;

/// A user with something of every kind: an upload, a generation, a favorite, a board, an
/// assistant call, a consent change, IP events and sessions.
async fn busy_user(t: &TestApp, email: &str, prompt: &str) -> SignedInUser {
    let u = t.sign_in(email).await;
    let up = t.upload_image(&u, 40, 30).await;
    let r = t
        .api(
            Method::POST,
            "/api/v1/generations",
            Some(json!({ "prompt": prompt, "reference_upload_ids": [up] })),
            &u,
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    let gen_id = r.json()["id"].as_str().unwrap().to_owned();
    t.run_jobs().await;
    let items = t.get("/api/v1/gallery?limit=1").await.json();
    let item = items["items"][0]["id"].as_str().unwrap().to_owned();
    t.favorite(&u, &item).await;
    let board = t
        .api(
            Method::POST,
            "/api/v1/boards",
            Some(json!({ "name": "Mine" })),
            &u,
        )
        .await
        .json();
    let board_id = board["id"].as_str().unwrap().to_owned();
    let r = t
        .api(
            Method::PUT,
            &format!("/api/v1/boards/{board_id}/items/{item}"),
            None,
            &u,
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    let r = t
        .api(
            Method::PUT,
            &format!("/api/v1/boards/{board_id}/generations/{gen_id}"),
            None,
            &u,
        )
        .await;
    assert!(
        r.status.is_success() || r.status == StatusCode::NOT_FOUND,
        "{}",
        r.text()
    );
    let r = t
        .api(
            Method::POST,
            "/api/v1/assistant/enhance",
            Some(json!({ "prompt": prompt })),
            &u,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = t
        .api(
            Method::PATCH,
            "/api/v1/me",
            Some(json!({ "marketing_opt_in": true })),
            &u,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    u
}

#[tokio::test]
async fn d8_the_privacy_overview_shows_what_is_held_and_each_retention() {
    let t = TestApp::init().demo().build().await;
    t.import(&sample_posts(2)).await;
    let u = busy_user(&t, "held@example.com", "a quiet harbour at dawn").await;
    let r = t.api(Method::GET, "/api/v1/me/privacy", None, &u).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let p = r.json();
    assert_eq!(p["email"], "held@example.com");
    assert_eq!(p["marketing_opt_in"], true);
    let held = &p["held"];
    assert_eq!(held["generations"], 1);
    assert_eq!(held["generated_images"], 1);
    assert_eq!(held["uploads"], 1);
    assert_eq!(held["favorites"], 1);
    assert_eq!(held["boards"], 1);
    assert_eq!(held["assistant_logs"], 1);
    assert_eq!(held["consent_events"], 1, "the opt-in is on record");
    assert!(held["ip_events"].as_i64().unwrap() >= 1);
    assert!(
        held["ledger_entries"].as_i64().unwrap() >= 2,
        "grant, hold, capture"
    );
    assert_eq!(p["retention"]["assistant_log_days"], 90);
    assert_eq!(p["retention"]["ip_event_days"], 180);
    assert_eq!(p["retention"]["account_deletion_grace_days"], 7);
    let recipients = p["recipients"].as_array().unwrap();
    assert!(recipients.iter().any(|r| r["on_this_server"] == true));
    assert!(p["deletion"].is_null());
    assert_eq!(p["policy"]["version"], 1);
    assert_eq!(p["policy"]["unread"], true);
}

#[tokio::test]
async fn d3_a_deletion_request_is_confirmed_by_mail_and_can_be_withdrawn() {
    let t = TestApp::init().demo().build().await;
    let u = t.sign_in("changed-mind@example.com").await;
    let r = t.api(Method::POST, "/api/v1/me/deletion", None, &u).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    let due = r.json()["due_at"].as_str().unwrap().to_owned();
    let mail = t.last_mail_to("changed-mind@example.com").await;
    assert!(mail.subject.contains("will be deleted"), "{}", mail.subject);
    assert!(mail.text.contains(&due[..10]), "{}", mail.text);
    // Asking twice keeps the first date.
    let again = t.api(Method::POST, "/api/v1/me/deletion", None, &u).await;
    assert_eq!(again.json()["due_at"], due.as_str());

    t.clock.advance_ms(6 * DAY_MS);
    let r = t.api(Method::DELETE, "/api/v1/me/deletion", None, &u).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = t.api(Method::DELETE, "/api/v1/me/deletion", None, &u).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    t.clock.advance_ms(2 * DAY_MS);
    assert_eq!(
        t.app
            .run_retention(Retention::AccountDeletions)
            .await
            .unwrap(),
        0
    );
    let me = t.api(Method::GET, "/api/v1/me", None, &u).await;
    assert_eq!(
        me.status,
        StatusCode::OK,
        "a withdrawn request deletes nothing"
    );
    let audit = t.db.store.audit_entries(10).await.unwrap();
    let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
    assert!(
        actions.contains(&"deletion.requested") && actions.contains(&"deletion.withdrawn"),
        "{actions:?}"
    );
}

#[tokio::test]
async fn d3_r1_r5_after_the_grace_period_nothing_of_the_user_remains_anywhere() {
    let t = TestApp::init().demo().build().await;
    t.import(&sample_posts(2)).await;
    let prompt = "a lighthouse keeper's secret garden";
    let u = busy_user(&t, "leaving@example.com", prompt).await;
    let other = busy_user(&t, "staying@example.com", "a red fox in snow").await;
    let r = t.api(Method::POST, "/api/v1/me/deletion", None, &u).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    let user_blobs = BlobKey::user_prefix(&u.id);
    let listed: Vec<_> = t
        .app
        .blobs()
        .list(Some(&user_blobs))
        .try_collect()
        .await
        .unwrap();
    assert!(!listed.is_empty(), "the user has blobs before");

    t.clock.advance_ms(7 * DAY_MS - 1000);
    assert_eq!(
        t.app
            .run_retention(Retention::AccountDeletions)
            .await
            .unwrap(),
        0,
        "still in grace"
    );
    t.clock.advance_ms(1000);
    assert_eq!(
        t.app
            .run_retention(Retention::AccountDeletions)
            .await
            .unwrap(),
        1
    );
    // The last mail goes out, and its outbox row with it.
    let last = t.last_mail_to("leaving@example.com").await;
    assert!(
        last.subject.contains("has been deleted"),
        "{}",
        last.subject
    );

    for needle in [u.id.as_str(), "leaving@example.com", prompt] {
        let found = t.db.store.find_text_everywhere(needle).await.unwrap();
        assert!(found.is_empty(), "{needle:?} is still in {found:?}");
    }
    let listed: Vec<_> = t
        .app
        .blobs()
        .list(Some(&user_blobs))
        .try_collect()
        .await
        .unwrap();
    assert!(listed.is_empty(), "blobs left: {listed:?}");
    // The session and token stop working; the other user is untouched.
    let me = t.api(Method::GET, "/api/v1/me", None, &u).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    let theirs = t
        .api(Method::GET, "/api/v1/me/privacy", None, &other)
        .await
        .json();
    assert_eq!(theirs["held"]["generations"], 1);
    assert!(
        !t.db
            .store
            .find_text_everywhere(&other.id)
            .await
            .unwrap()
            .is_empty()
    );
    // The favorite count of the item no longer counts the deleted user.
    let items = t.get("/api/v1/gallery?limit=1").await.json();
    assert_eq!(items["items"][0]["favorites"], 1, "{}", items["items"][0]);
    // The audit log says an account was deleted, not whose.
    let audit = t.db.store.audit_entries(20).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|a| a.action == "account.deleted" && a.subject_user_id.is_none())
    );
}

#[tokio::test]
async fn r5_a_kept_hash_blocks_the_address_only_when_the_operator_turns_it_on() {
    let mut raw = RawSettings::default();
    raw.accounts.keep_deleted_email_hash = true;
    raw.retention.account_deletion_grace_days = 0;
    let t = TestApp::init().with_raw_settings(raw).demo().build().await;
    let u = t.sign_in("spam.mer@gmail.com").await;
    t.api(Method::POST, "/api/v1/me/deletion", None, &u).await;
    assert_eq!(
        t.app
            .run_retention(Retention::AccountDeletions)
            .await
            .unwrap(),
        1
    );
    t.run_jobs().await;
    let found =
        t.db.store
            .find_text_everywhere("spam.mer@gmail.com")
            .await
            .unwrap();
    assert!(found.is_empty(), "{found:?}");
    let before = t.mails().len();
    let r = t
        .send_json(
            Method::POST,
            "/api/v1/auth/email",
            &json!({ "email": "spammer+again@gmail.com" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "the same answer as always");
    t.run_jobs().await;
    assert_eq!(t.mails().len(), before, "no mail to a blocked address");
    // Without the setting, nothing is kept and anyone may sign up again.
    let t2 = TestApp::init().demo().build().await;
    assert!(!t2.app.email_blocked("spammer@gmail.com").await.unwrap());
}

#[tokio::test]
async fn c1_d7_marketing_mail_carries_one_click_unsubscribe_and_get_never_unsubscribes() {
    let t = TestApp::init().demo().build().await;
    let u = t.sign_in("news@example.com").await;
    let quiet = t.sign_in("quiet@example.com").await;
    t.api(
        Method::PATCH,
        "/api/v1/me",
        Some(json!({ "marketing_opt_in": true })),
        &u,
    )
    .await;
    let sent = t
        .app
        .announce("Boards are here", "Share your boards.\n\nTry it today.")
        .await
        .unwrap();
    assert_eq!(sent.queued, 1, "only the user who opted in");
    let mail = t.last_mail_to("news@example.com").await;
    assert!(
        t.mails()
            .iter()
            .all(|m| m.to != quiet.email || !m.subject.contains("Boards"))
    );
    assert!(
        mail.raw_headers
            .contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
        "{}",
        mail.raw_headers
    );
    let unfolded = mail
        .raw_headers
        .replace("\r\n ", " ")
        .replace("\r\n\t", " ");
    let header = unfolded
        .lines()
        .find(|l| l.starts_with("List-Unsubscribe:"))
        .unwrap()
        .to_owned();
    assert!(
        header.contains("<http://") && header.contains("mailto:"),
        "{header}"
    );
    let url = header
        .split('<')
        .nth(1)
        .unwrap()
        .split('>')
        .next()
        .unwrap()
        .to_owned();
    let path = url.split_once("://").unwrap().1.split_once('/').unwrap().1;
    let path = format!("/{path}");
    assert!(mail.text.contains(&url), "a visible link too");

    // A link scanner's GET only shows the question.
    let page = t.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("<form method=\"post\""));
    let me = t.api(Method::GET, "/api/v1/me", None, &u).await.json();
    assert_eq!(me["marketing_opt_in"], true, "GET changed nothing");

    // The one-click POST: form-encoded, no cookie, from the mail provider's server.
    t.clock.advance_ms(1000);
    let req = Request::builder()
        .method(Method::POST)
        .uri(&path)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", "https://mail.example.net")
        .body(Body::from("List-Unsubscribe=One-Click"))
        .unwrap();
    let r = t.request(req).await;
    assert_eq!(r.status, StatusCode::OK, "200, no redirect: {}", r.text());
    let me = t.api(Method::GET, "/api/v1/me", None, &u).await.json();
    assert_eq!(me["marketing_opt_in"], false);
    let consents = t.app.consent_events(&u.id).await.unwrap();
    assert_eq!(consents[0].value, "opt_out");
    assert_eq!(consents[0].source, "unsubscribe_link");

    // Multipart works too, and is idempotent.
    let req = Request::builder()
        .method(Method::POST)
        .uri(&path)
        .header("content-type", "multipart/form-data; boundary=x")
        .body(Body::from("--x\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--x--\r\n"))
        .unwrap();
    assert_eq!(t.request(req).await.status, StatusCode::OK);
    // A forged token is refused.
    let forged = format!("/unsubscribe/{}.AAAA", u.id);
    let r = t
        .request(
            Request::builder()
                .method(Method::POST)
                .uri(&forged)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // No more news; service mail continues.
    assert_eq!(t.app.announce("More", "News.").await.unwrap().queued, 0);
    let r = t
        .send_json(
            Method::POST,
            "/api/v1/auth/email",
            &json!({ "email": "news@example.com" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    assert!(t.last_mail_to("news@example.com").await.code().len() == 6);
}

#[tokio::test]
async fn c1_marketing_mail_cannot_bypass_the_opt_in() {
    let t = TestApp::init().demo().build().await;
    let u = t.sign_in("direct@example.com").await;
    let err = t
        .app
        .queue_mail(atelier_app::mail::NewMail {
            kind: atelier_app::MailKind::Announcement,
            to: "direct@example.com",
            language: "en",
            vars: json!({ "title": "x", "body": "y", "paragraphs": ["y"], "unsubscribe_url": "u" }),
            user_id: Some(&u.id),
            expires_at: None,
        })
        .await;
    assert!(err.is_err(), "only announce() sends marketing mail");
}

#[tokio::test]
async fn sec4_purge_runs_every_retention_job_and_doctor_checks_the_promises() {
    let t = TestApp::init().demo().build().await;
    let u = t.sign_in("doctor@example.com").await;
    t.api(
        Method::POST,
        "/api/v1/assistant/enhance",
        Some(json!({ "prompt": "a kite" })),
        &u,
    )
    .await;
    let failing = |checks: &[atelier_app::privacy::doctor::Check]| -> Vec<String> {
        checks
            .iter()
            .filter(|c| !c.ok)
            .map(|c| c.name.clone())
            .collect()
    };
    // A new instance whose jobs never ran: doctor says so.
    let checks = t.app.doctor_checks().await.unwrap();
    assert!(
        failing(&checks)
            .iter()
            .any(|n| n.contains("purge_assistant_logs")),
        "{checks:?}"
    );

    let report = t.app.run_all_retention().await.unwrap();
    assert_eq!(report.len(), Retention::ALL.len());
    let checks = t.app.doctor_checks().await.unwrap();
    assert!(failing(&checks).is_empty(), "{checks:#?}");

    // 91 days on, with the jobs stopped: the log is past its retention and the jobs are late.
    t.clock.advance_ms(91 * DAY_MS);
    let checks = t.app.doctor_checks().await.unwrap();
    let failed = failing(&checks);
    assert!(failed.iter().any(|n| n.starts_with("C9")), "{failed:?}");
    assert!(
        failed.iter().any(|n| n.contains("ran within its period")),
        "{failed:?}"
    );
    // A deletion request older than 30 days is flagged.
    t.db.store
        .request_deletion(&atelier_db::privacy::DeletionRequestRow {
            user_id: u.id.clone(),
            source: "admin".into(),
            requested_at: t.clock_now() - 31 * DAY_MS,
            due_at: t.clock_now() + DAY_MS,
        })
        .await
        .unwrap();
    let failed = failing(&t.app.doctor_checks().await.unwrap());
    assert!(failed.iter().any(|n| n.starts_with("D3")), "{failed:?}");

    let removed = t.app.run_all_retention().await.unwrap();
    let logs = removed
        .iter()
        .find(|(j, _)| *j == Retention::AssistantLogs)
        .unwrap()
        .1;
    assert_eq!(logs, 1);
    let failed = failing(&t.app.doctor_checks().await.unwrap());
    assert!(!failed.iter().any(|n| n.starts_with("C9")), "{failed:?}");
}

#[tokio::test]
async fn r6_technical_log_files_are_bounded_by_age_and_size() {
    let logs = tempfile::tempdir().unwrap();
    let mut raw = RawSettings::default();
    raw.log.dir = Some(logs.path().to_path_buf());
    raw.log.max_total_mb = 1;
    let t = TestApp::init().with_raw_settings(raw).demo().build().await;
    // The test clock is at 2025-06-15.
    let write = |day: &str, bytes: usize| {
        std::fs::write(
            logs.path().join(format!("atelier.{day}.log")),
            vec![b'x'; bytes],
        )
        .unwrap();
    };
    write("2025-05-31", 10); // 15 days old: past the 14-day retention
    write("2025-06-01", 10); // 14 days old: young enough, but the oldest goes when over size
    write("2025-06-13", 700 * 1024);
    write("2025-06-14", 700 * 1024); // together over 1 MiB: the older goes
    write("2025-06-15", 10); // today's, never removed
    std::fs::write(logs.path().join("notes.txt"), b"not ours").unwrap();
    let removed = t.app.run_retention(Retention::TechnicalLogs).await.unwrap();
    assert_eq!(removed, 3);
    let mut left: Vec<String> = std::fs::read_dir(logs.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(
        left,
        [
            "atelier.2025-06-14.log",
            "atelier.2025-06-15.log",
            "notes.txt"
        ]
    );
    let checks = t.app.doctor_checks().await.unwrap();
    let r6 = checks.iter().find(|c| c.name.starts_with("R6")).unwrap();
    assert!(r6.ok, "{r6:?}");
}

#[tokio::test]
async fn p1_a_policy_change_is_announced_to_every_account_as_service_mail() {
    let t = TestApp::init().demo().build().await;
    let a = t.sign_in("opted-in@example.com").await;
    t.api(
        Method::PATCH,
        "/api/v1/me",
        Some(json!({ "marketing_opt_in": true })),
        &a,
    )
    .await;
    t.sign_in("opted-out@example.com").await;
    assert_eq!(t.app.announce_policy_change().await.unwrap(), 2);
    for to in ["opted-in@example.com", "opted-out@example.com"] {
        let mail = t.last_mail_to(to).await;
        assert!(mail.subject.contains("privacy policy"), "{}", mail.subject);
        assert!(mail.text.contains("/privacy"));
        assert!(
            !mail.raw_headers.contains("List-Unsubscribe"),
            "service mail"
        );
    }
}

#[tokio::test]
async fn d4_the_export_streams_whole_to_a_browser_that_accepts_compression() {
    let t = TestApp::init().demo().build().await;
    let u = t.sign_in("zip@example.com").await;
    t.upload_image(&u, 40, 30).await;
    let r = t
        .request(
            Request::builder()
                .uri("/api/v1/me/export")
                .header("authorization", format!("Bearer {}", u.token))
                .header("accept-encoding", "br, gzip, deflate")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.header("content-encoding").is_none(),
        "a ZIP is not compressed twice"
    );
    assert!(r.body.starts_with(b"PK"));
    let zip = zip::ZipArchive::new(std::io::Cursor::new(r.body.to_vec())).unwrap();
    assert!(zip.file_names().any(|n| n.is_ok_and(|n| n == "README.txt")));
}

#[tokio::test]
async fn sec4_r1_doctor_reads_blob_headers_and_flags_a_plain_user_blob() {
    let t = TestApp::init().demo().build().await;
    let u = t.sign_in("sealed@example.com").await;
    t.upload_image(&u, 40, 30).await;
    t.app.run_all_retention().await.unwrap();
    let encrypted = |checks: &[atelier_app::privacy::doctor::Check]| {
        checks
            .iter()
            .find(|c| c.name.starts_with("R1 user blobs are encrypted"))
            .cloned()
            .unwrap()
    };
    let check = encrypted(&t.app.doctor_checks().await.unwrap());
    assert!(check.ok, "{check:?}");
    assert!(check.detail.ends_with(", 0 not encrypted"), "{check:?}");
    // A blob written around the vault, in clear.
    t.app
        .blobs()
        .put(
            &BlobKey::upload_variant(&u.id, "planted", "original"),
            bytes::Bytes::from_static(b"\xff\xd8 a plain jpeg"),
        )
        .await
        .unwrap();
    let check = encrypted(&t.app.doctor_checks().await.unwrap());
    assert!(!check.ok, "{check:?}");
    assert!(check.detail.ends_with("1 not encrypted"), "{check:?}");
}
