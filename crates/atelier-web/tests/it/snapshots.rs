//! Snapshots of the JSON shape of every `/api/v1` answer and every MeiGen-compatible answer
//! (issue 16), so that a renamed field, a changed type, a new status or error code is a reviewed
//! diff in `snapshots/`, not an accident.
//!
//! Each snapshot is `{status, content_type, body}` where `body` is [`shape`] of the answer: keys
//! kept, scalars replaced by their type name, and the values of the enumerations in [`KEPT`].
//! The flows run through the real router on a fresh database (SQLite, or PostgreSQL when
//! `ATELIER_TEST_DATABASE_URL` is set): both must give the same snapshots. The gallery is a few
//! records written here, never an outside file.

use atelier_core::Settings;
use atelier_core::settings::RawSettings;
use atelier_media::image::fixtures;
use atelier_testkit::{Auth, SignedInUser, TestApp, TestResponse};
use axum::http::{Method, StatusCode};
use serde_json::{Map, Value, json};

/// Keys whose values are stable enumerations: kept as they are, so that a renamed status, kind
/// or code shows in the diff. Only booleans and identifiers (`[a-z0-9_-]`) are kept: a display
/// name under one of these keys (a privacy recipient's `provider`) is words, not an enumeration.
const KEPT: &[&str] = &[
    "api_provider",
    "code",
    "feature",
    "kind",
    "media_type",
    "provider",
    "source",
    "status",
    "success",
];

/// The shape of a JSON value: objects keep their keys; strings, numbers, booleans and nulls
/// become `"string"` (or the string's [`format`]), `"integer"`, `"number"`, `"boolean"` and
/// `"null"`, except under a key of [`KEPT`]; an array becomes the distinct shapes of its
/// elements, sorted (`[]` when empty), so that every kind of row shows and the order of rows
/// written in the same millisecond cannot change a snapshot.
fn shape(value: &Value) -> Value {
    shape_under(None, value)
}

fn shape_under(key: Option<&str>, value: &Value) -> Value {
    let kept = key.is_some_and(|k| KEPT.contains(&k));
    match value {
        Value::Null => "null".into(),
        Value::Bool(_) if kept => value.clone(),
        Value::String(s) if kept && is_identifier(s) => value.clone(),
        Value::Bool(_) => "boolean".into(),
        Value::String(s) => format(s).into(),
        Value::Number(n) if n.is_f64() => "number".into(),
        Value::Number(_) => "integer".into(),
        Value::Array(items) => {
            let mut shapes: Vec<Value> = items.iter().map(|i| shape_under(key, i)).collect();
            shapes.sort_by_cached_key(Value::to_string);
            shapes.dedup();
            Value::Array(shapes)
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), shape_under(Some(k), v)))
                .collect::<Map<_, _>>(),
        ),
    }
}

/// What kind of text a string is, so that a date or a link that changes its form is a diff too:
/// `"date-time"` (RFC 3339 in UTC, `2025-06-15T00:00:00Z`), `"date"` (`2025-06-15`), `"url"`
/// (absolute, `http(s)://…`), `"path"` (a link on this server, `/img/…`) or `"string"`.
fn format(s: &str) -> &'static str {
    /// `d` is a digit, anything else itself.
    fn matches(s: &[u8], pattern: &[u8]) -> bool {
        s.len() == pattern.len()
            && s.iter().zip(pattern).all(|(c, p)| match p {
                b'd' => c.is_ascii_digit(),
                p => c == p,
            })
    }
    let b = s.as_bytes();
    if matches(b, b"dddd-dd-ddTdd:dd:ddZ") {
        "date-time"
    } else if matches(b, b"dddd-dd-dd") {
        "date"
    } else if s.starts_with("https://") || s.starts_with("http://") {
        "url"
    } else if s.starts_with('/') {
        "path"
    } else {
        "string"
    }
}

/// Whether `s` reads as an enumeration's value: lowercase ASCII letters, digits, `_` and `-`.
fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// What a snapshot holds of an answer: its status, its content type and the shape of its body
/// (no `body` when it is empty; `"<not JSON>"` when it is something else, such as a ZIP).
fn answer(r: &TestResponse) -> Value {
    let content_type = r.header("content-type").unwrap_or("");
    let mut out = json!({ "status": r.status.as_u16(), "content_type": content_type });
    if !r.body.is_empty() {
        out["body"] = if content_type.starts_with("application/json") {
            shape(&r.json())
        } else {
            "<not JSON>".into()
        };
    }
    out
}

