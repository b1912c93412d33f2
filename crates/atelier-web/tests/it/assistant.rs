//! The AI assistant over HTTP (G4, C9, R4, D6, U4): offline enhance drawing on the gallery,
//! offline describe of an upload, AI Edit with the local provider stored as a generation, the
//! OpenAI chat-completions client against a local fake, prices through holds, the call log, its
//! purge at the retention boundary and its deletion on request.

use atelier_core::clock::DAY_MS;
use atelier_core::settings::{AssistantProviderKind, RawSettings};
use atelier_media::image::fixtures;
use atelier_testkit::{SignedInUser, TestApp, fakes, sample_posts};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

async fn logs(t: &TestApp, u: &SignedInUser) -> Vec<Value> {
    let r = t
        .call(Method::GET, "/api/v1/me/assistant-logs", None, &u.bearer())
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn g4_offline_enhance_keeps_the_subject_first_and_draws_on_the_gallery() {
    let bare = TestApp::init().demo().build().await;
    let b = bare.sign_in("bare@example.com").await;
    let without = bare
        .api(
            Method::POST,
            "/api/v1/assistant/enhance",
            Some(json!({ "prompt": "a portrait of a woman" })),
            &b,
        )
        .await;
    let without = without.json()["prompt"].as_str().unwrap().to_owned();

    let t = TestApp::init().demo().build().await;
    t.import(&sample_posts(24)).await; // three of these are liked portraits
    let u = t.sign_in("enhance@example.com").await;
    let r = t
        .api(
            Method::POST,
            "/api/v1/assistant/enhance",
            Some(json!({ "prompt": "a portrait of a woman" })),
            &u,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let out = r.json()["prompt"].as_str().unwrap().to_owned();
    assert!(out.starts_with("a portrait of a woman"), "{out}");
    assert!(
        out.len() > "a portrait of a woman".len() + 10,
        "terms were added: {out}"
    );
    assert!(
        out.to_lowercase().contains("cinematic"),
        "the gallery's portraits are cinematic: {out}"
    );
    assert_ne!(out, without, "the gallery changes the suggestion");
    // The same request gives the same answer (deterministic).
    let again = t
        .api(
            Method::POST,
            "/api/v1/assistant/enhance",
            Some(json!({ "prompt": "a portrait of a woman" })),
            &u,
        )
        .await;
    assert_eq!(again.json()["prompt"], out.as_str());

    let log = logs(&t, &u).await;
    assert_eq!(log.len(), 2);
    assert_eq!(log[0]["feature"], "enhance");
    assert_eq!(log[0]["input"], "a portrait of a woman");
    assert_eq!(log[0]["output"], out.as_str());
    assert_eq!(log[0]["provider"], "local");
    assert_eq!(log[0]["status"], "succeeded");
    assert!(log[0]["duration_ms"].as_i64().unwrap() >= 0);

    let bad = t
        .api(
            Method::POST,
            "/api/v1/assistant/enhance",
            Some(json!({ "prompt": "   " })),
            &u,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.error_code(), "invalid_prompt");
    let anonymous = t
        .send_json(
            Method::POST,
            "/api/v1/assistant/enhance",
            &json!({ "prompt": "a cat" }),
        )
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn g4_offline_enhance_works_in_chinese() {
    let t = TestApp::init().demo().build().await;
    let u = t.sign_in("zh@example.com").await;
    let r = t
        .call(
            Method::PATCH,
            "/api/v1/me",
            Some(&json!({ "language": "zh-CN" })),
            &u.bearer(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = t
        .api(
            Method::POST,
            "/api/v1/assistant/enhance",
            Some(json!({ "prompt": "雨中的猫" })),
            &u,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let out = r.json()["prompt"].as_str().unwrap().to_owned();
    assert!(out.starts_with("雨中的猫"), "{out}");
    assert!(out.contains('，'), "joined the Chinese way: {out}");
}

#[tokio::test]
async fn g4_offline_describe_reads_the_upload_and_refuses_another_users() {
    let t = TestApp::init().demo().build().await;
    let u = t.sign_in("describe@example.com").await;
    let other = t.sign_in("other@example.com").await;
    let id = t.upload_image(&u, 96, 54).await;
    let r = t
        .api(
            Method::POST,
            "/api/v1/assistant/describe",
            Some(json!({ "upload_id": id })),
            &u,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let prompt = r.json()["prompt"].as_str().unwrap().to_lowercase();
    assert!(
        prompt.contains("landscape") || prompt.contains("16:9"),
        "{prompt}"
    );

    let theirs = t
        .api(
            Method::POST,
            "/api/v1/assistant/describe",
            Some(json!({ "upload_id": id })),
            &other,
        )
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND, "{}", theirs.text());
    let log = logs(&t, &u).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["feature"], "describe");
    assert_eq!(log[0]["input"], format!("upload:{id}"));
    assert!(
        logs(&t, &other).await.is_empty(),
        "a refused call reaches no provider"
    );
}

#[tokio::test]
async fn g4_local_ai_edit_is_a_charged_generation_with_real_image_operations() {
    let t = TestApp::init().demo().build().await;
    let u = t.sign_in("edit@example.com").await;
    let other = t.sign_in("other-edit@example.com").await;
    let id = t
        .upload_jpeg(&u, &fixtures::jpeg(&fixtures::red_blue(64, 48)))
        .await;
    let before = t.balance(&u).await;

    let r = t
        .api(
            Method::POST,
            "/api/v1/assistant/edit",
            Some(json!({ "upload_id": id, "instruction": "make it black and white" })),
            &u,
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    let g = r.json();
    assert_eq!(g["status"], "queued");
    assert_eq!(g["prompt"], "make it black and white");
    let gen_id = g["id"].as_str().unwrap().to_owned();
    t.run_jobs().await;
    let g = t.generation(&u, &gen_id).await;
    assert_eq!(g["status"], "succeeded", "{g}");
    assert_eq!(g["images"].as_array().unwrap().len(), 1);
    assert!(g["credits_charged"].as_i64().unwrap() >= 1);
    assert_eq!(
        t.balance(&u).await,
        before - g["credits_charged"].as_i64().unwrap()
    );
    let url = g["images"][0]["url"].as_str().unwrap();
    let img = t.call(Method::GET, url, None, &u.bearer()).await;
    assert_eq!(img.status, StatusCode::OK);
    let decoded = image::load_from_memory(&img.body).unwrap().to_rgb8();
    assert_eq!(
        decoded.dimensions(),
        (64, 48),
        "the edit keeps the upload's size"
    );
    assert!(
        decoded.pixels().all(|p| p[0] == p[1] && p[1] == p[2]),
        "black and white"
    );

    // An edit of the edit: a generated image as the source, cropped to a square.
    t.clock.advance_ms(1000);
    let image_id = g["images"][0]["id"].as_str().unwrap().to_owned();
    let r = t
        .api(
            Method::POST,
            "/api/v1/assistant/edit",
            Some(json!({ "generation_image_id": image_id, "instruction": "square crop" })),
            &u,
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    let second = r.json()["id"].as_str().unwrap().to_owned();
    t.run_jobs().await;
    let g2 = t.generation(&u, &second).await;
    assert_eq!(g2["status"], "succeeded", "{g2}");
    assert_eq!(g2["images"][0]["width"], 48);
    assert_eq!(g2["images"][0]["height"], 48);

    // Someone else's upload or image is not found; a request must name exactly one image.
    let theirs = t
        .api(
            Method::POST,
            "/api/v1/assistant/edit",
            Some(json!({ "upload_id": id, "instruction": "invert" })),
            &other,
        )
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    let theirs = t
        .api(
            Method::POST,
            "/api/v1/assistant/edit",
            Some(json!({ "generation_image_id": image_id, "instruction": "invert" })),
            &other,
        )
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    let both = t.api(Method::POST, "/api/v1/assistant/edit", Some(json!({ "upload_id": id, "generation_image_id": image_id, "instruction": "invert" })), &u)
    .await;
    assert_eq!(both.error_code(), "invalid_source");

    let log = logs(&t, &u).await;
    assert_eq!(log.len(), 2);
    assert_eq!(log[0]["feature"], "edit");
    assert_eq!(log[0]["input"], format!("image:{image_id}"));
    assert_eq!(log[0]["instruction"], "square crop");
    assert_eq!(log[1]["input"], format!("upload:{id}"));
    assert_eq!(log[1]["status"], "succeeded");
}

#[tokio::test]
async fn g4_an_instruction_the_offline_editor_cannot_do_fails_refunds_and_is_logged() {
    let t = TestApp::init().demo().build().await;
    let u = t.sign_in("nope@example.com").await;
    let id = t.upload_image(&u, 96, 54).await;
    let before = t.balance(&u).await;
    let r = t
        .api(
            Method::POST,
            "/api/v1/assistant/edit",
            Some(json!({ "upload_id": id, "instruction": "add a dragon in the sky" })),
            &u,
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    let gen_id = r.json()["id"].as_str().unwrap().to_owned();
    t.run_jobs().await;
    let g = t.generation(&u, &gen_id).await;
    assert_eq!(g["status"], "failed", "{g}");
    assert!(!g["error"].as_str().unwrap().is_empty());
    assert_eq!(
        t.balance(&u).await,
        before,
        "nothing delivered, nothing charged"
    );
    let log = logs(&t, &u).await;
    assert_eq!(log[0]["status"], "failed");
    assert!(log[0]["error"].as_str().is_some());
}

#[tokio::test]
async fn c9_r4_assistant_logs_are_kept_89_days_and_purged_at_91() {
    let t = TestApp::init().demo().build().await;
    let u = t.sign_in("purge@example.com").await;
    t.api(
        Method::POST,
        "/api/v1/assistant/enhance",
        Some(json!({ "prompt": "a lighthouse" })),
        &u,
    )
    .await;
    let held = |t: &TestApp| {
        let store = t.db.store.clone();
        let id = u.id.clone();
        async move { store.assistant_log_count(&id).await.unwrap() }
    };
    t.clock.advance_ms(89 * DAY_MS);
    assert_eq!(t.app.purge_assistant_logs().await.unwrap(), 0);
    assert_eq!(held(&t).await, 1, "89 days: kept");
    t.clock.advance_ms(2 * DAY_MS);
    // The scheduled job (the same one `atelier purge` runs) removes it.
    let removed = t
        .app
        .run_retention(atelier_app::privacy::retention::Retention::AssistantLogs)
        .await
        .unwrap();
    assert_eq!(removed, 1);
    assert_eq!(held(&t).await, 0, "91 days: purged");
}

#[tokio::test]
async fn d6_assistant_logs_are_deleted_on_request_and_only_the_users_own() {
    let t = TestApp::init().demo().build().await;
    let u = t.sign_in("d6@example.com").await;
    let other = t.sign_in("d6-other@example.com").await;
    t.api(
        Method::POST,
        "/api/v1/assistant/enhance",
        Some(json!({ "prompt": "a lighthouse" })),
        &u,
    )
    .await;
    t.api(
        Method::POST,
        "/api/v1/assistant/enhance",
        Some(json!({ "prompt": "a forest" })),
        &other,
    )
    .await;
    let r = t
        .call(
            Method::DELETE,
            "/api/v1/me/assistant-logs",
            None,
            &u.bearer(),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(logs(&t, &u).await.is_empty());
    assert_eq!(logs(&t, &other).await.len(), 1);
}

/// What the fake chat-completions server received.
type Seen = Arc<Mutex<Vec<Value>>>;

/// A local server speaking OpenAI's `POST /v1/chat/completions`: `status` 200 answers `reply`.
async fn fake_openai(status: u16, reply: &'static str) -> (String, Seen) {
    use axum::extract::State;
    use axum::http::HeaderMap;
    use axum::response::IntoResponse;
    let seen: Seen = Arc::default();
    let app = axum::Router::new()
        .route(
            "/v1/chat/completions",
            axum::routing::post(
                move |State(seen): State<Seen>, headers: HeaderMap, body: axum::Json<Value>| async move {
                    assert_eq!(headers["authorization"], "Bearer sk-test");
                    seen.lock().unwrap().push(body.0);
                    let status = StatusCode::from_u16(status).unwrap();
                    if status.is_success() {
                        (status, axum::Json(json!({
                            "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "gpt-4o-mini",
                            "choices": [{ "index": 0, "finish_reason": "stop",
                                "message": { "role": "assistant", "content": reply } }],
                        }))).into_response()
                    } else {
                        (status, axum::Json(json!({ "error": { "message": "Invalid request: bad thing", "type": "invalid_request_error" } }))).into_response()
                    }
                },
            ),
        )
        .with_state(seen.clone());
    (fakes::serve(app).await, seen)
}

fn openai_settings(url: String) -> RawSettings {
    let mut raw = RawSettings::default();
    raw.providers.openai.api_key = Some(atelier_core::Secret::new("sk-test".into()));
    raw.providers.openai.base_url = url;
    raw.assistant.provider = AssistantProviderKind::Openai;
    raw.assistant.model = "gpt-test".into();
    raw
}

#[tokio::test]
async fn g4_openai_assistant_enhances_and_describes_through_chat_completions() {
    let (url, seen) = fake_openai(200, "\"a lighthouse at dusk, oil painting, golden hour\"").await;
    let t = TestApp::init()
        .with_raw_settings(openai_settings(url))
        .demo()
        .build()
        .await;
    let u = t.sign_in("openai@example.com").await;
    let r = t
        .api(
            Method::POST,
            "/api/v1/assistant/enhance",
            Some(json!({ "prompt": "a lighthouse" })),
            &u,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        r.json()["prompt"],
        "a lighthouse at dusk, oil painting, golden hour"
    );
    {
        let seen = seen.lock().unwrap();
        assert_eq!(seen[0]["model"], "gpt-test");
        let messages = seen[0]["messages"].as_array().unwrap();
        assert!(
            messages.iter().any(|m| m["content"] == "a lighthouse"),
            "{messages:?}"
        );
    }
    let id = t.upload_image(&u, 96, 54).await;
    let r = t
        .api(
            Method::POST,
            "/api/v1/assistant/describe",
            Some(json!({ "upload_id": id })),
            &u,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let body = seen.lock().unwrap()[1].to_string();
    assert!(
        body.contains("data:image/jpeg;base64,"),
        "the image goes as a data URI"
    );
    let log = logs(&t, &u).await;
    assert_eq!(log.len(), 2);
    assert_eq!(log[0]["provider"], "openai");
    assert_eq!(log[0]["model"], "gpt-test");
}

#[tokio::test]
async fn c9_a_failed_provider_call_is_logged_with_status_and_duration_and_refunded() {
    let (url, _seen) = fake_openai(400, "").await;
    let mut raw = openai_settings(url);
    raw.assistant.enhance_credits = 3;
    raw.credits.signup_grant = Some(10);
    let t = TestApp::init().with_raw_settings(raw).demo().build().await;
    let u = t.sign_in("fail@example.com").await;
    let r = t
        .api(
            Method::POST,
            "/api/v1/assistant/enhance",
            Some(json!({ "prompt": "a lighthouse" })),
            &u,
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY, "{}", r.text());
    assert_eq!(r.error_code(), "provider_failed");
    assert!(!r.text().contains("sk-test"));
    assert_eq!(t.balance(&u).await, 10, "the hold was released");
    let log = logs(&t, &u).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["status"], "failed");
    assert!(log[0]["duration_ms"].as_i64().unwrap() >= 0);
    assert!(log[0]["error"].as_str().is_some());
}

#[tokio::test]
async fn g4_u1_a_priced_enhance_is_charged_once_on_success() {
    let mut raw = RawSettings::default();
    raw.assistant.enhance_credits = 2;
    raw.credits.signup_grant = Some(3);
    let t = TestApp::init().with_raw_settings(raw).demo().build().await;
    let u = t.sign_in("priced@example.com").await;
    let r = t
        .api(
            Method::POST,
            "/api/v1/assistant/enhance",
            Some(json!({ "prompt": "a red fox" })),
            &u,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(t.balance(&u).await, 1);
    let r = t
        .api(
            Method::POST,
            "/api/v1/assistant/enhance",
            Some(json!({ "prompt": "a red fox" })),
            &u,
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYMENT_REQUIRED, "{}", r.text());
    assert_eq!(r.error_code(), "insufficient_credits");
    assert_eq!(logs(&t, &u).await.len(), 1, "a refused call is not a call");
}
