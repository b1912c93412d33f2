//! The public gallery over HTTP (G1, G2, C6, C7) with the project's sample posts (shaped like
//! real exports from X), on a fresh database.

use atelier_testkit::{MESSY_POSTS, TestApp, sample_posts};
use axum::body::Body;
use axum::http::{Request, StatusCode};

async fn app_with_sample(n: usize) -> TestApp {
    let t = TestApp::new().await;
    let summary = t.import(&sample_posts(n)).await;
    assert_eq!(summary.created, n as u64);
    t
}

#[tokio::test]
async fn g1_gallery_api_lists_imported_items_with_attribution() {
    let t = app_with_sample(12).await;
    let r = t.get("/api/v1/gallery?limit=5").await;
    assert_eq!(r.status, StatusCode::OK);
    let body = r.json();
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 5);
    assert!(body["next_cursor"].is_string());
    let first = &items[0];
    for field in [
        "id",
        "prompt",
        "model",
        "aspect",
        "image_url",
        "thumb_url",
        "source",
        "source_url",
        "created_at",
    ] {
        assert!(first[field].is_string(), "{field} in {first}");
    }
    assert!(
        first["categories"].is_array()
            && first["width"].as_i64().unwrap() > 0
            && first["height"].as_i64().unwrap() > 0
    );
    assert_eq!(first["source"], "x");
    assert!(first["author"]["handle"].is_string() && first["author"]["name"].is_string());
    assert!(
        first["author"]["url"]
            .as_str()
            .unwrap()
            .starts_with("https://x.com/")
    );
    assert!(first["source_url"].as_str().unwrap().contains("/status/"));
    assert!(first["likes"].is_i64() && first["favorites"].is_i64());
    // Browsing order is trending: most liked first.
    let likes: Vec<i64> = items.iter().map(|i| i["likes"].as_i64().unwrap()).collect();
    assert!(likes.windows(2).all(|w| w[0] >= w[1]), "{likes:?}");

    // Paging through with the cursor gives every item exactly once.
    let mut seen = std::collections::HashSet::new();
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("/api/v1/gallery?limit=5&cursor={c}"),
            None => "/api/v1/gallery?limit=5".to_owned(),
        };
        let page = t.get(&url).await.json();
        for item in page["items"].as_array().unwrap() {
            assert!(
                seen.insert(item["id"].as_str().unwrap().to_owned()),
                "duplicate across pages"
            );
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 12);

    let id = first["id"].as_str().unwrap();
    let one = t.get(&format!("/api/v1/gallery/{id}")).await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(one.json()["prompt"], first["prompt"]);
}

#[tokio::test]
async fn g2_search_finds_words_with_highlights_and_filters() {
    let t = app_with_sample(40).await;
    let all = t.get("/api/v1/gallery?limit=100").await.json();
    let target = &all["items"][3];
    // A distinctive word of the target's prompt.
    let prompt = target["prompt"].as_str().unwrap();
    let word = prompt
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() >= 7 && w.chars().all(|c| c.is_ascii_alphabetic()))
        .max_by_key(|w| w.len())
        .unwrap()
        .to_lowercase();
    let r = t.get(&format!("/api/v1/gallery?q={word}")).await.json();
    let ids: Vec<&str> = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&target["id"].as_str().unwrap()),
        "`{word}` did not find its item"
    );
    let hit = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == target["id"])
        .unwrap();
    assert!(
        hit["highlight"].as_str().unwrap().contains("<mark>"),
        "{hit}"
    );

    let model = target["model"].as_str().unwrap();
    let filtered = t
        .get(&format!("/api/v1/gallery?model={model}&limit=100"))
        .await
        .json();
    assert!(
        filtered["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["model"] == model)
    );
    let newest = t.get("/api/v1/gallery?sort=newest&limit=100").await.json();
    let dates: Vec<&str> = newest["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["created_at"].as_str().unwrap())
        .collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "newest first");
}