/// Asserts that the answer matches the snapshot `name` and hands it back.
#[track_caller]
fn snap(name: &str, r: TestResponse) -> TestResponse {
    insta::assert_json_snapshot!(name, answer(&r));
    r
}

/// A demo instance (the local provider and its models) whose users start with `grant` credits.
async fn demo(grant: u32) -> TestApp {
    let mut raw = RawSettings::default();
    raw.credits.signup_grant = Some(grant);
    let mut settings = Settings::resolve(raw).unwrap();
    settings.demo = true;
    TestApp::init().with_settings(settings).build().await
}

/// Three gallery posts, the first two with the word `lighthouse`, the last with two images.
const POSTS: &str = r#"{"id": "1001", "prompt": "A lighthouse at dusk, oil painting, warm light", "author": "painter", "author_name": "The Painter", "likes": 30, "views": 900, "model": "Nano-Banana", "categories": ["Landscape"], "date": "2025-05-01", "source_url": "https://x.com/painter/status/1001", "aspect": "3:4"}
{"id": "1002", "prompt": "A lighthouse in a storm, ink sketch", "author": "inker", "likes": 20, "views": 500, "model": "midjourney", "date": "2025-05-02", "aspect": "1:1"}
{"id": "1003", "prompt": "A portrait of a fox in a red scarf, studio light", "author_name": "Fox Fan", "likes": 10, "model": "nano-banana", "categories": ["Portrait", "Animal"], "date": "2025-05-03", "source": "import", "images": ["https://example.com/a.jpg", "https://example.com/b.jpg"]}
"#;

/// A demo instance with [`POSTS`] imported; the gallery ids by likes, most liked first.
async fn with_gallery(grant: u32) -> (TestApp, Vec<String>) {
    let t = demo(grant).await;
    let summary = t.import(POSTS).await;
    assert_eq!(summary.created, 3, "{summary:?}");
    let ids = t.gallery_ids("").await;
    (t, ids)
}

/// Sends requests as one caller and snapshots each answer under the name given.
struct Caller<'a> {
    t: &'a TestApp,
    auth: Auth,
}

impl<'a> Caller<'a> {
    /// A caller proving who it is with `auth` (`Auth::None`: signed out).
    fn new(t: &'a TestApp, auth: Auth) -> Self {
        Self { t, auth }
    }

