//! The operator's console over HTTP (issue 19: G8, SEC2, D3): roles gate every route (`support`
//! reads, `admin` changes, anyone else 403), every staff read of a user's data and every change
//! leaves an audit entry, the audit log cannot be changed, and the deletion queue shows deadlines.

use atelier_core::Role;
use atelier_testkit::{SignedInUser, TestApp};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

mod blocks;
mod takedowns;

/// An instance with an admin, a support member and a user.
async fn console() -> (TestApp, SignedInUser, SignedInUser, SignedInUser) {
    let t = TestApp::new().await;
    // A second apart, so that "newest first" has one answer.
    let admin = t.sign_in("boss@example.com").await;
    t.clock.advance_ms(1_000);
    let support = t.sign_in("help@example.com").await;
    t.clock.advance_ms(1_000);
    let user = t.sign_in("ada@example.com").await;
    t.app
        .grant_role("boss@example.com", Role::Admin)
        .await
        .unwrap();
    t.app
        .grant_role("help@example.com", Role::Support)
        .await
        .unwrap();
    (t, admin, support, user)
}

async fn audit_of(t: &TestApp, admin: &SignedInUser, target: &str) -> Vec<Value> {
    let r = t
        .api(
            Method::GET,
            &format!("/api/v1/admin/audit?target={target}"),
            None,
            admin,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn g8_sec2_only_staff_reach_the_console_and_only_admins_change_anything() {
    let (t, admin, support, user) = console().await;
    let target = user.id.as_str();
    let reads = [
        "/api/v1/admin/users".to_owned(),
        format!("/api/v1/admin/users/{target}"),
        "/api/v1/admin/audit".to_owned(),
        "/api/v1/admin/deletions".to_owned(),
    ];
    let changes: [(Method, String, Option<Value>); 4] = [
        (
            Method::POST,
            format!("/api/v1/admin/users/{target}/credits"),
            Some(json!({ "amount": 5, "reason": "Sorry for the outage" })),
        ),
        (
            Method::PUT,
            format!("/api/v1/admin/users/{target}/roles"),
            Some(json!({ "roles": ["support"] })),
        ),
        (
            Method::DELETE,
            format!("/api/v1/admin/users/{target}/sessions/nope"),
            None,
        ),
        (
            Method::DELETE,
            format!("/api/v1/admin/users/{target}/sessions"),
            None,
        ),
    ];
    for path in &reads {
        assert_eq!(t.get(path).await.status, StatusCode::UNAUTHORIZED, "{path}");
        let r = t.api(Method::GET, path, None, &user).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(r.error_code(), "forbidden");
        assert_eq!(
            t.api(Method::GET, path, None, &support).await.status,
            StatusCode::OK,
            "support reads {path}"
        );
        assert_eq!(
            t.api(Method::GET, path, None, &admin).await.status,
            StatusCode::OK
        );
    }
    for (method, path, body) in &changes {
        for who in [&user, &support] {
            let r = t.api(method.clone(), path, body.clone(), who).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{method} {path}");
        }
    }
    assert_eq!(t.balance(&user).await, 0, "nothing changed");
    let me = t.api(Method::GET, "/api/v1/me", None, &user).await.json();
    assert_eq!(me["roles"], json!(["user"]));
    assert_eq!(
        t.api(Method::GET, "/api/v1/me", None, &user).await.status,
        StatusCode::OK,
        "still signed in"
    );
}

#[tokio::test]
async fn sec2_every_staff_read_of_a_user_and_every_change_is_audited() {
    let (t, admin, support, user) = console().await;
    let r = t
        .api(
            Method::GET,
            &format!("/api/v1/admin/users/{}", user.id),
            None,
            &support,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let file = r.json();
    assert_eq!(file["user"]["email"], "ada@example.com");
    assert_eq!(file["user"]["roles"], json!(["user"]));
    assert!(!file["sessions"].as_array().unwrap().is_empty());
    assert!(!file["ip_events"].as_array().unwrap().is_empty());
    assert!(file["ip_events"][0]["network"].is_string());
    assert!(file["deletion"].is_null());

    let entries = audit_of(&t, &admin, &user.id).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["actor_id"], support.id.as_str());
    assert_eq!(entries[0]["action"], "admin.user.viewed");
    assert_eq!(entries[0]["target_id"], user.id.as_str());

    // An adjustment: in the ledger with its reason, and in the audit log.
    t.clock.advance_ms(1_000);
    let r = t
        .api(
            Method::POST,
            &format!("/api/v1/admin/users/{}/credits", user.id),
            Some(json!({ "amount": 25, "reason": "Sorry for the outage" })),
            &admin,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["balance"], 25);
    let ledger = t
        .api(Method::GET, "/api/v1/me/credits", None, &user)
        .await
        .json();
    assert_eq!(ledger["entries"][0]["kind"], "adjustment");
    assert_eq!(ledger["entries"][0]["reason"], "Sorry for the outage");
    let r = t
        .api(
            Method::POST,
            &format!("/api/v1/admin/users/{}/credits", user.id),
            Some(json!({ "amount": -100, "reason": "Too much" })),
            &admin,
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYMENT_REQUIRED, "never below zero");
    let r = t
        .api(
            Method::POST,
            &format!("/api/v1/admin/users/{}/credits", user.id),
            Some(json!({ "amount": 0, "reason": "x" })),
            &admin,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Ending every session signs the browser out.
    t.clock.advance_ms(1_000);
    let r = t
        .api(
            Method::DELETE,
            &format!("/api/v1/admin/users/{}/sessions", user.id),
            None,
            &admin,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.json()["ended"].as_u64().unwrap() >= 1);
    let r = t
        .call(Method::GET, "/api/v1/me", None, &user.browser())
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    let actions: Vec<String> = audit_of(&t, &admin, &user.id)
        .await
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        actions,
        ["sessions.revoked", "credits.adjusted", "admin.user.viewed"],
        "newest first; refused changes leave nothing"
    );
    // The audit log has no route that changes it.
    for method in [Method::DELETE, Method::PUT, Method::PATCH, Method::POST] {
        let r = t
            .api(method, "/api/v1/admin/audit", Some(json!({})), &admin)
            .await;
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    }
}

#[tokio::test]
async fn g8_users_are_found_by_part_of_their_address_or_their_id() {
    let (t, admin, _support, user) = console().await;
    let find = |q: &str| {
        let t = &t;
        let admin = &admin;
        let q = q.to_owned();
        async move {
            let r = t
                .api(
                    Method::GET,
                    &format!("/api/v1/admin/users?q={q}"),
                    None,
                    admin,
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text());
            r.json()["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["email"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(find("ADA@").await, ["ada@example.com"]);
    assert_eq!(find(&user.id).await, ["ada@example.com"]);
    assert_eq!(find("example.com").await.len(), 3);
    assert!(
        find("%25").await.is_empty(),
        "a wildcard is matched as itself"
    );
    assert!(find("_").await.is_empty());
    let all = t
        .api(Method::GET, "/api/v1/admin/users?limit=2", None, &admin)
        .await
        .json();
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
    assert_eq!(all["items"][0]["email"], "ada@example.com", "newest first");
    assert!(all["items"][0]["credits"].is_i64());
    let cursor = all["next_cursor"].as_str().unwrap();
    let rest = t
        .api(
            Method::GET,
            &format!("/api/v1/admin/users?limit=2&cursor={cursor}"),
            None,
            &admin,
        )
        .await
        .json();
    assert_eq!(rest["items"][0]["email"], "boss@example.com");
    assert!(rest["next_cursor"].is_null());
    // A search is audited by its count, never its words.
    let r = t
        .api(Method::GET, "/api/v1/admin/audit", None, &admin)
        .await
        .json();
    assert!(!r.to_string().contains("ADA@"));
    assert!(r.to_string().contains("admin.users.searched"));
}

#[tokio::test]
async fn sec2_roles_are_given_and_taken_but_never_ones_own_admin_role() {
    let (t, admin, _support, user) = console().await;
    let r = t
        .api(
            Method::PUT,
            &format!("/api/v1/admin/users/{}/roles", user.id),
            Some(json!({ "roles": ["support"] })),
            &admin,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["roles"], json!(["user", "support"]));
    assert_eq!(
        t.api(Method::GET, "/api/v1/admin/users", None, &user)
            .await
            .status,
        StatusCode::OK,
        "the new support member reads the console"
    );
    let r = t
        .api(
            Method::PUT,
            &format!("/api/v1/admin/users/{}/roles", admin.id),
            Some(json!({ "roles": [] })),
            &admin,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.error_code(), "own_admin_role");
    let r = t
        .api(
            Method::PUT,
            &format!("/api/v1/admin/users/{}/roles", user.id),
            Some(json!({ "roles": ["root"] })),
            &admin,
        )
        .await;
    assert_eq!(r.error_code(), "invalid_role");
    let r = t
        .api(
            Method::PUT,
            "/api/v1/admin/users/nobody/roles",
            Some(json!({ "roles": [] })),
            &admin,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn d3_the_deletion_queue_shows_due_dates_deadlines_and_requests_by_mail() {
    let (t, admin, _support, user) = console().await;
    let r = t
        .api(Method::POST, "/api/v1/me/deletion", None, &user)
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    t.clock.advance_ms(1_000);
    t.app
        .request_account_deletion_by_email("help@example.com", "cli")
        .await
        .unwrap();
    let r = t
        .api(Method::GET, "/api/v1/admin/deletions", None, &admin)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let items = r.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["user_id"], user.id.as_str(), "soonest first");
    assert_eq!(items[0]["source"], "self");
    assert_eq!(items[1]["source"], "admin");
    let requested = items[0]["requested_at"].as_str().unwrap();
    let deadline = items[0]["deadline_at"].as_str().unwrap();
    let due = items[0]["due_at"].as_str().unwrap();
    assert!(requested < due && due < deadline, "{items:?}");
    let file = t
        .api(
            Method::GET,
            &format!("/api/v1/admin/users/{}", user.id),
            None,
            &admin,
        )
        .await
        .json();
    assert_eq!(file["deletion"]["due_at"], due);
}

#[tokio::test]
async fn g8_the_console_pages_are_for_staff_and_forms_for_admins() {
    let (t, admin, support, user) = console().await;
    let file = format!("/admin/users/{}", user.id);

    // Signed out: sign in first. A user: the error page, and no link to the console.
    let r = t.get("/admin/users").await;
    assert_eq!(r.header("location"), Some("/login?next=/admin/users"));
    let r = t.page("/admin/users", &user).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    assert!(
        !t.page("/", &user)
            .await
            .text()
            .contains("href=\"/admin/users\"")
    );

    // Support: reads everything, changes nothing (no forms; a posted form is refused).
    let html = t.page("/", &support).await.text();
    assert!(html.contains("href=\"/admin/users\""), "staff see the link");
    let html = t.page("/admin/users?q=ada", &support).await.text();
    assert!(html.contains("ada@example.com") && !html.contains("boss@example.com"));
    assert!(html.contains("you can read, not change"));
    let html = t.page(&file, &support).await.text();
    assert!(html.contains("<h2 id=\"account-h\">ada@example.com</h2>"));
    assert!(html.contains("was written to the audit log"));
    assert!(
        !html.contains("/credits\" method=\"post\""),
        "no forms for support"
    );
    let r = t
        .post_form(
            &format!("{file}/credits"),
            &[("amount", "5"), ("reason", "Nice")],
            &support,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Admin: adjusts credits and roles through the forms.
    let to = t
        .post_form(
            &format!("{file}/credits"),
            &[("amount", "15"), ("reason", "Welcome back")],
            &admin,
        )
        .await
        .see_other();
    assert_eq!(to, format!("{file}?saved=credits"));
    let html = t.page(&to, &admin).await.text();
    assert!(html.contains("Credits adjusted."));
    assert!(html.contains("<dd data-balance>15</dd>"));
    assert!(html.contains("Welcome back"));
    let r = t
        .post_form(
            &format!("{file}/credits"),
            &[("amount", "lots"), ("reason", "x")],
            &admin,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("form-error"));
    let own = format!("/admin/users/{}/roles", admin.id);
    let r = t.post_form(&own, &[("support", "1")], &admin).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("You cannot take your own admin role"));
    let to = t
        .post_form(&format!("{file}/roles"), &[("support", "1")], &admin)
        .await
        .see_other();
    assert!(t.page(&to, &admin).await.text().contains("Roles saved."));

    // The audit log and the deletion queue, in Chinese too.
    let html = t.page("/admin/audit", &admin).await.text();
    assert!(html.contains("admin.user.viewed") && html.contains("roles.changed"));
    let html = t.page("/admin/deletions", &admin).await.text();
    assert!(html.contains("No deletion is pending."));
    let html = t
        .page("/admin/deletions", admin.cookie_with_language("zh-CN"))
        .await
        .text();
    assert!(html.contains("删除队列") && html.contains("没有待删除的账号。"));
}

/// SEC2: the schema itself keeps the audit log append-only — no delete, no edit — while account
/// erasure may still clear a subject and replace an actor.
#[tokio::test]
async fn sec2_the_audit_log_cannot_be_deleted_or_edited_even_in_the_database() {
    let (t, admin, _support, user) = console().await;
    t.api(
        Method::GET,
        &format!("/api/v1/admin/users/{}", user.id),
        None,
        &admin,
    )
    .await;
    let before = audit_of(&t, &admin, &user.id).await;
    assert_eq!(before.len(), 1);
    for sql in [
        "DELETE FROM audit_log".to_owned(),
        "UPDATE audit_log SET action = 'nothing.happened'".to_owned(),
        "UPDATE audit_log SET detail = 'edited'".to_owned(),
        format!(
            "UPDATE audit_log SET actor = 'someone-else' WHERE actor = '{}'",
            admin.id
        ),
        "UPDATE audit_log SET subject_user_id = 'another' WHERE subject_user_id IS NOT NULL"
            .to_owned(),
    ] {
        assert!(t.db.execute(&sql).await.is_err(), "{sql} was allowed");
    }
    assert_eq!(audit_of(&t, &admin, &user.id).await, before);
    // What erasure does is still possible.
    let cleared =
        t.db.execute(&format!(
            "UPDATE audit_log SET subject_user_id = NULL WHERE subject_user_id = '{}'",
            user.id
        ))
        .await
        .unwrap();
    assert_eq!(cleared, 1);
    t.db.execute(&format!(
        "UPDATE audit_log SET actor = 'deleted-account' WHERE actor = '{}'",
        admin.id
    ))
    .await
    .unwrap();
}
