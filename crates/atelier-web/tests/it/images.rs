//! Gallery images are never heavier than asked (issue 22, G1): every sized URL answers a WebP no
//! wider than asked and than the original, made on demand when no job made it yet, or a tiny
//! placeholder while the image is not stored; the original only through its explicit download.

use atelier_media::BlobKey;
use atelier_media::image::fixtures::{gradient, png};
use atelier_testkit::{TestApp, sample_posts};
use axum::http::StatusCode;
use image::DynamicImage;

const WIDTHS: [u32; 4] = [320, 480, 640, 1280];

fn local(url: &str) -> String {
    url.replace("http://127.0.0.1:8080", "")
}

/// Decodes a WebP answer and returns its width; fails the test for anything else.
fn webp_width(body: &[u8], what: &str) -> u32 {
    assert_eq!(body.get(8..12), Some(&b"WEBP"[..]), "{what} is not a WebP");
    image::load_from_memory(body).unwrap().width()
}

/// Imports `n` sample posts without downloading or drawing their images (as an import in
/// progress leaves them), and returns their ids.
async fn pending_items(t: &TestApp, n: usize) -> Vec<String> {
    let (summary, _) = t.import_records(&sample_posts(n), false, 2).await;
    assert_eq!(summary.created, n as u64);
    let pending = t.db.store.pending_gallery_images(100).await.unwrap();
    let mut ids: Vec<String> = pending.into_iter().map(|(id, _, _)| id).collect();
    ids.dedup();
    assert_eq!(ids.len(), n);
    ids
}

#[tokio::test]
async fn g1_a_sized_url_is_a_webp_never_wider_nor_heavier_than_the_original() {
    let t = TestApp::new().await;
    t.import(&sample_posts(3)).await;
    let items = t.get("/api/v1/gallery").await.json()["items"].clone();
    for item in items.as_array().unwrap() {
        let original = t.get(&local(item["image_url"].as_str().unwrap())).await;
        assert_eq!(original.status, StatusCode::OK);
        let original_width = image::load_from_memory(&original.body).unwrap().width();
        for width in WIDTHS {
            let url = local(
                &item["image_url"]
                    .as_str()
                    .unwrap()
                    .replace("/original", &format!("/w{width}")),
            );
            let r = t.get(&url).await;
            assert_eq!(r.status, StatusCode::OK, "{url}");
            assert_eq!(r.header("content-type"), Some("image/webp"), "{url}");
            assert_eq!(
                webp_width(&r.body, &url),
                width.min(original_width),
                "{url}"
            );
            assert!(
                r.body.len() < original.body.len(),
                "{url}: {} bytes, the original {}",
                r.body.len(),
                original.body.len()
            );
        }
    }
}

#[tokio::test]
async fn g1_a_size_missing_from_storage_is_made_on_demand_where_the_job_writes_it() {
    let t = TestApp::new().await;
    t.import(&sample_posts(1)).await;
    let id = t.gallery_ids("").await.remove(0);
    let key = BlobKey::gallery_thumb(&id, 0, 640);
    t.app.blobs().delete(&key).await.unwrap();
    assert!(t.app.blobs().head(&key).await.is_err());

    let r = t.get(&format!("/img/g/{id}/0/w640")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), Some("image/webp"));
    assert_eq!(r.header("cache-control"), Some("public, max-age=604800"));
    assert!(webp_width(&r.body, "w640") <= 640);
    // Stored under the thumbnail job's key: the next request is a plain read of the same bytes.
    assert!(t.app.blobs().head(&key).await.is_ok());
    assert_eq!(t.get(&format!("/img/g/{id}/0/w640")).await.body, r.body);
}

#[tokio::test]
async fn g1_a_download_is_sized_on_demand_before_its_thumbnail_job_runs() {
    let t = TestApp::new().await;
    let id = pending_items(&t, 1).await.remove(0);
    // A 900 × 600 PNG arrives (the import's download); its thumbnail job has not run.
    let original = png(&DynamicImage::ImageRgb8(gradient(900, 600)));
    t.app
        .store_gallery_download(&id, 0, original.clone().into())
        .await
        .unwrap();
    for (width, expected) in [(320, 320), (480, 480), (640, 640), (1280, 900)] {
        let r = t.get(&format!("/img/g/{id}/0/w{width}")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.header("content-type"), Some("image/webp"), "w{width}");
        assert_eq!(webp_width(&r.body, "a size"), expected, "w{width}");
        assert!(r.body.len() < original.len(), "w{width}");
    }
    let r = t.get(&format!("/img/g/{id}/0/original")).await;
    assert_eq!(r.header("content-type"), Some("image/png"));
    assert_eq!(r.body, original);

    // The job then stores the same sizes and the image's colour, which the cards show.
    t.run_jobs().await;
    t.app.sync_search_index().await.unwrap();
    let home = t.get("/").await.text();
    assert!(home.contains("data-color=\"#"), "{home}");
}

#[tokio::test]
async fn g1_an_image_not_stored_yet_answers_a_tiny_placeholder_never_the_original() {
    let t = TestApp::new().await;
    let id = pending_items(&t, 1).await.remove(0);
    for width in WIDTHS {
        let r = t.get(&format!("/img/g/{id}/0/w{width}")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.header("content-type"), Some("image/webp"));
        assert!(r.body.len() < 1024, "{} bytes", r.body.len());
        assert_eq!(webp_width(&r.body, "the placeholder"), 16);
        let cache = r.header("cache-control").unwrap();
        assert!(cache.contains("no-cache"), "{cache}");
    }
    assert_eq!(
        t.get(&format!("/img/g/{id}/0/original")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn g1_pages_link_the_original_only_as_an_explicit_download() {
    let t = TestApp::new().await;
    t.import(&sample_posts(4)).await;
    let home = t.get("/").await.text();
    assert!(!home.contains("/original"), "{home}");
    assert!(home.contains("data-color=\"#"), "{home}");
    assert!(home.contains("fetchpriority=\"high\""), "{home}");

    let id = t.gallery_ids("").await.remove(0);
    let detail = t.get(&format!("/g/{id}")).await.text();
    let original = format!("/img/g/{id}/0/original");
    assert!(
        detail.contains(&format!(
            "href=\"{original}\" download=\"atelier-{id}-0.png\""
        )),
        "{detail}"
    );
    for attribute in ["src=", "srcset="] {
        assert!(
            !detail.split(attribute).skip(1).any(|rest| rest
                .split('"')
                .nth(1)
                .is_some_and(|v| v.contains("/original"))),
            "an {attribute} names the original"
        );
    }
}
