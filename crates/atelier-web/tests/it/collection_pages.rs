//! Favorites and boards as pages (G5, D2, G9): the heart form toggles and comes back, the grid
//! marks what is hearted, "My favorites" lists it, boards are created, renamed and deleted (their
//! items stay), "add to board" from the detail page, the share page shows only the shared
//! generations and nothing about the owner, someone else's board is the 404 page, cross-site
//! posts are refused, and the pages speak Chinese.

use atelier_testkit::{SignedInUser, TestApp};
use axum::http::{Method, StatusCode};
use serde_json::json;

/// Creates a board through the form; returns its id.
async fn new_board(t: &TestApp, u: &SignedInUser, name: &str) -> String {
    let to = t
        .post_form("/boards", &[("name", name), ("description", "")], u)
        .await
        .see_other();
    to.strip_prefix("/boards/").unwrap().to_owned()
}

#[tokio::test]
async fn g5_the_heart_toggles_marks_the_grid_and_fills_my_favorites() {
    let t = TestApp::init().demo().with_sample_posts(4).build().await;
    let ids = t.gallery_ids("sort=newest").await;
    // Signed out, the heart is a link to the sign-in page that comes back.
    let html = t.get("/").await.text();
    assert!(html.contains("class=\"heart fav\" href=\"/login?next=/\""));
    assert!(!html.contains("action=\"/favorites/"));

    let u = t.sign_in("hearts@example.com").await;
    let html = t.page("/", &u).await.text();
    assert_eq!(html.matches("aria-pressed=\"true\"").count(), 0);
    assert_eq!(html.matches("action=\"/favorites/").count(), ids.len());
    assert!(
        html.contains("href=\"/favorites\""),
        "the header links to favorites"
    );
    assert!(
        html.contains("href=\"/boards\""),
        "the header links to boards"
    );

    let target = &ids[1];
    let to = t
        .post_form(
            &format!("/favorites/{target}"),
            &[("on", "1"), ("next", "/?sort=newest")],
            &u,
        )
        .await
        .see_other();
    assert_eq!(to, "/?sort=newest");
    // Twice is still once.
    t.post_form(
        &format!("/favorites/{target}"),
        &[("on", "1"), ("next", "/")],
        &u,
    )
    .await
    .see_other();
    let html = t.page("/?sort=newest", &u).await.text();
    assert_eq!(html.matches("aria-pressed=\"true\"").count(), 1);
    let form = format!(
        "action=\"/favorites/{target}\" method=\"post\" data-fav=\"{target}\">\n    <input type=\"hidden\" name=\"on\" value=\"0\">"
    );
    assert!(html.contains(&form), "the hearted card's form un-hearts");

    // The detail page: the heart is on, with the count.
    let html = t.page(&format!("/g/{target}"), &u).await.text();
    assert!(html.contains("<span data-fav-count>1</span> in favorites"));
    assert!(html.contains("class=\"heart on\" aria-pressed=\"true\""));

    // My favorites: personal, lists the item.
    let r = t.page("/favorites", &u).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let html = r.text();
    assert!(html.contains("<h1>My favorites</h1>"));
    assert!(html.contains(&format!("href=\"/g/{target}\"")));
    assert_eq!(html.matches("class=\"card\"").count(), 1);

    // Another user sees nothing hearted.
    let other = t.sign_in("other@example.com").await;
    let html = t.page("/?sort=newest", &other).await.text();
    assert_eq!(html.matches("aria-pressed=\"true\"").count(), 0);

    // Un-heart; a `next` off the site falls back to the item.
    let to = t
        .post_form(
            &format!("/favorites/{target}"),
            &[("on", "0"), ("next", "//evil.example/")],
            &u,
        )
        .await
        .see_other();
    assert_eq!(to, format!("/g/{target}"));
    let html = t.page("/favorites", &u).await.text();
    assert!(html.contains("No favorites yet."));
    let html = t.page(&format!("/g/{target}"), &u).await.text();
    assert!(html.contains("<span data-fav-count>0</span>"));

    // Unknown item: the 404 page. Signed out: sign in first, then back.
    let r = t
        .post_form("/favorites/no-such-item", &[("on", "1")], &u)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = t
        .post_form(
            &format!("/favorites/{target}"),
            &[("on", "1"), ("next", "/")],
            "",
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // One rule for every page: a plain path stays readable, anything else is encoded whole.
    assert_eq!(r.header("location"), Some("/login?next=/"));
    let r = t.get("/favorites").await;
    assert_eq!(r.header("location"), Some("/login?next=/favorites"));
}

#[tokio::test]
async fn g5_d2_boards_are_created_filled_from_the_detail_page_renamed_and_deleted() {
    let t = TestApp::init().demo().with_sample_posts(4).build().await;
    let ids = t.gallery_ids("sort=newest").await;
    let u = t.sign_in("boards@example.com").await;
    let r = t.page("/boards", &u).await;
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert!(r.text().contains("No boards yet."));

    let board = new_board(&t, &u, "Moody skies").await;
    // The detail page offers the board, and a new one.
    let html = t.page(&format!("/g/{}", ids[0]), &u).await.text();
    assert!(html.contains("action=\"/boards/add\""));
    assert!(html.contains(&format!("<option value=\"{board}\">Moody skies</option>")));
    let to = t
        .post_form(
            "/boards/add",
            &[
                ("gallery_id", &ids[0]),
                ("board_id", &board),
                ("next", &format!("/g/{}", ids[0])),
            ],
            &u,
        )
        .await
        .see_other();
    assert_eq!(to, format!("/boards/{board}"));
    // A new board by name.
    let to = t
        .post_form(
            "/boards/add",
            &[
                ("gallery_id", &ids[1]),
                ("board_id", &board),
                ("new_board_name", "Second"),
            ],
            &u,
        )
        .await
        .see_other();
    assert_ne!(to, format!("/boards/{board}"));

    let html = t.page("/boards", &u).await.text();
    assert!(html.contains("Moody skies"));
    assert!(html.contains("Second"));
    assert_eq!(html.matches("1 item<").count(), 2);

    let r = t.page(&format!("/boards/{board}"), &u).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let html = r.text();
    assert!(html.contains("<h1>Moody skies</h1>"));
    assert!(html.contains(&format!("href=\"/g/{}\"", ids[0])));
    assert!(html.contains("Remove from board"));
    assert!(html.contains("Create share link"));

    // Rename and describe; an empty name is refused and changes nothing.
    t.post_form(
        &format!("/boards/{board}/edit"),
        &[("name", "Storms"), ("description", "Dark clouds")],
        &u,
    )
    .await
    .see_other();
    let to = t
        .post_form(&format!("/boards/{board}/edit"), &[("name", " ")], &u)
        .await
        .see_other();
    assert_eq!(to, format!("/boards/{board}?error=1"));
    let html = t.page(&to, &u).await.text();
    assert!(html.contains("A board name has 1 to 80 characters."));
    assert!(html.contains("<h1>Storms</h1>"));
    assert!(html.contains("Dark clouds"));

    // Remove, add back.
    t.post_form(
        &format!("/boards/{board}/remove"),
        &[("gallery_id", &ids[0])],
        &u,
    )
    .await
    .see_other();
    let html = t.page(&format!("/boards/{board}"), &u).await.text();
    assert!(html.contains("This board is empty."));
    t.post_form(
        "/boards/add",
        &[("gallery_id", &ids[0]), ("board_id", &board)],
        &u,
    )
    .await
    .see_other();

    // Deletion asks first, and says the items stay.
    let r = t.page(&format!("/boards/{board}/delete"), &u).await;
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let html = r.text();
    assert!(html.contains("The artworks and generations on it are not deleted."));
    assert!(html.contains(&format!(
        "action=\"/boards/{board}/delete\" method=\"post\""
    )));
    let to = t
        .post_form(&format!("/boards/{board}/delete"), &[], &u)
        .await
        .see_other();
    assert_eq!(to, "/boards");
    assert_eq!(
        t.page(&format!("/boards/{board}"), &u).await.status,
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
    let t = TestApp::init().demo().with_sample_posts(4).build().await;
    let ids = t.gallery_ids("sort=newest").await;
    let u = t.sign_in("owner-secret@example.com").await;
    let board = new_board(&t, &u, "Public picks").await;
    t.post_form(
        "/boards/add",
        &[("gallery_id", &ids[2]), ("board_id", &board)],
        &u,
    )
    .await
    .see_other();
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
    let html = t
        .page(&format!("/generations/{}", gens[0]), &u)
        .await
        .text();
    assert!(html.contains("name=\"generation_id\""));
    for g in &gens {
        t.post_form(
            "/boards/add",
            &[("generation_id", g), ("board_id", &board)],
            &u,
        )
        .await
        .see_other();
    }
    t.post_form(
        &format!("/boards/{board}/generations/{}", gens[1]),
        &[("shared", "1")],
        &u,
    )
    .await
    .see_other();
    t.post_form(&format!("/boards/{board}/share"), &[("on", "1")], &u)
        .await
        .see_other();

    let html = t.page(&format!("/boards/{board}"), &u).await.text();
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
    t.post_form(
        &format!("/boards/{board}/generations/{}", gens[1]),
        &[("shared", "0")],
        &u,
    )
    .await
    .see_other();
    assert!(!t.get(&share_path).await.text().contains("shared piece"));
    t.post_form(&format!("/boards/{board}/share"), &[("on", "0")], &u)
        .await
        .see_other();
    assert_eq!(t.get(&share_path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        t.get("/b/not-a-real-token-at-all").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn g5_another_users_board_is_not_found_and_cross_site_posts_are_refused() {
    let t = TestApp::init().demo().with_sample_posts(4).build().await;
    let ids = t.gallery_ids("sort=newest").await;
    let owner = t.sign_in("owner@example.com").await;
    let other = t.sign_in("intruder@example.com").await;
    let board = new_board(&t, &owner, "Mine").await;
    let r = t.page(&format!("/boards/{board}"), &other).await;
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
        let r = t.post_form(&path, &fields, &other).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(
        t.page(&format!("/boards/{board}/delete"), &other)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let html = t.page(&format!("/boards/{board}"), &owner).await.text();
    assert!(html.contains("<h1>Mine</h1>"));
    assert!(html.contains("This board is empty."));

    // A form posted from another site never acts.
    let r = t
        .post_form_cross_site(&format!("/favorites/{}", ids[0]), "on=1&next=/", &owner)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = t
        .post_from_origin(
            &format!("/boards/{board}/delete"),
            "https://evil.example",
            &owner,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        t.page(&format!("/boards/{board}"), &owner).await.status,
        StatusCode::OK
    );
    assert!(
        t.page("/favorites", &owner)
            .await
            .text()
            .contains("No favorites yet.")
    );
}

#[tokio::test]
async fn g9_the_collection_pages_speak_chinese() {
    let t = TestApp::init().demo().with_sample_posts(4).build().await;
    let ids = t.gallery_ids("sort=newest").await;
    let u = t.sign_in("zh@example.com").await;
    let cookie = u.cookie_with_language("zh-CN");
    let html = t.page("/favorites", &cookie).await.text();
    assert!(html.contains("<h1>我的收藏</h1>"));
    assert!(html.contains("还没有收藏。"));
    assert!(html.contains(">收藏</a>"), "the header link");
    let html = t.page("/boards", &cookie).await.text();
    assert!(html.contains("创建画板"));
    assert!(html.contains("删除画板不会删除其中的内容。"));
    let board = new_board(&t, &u, "云").await;
    let html = t.page(&format!("/g/{}", ids[0]), &cookie).await.text();
    assert!(html.contains("加入画板"));
    assert!(html.contains("</span> 人收藏"));
    let html = t.page(&format!("/boards/{board}"), &cookie).await.text();
    assert!(html.contains("创建分享链接"));
    assert!(html.contains("删除画板"));
    let html = t
        .page(&format!("/boards/{board}/delete"), &cookie)
        .await
        .text();
    assert!(html.contains("其中的作品和生成记录不会被删除"));
}
