//! Reference uploads over HTTP (C5, C11, R1): metadata stripped and orientation kept, bombs and
//! disguised files refused before decoding, encryption at rest, owner-only access, deletion from
//! storage.

use atelier_core::Settings;
use atelier_core::settings::RawSettings;
use atelier_media::BlobKey;
use atelier_media::image::fixtures;
use atelier_testkit::{Auth, MultipartForm, TestApp};
use axum::http::{Method, StatusCode};

fn exif_jpeg() -> Vec<u8> {
    // 40×20, stored sideways: EXIF orientation 6 turns it into 20×40. A GPS position inside.
    let jpeg = fixtures::jpeg(&fixtures::red_blue(40, 20));
    fixtures::with_segment_after_soi(&jpeg, &fixtures::exif_app1(6))
}

#[tokio::test]
async fn c11_upload_strips_exif_gps_and_applies_orientation() {
    let t = TestApp::new().await;
    let u = t.sign_in("up@example.com").await;
    let original = exif_jpeg();
    assert!(original.windows(8).any(|w| w == fixtures::GPS_SECONDS));
    // The name lies: the bytes decide.
    let r = t
        .post_upload("holiday.png", "image/png", &original, &u.bearer())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let json = r.json();
    assert_eq!(
        (json["width"].as_i64(), json["height"].as_i64()),
        (Some(20), Some(40))
    );
    assert_eq!(json["content_type"], "image/jpeg");
    let id = json["id"].as_str().unwrap().to_owned();

    let served = t
        .call(
            Method::GET,
            &format!("/img/up/{id}/original"),
            None,
            &u.bearer(),
        )
        .await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.header("content-type"), Some("image/jpeg"));
    assert!(
        served
            .header("cache-control")
            .unwrap()
            .starts_with("private")
    );
    let bytes = served.body.to_vec();
    assert!(!bytes.windows(4).any(|w| w == b"Exif"), "EXIF removed");
    assert!(
        !bytes.windows(8).any(|w| w == fixtures::GPS_SECONDS),
        "GPS removed"
    );
    let decoded = image::load_from_memory(&bytes).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (20, 40));
    let preview = t
        .call(
            Method::GET,
            &format!("/img/up/{id}/w320"),
            None,
            &u.bearer(),
        )
        .await;
    assert_eq!(preview.header("content-type"), Some("image/webp"));

    let list = t
        .call(Method::GET, "/api/v1/uploads", None, &u.browser())
        .await
        .json();
    assert_eq!(list["items"][0]["id"], id.as_str());
}

#[tokio::test]
async fn r1_uploads_are_encrypted_at_rest_with_the_owners_key() {
    let t = TestApp::new().await;
    let u = t.sign_in("enc@example.com").await;
    let png = fixtures::png(&image::DynamicImage::ImageRgb8(fixtures::gradient(64, 64)));
    let id = t
        .post_upload("g.png", "image/png", &png, &u.bearer())
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let stored = t
        .app
        .blobs()
        .get(&BlobKey::upload(&u.id, &id))
        .await
        .unwrap();
    assert_eq!(&stored[..4], b"ATB1", "stored in the encrypted format");
    assert!(
        !stored.windows(4).any(|w| w == b"\x89PNG"),
        "no plaintext PNG header"
    );
    let served = t
        .call(
            Method::GET,
            &format!("/img/up/{id}/original"),
            None,
            &u.bearer(),
        )
        .await;
    assert_eq!(&served.body[..4], b"\x89PNG");
    // Without the user's data key, no copy can be read (R1).
    assert!(t.db.store.delete_user_key(&u.id).await.unwrap());
    let r = t
        .call(
            Method::GET,
            &format!("/img/up/{id}/original"),
            None,
            &u.bearer(),
        )
        .await;
    assert_ne!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn bombs_disguised_and_truncated_files_are_refused_fast() {
    let t = TestApp::new().await;
    let u = t.sign_in("bad@example.com").await;
    let started = std::time::Instant::now();
    let r = t
        .post_upload(
            "bomb.png",
            "image/png",
            &fixtures::png_declaring(60_000, 60_000),
            &u.bearer(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.error_code(), "too_many_pixels");
    println!("a 60000×60000 PNG was refused in {:?}", started.elapsed());
    let r = t
        .post_upload(
            "notes.png",
            "image/png",
            b"just some text pretending to be a PNG",
            &u.bearer(),
        )
        .await;
    assert_eq!(r.error_code(), "unsupported_image");
    let jpeg = fixtures::jpeg(&fixtures::gradient(64, 64));
    let r = t
        .post_upload("cut.jpg", "image/png", &jpeg[..jpeg.len() / 2], &u.bearer())
        .await;
    assert_eq!(r.error_code(), "malformed_image");
    // No file field.
    let form = MultipartForm::new().file("other", "x.png", "image/png", b"x");
    let r = t.post_multipart("/api/v1/uploads", form, &u.bearer()).await;
    assert_eq!(r.error_code(), "missing_file");
    // Not multipart at all.
    let r = t
        .call(
            Method::POST,
            "/api/v1/uploads",
            Some(&serde_json::json!({})),
            &u.bearer(),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // Signed out.
    let r = t
        .post_upload("x.png", "image/png", &jpeg, &Auth::None)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // Nothing was stored.
    assert!(t.app.uploads(&u.id).await.unwrap().is_empty());
    assert_eq!(t.stored_blobs(&BlobKey::user_prefix(&u.id)).await.len(), 0);
}

#[tokio::test]
async fn uploads_over_the_byte_limit_are_413() {
    let mut raw = RawSettings::default();
    raw.uploads.max_bytes = 4096;
    let t = TestApp::init()
        .with_settings(Settings::resolve(raw).unwrap())
        .build()
        .await;
    let u = t.sign_in("big@example.com").await;
    let big = fixtures::png(&image::DynamicImage::ImageRgb8(fixtures::gradient(
        256, 256,
    )));
    assert!(big.len() > 4096);
    let r = t
        .post_upload("big.png", "image/png", &big, &u.bearer())
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.error_code(), "payload_too_large");
}

#[tokio::test]
async fn c5_someone_elses_upload_is_404_and_deletion_empties_storage() {
    let t = TestApp::new().await;
    let owner = t.sign_in("owner@example.com").await;
    let other = t.sign_in("other@example.com").await;
    let jpeg = fixtures::jpeg(&fixtures::gradient(32, 32));
    let id = t
        .post_upload("a.jpg", "image/png", &jpeg, &owner.bearer())
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for (method, path) in [
        (Method::GET, format!("/api/v1/uploads/{id}")),
        (Method::GET, format!("/img/up/{id}/original")),
        (Method::DELETE, format!("/api/v1/uploads/{id}")),
    ] {
        let r = t.call(method.clone(), &path, None, &other.bearer()).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{method} {path}");
    }
    let r = t
        .call(
            Method::GET,
            &format!("/img/up/{id}/original"),
            None,
            &other.bearer(),
        )
        .await;
    assert_eq!(r.header("cache-control"), Some("no-store"));

    let prefix = BlobKey::upload_prefix(&owner.id, &id);
    assert_eq!(
        t.stored_blobs(&prefix).await.len(),
        2,
        "original and preview"
    );
    let r = t
        .call(
            Method::DELETE,
            &format!("/api/v1/uploads/{id}"),
            None,
            &owner.browser(),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(t.stored_blobs(&prefix).await.len(), 0, "gone from storage");
    let r = t
        .call(
            Method::GET,
            &format!("/img/up/{id}/original"),
            None,
            &owner.bearer(),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.header("cache-control"), Some("no-store"));
}