    async fn send(
        &self,
        name: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> TestResponse {
        snap(
            name,
            self.t.call(method, path, body.as_ref(), &self.auth).await,
        )
    }

    async fn get(&self, name: &str, path: &str) -> TestResponse {
        self.send(name, Method::GET, path, None).await
    }

    async fn post(&self, name: &str, path: &str, body: Value) -> TestResponse {
        self.send(name, Method::POST, path, Some(body)).await
    }

    /// A POST without a body.
    async fn post_empty(&self, name: &str, path: &str) -> TestResponse {
        self.send(name, Method::POST, path, None).await
    }

    async fn put(&self, name: &str, path: &str) -> TestResponse {
        self.send(name, Method::PUT, path, None).await
    }

    async fn patch(&self, name: &str, path: &str, body: Value) -> TestResponse {
        self.send(name, Method::PATCH, path, Some(body)).await
    }

    async fn delete(&self, name: &str, path: &str) -> TestResponse {
        self.send(name, Method::DELETE, path, None).await
    }
}

/// `POST /api/v1/uploads` of a small JPEG as `u`: the whole answer.
async fn upload(t: &TestApp, u: &SignedInUser) -> TestResponse {
    let jpeg = fixtures::jpeg(&fixtures::gradient(48, 32));
    t.post_upload("r.jpg", "image/jpeg", &jpeg, &u.bearer())
        .await
}

#[tokio::test]
async fn snapshot_api_account_answers() {
    let t = demo(100).await;
    let anonymous = Caller::new(&t, Auth::None);
    let email = "shape@example.com";
    anonymous
        .post(
            "auth_email",
            "/api/v1/auth/email",
            json!({ "email": email }),
        )
        .await;
    let code = t.last_mail_to(email).await.code();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let body = json!({ "email": email, "code": wrong });
    anonymous
        .post("auth_verify_wrong_code", "/api/v1/auth/verify", body)
        .await;
    let body = json!({ "email": email, "code": code });
    let verified = anonymous
        .post("auth_verify", "/api/v1/auth/verify", body)
        .await;
    let json = verified.json();
    let u = SignedInUser {
        id: json["user"]["id"].as_str().unwrap().to_owned(),
        email: email.to_owned(),
        cookie: format!(
            "atelier_session={}",
            verified.set_cookie("atelier_session").unwrap()
        ),
        token: json["token"].as_str().unwrap().to_owned(),
    };
    let api = Caller::new(&t, u.bearer());
    let browser = Caller::new(&t, u.browser());

    api.get("me", "/api/v1/me").await;
    let patch = json!({ "display_name": "Shape", "language": "en", "marketing_opt_in": true });
    api.patch("me_patch", "/api/v1/me", patch).await;
    let patch = json!({ "colour": "red" });
    api.patch("me_patch_unknown_field", "/api/v1/me", patch)
        .await;
    anonymous.get("me_signed_out", "/api/v1/me").await;

    // A second session (another sign-in) to end; "current" is the browser's own session.
    t.sign_in(email).await;
    let sessions = browser.get("sessions", "/api/v1/me/sessions").await;
    let other = sessions.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] != true)
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .expect("a session other than the current one");
    let path = format!("/api/v1/me/sessions/{other}");
    browser.delete("sessions_end", &path).await;
    browser.delete("sessions_end_unknown", &path).await;
    // A third session to sign out of at the end (before the address changes).
    let third = t.sign_in(email).await;

    let token = api
        .post(
            "tokens_create",
            "/api/v1/me/tokens",
            json!({ "name": "laptop" }),
        )
        .await;
    api.get("tokens", "/api/v1/me/tokens").await;
    let path = format!("/api/v1/me/tokens/{}", token.id());
    api.delete("tokens_revoke", &path).await;
    api.delete("tokens_revoke_unknown", &path).await;

    let body = json!({ "new_email": "new-shape@example.com" });
    api.post("email_change", "/api/v1/me/email", body).await;
    let code = t.last_mail_to("new-shape@example.com").await.code();
    let body = json!({ "code": code });
    api.post("email_change_verify", "/api/v1/me/email/verify", body)
        .await;

    api.get("credits", "/api/v1/me/credits").await;
    api.get("credits_bad_limit", "/api/v1/me/credits?limit=many")
        .await;

    Caller::new(&t, third.browser())
        .post_empty("auth_logout", "/api/v1/auth/logout")
        .await;
    browser
        .post_empty("auth_logout_all", "/api/v1/auth/logout-all")
        .await;
    browser.get("me_after_logout_all", "/api/v1/me").await;
}

#[tokio::test]
async fn snapshot_api_generation_answers() {
    let t = demo(3).await;
    let u = t.sign_in("maker@example.com").await;
    let api = Caller::new(&t, u.bearer());
    api.get("models", "/api/v1/models").await;

    let up = snap("uploads_create", upload(&t, &u).await).id();
    api.get("uploads_list", "/api/v1/uploads").await;
    api.get("uploads_get", &format!("/api/v1/uploads/{up}"))
        .await;

    let body = json!({
        "prompt": "a lighthouse at dusk", "count": 2, "aspect": "3:4", "seed": 7,
        "reference_upload_ids": [up],
    });
    let created = api
        .post("generations_create", "/api/v1/generations", body)
        .await;
    let path = format!("/api/v1/generations/{}", created.id());
    api.get("generations_get_queued", &path).await;
    t.run_jobs().await;
    api.get("generations_get", &path).await;
    api.get("generations_list", "/api/v1/generations").await;
    api.get("credits_after_generation", "/api/v1/me/credits")
        .await;

    let body = json!({ "prompt": "two more", "count": 2 });
    api.post(
        "generations_create_insufficient_credits",
        "/api/v1/generations",
        body,
    )
    .await;
    let body = json!({ "prompt": "   " });
    api.post(
        "generations_create_invalid_prompt",
        "/api/v1/generations",
        body,
    )
    .await;
    Caller::new(&t, Auth::None)
        .post(
            "generations_create_signed_out",
            "/api/v1/generations",
            json!({ "prompt": "a cat" }),
        )
        .await;
    api.get("generations_get_unknown", "/api/v1/generations/no-such-id")
        .await;
    api.get(
        "generations_list_bad_limit",
        "/api/v1/generations?limit=many",
    )
    .await;
    api.delete("generations_delete", &path).await;

    // The generation took its reference upload with it: delete another.
    let path = format!("/api/v1/uploads/{}", upload(&t, &u).await.id());
    api.delete("uploads_delete", &path).await;
    api.get("uploads_get_unknown", &path).await;
}

