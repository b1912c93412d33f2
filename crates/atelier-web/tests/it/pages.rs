//! Server-rendered pages: grid, search, detail, 404 and the language switch (G1, G9).

use atelier_testkit::{TestApp, sample_posts};
use axum::body::Body;
use axum::http::{Request, StatusCode};

#[tokio::test]
async fn g1_home_shows_a_grid_with_sized_lazy_images() {
    let t = TestApp::new().await;
    t.import(&sample_posts(8)).await;
    let r = t.get("/").await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("<html lang=\"en\">"));
    assert_eq!(html.matches("class=\"card\"").count(), 8);
    for img in html.split("<img ").skip(1) {
        let tag = img.split('>').next().unwrap();
        assert!(
            tag.contains("width=\"") && tag.contains("height=\""),
            "{tag}"
        );
    }
    assert!(html.contains("loading=\"lazy\""));
    assert!(!html.contains("style="), "no inline styles (CSP)");
}

#[tokio::test]
async fn g2_search_page_narrows_and_keeps_the_query() {
    let t = TestApp::new().await;
    t.import(&sample_posts(30)).await;
    let all = t.get("/").await.text().matches("class=\"card\"").count();
    let r = t.get("/?q=coffee").await.text();
    let found = r.matches("class=\"card\"").count();
    assert!(found < all, "search narrows ({found} of {all})");
    assert!(r.contains("value=\"coffee\""));
    let none = t.get("/?q=zzzzqqqqxxxx").await.text();
    assert!(none.contains("Nothing matches"));
}

#[tokio::test]
async fn g1_detail_page_has_prompt_copy_and_attribution() {
    let t = TestApp::new().await;
    t.import(&sample_posts(3)).await;
    let item = t.get("/api/v1/gallery").await.json()["items"][0].clone();
    let r = t.get(&format!("/g/{}", item["id"].as_str().unwrap())).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains("data-copy-target=\"prompt-text\""));
    assert!(html.contains(item["source_url"].as_str().unwrap()));
    assert!(html.contains(&format!("@{}", item["author"]["handle"].as_str().unwrap())));
    let first_words: String = item["prompt"].as_str().unwrap().chars().take(30).collect();
    assert!(
        html.contains(
            &first_words
                .replace('&', "&amp;")
                .replace('"', "&quot;")
                .replace('\'', "&#39;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
        )
    );
}

#[tokio::test]
async fn unknown_pages_get_the_friendly_404() {
    let t = TestApp::new().await;
    for path in ["/g/unknown", "/no/such/page"] {
        let r = t.get(path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert!(r.text().contains("Back to the gallery"));
    }
}

#[tokio::test]
async fn g9_language_follows_accept_language_and_the_switch() {
    let t = TestApp::new().await;
    let zh = t
        .request(
            Request::get("/")
                .header("accept-language", "zh-CN,zh;q=0.9")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let html = zh.text();
    assert!(html.contains("<html lang=\"zh-CN\">"));
    assert!(html.contains("搜索"));
    assert_eq!(zh.header("content-language"), Some("zh-CN"));

    let switch = t
        .request(
            Request::post("/lang")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from("lang=zh-CN&next=%2F%3Fq%3Dcat"))
                .unwrap(),
        )
        .await;
    assert_eq!(switch.status, StatusCode::SEE_OTHER);
    assert_eq!(switch.header("location"), Some("/?q=cat"));
    let cookie = switch.header("set-cookie").unwrap();
    assert!(cookie.starts_with("lang=zh-CN;") && cookie.contains("SameSite=Lax"));
    let en = t
        .request(
            Request::get("/")
                .header("accept-language", "zh-CN")
                .header("cookie", "lang=en")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(en.text().contains("<html lang=\"en\">"));

    // No open redirect.
    let evil = t
        .request(
            Request::post("/lang")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from("lang=en&next=//evil.example"))
                .unwrap(),
        )
        .await;
    assert_eq!(evil.header("location"), Some("/"));
}

#[tokio::test]
async fn assets_are_served_with_types() {
    let t = TestApp::new().await;
    let css = t.get("/assets/app.css").await;
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    let js = t.get("/assets/app.js").await;
    assert!(js.text().contains("IntersectionObserver"));
    assert_eq!(t.get("/assets/nope.js").await.status, StatusCode::NOT_FOUND);
}
