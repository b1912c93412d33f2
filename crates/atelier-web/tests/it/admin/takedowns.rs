//! Takedowns (C7, R3): by staff, creators' requests, the public form.

use super::blocks::from_peer;
use super::*;

async fn gallery_total(t: &TestApp) -> u64 {
    t.get("/api/v1/gallery").await.json()["total"]
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn c7_r3_a_takedown_removes_an_item_or_its_whole_author_for_good() {
    let (t, admin, support, _user) = console().await;
    t.import(&atelier_testkit::sample_posts(12)).await;
    assert_eq!(gallery_total(&t).await, 12);
    let posts: Vec<Value> = serde_json::from_str(&atelier_testkit::sample_posts(12)).unwrap();
    let takedown = |body: Value, who: &SignedInUser| {
        let t = &t;
        let who = who.clone();
        async move {
            t.api(Method::POST, "/api/v1/admin/takedowns", Some(body), &who)
                .await
        }
    };

    // Refusals: support, no target, two targets, no reason, an unknown URL.
    let one = json!({ "source_url": posts[1]["source_url"], "reason": "Creator asked by mail" });
    assert_eq!(
        takedown(one.clone(), &support).await.status,
        StatusCode::FORBIDDEN
    );
    let r = takedown(json!({ "reason": "x" }), &admin).await;
    assert_eq!(r.error_code(), "invalid_target");
    let r = takedown(
        json!({ "source_url": "https://x.com/a/status/1", "gallery_id": "g", "reason": "x" }),
        &admin,
    )
    .await;
    assert_eq!(r.error_code(), "invalid_target");
    let r = takedown(
        json!({ "source_url": posts[1]["source_url"], "reason": " " }),
        &admin,
    )
    .await;
    assert_eq!(r.error_code(), "invalid_reason");
    let r = takedown(
        json!({ "source_url": "https://x.com/nobody/status/9", "reason": "x" }),
        &admin,
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(gallery_total(&t).await, 12, "nothing removed");

    // One item, by its source URL.
    let r = takedown(one, &admin).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["removed"].as_array().unwrap().len(), 1);
    assert!(r.json()["author"].is_null());
    assert_eq!(gallery_total(&t).await, 11);

    // A whole author (two of the twelve posts), by one of their items' ids.
    let items = t.get("/api/v1/gallery?q=pixelbysana").await.json();
    let id = items["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["author"]["handle"] == "pixelbysana" || i["author_handle"] == "pixelbysana")
        .map(|i| i["id"].as_str().unwrap().to_owned());
    let body = match id {
        Some(id) => json!({ "gallery_id": id, "author": true, "reason": "Creator opted out" }),
        None => {
            json!({ "source_url": posts[0]["source_url"], "author": true, "reason": "Creator opted out" })
        }
    };
    let r = takedown(body, &admin).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["removed"].as_array().unwrap().len(), 2);
    assert_eq!(r.json()["author"]["handle"], "pixelbysana");
    assert_eq!(gallery_total(&t).await, 9);

    // No import brings them back, nor a later post of the author under another spelling.
    let again = t.import(&atelier_testkit::sample_posts(12)).await;
    assert_eq!(again.tombstoned, 3);
    let mut later = posts[0].clone();
    later["id"] = json!("2017000000000009999");
    later["author"] = json!("PixelBySana");
    later["source_url"] = json!("https://x.com/PixelBySana/status/2017000000000009999");
    let later = t.import(&serde_json::to_string(&[later]).unwrap()).await;
    assert_eq!((later.tombstoned, later.created), (1, 0));
    assert_eq!(gallery_total(&t).await, 9);

    let audit = t
        .api(Method::GET, "/api/v1/admin/audit", None, &admin)
        .await
        .json();
    let details: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "takedown.done")
        .map(|e| e["detail"].as_str().unwrap())
        .collect();
    assert_eq!(details.len(), 2, "{details:?}");
    assert!(
        details
            .iter()
            .any(|d| d.contains("2 author item(s) removed: Creator opted out"))
    );
}

