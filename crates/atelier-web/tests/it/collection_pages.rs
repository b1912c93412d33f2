//! Favorites and boards as pages (G5, D2, G9): the heart form toggles and comes back, the grid
//! marks what is hearted, "My favorites" lists it, boards are created, renamed and deleted (their
//! items stay), "add to board" from the detail page, the share page shows only the shared
//! generations and nothing about the owner, someone else's board is the 404 page, cross-site
//! posts are refused, and the pages speak Chinese.

use atelier_core::Settings;
use atelier_testkit::{SignedInUser, TestApp, TestResponse, sample_posts};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::json;
use url::form_urlencoded;

async fn app() -> (TestApp, Vec<String>) {
    let mut settings = Settings::defaults().unwrap();
    settings.demo = true;
    let t = TestApp::init().with_settings(settings).build().await;
    t.import(&sample_posts(4)).await;
    let ids = t.get("/api/v1/gallery?sort=newest").await.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect();
    (t, ids)
}

async fn get_page(t: &TestApp, path: &str, cookie: &str) -> TestResponse {
    t.request(
        Request::get(path)
            .header("cookie", cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

async fn post_form(t: &TestApp, path: &str, fields: &[(&str, &str)], cookie: &str) -> TestResponse {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    t.request(
        Request::post(path)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .header("cookie", cookie)
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

/// Posts a form and expects a 303 to somewhere; returns where.
async fn post_see_other(t: &TestApp, path: &str, fields: &[(&str, &str)], cookie: &str) -> String {
    let r = post_form(t, path, fields, cookie).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}: {}", r.text());
    r.header("location").unwrap().to_owned()
}

/// Creates a board through the form; returns its id.
async fn new_board(t: &TestApp, u: &SignedInUser, name: &str) -> String {
    let to = post_see_other(
        t,
        "/boards",
        &[("name", name), ("description", "")],
        &u.cookie,
    )
    .await;
    to.strip_prefix("/boards/").unwrap().to_owned()
}

fn count(html: &str, needle: &str) -> usize {
    html.matches(needle).count()
}

#[tokio::test]
async fn g5_the_heart_toggles_marks_the_grid_and_fills_my_favorites() {
    let (t, ids) = app().await;
    // Signed out, the heart is a link to the sign-in page that comes back.
    let html = t.get("/").await.text();
    assert!(html.contains("class=\"heart fav\" href=\"/login?next=/\""));
    assert!(!html.contains("action=\"/favorites/"));

    let u = t.sign_in("hearts@example.com").await;
    let html = get_page(&t, "/", &u.cookie).await.text();
    assert_eq!(count(&html, "aria-pressed=\"true\""), 0);
    assert_eq!(count(&html, "action=\"/favorites/"), ids.len());
    assert!(
        html.contains("href=\"/favorites\""),
        "the header links to favorites"
    );
    assert!(
        html.contains("href=\"/boards\""),
        "the header links to boards"
    );

    let target = &ids[1];
    let to = post_see_other(
        &t,
        &format!("/favorites/{target}"),
        &[("on", "1"), ("next", "/?sort=newest")],
        &u.cookie,
    )
    .await;
    assert_eq!(to, "/?sort=newest");
    // Twice is still once.
    post_see_other(
        &t,
        &format!("/favorites/{target}"),
        &[("on", "1"), ("next", "/")],
        &u.cookie,
    )
    .await;
    let html = get_page(&t, "/?sort=newest", &u.cookie).await.text();
    assert_eq!(count(&html, "aria-pressed=\"true\""), 1);
    let form = format!(
        "action=\"/favorites/{target}\" method=\"post\" data-fav=\"{target}\">\n    <input type=\"hidden\" name=\"on\" value=\"0\">"
    );
    assert!(html.contains(&form), "the hearted card's form un-hearts");

    // The detail page: the heart is on, with the count.
    let html = get_page(&t, &format!("/g/{target}"), &u.cookie)
        .await
        .text();
    assert!(html.contains("<span data-fav-count>1</span> in favorites"));
    assert!(html.contains("class=\"heart on\" aria-pressed=\"true\""));

    // My favorites: personal, lists the item.
    let r = get_page(&t, "/favorites", &u.cookie).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let html = r.text();
    assert!(html.contains("<h1>My favorites</h1>"));
    assert!(html.contains(&format!("href=\"/g/{target}\"")));
    assert_eq!(count(&html, "class=\"card\""), 1);

    // Another user sees nothing hearted.
    let other = t.sign_in("other@example.com").await;
    let html = get_page(&t, "/?sort=newest", &other.cookie).await.text();
    assert_eq!(count(&html, "aria-pressed=\"true\""), 0);

    // Un-heart; a `next` off the site falls back to the item.
    let to = post_see_other(
        &t,
        &format!("/favorites/{target}"),
        &[("on", "0"), ("next", "//evil.example/")],
        &u.cookie,
    )
    .await;
    assert_eq!(to, format!("/g/{target}"));
    let html = get_page(&t, "/favorites", &u.cookie).await.text();
    assert!(html.contains("No favorites yet."));
    let html = get_page(&t, &format!("/g/{target}"), &u.cookie)
        .await
        .text();
    assert!(html.contains("<span data-fav-count>0</span>"));

    // Unknown item: the 404 page. Signed out: sign in first, then back.
    let r = post_form(&t, "/favorites/no-such-item", &[("on", "1")], &u.cookie).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = post_form(
        &t,
        &format!("/favorites/{target}"),
        &[("on", "1"), ("next", "/")],
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), Some("/login?next=%2F"));
    let r = t.get("/favorites").await;
    assert_eq!(r.header("location"), Some("/login?next=%2Ffavorites"));
}

#[tokio::test]
async fn g5_d2_boards_are_created_filled_from_the_detail_page_renamed_and_deleted() {
    let (t, ids) = app().await;
    let u = t.sign_in("boards@example.com").await;
    let r = get_page(&t, "/boards", &u.cookie).await;
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert!(r.text().contains("No boards yet."));

    let board = new_board(&t, &u, "Moody skies").await;
    // The detail page offers the board, and a new one.
    let html = get_page(&t, &format!("/g/{}", ids[0]), &u.cookie)
        .await
        .text();
    assert!(html.contains("action=\"/boards/add\""));
    assert!(html.contains(&format!("<option value=\"{board}\">Moody skies</option>")));
    let to = post_see_other(
        &t,
        "/boards/add",
        &[
            ("gallery_id", &ids[0]),
            ("board_id", &board),
            ("next", &format!("/g/{}", ids[0])),
        ],
        &u.cookie,
    )
    .await;
    assert_eq!(to, format!("/boards/{board}"));
    // A new board by name.
    let to = post_see_other(
        &t,
        "/boards/add",
        &[
            ("gallery_id", &ids[1]),
            ("board_id", &board),
            ("new_board_name", "Second"),
        ],
        &u.cookie,
    )
    .await;
    assert_ne!(to, format!("/boards/{board}"));

    let html = get_page(&t, "/boards", &u.cookie).await.text();
    assert!(html.contains("Moody skies"));
    assert!(html.contains("Second"));
    assert_eq!(count(&html, "1 item<"), 2);

    let r = get_page(&t, &format!("/boards/{board}"), &u.cookie).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let html = r.text();
    assert!(html.contains("<h1>Moody skies</h1>"));
    assert!(html.contains(&format!("href=\"/g/{}\"", ids[0])));
    assert!(html.contains("Remove from board"));
    assert!(html.contains("Create share link"));

    // Rename and describe; an empty name is refused and changes nothing.
    post_see_other(
        &t,
        &format!("/boards/{board}/edit"),
        &[("name", "Storms"), ("description", "Dark clouds")],
        &u.cookie,
    )
    .await;
    let to = post_see_other(
        &t,
        &format!("/boards/{board}/edit"),
        &[("name", " ")],
        &u.cookie,
    )
    .await;
    assert_eq!(to, format!("/boards/{board}?error=1"));
    let html = get_page(&t, &to, &u.cookie).await.text();
    assert!(html.contains("A board name has 1 to 80 characters."));
    assert!(html.contains("<h1>Storms</h1>"));
    assert!(html.contains("Dark clouds"));

    // Remove, add back.
    post_see_other(
        &t,
        &format!("/boards/{board}/remove"),
        &[("gallery_id", &ids[0])],
        &u.cookie,
    )
    .await;
    let html = get_page(&t, &format!("/boards/{board}"), &u.cookie)
        .await
        .text();
    assert!(html.contains("This board is empty."));
    post_see_other(
        &t,
        "/boards/add",
        &[("gallery_id", &ids[0]), ("board_id", &board)],
        &u.cookie,
    )
    .await;

    // Deletion asks first, and says the items stay.
    let r = get_page(&t, &format!("/boards/{board}/delete"), &u.cookie).await;
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let html = r.text();
    assert!(html.contains("The artworks and generations on it are not deleted."));
    assert!(html.contains(&format!(
        "action=\"/boards/{board}/delete\" method=\"post\""
    )));
    let to = post_see_other(&t, &format!("/boards/{board}/delete"), &[], &u.cookie).await;
    assert_eq!(to, "/boards");
    assert_eq!(
        get_page(&t, &format!("/boards/{board}"), &u.cookie)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.get(&format!("/g/{}", ids[0])).await.status,
        StatusCode::OK,
        "the item survives its board"
    );
}

#[tokio::test]
async fn g5_the_share_page_shows_only_shared_generations_and_nothing_of_the_owner() {
    let (t, ids) = app().await;
    let u = t.sign_in("owner-secret@example.com").await;
    let board = new_board(&t, &u, "Public picks").await;
    post_see_other(
        &t,
        "/boards/add",
        &[("gallery_id", &ids[2]), ("board_id", &board)],
        &u.cookie,
    )
    .await;
    let mut gens = Vec::new();
    for prompt in ["private sketch", "shared piece"] {
        let id = t
            .call(
                Method::POST,
                "/api/v1/generations",
                Some(&json!({ "prompt": prompt })),
                &u.browser(),
            )
            .await
            .json()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        gens.push(id);
    }
    t.run_jobs().await;
    // Added from the generation page: private until chosen.
    let html = get_page(&t, &format!("/generations/{}", gens[0]), &u.cookie)
        .await
        .text();
    assert!(html.contains("name=\"generation_id\""));
    for g in &gens {
        post_see_other(
            &t,
            "/boards/add",
            &[("generation_id", g), ("board_id", &board)],
            &u.cookie,
        )
        .await;
    }
    post_see_other(
        &t,
        &format!("/boards/{board}/generations/{}", gens[1]),
        &[("shared", "1")],
        &u.cookie,
    )
    .await;
    post_see_other(
        &t,
        &format!("/boards/{board}/share"),
        &[("on", "1")],
        &u.cookie,
    )
    .await;

    let html = get_page(&t, &format!("/boards/{board}"), &u.cookie)
        .await
        .text();
    assert!(html.contains("only those marked “show on the shared page” appear"));
    assert!(html.contains(&format!("href=\"/generations/{}\"", gens[0])));
    assert!(html.contains("Stop sharing"));
    let at = html.find("/b/").unwrap();
    let share_path: String = html[at..].chars().take_while(|c| *c != '"').collect();

    let r = t.get(&share_path).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let html = r.text();
    assert!(html.contains("<h1>Public picks</h1>"));
    assert!(html.contains(&format!("href=\"/g/{}\"", ids[2])));
    assert!(html.contains("shared piece"));
    assert!(!html.contains("private sketch"));
    assert!(
        html.contains("/img/s/"),
        "generated images through signed URLs"
    );
    assert!(!html.contains("/generations/"));
    assert!(!html.contains("owner-secret"), "nothing about the owner");
    // The signed image works without a session.
    let at = html.find("/img/s/").unwrap();
    let img: String = html[at..].chars().take_while(|c| *c != '"').collect();
    let img = img.replace("&#38;", "&").replace("&amp;", "&");
    assert_eq!(t.get(&img).await.status, StatusCode::OK);

    // Hide it again, then withdraw the link: the page is gone.
    post_see_other(
        &t,
        &format!("/boards/{board}/generations/{}", gens[1]),
        &[("shared", "0")],
        &u.cookie,
    )
    .await;
    assert!(!t.get(&share_path).await.text().contains("shared piece"));
    post_see_other(
        &t,
        &format!("/boards/{board}/share"),
        &[("on", "0")],
        &u.cookie,
    )
    .await;
    assert_eq!(t.get(&share_path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        t.get("/b/not-a-real-token-at-all").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn g5_another_users_board_is_not_found_and_cross_site_posts_are_refused() {
    let (t, ids) = app().await;
    let owner = t.sign_in("owner@example.com").await;
    let other = t.sign_in("intruder@example.com").await;
    let board = new_board(&t, &owner, "Mine").await;
    let r = get_page(&t, &format!("/boards/{board}"), &other.cookie).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!r.text().contains("Mine"));
    for (path, fields) in [
        (format!("/boards/{board}/edit"), vec![("name", "Hacked")]),
        (format!("/boards/{board}/delete"), vec![]),
        (format!("/boards/{board}/share"), vec![("on", "1")]),
        (
            "/boards/add".to_owned(),
            vec![
                ("gallery_id", ids[0].as_str()),
                ("board_id", board.as_str()),
            ],
        ),
    ] {
        let r = post_form(&t, &path, &fields, &other.cookie).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(
        get_page(&t, &format!("/boards/{board}/delete"), &other.cookie)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let html = get_page(&t, &format!("/boards/{board}"), &owner.cookie)
        .await
        .text();
    assert!(html.contains("<h1>Mine</h1>"));
    assert!(html.contains("This board is empty."));

    // A form posted from another site never acts.
    let r = t
        .request(
            Request::post(format!("/favorites/{}", ids[0]))
                .header("content-type", "application/x-www-form-urlencoded")
                .header("sec-fetch-site", "cross-site")
                .header("cookie", &owner.cookie)
                .body(Body::from("on=1&next=/"))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = t
        .request(
            Request::post(format!("/boards/{board}/delete"))
                .header("origin", "https://evil.example")
                .header("cookie", &owner.cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        get_page(&t, &format!("/boards/{board}"), &owner.cookie)
            .await
            .status,
        StatusCode::OK
    );
    assert!(
        get_page(&t, "/favorites", &owner.cookie)
            .await
            .text()
            .contains("No favorites yet.")
    );
}

#[tokio::test]
async fn g9_the_collection_pages_speak_chinese() {
    let (t, ids) = app().await;
    let u = t.sign_in("zh@example.com").await;
    let cookie = format!("{}; lang=zh-CN", u.cookie);
    let html = get_page(&t, "/favorites", &cookie).await.text();
    assert!(html.contains("<h1>我的收藏</h1>"));
    assert!(html.contains("还没有收藏。"));
    assert!(html.contains(">收藏</a>"), "the header link");
    let html = get_page(&t, "/boards", &cookie).await.text();
    assert!(html.contains("创建画板"));
    assert!(html.contains("删除画板不会删除其中的内容。"));
    let board = new_board(&t, &u, "云").await;
    let html = get_page(&t, &format!("/g/{}", ids[0]), &cookie)
        .await
        .text();
    assert!(html.contains("加入画板"));
    assert!(html.contains("</span> 人收藏"));
    let html = get_page(&t, &format!("/boards/{board}"), &cookie)
        .await
        .text();
    assert!(html.contains("创建分享链接"));
    assert!(html.contains("删除画板"));
    let html = get_page(&t, &format!("/boards/{board}/delete"), &cookie)
        .await
        .text();
    assert!(html.contains("其中的作品和生成记录不会被删除"));
}