#[tokio::test]
async fn snapshot_api_gallery_and_collection_answers() {
    let (t, ids) = with_gallery(100).await;
    let anonymous = Caller::new(&t, Auth::None);
    let item = format!("/api/v1/gallery/{}", ids[2]);
    for (name, path) in [
        ("instance", "/api/v1/instance"),
        ("gallery_list", "/api/v1/gallery?limit=2"),
        ("gallery_search", "/api/v1/gallery?q=lighthouse"),
        ("gallery_get", &item),
        ("gallery_get_unknown", "/api/v1/gallery/no-such-id"),
        ("gallery_list_bad_sort", "/api/v1/gallery?sort=sideways"),
        ("gallery_list_bad_limit", "/api/v1/gallery?limit=many"),
    ] {
        anonymous.get(name, path).await;
    }

    let u = t.sign_in("collector@example.com").await;
    let api = Caller::new(&t, u.bearer());
    let favorite = format!("/api/v1/favorites/{}", ids[0]);
    api.put("favorites_put", &favorite).await;
    api.get("favorites_list", "/api/v1/favorites").await;
    api.delete("favorites_delete", &favorite).await;
    api.put("favorites_put_unknown", "/api/v1/favorites/no-such-id")
        .await;
    anonymous
        .get("favorites_signed_out", "/api/v1/favorites")
        .await;

    let body = json!({ "name": "Moody skies", "description": "for the poster" });
    let board = api.post("boards_create", "/api/v1/boards", body).await;
    let board = format!("/api/v1/boards/{}", board.id());
    api.post(
        "boards_create_invalid_name",
        "/api/v1/boards",
        json!({ "name": "" }),
    )
    .await;
    let item = format!("{board}/items/{}", ids[1]);
    api.put("boards_add_item", &item).await;
    let body = json!({ "prompt": "a board of its own" });
    let generation = t
        .call(
            Method::POST,
            "/api/v1/generations",
            Some(&body),
            &u.bearer(),
        )
        .await;
    assert_eq!(
        generation.status,
        StatusCode::ACCEPTED,
        "{}",
        generation.text()
    );
    t.run_jobs().await;
    let with_generation = format!("{board}/generations/{}", generation.id());
    api.send(
        "boards_add_generation",
        Method::PUT,
        &with_generation,
        Some(json!({ "shared": true })),
    )
    .await;
    api.get("boards_list", "/api/v1/boards").await;
    api.get("boards_get", &board).await;
    api.get("boards_items", &format!("{board}/items")).await;
    let body = json!({ "name": "Skies", "shared": true });
    let shared = api.patch("boards_patch", &board, body).await;
    let share_url = shared.json()["share_url"].as_str().unwrap().to_owned();
    let token = share_url.rsplit('/').next().unwrap();
    anonymous
        .get("shared_board", &format!("/api/v1/shared/boards/{token}"))
        .await;
    anonymous
        .get(
            "shared_board_unknown",
            "/api/v1/shared/boards/no-such-token",
        )
        .await;
    api.delete("boards_remove_generation", &with_generation)
        .await;
    api.delete("boards_remove_item", &item).await;
    api.delete("boards_delete", &board).await;
    api.get("boards_get_unknown", &board).await;
}

