//! Favorites and boards over HTTP (G5, D2): idempotent hearts with counts and the "most
//! favorited" sort, boards with names 1..80, someone else's board is 404, deleting a board keeps
//! its items, takedowns and deleted generations leave every board and favorite list, and share
//! links show only what the owner chose.

use atelier_testkit::{Auth, SignedInUser, TestApp};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

async fn app() -> (TestApp, Vec<String>) {
    let t = TestApp::init().demo().with_sample_posts(4).build().await;
    let ids = t.gallery_ids("sort=newest").await;
    (t, ids)
}

async fn call(
    t: &TestApp,
    u: &SignedInUser,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> atelier_testkit::TestResponse {
    t.call(method, path, body.as_ref(), &u.browser()).await
}

/// `PUT /api/v1/favorites/{id}` as `u`: a heart.
async fn heart(t: &TestApp, u: &SignedInUser, id: &str) -> atelier_testkit::TestResponse {
    call(t, u, Method::PUT, &format!("/api/v1/favorites/{id}"), None).await
}

#[tokio::test]
async fn g5_favorites_are_idempotent_counted_and_sortable() {
    let (t, ids) = app().await;
    let a = t.sign_in("a@example.com").await;
    let b = t.sign_in("b@example.com").await;
    let target = &ids[2];
    for _ in 0..2 {
        let r = heart(&t, &a, target).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
    }
    heart(&t, &b, target).await;
    heart(&t, &b, &ids[0]).await;
    t.app.sync_search_index().await.unwrap();
    let item = t.get(&format!("/api/v1/gallery/{target}")).await.json();
    assert_eq!(item["favorites"], 2, "two users, counted once each");
    let sorted = t.get("/api/v1/gallery?sort=favorites").await.json();
    assert_eq!(sorted["items"][0]["id"], target.as_str());

    let mine = call(&t, &b, Method::GET, "/api/v1/favorites", None)
        .await
        .json();
    let listed: Vec<&str> = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(listed.len(), 2);
    assert!(listed.contains(&target.as_str()));
    assert!(mine["items"][0]["prompt"].is_string(), "full gallery items");

    for _ in 0..2 {
        let r = call(
            &t,
            &a,
            Method::DELETE,
            &format!("/api/v1/favorites/{target}"),
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
    }
    assert_eq!(
        t.get(&format!("/api/v1/gallery/{target}")).await.json()["favorites"],
        1
    );
    let r = call(&t, &a, Method::PUT, "/api/v1/favorites/no-such-item", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        t.call(Method::GET, "/api/v1/favorites", None, &Auth::None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn g5_boards_are_private_named_and_deleting_one_keeps_its_items() {
    let (t, ids) = app().await;
    let u = t.sign_in("owner@example.com").await;
    let other = t.sign_in("other@example.com").await;
    for name in ["", "   ", &"n".repeat(81)] {
        let r = call(
            &t,
            &u,
            Method::POST,
            "/api/v1/boards",
            Some(json!({ "name": name })),
        )
        .await;
        assert_eq!(r.error_code(), "invalid_name", "{name:?}");
    }
    let r = call(
        &t,
        &u,
        Method::POST,
        "/api/v1/boards",
        Some(json!({ "name": "Moody skies", "description": "for the poster" })),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let board = r.json();
    let id = board["id"].as_str().unwrap().to_owned();
    assert_eq!(board["shared"], false);
    assert!(board["share_url"].is_null());

    for _ in 0..2 {
        let r = call(
            &t,
            &u,
            Method::PUT,
            &format!("/api/v1/boards/{id}/items/{}", ids[0]),
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
    }
    call(
        &t,
        &u,
        Method::PUT,
        &format!("/api/v1/boards/{id}/items/{}", ids[1]),
        None,
    )
    .await;
    let r = call(
        &t,
        &u,
        Method::PUT,
        &format!("/api/v1/boards/{id}/items/nope"),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let contents = call(
        &t,
        &u,
        Method::GET,
        &format!("/api/v1/boards/{id}/items"),
        None,
    )
    .await
    .json();
    assert_eq!(contents["board"]["item_count"], 2);
    assert_eq!(contents["items"].as_array().unwrap().len(), 2);

    let r = call(
        &t,
        &u,
        Method::PATCH,
        &format!("/api/v1/boards/{id}"),
        Some(json!({ "name": "Storm skies" })),
    )
    .await;
    assert_eq!(r.json()["name"], "Storm skies");
    assert_eq!(
        call(&t, &u, Method::GET, "/api/v1/boards", None)
            .await
            .json()["items"][0]["name"],
        "Storm skies"
    );

    // Someone else's board does not exist for them.
    for (method, path) in [
        (Method::GET, format!("/api/v1/boards/{id}")),
        (Method::GET, format!("/api/v1/boards/{id}/items")),
        (Method::PATCH, format!("/api/v1/boards/{id}")),
        (Method::DELETE, format!("/api/v1/boards/{id}")),
        (Method::PUT, format!("/api/v1/boards/{id}/items/{}", ids[2])),
        (
            Method::DELETE,
            format!("/api/v1/boards/{id}/items/{}", ids[0]),
        ),
    ] {
        let body = (method == Method::PATCH).then(|| json!({ "name": "mine now" }));
        let r = call(&t, &other, method.clone(), &path, body).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{method} {path}");
    }

    call(
        &t,
        &u,
        Method::DELETE,
        &format!("/api/v1/boards/{id}/items/{}", ids[1]),
        None,
    )
    .await;
    assert_eq!(
        call(&t, &u, Method::GET, &format!("/api/v1/boards/{id}"), None)
            .await
            .json()["item_count"],
        1
    );
    let r = call(
        &t,
        &u,
        Method::DELETE,
        &format!("/api/v1/boards/{id}"),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        call(&t, &u, Method::GET, &format!("/api/v1/boards/{id}"), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.get(&format!("/api/v1/gallery/{}", ids[0])).await.status,
        StatusCode::OK,
        "D2: items stay"
    );
}

#[tokio::test]
async fn d2_takedowns_and_deleted_generations_leave_boards_and_favorites_at_once() {
    let (t, ids) = app().await;
    let u = t.sign_in("d2@example.com").await;
    let board = call(
        &t,
        &u,
        Method::POST,
        "/api/v1/boards",
        Some(json!({ "name": "Keep" })),
    )
    .await
    .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    heart(&t, &u, &ids[0]).await;
    call(
        &t,
        &u,
        Method::PUT,
        &format!("/api/v1/boards/{board}/items/{}", ids[0]),
        None,
    )
    .await;
    let generation = call(
        &t,
        &u,
        Method::POST,
        "/api/v1/generations",
        Some(json!({ "prompt": "a kite" })),
    )
    .await
    .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    t.run_jobs().await;
    let r = call(
        &t,
        &u,
        Method::PUT,
        &format!("/api/v1/boards/{board}/generations/{generation}"),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        call(
            &t,
            &u,
            Method::GET,
            &format!("/api/v1/boards/{board}"),
            None
        )
        .await
        .json()["item_count"],
        2
    );

    assert!(t.app.take_down_gallery_item(&ids[0]).await.unwrap());
    call(
        &t,
        &u,
        Method::DELETE,
        &format!("/api/v1/generations/{generation}"),
        None,
    )
    .await;
    let contents = call(
        &t,
        &u,
        Method::GET,
        &format!("/api/v1/boards/{board}/items"),
        None,
    )
    .await
    .json();
    assert_eq!(contents["board"]["item_count"], 0);
    assert!(contents["items"].as_array().unwrap().is_empty());
    assert!(contents["generations"].as_array().unwrap().is_empty());
    assert!(
        call(&t, &u, Method::GET, "/api/v1/favorites", None)
            .await
            .json()["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn g5_a_share_link_shows_gallery_items_and_only_the_generations_chosen() {
    let (t, ids) = app().await;
    let u = t.sign_in("share@example.com").await;
    let board = call(
        &t,
        &u,
        Method::POST,
        "/api/v1/boards",
        Some(json!({ "name": "Public picks" })),
    )
    .await
    .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    call(
        &t,
        &u,
        Method::PUT,
        &format!("/api/v1/boards/{board}/items/{}", ids[1]),
        None,
    )
    .await;
    let mut gens = Vec::new();
    for prompt in ["private sketch", "shared piece"] {
        let id = call(
            &t,
            &u,
            Method::POST,
            "/api/v1/generations",
            Some(json!({ "prompt": prompt })),
        )
        .await
        .json()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        gens.push(id);
    }
    t.run_jobs().await;
    call(
        &t,
        &u,
        Method::PUT,
        &format!("/api/v1/boards/{board}/generations/{}", gens[0]),
        None,
    )
    .await;
    call(
        &t,
        &u,
        Method::PUT,
        &format!("/api/v1/boards/{board}/generations/{}", gens[1]),
        Some(json!({ "shared": true })),
    )
    .await;
    let owner_view = call(
        &t,
        &u,
        Method::GET,
        &format!("/api/v1/boards/{board}/items"),
        None,
    )
    .await
    .json();
    assert_eq!(owner_view["generations"].as_array().unwrap().len(), 2);

    let shared = call(
        &t,
        &u,
        Method::PATCH,
        &format!("/api/v1/boards/{board}"),
        Some(json!({ "shared": true })),
    )
    .await
    .json();
    let url = shared["share_url"].as_str().unwrap().to_owned();
    let token = url.rsplit('/').next().unwrap().to_owned();
    assert!(token.len() >= 32, "unguessable");
    let again = call(
        &t,
        &u,
        Method::PATCH,
        &format!("/api/v1/boards/{board}"),
        Some(json!({ "shared": true })),
    )
    .await
    .json();
    assert_eq!(
        again["share_url"], shared["share_url"],
        "the link stays while shared"
    );

    let visitor = t.get(&format!("/api/v1/shared/boards/{token}")).await;
    assert_eq!(visitor.status, StatusCode::OK);
    let view = visitor.json();
    assert_eq!(view["items"][0]["id"], ids[1].as_str());
    let generations = view["generations"].as_array().unwrap();
    assert_eq!(generations.len(), 1, "only the generation marked shared");
    assert_eq!(generations[0]["prompt"], "shared piece");
    assert!(!view.to_string().contains("private sketch"));
    assert!(!view.to_string().contains("share@example.com"));
    let signed = generations[0]["images"][0]["url"].as_str().unwrap();
    assert!(signed.contains("sig="), "visitors get signed URLs only");
    assert_eq!(
        t.get(signed.trim_start_matches("http://127.0.0.1:8080"))
            .await
            .status,
        StatusCode::OK
    );

    call(
        &t,
        &u,
        Method::PATCH,
        &format!("/api/v1/boards/{board}"),
        Some(json!({ "shared": false })),
    )
    .await;
    assert_eq!(
        t.get(&format!("/api/v1/shared/boards/{token}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.get("/api/v1/shared/boards/short").await.status,
        StatusCode::NOT_FOUND
    );
}

/// G1, G5: gallery pages are cached per index generation, yet a heart given on this node shows
/// in the gallery's counts at once, before the index has applied it; the index's order follows
/// once it has.
#[tokio::test]
async fn g5_a_heart_shows_in_cached_gallery_pages_at_once() {
    let (t, ids) = app().await;
    let target = ids[1].clone();
    let count_of = |page: &Value| {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == target.as_str())
            .map(|i| i["favorites"].as_i64().unwrap())
    };
    let before = t.get("/api/v1/gallery?sort=newest").await.json();
    assert_eq!(count_of(&before), Some(0));
    // Asked twice: the second answer is the cached page.
    assert_eq!(t.get("/api/v1/gallery?sort=newest").await.json(), before);
    let a = t.sign_in("a@example.com").await;
    let r = heart(&t, &a, &target).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let after = t.get("/api/v1/gallery?sort=newest").await.json();
    assert_eq!(
        count_of(&after),
        Some(1),
        "no index sync ran, yet the count is new"
    );
    t.app.sync_search_index().await.unwrap();
    let by_favorites = t.get("/api/v1/gallery?sort=favorites").await.json();
    assert_eq!(by_favorites["items"][0]["id"], target.as_str());
    assert_eq!(by_favorites["items"][0]["favorites"], 1);
}