#[tokio::test]
async fn c7_the_takedown_form_removes_an_item_and_says_what_it_could_not_find() {
    let (t, admin, support, _user) = console().await;
    t.import(&atelier_testkit::sample_posts(3)).await;
    let posts: Vec<Value> = serde_json::from_str(&atelier_testkit::sample_posts(3)).unwrap();
    let url = posts[2]["source_url"].as_str().unwrap();
    let html = t.page("/admin/takedowns", &support).await.text();
    assert!(
        !html.contains("action=\"/admin/takedowns\""),
        "no form for support"
    );
    let r = t
        .post_form(
            "/admin/takedowns",
            &[
                ("target", "https://x.com/nobody/status/1"),
                ("reason", "Asked"),
            ],
            &admin,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(
        r.text()
            .contains("No gallery item has that id or source URL.")
    );
    let to = t
        .post_form(
            "/admin/takedowns",
            &[("target", url), ("reason", "Creator asked by mail")],
            &admin,
        )
        .await
        .see_other();
    assert_eq!(to, "/admin/takedowns?removed=1");
    assert!(
        t.page(&to, &admin)
            .await
            .text()
            .contains("1 item(s) taken down.")
    );
    assert_eq!(gallery_total(&t).await, 2);
}

#[tokio::test]
async fn c7_creators_ask_staff_answer_by_mail_and_the_address_is_forgotten() {
    let (t, admin, support, _user) = console().await;
    t.import(&atelier_testkit::sample_posts(3)).await;
    let posts: Vec<Value> = serde_json::from_str(&atelier_testkit::sample_posts(3)).unwrap();
    let url = posts[1]["source_url"].as_str().unwrap().to_owned();
    let ask = |body: Value| {
        let t = &t;
        async move {
            t.request(from_peer(
                Method::POST,
                "/api/v1/takedown-requests",
                None,
                Some(body),
            ))
            .await
        }
    };
    // Bad input: no URL, a bad address, no reason.
    for (body, code) in [
        (
            json!({ "source_url": "x.com/a", "contact_email": "c@example.com", "reason": "mine" }),
            "invalid_source_url",
        ),
        (
            json!({ "source_url": url, "contact_email": "nope", "reason": "mine" }),
            "invalid_email",
        ),
        (
            json!({ "source_url": url, "contact_email": "c@example.com", "reason": "" }),
            "invalid_reason",
        ),
    ] {
        assert_eq!(ask(body).await.error_code(), code);
    }
    let r = ask(json!({ "source_url": url, "contact_email": "Creator@Example.com", "reason": "I made this and did not agree" })).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_owned();
    // A few an hour from one address (5; three were refused above and count too).
    let mut last = StatusCode::ACCEPTED;
    for _ in 0..3 {
        last =
            ask(json!({ "source_url": url, "contact_email": "c@example.com", "reason": "again" }))
                .await
                .status;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);

    // Staff see it; support may not answer.
    let list = t
        .api(
            Method::GET,
            "/api/v1/admin/takedown-requests",
            None,
            &support,
        )
        .await
        .json();
    // (Filed in the same millisecond as the others: found by its id.)
    let first = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id.as_str())
        .unwrap();
    assert_eq!(first["status"], "open");
    assert_eq!(first["contact_email"], "creator@example.com");
    let answer = format!("/api/v1/admin/takedown-requests/{id}/answer");
    let r = t
        .api(
            Method::POST,
            &answer,
            Some(json!({ "action": "remove" })),
            &support,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = t
        .api(
            Method::POST,
            &answer,
            Some(json!({ "action": "burn" })),
            &admin,
        )
        .await;
    assert_eq!(r.error_code(), "invalid_action");

    // Removed: gone from the gallery, the requester told by mail, once.
    let r = t
        .api(
            Method::POST,
            &answer,
            Some(json!({ "action": "remove" })),
            &admin,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["status"], "removed");
    assert_eq!(r.json()["removed"], 1);
    assert_eq!(gallery_total(&t).await, 2);
    let mail = t.last_mail_to("creator@example.com").await;
    assert!(
        mail.subject.contains("Removed from Atelier"),
        "{}",
        mail.subject
    );
    assert!(mail.text.contains(&url));
    let r = t
        .api(
            Method::POST,
            &answer,
            Some(json!({ "action": "decline" })),
            &admin,
        )
        .await;
    assert_eq!(r.error_code(), "already_answered");

    // The address is forgotten `retention.takedown_contact_days` (30) after the answer.
    use atelier_app::privacy::retention::Retention;
    t.clock.advance_ms(29 * 24 * 3_600_000);
    assert_eq!(
        t.app
            .run_retention(Retention::TakedownContacts)
            .await
            .unwrap(),
        0
    );
    t.clock.advance_ms(2 * 24 * 3_600_000);
    assert_eq!(
        t.app
            .run_retention(Retention::TakedownContacts)
            .await
            .unwrap(),
        1
    );
    // (Read from the store: the admin's session has long expired.)
    let kept = t.db.store.takedown_request(&id).await.unwrap();
    assert_eq!(kept.contact_email, None);
    assert_eq!(kept.source_url, url, "the request stays");
}

#[tokio::test]
async fn c7_the_public_form_files_a_request_and_staff_decline_it_in_chinese() {
    let (t, admin, _support, _user) = console().await;
    let html = t.get("/takedown").await.text();
    assert!(html.contains("Ask for a post to be removed"));
    assert!(
        t.get("/").await.text().contains("href=\"/takedown\""),
        "linked from every page"
    );
    let r = t
        .request(
            axum::http::Request::post("/takedown")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("accept-language", "zh-CN")
                .body(axum::body::Body::from(
                    "source_url=https%3A%2F%2Fx.com%2Fsomeone%2Fstatus%2F42&contact_email=me%40example.com&reason=mine",
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(r.header("location"), Some("/takedown?sent=1"));
    let r = t
        .request(
            axum::http::Request::post("/takedown")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(axum::body::Body::from(
                    "source_url=nope&contact_email=me%40example.com&reason=mine",
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("full web address"));

    let html = t.page("/admin/takedowns", &admin).await.text();
    assert!(html.contains("https://x.com/someone/status/42") && html.contains("me@example.com"));
    let start = html.find("/admin/takedown-requests/").unwrap();
    let action = &html[start..start + html[start..].find('"').unwrap()];
    let to = t
        .post_form(action, &[("action", "decline")], &admin)
        .await
        .see_other();
    assert!(
        t.page(&to, &admin)
            .await
            .text()
            .contains("the requester is told by mail")
    );
    let mail = t.last_mail_to("me@example.com").await;
    assert!(mail.subject.contains("下架请求"), "{}", mail.subject);
    assert!(mail.text.contains("没有移除"));
}