#[tokio::test]
async fn snapshot_api_assistant_answers() {
    let (t, _) = with_gallery(100).await;
    let u = t.sign_in("assisted@example.com").await;
    let api = Caller::new(&t, u.bearer());
    let body = json!({ "prompt": "a portrait of a fox" });
    api.post("assistant_enhance", "/api/v1/assistant/enhance", body)
        .await;
    let body = json!({ "prompt": "   " });
    api.post(
        "assistant_enhance_invalid_prompt",
        "/api/v1/assistant/enhance",
        body,
    )
    .await;
    let up = upload(&t, &u).await.id();
    let body = json!({ "upload_id": up });
    api.post("assistant_describe", "/api/v1/assistant/describe", body)
        .await;
    let body = json!({ "upload_id": "no-such-upload" });
    api.post(
        "assistant_describe_unknown_upload",
        "/api/v1/assistant/describe",
        body,
    )
    .await;
    let body = json!({ "upload_id": up, "instruction": "make it black and white" });
    let edit = api
        .post("assistant_edit", "/api/v1/assistant/edit", body)
        .await;
    t.run_jobs().await;
    let path = format!("/api/v1/generations/{}", edit.id());
    api.get("assistant_edit_done", &path).await;
    api.get("assistant_logs", "/api/v1/me/assistant-logs").await;
    api.delete("assistant_logs_delete", "/api/v1/me/assistant-logs")
        .await;
    Caller::new(&t, Auth::None)
        .post(
            "assistant_enhance_signed_out",
            "/api/v1/assistant/enhance",
            json!({ "prompt": "a cat" }),
        )
        .await;
}

#[tokio::test]
async fn snapshot_api_privacy_and_export_answers() {
    let t = demo(100).await;
    let u = t.sign_in("private@example.com").await;
    let api = Caller::new(&t, u.bearer());
    let anonymous = Caller::new(&t, Auth::None);
    api.get("privacy_overview", "/api/v1/me/privacy").await;
    api.post_empty("exports_create", "/api/v1/me/exports").await;
    api.get("exports_list_queued", "/api/v1/me/exports").await;
    t.run_jobs().await;
    api.get("exports_list", "/api/v1/me/exports").await;
    api.get("export_download", "/api/v1/me/export").await;
    anonymous
        .get(
            "exports_signed_download_bad_signature",
            "/api/v1/me/exports/no-such-id/download?expires=1&sig=00",
        )
        .await;

    api.post_empty("deletion_request", "/api/v1/me/deletion")
        .await;
    api.get("privacy_overview_deletion_pending", "/api/v1/me/privacy")
        .await;
    api.delete("deletion_withdraw", "/api/v1/me/deletion").await;
    api.delete("deletion_withdraw_none_pending", "/api/v1/me/deletion")
        .await;
    anonymous
        .get("privacy_signed_out", "/api/v1/me/privacy")
        .await;
}

#[tokio::test]
async fn snapshot_meigen_answers() {
    let (t, ids) = with_gallery(1).await;
    let anonymous = Caller::new(&t, Auth::None);
    let image = format!("/api/images/{}", ids[2]);
    for (name, path) in [
        ("meigen_search", "/api/search?q=lighthouse&type=posts"),
        ("meigen_search_empty", "/api/search?q=zeppelin"),
        ("meigen_search_bad_type", "/api/search?type=users"),
        ("meigen_image", &image),
        ("meigen_image_unknown", "/api/images/no-such-id"),
        ("meigen_models", "/api/models"),
    ] {
        anonymous.get(name, path).await;
    }

    let u = t.sign_in("meigen@example.com").await;
    let api = Caller::new(&t, u.bearer());
    let body = json!({ "prompt": "a lighthouse", "aspectRatio": "1:1", "resolution": "1K" });
    anonymous
        .post(
            "meigen_generate_signed_out",
            "/api/generate/v2",
            body.clone(),
        )
        .await;
    let created = api
        .post("meigen_generate", "/api/generate/v2", body.clone())
        .await;
    // The instance grants one credit: the second image is refused.
    api.post(
        "meigen_generate_insufficient_credits",
        "/api/generate/v2",
        body,
    )
    .await;
    api.post(
        "meigen_generate_bad_body",
        "/api/generate/v2",
        json!({ "text": 1 }),
    )
    .await;
    let id = created.json()["generationId"].as_str().unwrap().to_owned();
    let status = format!("/api/generate/v2/status/{id}");
    anonymous.get("meigen_status_pending", &status).await;
    t.run_jobs().await;
    anonymous.get("meigen_status_completed", &status).await;
    anonymous
        .get(
            "meigen_status_unknown",
            "/api/generate/v2/status/no-such-id",
        )
        .await;
}
