//! Generation over HTTP (G3, G6, U1, C5, C6, C8, R1): the local provider end to end, exact-once
//! credits with holds, idempotency, validation, owner-only and signed image URLs, deletion that
//! empties storage, provider failures, and a job that runs twice.

use atelier_core::clock::HOUR_MS;
use atelier_core::settings::RawSettings;
use atelier_media::BlobKey;
use atelier_testkit::{Auth, SignedInUser, TestApp, fakes};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::{Value, json};

async fn generate(
    t: &TestApp,
    u: &SignedInUser,
    body: Value,
    key: Option<&str>,
) -> atelier_testkit::TestResponse {
    let mut req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/generations")
        .header("authorization", format!("Bearer {}", u.token))
        .header("content-type", "application/json");
    if let Some(key) = key {
        req = req.header("idempotency-key", key);
    }
    t.request(req.body(Body::from(body.to_string())).unwrap())
        .await
}

#[tokio::test]
async fn g3_u1_local_generation_delivers_images_and_charges_per_image() {
    let t = TestApp::init().demo().build().await;
    let u = t.sign_in("gen@example.com").await;
    assert_eq!(t.balance(&u).await, 100, "the demo sign-up grant");
    let models = t.get("/api/v1/models").await.json();
    assert_eq!(models["items"][0]["id"], "local");
    assert_eq!(models["items"][0]["demo"], true);

    let r = generate(&t, &u, json!({ "prompt": "a lighthouse at dusk, oil painting", "count": 2, "aspect": "3:4", "seed": 7 }), None).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(r.json()["status"], "queued");
    assert_eq!(t.balance(&u).await, 98, "held");
    let g = t.generation(&u, &id).await;
    assert_eq!(g["status"], "queued");

    t.run_jobs().await;
    let g = t.generation(&u, &id).await;
    assert_eq!(g["status"], "succeeded", "{g}");
    assert_eq!(g["credits_charged"], 2);
    assert_eq!(g["prompt"], "a lighthouse at dusk, oil painting");
    let images = g["images"].as_array().unwrap();
    assert_eq!(images.len(), 2);
    let (w, h) = (
        images[0]["width"].as_i64().unwrap(),
        images[0]["height"].as_i64().unwrap(),
    );
    assert_eq!(w * 4, h * 3, "3:4");
    assert_eq!(t.balance(&u).await, 98, "captured 2, released 0");
    let ledger = t
        .call(Method::GET, "/api/v1/me/credits", None, &u.bearer())
        .await
        .json();
    let kinds: Vec<&str> = ledger["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"hold") && kinds.contains(&"capture") && kinds.contains(&"grant"),
        "{kinds:?}"
    );
    // Contract v2: each amount is its effect on the balance, so the balance is their sum.
    let amount_of = |kind: &str| -> Vec<i64> {
        ledger["entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == kind)
            .map(|e| e["amount"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(amount_of("hold"), [-2]);
    assert_eq!(amount_of("capture"), [0]);
    assert_eq!(amount_of("release"), [0]);
    let sum: i64 = ledger["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["amount"].as_i64().unwrap())
        .sum();
    assert_eq!(sum, ledger["balance"].as_i64().unwrap(), "{ledger}");
    assert!(
        !ledger.to_string().contains("lighthouse"),
        "the ledger holds no prompt"
    );

    // Owner-only URLs.
    let url = images[0]["url"].as_str().unwrap();
    let r = t.call(Method::GET, url, None, &u.browser()).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(&r.body[..4], b"\x89PNG");
    assert!(r.header("cache-control").unwrap().starts_with("private"));
    let thumb = t
        .call(
            Method::GET,
            images[0]["thumb_url"].as_str().unwrap(),
            None,
            &u.bearer(),
        )
        .await;
    assert_eq!(thumb.header("content-type"), Some("image/webp"));
    assert_eq!(t.get(url).await.status, StatusCode::UNAUTHORIZED);
    let other = t.sign_in("other@example.com").await;
    assert_eq!(
        t.call(Method::GET, url, None, &other.bearer()).await.status,
        StatusCode::NOT_FOUND
    );
    // Stored encrypted (R1).
    let image_id = images[0]["id"].as_str().unwrap();
    let raw = t
        .app
        .blobs()
        .get(&BlobKey::generated(&u.id, image_id, "original"))
        .await
        .unwrap();
    assert_eq!(&raw[..4], b"ATB1");

    // Signed URL: works without credentials, not when tampered or expired.
    let signed = images[0]["signed_url"].as_str().unwrap();
    let path = signed.trim_start_matches("http://127.0.0.1:8080");
    assert_eq!(t.get(path).await.status, StatusCode::OK);
    let tampered = path.replace("sig=", "sig=00");
    assert_eq!(t.get(&tampered).await.status, StatusCode::FORBIDDEN);
    t.clock.advance_ms(2 * HOUR_MS);
    assert_eq!(t.get(path).await.status, StatusCode::FORBIDDEN);

    // G6: the list.
    let list = t
        .call(Method::GET, "/api/v1/generations", None, &u.bearer())
        .await
        .json();
    assert_eq!(list["items"][0]["id"], id.as_str());
    assert!(list["next_cursor"].is_null());
}

#[tokio::test]
async fn u1_idempotency_key_replays_the_answer_and_charges_once() {
    let t = TestApp::init().demo().build().await;
    let u = t.sign_in("idem@example.com").await;
    let body = json!({ "prompt": "a red fox in snow", "count": 3 });
    let a = generate(&t, &u, body.clone(), Some("key-1")).await;
    let b = generate(&t, &u, body.clone(), Some("key-1")).await;
    assert_eq!(a.status, StatusCode::ACCEPTED);
    assert_eq!(b.status, StatusCode::ACCEPTED);
    assert_eq!(a.json()["id"], b.json()["id"]);
    assert_eq!(t.balance(&u).await, 97, "one hold");
    let c = generate(
        &t,
        &u,
        json!({ "prompt": "a blue fox", "count": 3 }),
        Some("key-1"),
    )
    .await;
    assert_eq!(c.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(c.error_code(), "idempotency_key_reused");
    t.run_jobs().await;
    let d = generate(&t, &u, body, Some("key-1")).await;
    assert_eq!(d.json()["status"], "succeeded");
    assert_eq!(t.balance(&u).await, 97, "charged once");
}

#[tokio::test]
async fn bad_requests_and_insufficient_credits() {
    let t = TestApp::init()
        .demo()
        .with_settings_toml("[credits]\nsignup_grant = 3\n")
        .build()
        .await;
    let u = t.sign_in("v@example.com").await;
    let other = t.sign_in("w@example.com").await;
    let foreign = t.upload_image(&other, 48, 32).await;
    for (body, code) in [
        (json!({ "prompt": "  " }), "invalid_prompt"),
        (json!({ "prompt": "x".repeat(4001) }), "invalid_prompt"),
        (json!({ "prompt": "x", "model": "gpt-9" }), "unknown_model"),
        (
            json!({ "prompt": "x", "aspect": "7:3" }),
            "unsupported_aspect",
        ),
        (json!({ "prompt": "x", "count": 0 }), "invalid_count"),
        (json!({ "prompt": "x", "count": 99 }), "invalid_count"),
        (
            json!({ "prompt": "x", "reference_upload_ids": [foreign] }),
            "unknown_upload",
        ),
        (
            json!({ "prompt": "x", "reference_upload_ids": ["a", "b", "c", "d", "e"] }),
            "too_many_references",
        ),
        (json!({ "prompt": "x", "colour": "red" }), "invalid_body"),
    ] {
        let r = generate(&t, &u, body.clone(), None).await;
        assert_eq!(r.error_code(), code, "{body}");
    }
    let r = generate(&t, &u, json!({ "prompt": "four please", "count": 4 }), None).await;
    assert_eq!(r.status, StatusCode::PAYMENT_REQUIRED);
    assert_eq!(r.error_code(), "insufficient_credits");
    assert_eq!(t.balance(&u).await, 3, "nothing held");
    assert!(
        t.call(Method::GET, "/api/v1/generations", None, &u.bearer())
            .await
            .json()["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn too_many_running_generations_are_refused() {
    let t = TestApp::init().demo().build().await;
    let u = t.sign_in("busy@example.com").await;
    for _ in 0..2 {
        assert_eq!(
            generate(&t, &u, json!({ "prompt": "x" }), None)
                .await
                .status,
            StatusCode::ACCEPTED
        );
    }
    let r = generate(&t, &u, json!({ "prompt": "x" }), None).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    t.run_jobs().await;
    assert_eq!(
        generate(&t, &u, json!({ "prompt": "x" }), None)
            .await
            .status,
        StatusCode::ACCEPTED
    );
}

#[tokio::test]
async fn c5_c6_c8_deletion_removes_record_images_and_unshared_uploads_from_storage() {
    let t = TestApp::init().demo().build().await;
    let u = t.sign_in("del@example.com").await;
    let shared = t.upload_image(&u, 48, 32).await;
    let only_first = t.upload_image(&u, 48, 32).await;
    let first = generate(
        &t,
        &u,
        json!({ "prompt": "first", "reference_upload_ids": [shared, only_first] }),
        None,
    )
    .await
    .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let second = generate(
        &t,
        &u,
        json!({ "prompt": "second", "reference_upload_ids": [shared] }),
        None,
    )
    .await
    .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    t.run_jobs().await;
    let g = t.generation(&u, &first).await;
    assert_eq!(g["status"], "succeeded", "{g}");
    assert_eq!(g["reference_upload_ids"], json!([shared, only_first]));
    let image = g["images"][0]["id"].as_str().unwrap().to_owned();
    let signed = g["images"][0]["signed_url"]
        .as_str()
        .unwrap()
        .trim_start_matches("http://127.0.0.1:8080")
        .to_owned();
    assert_eq!(
        t.stored_blobs(&BlobKey::generated_prefix(&u.id, &image))
            .await
            .len(),
        3,
        "original and two thumbnails"
    );

    // Someone else cannot delete it.
    let other = t.sign_in("x@example.com").await;
    let r = t
        .call(
            Method::DELETE,
            &format!("/api/v1/generations/{first}"),
            None,
            &other.bearer(),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let r = t
        .call(
            Method::DELETE,
            &format!("/api/v1/generations/{first}"),
            None,
            &u.browser(),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        t.call(
            Method::GET,
            &format!("/api/v1/generations/{first}"),
            None,
            &u.bearer()
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.stored_blobs(&BlobKey::generated_prefix(&u.id, &image))
            .await
            .len(),
        0,
        "images gone from storage"
    );
    assert_eq!(
        t.stored_blobs(&BlobKey::upload_prefix(&u.id, &only_first))
            .await
            .len(),
        0,
        "its own upload is gone"
    );
    assert_eq!(
        t.stored_blobs(&BlobKey::upload_prefix(&u.id, &shared))
            .await
            .len(),
        2,
        "the shared upload stays"
    );
    let r = t.get(&signed).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let r = t
        .call(
            Method::GET,
            &format!("/img/gen/{image}/original"),
            None,
            &u.bearer(),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    t.call(
        Method::DELETE,
        &format!("/api/v1/generations/{second}"),
        None,
        &u.bearer(),
    )
    .await;
    assert_eq!(
        t.stored_blobs(&BlobKey::upload_prefix(&u.id, &shared))
            .await
            .len(),
        0,
        "now unused: gone"
    );
    assert_eq!(
        t.stored_blobs(&BlobKey::user_prefix(&u.id)).await.len(),
        0,
        "nothing of the user is left"
    );
    let _ = Auth::None;
}

#[tokio::test]
async fn u1_a_generation_deleted_while_queued_releases_its_hold_and_a_rerun_never_charges_twice() {
    let t = TestApp::init().demo().build().await;
    let u = t.sign_in("crash@example.com").await;
    let id = generate(&t, &u, json!({ "prompt": "x", "count": 2 }), None)
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(t.balance(&u).await, 98);
    t.call(
        Method::DELETE,
        &format!("/api/v1/generations/{id}"),
        None,
        &u.bearer(),
    )
    .await;
    assert_eq!(t.balance(&u).await, 100, "released");
    t.run_jobs().await; // the job finds nothing to do
    assert_eq!(t.balance(&u).await, 100);

    // A job that runs again after it finished (a worker killed after its work, a lease lost):
    let id = generate(&t, &u, json!({ "prompt": "y", "count": 1 }), None)
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    t.run_jobs().await;
    assert_eq!(t.balance(&u).await, 99);
    let ctx = atelier_jobs::JobContext {
        id: "rerun".into(),
        kind: "run_generation".into(),
        attempt: 2,
        max_attempts: 4,
        payload: json!({ "id": id }).to_string(),
    };
    t.app.run_generation(&ctx).await.unwrap();
    assert_eq!(t.balance(&u).await, 99, "captured exactly once");
}

#[tokio::test]
async fn a_provider_refusal_fails_the_record_with_its_reason_and_releases_the_hold() {
    let url = fakes::refusing_openai().await;
    let t = TestApp::init()
        .with_settings_toml("[credits]\nsignup_grant = 10\n")
        .with_settings_toml(&fakes::openai_model_toml(&url))
        .build()
        .await;
    let u = t.sign_in("refused@example.com").await;
    let id = generate(&t, &u, json!({ "prompt": "something", "count": 2 }), None)
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(t.balance(&u).await, 2);
    t.run_jobs().await;
    let g = t.generation(&u, &id).await;
    assert_eq!(g["status"], "failed");
    assert!(
        g["error"].as_str().unwrap().contains("safety system"),
        "{g}"
    );
    assert!(!g["error"].as_str().unwrap().contains("sk-test"));
    assert_eq!(g["credits_charged"], 0);
    assert_eq!(t.balance(&u).await, 10, "released");
    let models = t.get("/api/v1/models").await.json();
    assert_eq!(models["items"][0]["provider_name"], "OpenAI");
}

#[tokio::test]
async fn meigen_generate_v2_and_status_work_with_a_token_and_signed_urls() {
    let t = TestApp::init().demo().build().await;
    let u = t.sign_in("meigen@example.com").await;
    let models = t.get("/api/models").await.json();
    assert_eq!(models["success"], true);
    assert_eq!(models["models"][0]["id"], "local");
    assert!(
        models["models"][0]["supported_ratios"]
            .as_array()
            .unwrap()
            .len()
            > 3
    );

    let reference = t.upload_image(&u, 48, 32).await;
    let body = json!({
        "prompt": "a paper boat on a pond",
        "aspectRatio": "16:9",
        "modelId": "local",
        "referenceImages": [format!("http://127.0.0.1:8080/img/up/{reference}/original")],
    });
    let r = t
        .call(Method::POST, "/api/generate/v2", Some(&body), &u.bearer())
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let answer = r.json();
    assert_eq!(answer["success"], true);
    assert_eq!(answer["creditsUsed"], 1);
    let id = answer["generationId"].as_str().unwrap().to_owned();

    let status = t.get(&format!("/api/generate/v2/status/{id}")).await.json();
    assert_eq!(status["status"], "pending");
    t.run_jobs().await;
    let status = t.get(&format!("/api/generate/v2/status/{id}")).await.json();
    assert_eq!(status["status"], "completed", "{status}");
    let url = status["imageUrl"].as_str().unwrap();
    assert!(url.contains("sig="));
    let image = t.get(url.trim_start_matches("http://127.0.0.1:8080")).await;
    assert_eq!(image.status, StatusCode::OK);
    let g = t.generation(&u, &id).await;
    assert_eq!(g["reference_upload_ids"], json!([reference]));

    // Errors in MeiGen's shape.
    let r = t
        .call(Method::POST, "/api/generate/v2", Some(&body), &Auth::None)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["success"], false);
    let r = t
        .call(
            Method::POST,
            "/api/generate/v2",
            Some(&json!({ "prompt": "" })),
            &u.bearer(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"].is_string());
    assert_eq!(
        t.get("/api/generate/v2/status/not-a-real-id").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn c5_the_orphan_sweeper_removes_blobs_without_rows_and_keeps_the_rest() {
    let t = TestApp::init().demo().build().await;
    let u = t.sign_in("sweep@example.com").await;
    let kept = t.upload_image(&u, 48, 32).await;
    let id = generate(&t, &u, json!({ "prompt": "kept" }), None)
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    t.run_jobs().await;
    // What a crash between storage and database would leave behind.
    for key in [
        BlobKey::upload(&u.id, "crashed-upload"),
        BlobKey::generated(&u.id, "crashed-image", "original"),
        BlobKey::generated(&u.id, "crashed-image", "w320"),
    ] {
        t.app
            .blobs()
            .put(&key, bytes::Bytes::from_static(b"junk"))
            .await
            .unwrap();
    }
    let before = t.stored_blobs(&BlobKey::user_prefix(&u.id)).await.len();
    let g = t.generation(&u, &id).await;
    let image = g["images"][0]["id"].as_str().unwrap().to_owned();
    // Young blobs are left alone (their rows may be on their way).
    assert_eq!(t.app.sweep_orphan_blobs().await.unwrap(), 0);
    // The test clock starts in 2025; move it past the blobs' real modification time.
    t.clock.advance_ms(3 * 365 * 24 * HOUR_MS);
    assert_eq!(t.app.sweep_orphan_blobs().await.unwrap(), 3);
    assert_eq!(
        t.stored_blobs(&BlobKey::user_prefix(&u.id)).await.len(),
        before - 3
    );
    assert_eq!(
        t.stored_blobs(&BlobKey::upload_prefix(&u.id, &kept))
            .await
            .len(),
        2
    );
    assert_eq!(
        t.stored_blobs(&BlobKey::generated_prefix(&u.id, &image))
            .await
            .len(),
        3
    );
    let (bytes, _) = t
        .app
        .generated_image(
            Some(&u.id),
            &image,
            atelier_app::generation::ImageVariant::Original,
        )
        .await
        .unwrap();
    assert_eq!(&bytes[..4], b"\x89PNG");
}

#[tokio::test]
async fn c6_deleting_a_generation_purges_its_urls_from_the_cdn() {
    use std::sync::{Arc, Mutex};
    let seen: Arc<Mutex<Vec<(String, Value)>>> = Arc::default();
    let record = Arc::clone(&seen);
    let app = axum::Router::new().route(
        "/client/v4/zones/{zone}/purge_cache",
        axum::routing::post(
            move |axum::extract::Path(zone): axum::extract::Path<String>,
                  headers: axum::http::HeaderMap,
                  axum::Json(body): axum::Json<Value>| {
                let record = Arc::clone(&record);
                async move {
                    assert_eq!(headers["authorization"], "Bearer cf-token");
                    record.lock().unwrap().push((zone, body));
                    axum::Json(json!({ "success": true, "errors": [], "messages": [], "result": { "id": "x" } }))
                }
            },
        ),
    );
    let cdn = fakes::serve(app).await;

    let mut raw = RawSettings {
        public_url: Some("https://art.example.com".into()),
        ..RawSettings::default()
    };
    raw.cdn.cloudflare_zone_id = Some("zone123".into());
    raw.cdn.cloudflare_api_token = Some(atelier_core::Secret::new("cf-token".into()));
    raw.cdn.cloudflare_base_url = cdn;
    let t = TestApp::init().with_raw_settings(raw).demo().build().await;
    // Over HTTPS the session cookie is __Host-prefixed; the bearer token is enough here.
    let sent = t
        .send_json(
            Method::POST,
            "/api/v1/auth/email",
            &json!({ "email": "cdn@example.com" }),
        )
        .await;
    assert_eq!(sent.status, StatusCode::ACCEPTED);
    let code = t.last_mail_to("cdn@example.com").await.code();
    let token = t
        .send_json(
            Method::POST,
            "/api/v1/auth/verify",
            &json!({ "email": "cdn@example.com", "code": code }),
        )
        .await
        .json()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let auth = Auth::Bearer(token);
    let r = t
        .call(
            Method::POST,
            "/api/v1/generations",
            Some(&json!({ "prompt": "x" })),
            &auth,
        )
        .await;
    let id = r.json()["id"].as_str().unwrap().to_owned();
    t.run_jobs().await;
    let g = t
        .call(
            Method::GET,
            &format!("/api/v1/generations/{id}"),
            None,
            &auth,
        )
        .await
        .json();
    let image = g["images"][0]["id"].as_str().unwrap().to_owned();
    t.call(
        Method::DELETE,
        &format!("/api/v1/generations/{id}"),
        None,
        &auth,
    )
    .await;
    t.run_jobs().await;
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].0, "zone123");
    let files: Vec<&str> = seen[0].1["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(
        files.contains(&format!("https://art.example.com/img/gen/{image}/original").as_str()),
        "{files:?}"
    );
    assert_eq!(files.len(), 3);
}