#[tokio::test]
async fn g2_hostile_queries_never_fail_and_bad_parameters_are_400() {
    let t = app_with_sample(5).await;
    let long = "lorem ipsum ".repeat(900);
    for q in [
        "\"unbalanced",
        "a:b",
        "(((",
        "AND OR NOT",
        "*?~^",
        "+-!",
        "🎨",
        "",
        "\":()",
        "橘猫 AND",
        long.as_str(),
    ] {
        let encoded: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
        let r = t.get(&format!("/api/v1/gallery?q={encoded}")).await;
        assert_eq!(r.status, StatusCode::OK, "query {q:?}");
        assert!(r.json()["items"].is_array());
    }
    assert_eq!(
        t.get("/api/v1/gallery?limit=1000").await.json()["items"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
    assert_eq!(
        t.get("/api/v1/gallery?limit=0").await.json()["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    for bad in [
        "cursor=not-a-cursor",
        "sort=sideways",
        "limit=many",
        "from=yesterday",
    ] {
        let r = t.get(&format!("/api/v1/gallery?{bad}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(!r.error_code().is_empty());
    }
    assert_eq!(
        t.get("/api/v1/gallery/unknown-id").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn reimport_updates_and_never_duplicates() {
    let t = app_with_sample(6).await;
    let again = t.import(&sample_posts(6)).await;
    assert_eq!((again.created, again.updated), (0, 6));
    assert_eq!(t.db.store.gallery_count().await.unwrap(), 6);
    assert_eq!(t.get("/api/v1/gallery?limit=100").await.json()["total"], 6);
}

/// G1: an import's batches are written with several transactions in flight (on PostgreSQL);
/// a post named again in a later batch is still updated by the later record, never
/// duplicated, and every record is counted once.
#[tokio::test]
async fn g1_a_post_repeated_across_import_batches_takes_the_later_record() {
    let t = TestApp::new().await;
    // 700 records: three batches; post "dup" is in the first and the second, post "tri" in
    // all three.
    let mut text = String::new();
    for i in 0..700 {
        let id = match i {
            10 | 300 => "dup".to_owned(),
            20 | 400 | 650 => "tri".to_owned(),
            _ => format!("p{i}"),
        };
        text.push_str(&format!(
            "{{\"id\":\"{id}\",\"prompt\":\"a lantern by the sea, version {i}\"}}\n"
        ));
    }
    let records = atelier_app::gallery::import::read_records(text.as_bytes()).unwrap();
    let options = atelier_app::gallery::import::ImportOptions {
        fetcher: None,
        render_missing: false,
        concurrency: 2,
    };
    let summary = t
        .app
        .import_gallery(records, &options, |_| {})
        .await
        .unwrap();
    assert_eq!((summary.created, summary.updated), (697, 3));
    assert_eq!(t.db.store.gallery_count().await.unwrap(), 697);
    let items = t.db.store.gallery_items_after("", 1_000).await.unwrap();
    let prompt = |post: &str| {
        items
            .iter()
            .find(|i| i.source_post_id == post)
            .map(|i| i.prompt.clone())
            .unwrap()
    };
    assert_eq!(prompt("dup"), "a lantern by the sea, version 300");
    assert_eq!(prompt("tri"), "a lantern by the sea, version 650");
}

#[tokio::test]
async fn bad_records_are_skipped_with_their_numbers() {
    let t = TestApp::new().await;
    let numbers = std::sync::Mutex::new(Vec::new());
    let text = "{\"id\":\"a\",\"prompt\":\"a red fox\"}\nnot json\n{\"id\":\"b\"}\n{\"id\":\"c\",\"prompt\":\"a blue owl\",\"date\":\"never\"}\n{\"id\":\"d\",\"prompt\":\"a green frog\"}\n";
    let records = atelier_app::gallery::import::read_records(text.as_bytes()).unwrap();
    let options = atelier_app::gallery::import::ImportOptions {
        fetcher: None,
        render_missing: true,
        concurrency: 1,
    };
    let summary = t
        .app
        .import_gallery(records, &options, |o| {
            if let atelier_app::gallery::import::RecordOutcome::Bad { number, .. } = o {
                numbers.lock().unwrap().push(*number);
            }
        })
        .await
        .unwrap();
    assert_eq!((summary.created, summary.bad, summary.rendered), (2, 3, 2));
    let mut numbers = numbers.into_inner().unwrap();
    numbers.sort_unstable();
    assert_eq!(numbers, vec![2, 3, 4]);
}

/// G1: a file that goes wrong in every way a real one does imports what it can, names each bad
/// line, and lets a repeated post's later line win.
#[tokio::test]
async fn g1_a_messy_file_imports_its_good_lines_and_names_the_bad_ones() {
    let t = TestApp::new().await;
    let bad = std::sync::Mutex::new(Vec::new());
    let records = atelier_app::gallery::import::read_records(MESSY_POSTS.as_bytes()).unwrap();
    let options = atelier_app::gallery::import::ImportOptions {
        fetcher: None,
        render_missing: true,
        concurrency: 1,
    };
    let summary = t
        .app
        .import_gallery(records, &options, |o| {
            if let atelier_app::gallery::import::RecordOutcome::Bad { number, message } = o {
                bad.lock().unwrap().push((*number, message.clone()));
            }
        })
        .await
        .unwrap();
    let mut bad = bad.into_inner().unwrap();
    bad.sort();
    let numbers: Vec<usize> = bad.iter().map(|(n, _)| *n).collect();
    // Line 10 is blank and skipped without a word.
    assert_eq!(numbers, vec![2, 3, 4, 5, 6, 7, 8, 11, 13], "{bad:?}");
    let says = |line: usize, word: &str| {
        let message = &bad.iter().find(|(n, _)| *n == line).unwrap().1;
        assert!(message.contains(word), "line {line}: {message}");
    };
    says(3, "prompt");
    says(5, "prompt");
    says(6, "likes");
    says(7, "date");
    says(8, "URL");
    says(11, "32000");
    says(13, "id");
    assert_eq!((summary.created, summary.updated, summary.bad), (4, 1, 9));
    let items = t.db.store.gallery_items_after("", 100).await.unwrap();
    let m1 = items.iter().find(|i| i.source_post_id == "m1").unwrap();
    assert_eq!(
        (m1.prompt.as_str(), m1.likes),
        ("a paper boat on a puddle, final version", 40)
    );
    assert!(
        items
            .iter()
            .any(|i| i.source_post_id == "4200000000000000014")
    );
    let shiba = items.iter().find(|i| i.source_post_id == "m12").unwrap();
    assert_eq!(
        (shiba.source.as_str(), shiba.author_handle.as_str()),
        ("x", "shiba_haru")
    );
}

#[tokio::test]
async fn c6_gallery_images_are_cacheable_for_at_most_7_days_with_validators_and_ranges() {
    let t = app_with_sample(2).await;
    let item = &t.get("/api/v1/gallery").await.json()["items"][0];
    let path = item["image_url"]
        .as_str()
        .unwrap()
        .replace("http://127.0.0.1:8080", "");
    let r = t.get(&path).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), Some("image/png"));
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    assert!(r.header("set-cookie").is_none());
    let cache = r.header("cache-control").unwrap();
    assert!(
        cache.starts_with("public") && !cache.contains("immutable"),
        "{cache}"
    );
    let max_age: u64 = cache
        .split("max-age=")
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(max_age <= 7 * 24 * 3600);
    assert_eq!(&r.body[..8], b"\x89PNG\r\n\x1a\n");
    let etag = r.header("etag").unwrap().to_owned();
    assert!(r.header("last-modified").is_some());

    let conditional = Request::get(&path)
        .header("if-none-match", &etag)
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        t.request(conditional).await.status,
        StatusCode::NOT_MODIFIED
    );
    let ranged = t
        .request(
            Request::get(&path)
                .header("range", "bytes=0-7")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(ranged.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(&ranged.body[..], b"\x89PNG\r\n\x1a\n");
    assert!(
        ranged
            .header("content-range")
            .unwrap()
            .starts_with("bytes 0-7/")
    );
    let past = t
        .request(
            Request::get(&path)
                .header("range", "bytes=999999999-")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(past.status, StatusCode::RANGE_NOT_SATISFIABLE);

    // Thumbnails were made by the background job, as WebP.
    let thumb = t
        .get(
            &item["thumb_url"]
                .as_str()
                .unwrap()
                .replace("http://127.0.0.1:8080", ""),
        )
        .await;
    assert_eq!(thumb.status, StatusCode::OK);
    assert_eq!(thumb.header("content-type"), Some("image/webp"));
    assert_eq!(&thumb.body[8..12], b"WEBP");
    for missing in [
        "/img/g/nope/0/original",
        &path.replace("/original", "/w999"),
        &path.replace("/0/", "/7/"),
    ] {
        assert_eq!(
            t.get(missing).await.status,
            StatusCode::NOT_FOUND,
            "{missing}"
        );
    }
}

#[tokio::test]
async fn c7_a_taken_down_item_disappears_at_once_and_is_never_imported_again() {
    let t = app_with_sample(3).await;
    let item = t.get("/api/v1/gallery").await.json()["items"][0].clone();
    let id = item["id"].as_str().unwrap();
    let original = item["image_url"]
        .as_str()
        .unwrap()
        .replace("http://127.0.0.1:8080", "");
    assert_eq!(t.get(&original).await.status, StatusCode::OK);
    assert!(t.app.take_down_gallery_item(id).await.unwrap());
    assert_eq!(t.get(&original).await.status, StatusCode::NOT_FOUND);
    // Every stored image and thumbnail of the item is gone from storage, not only from the database.
    let prefix = atelier_media::BlobKey::gallery_item_prefix(id);
    assert_eq!(
        futures::StreamExt::count(t.app.blobs().list(Some(&prefix))).await,
        0
    );
    assert_eq!(
        t.get(&format!("/api/v1/gallery/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    let ids: Vec<String> = t.get("/api/v1/gallery").await.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(!ids.contains(&id.to_owned()));
    let again = t.import(&sample_posts(3)).await;
    assert_eq!((again.tombstoned, again.updated, again.created), (1, 2, 0));
}

#[tokio::test]
async fn a_second_node_picks_up_imports_and_removals_from_the_change_log() {
    let t = app_with_sample(4).await;
    // Another node: its own search index, the same database.
    let other = atelier_app::App::from_parts(
        t.app.settings().clone(),
        t.db.store.clone(),
        t.app.blobs().clone(),
        std::sync::Arc::new(t.clock.clone()),
        Some(atelier_search::SearchIndex::in_memory().unwrap()),
    )
    .unwrap();
    let report = other.sync_search_index().await.unwrap();
    assert!(report.rebuilt);
    assert_eq!(other.search().unwrap().doc_count(), 4);
    t.import(&sample_posts(6)).await;
    let report = other.sync_search_index().await.unwrap();
    assert!(!report.rebuilt);
    assert_eq!(other.search().unwrap().doc_count(), 6);
    let id = t.get("/api/v1/gallery").await.json()["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    t.app.take_down_gallery_item(&id).await.unwrap();
    other.sync_search_index().await.unwrap();
    assert_eq!(other.search().unwrap().doc_count(), 5);
}

#[tokio::test]
async fn meigen_compatible_search_and_image_routes() {
    let t = app_with_sample(5).await;
    let r = t.get("/api/search?q=&type=posts&limit=3&offset=1").await;
    assert_eq!(r.status, StatusCode::OK);
    let body = r.json();
    assert_eq!(body["success"], true);
    let data = body["data"].as_array().unwrap();
    assert_eq!(data.len(), 3);
    let post = &data[0];
    for field in [
        "id",
        "text",
        "thumbnail_url",
        "author_username",
        "author_display_name",
        "model",
    ] {
        assert!(post[field].is_string(), "{field}: {post}");
    }
    assert!(post["media_urls"].is_array() && post["prompt_ready"] == true);
    assert!(post["likes"].is_i64() && post["views"].is_i64() && post["image_width"].is_i64());
    assert_eq!(post["rank"], 2);
    let id = post["id"].as_str().unwrap();
    let one = t.get(&format!("/api/images/{id}")).await.json();
    assert_eq!(
        (one["success"].as_bool(), one["data"]["id"].as_str()),
        (Some(true), Some(id))
    );
    let missing = t.get("/api/images/nope").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.json()["success"], false);
}
