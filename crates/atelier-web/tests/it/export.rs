//! Self-service export over HTTP (D4): one streamed ZIP with a JSON file per kind of data and
//! every image decrypted, checked file by file against what the user made; no secret and nothing
//! of another user in it; rate-limited; and the background export with its mailed signed link
//! that works without credentials, refuses tampering, expires after a day and is purged.

use atelier_core::clock::HOUR_MS;
use atelier_media::BlobKey;
use atelier_media::image::fixtures;
use atelier_testkit::{Auth, SignedInUser, TestApp};
use axum::http::{Method, StatusCode};
use futures::TryStreamExt as _;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::Read as _;

/// A JPEG of noise, which does not compress: about `w * h` bytes.
fn noise_jpeg(w: u32, h: u32, seed: u32) -> Vec<u8> {
    let mut state = seed.wrapping_mul(2_654_435_761).max(1);
    let img = image::RgbImage::from_fn(w, h, |_, _| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let [a, b, c, _] = state.to_le_bytes();
        image::Rgb([a, b, c])
    });
    fixtures::jpeg(&img)
}

pub(crate) fn unzip(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a valid ZIP");
    let mut files = BTreeMap::new();
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).unwrap();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        files.insert(f.name().unwrap().into_owned(), data);
    }
    files
}

fn json_file(files: &BTreeMap<String, Vec<u8>>, name: &str) -> Value {
    let bytes = files
        .get(name)
        .unwrap_or_else(|| panic!("{name} in the ZIP"));
    serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{name} is not JSON: {e}"))
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    !needle.is_empty()
        && haystack
            .windows(needle.len())
            .any(|w| w == needle.as_bytes())
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_owned())
        .collect()
}

struct Made {
    uploads: Vec<String>,
    generation: Value,
    favorite: String,
    board: String,
    board_item: String,
    share_token: String,
}

/// Everything a user can make: uploads, a generation using them, a favorite, a shared board
/// with a gallery item and the generation, an assistant call and a consent change.
async fn make_everything(t: &TestApp, u: &SignedInUser) -> Made {
    let uploads = vec![
        t.upload_image(u, 48, 32).await,
        t.upload_image(u, 40, 32).await,
    ];
    let generation = t
        .generate(
            u,
            json!({ "prompt": "a lighthouse at dusk, oil painting", "count": 2, "seed": 7,
                "reference_upload_ids": [uploads[0]] }),
        )
        .await;
    let gallery = t.get("/api/v1/gallery?sort=newest").await.json();
    let favorite = gallery["items"][0]["id"].as_str().unwrap().to_owned();
    let board_item = gallery["items"][1]["id"].as_str().unwrap().to_owned();
    let r = t
        .api(
            Method::PUT,
            &format!("/api/v1/favorites/{favorite}"),
            None,
            u,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = t
        .api(
            Method::POST,
            "/api/v1/boards",
            Some(json!({ "name": "Moodboard", "description": "evening light" })),
            u,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let board = r.json()["id"].as_str().unwrap().to_owned();
    let r = t
        .api(
            Method::PUT,
            &format!("/api/v1/boards/{board}/items/{board_item}"),
            None,
            u,
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    let gid = generation["id"].as_str().unwrap();
    let r = t
        .api(
            Method::PUT,
            &format!("/api/v1/boards/{board}/generations/{gid}"),
            Some(json!({ "shared": true })),
            u,
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    let r = t
        .api(
            Method::PATCH,
            &format!("/api/v1/boards/{board}"),
            Some(json!({ "shared": true })),
            u,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let share_url = r.json()["share_url"].as_str().unwrap().to_owned();
    let share_token = share_url.rsplit('/').next().unwrap().to_owned();
    let r = t
        .api(
            Method::POST,
            "/api/v1/assistant/enhance",
            Some(json!({ "prompt": "a portrait of a cat" })),
            u,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = t
        .api(
            Method::PATCH,
            "/api/v1/me",
            Some(json!({ "marketing_opt_in": true })),
            u,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    Made {
        uploads,
        generation,
        favorite,
        board,
        board_item,
        share_token,
    }
}

async fn download(t: &TestApp, auth: &Auth) -> atelier_testkit::TestResponse {
    t.call(Method::GET, "/api/v1/me/export", None, auth).await
}

#[tokio::test]
async fn d4_export_zip_holds_every_record_and_every_image_decrypted() {
    let t = TestApp::init().demo().with_sample_posts(4).build().await;
    let u = t.sign_in("export@example.com").await;
    let made = make_everything(&t, &u).await;
    let other = t.sign_in("other@example.com").await;
    let other_upload = t.upload_image(&other, 56, 32).await;
    let other_gen = t
        .generate(
            &other,
            json!({ "prompt": "a secret garden of another user" }),
        )
        .await;

    let r = download(&t, &u.browser()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("application/zip"));
    assert_eq!(
        r.header("content-disposition"),
        Some("attachment; filename=\"atelier-export-2025-06-15.zip\"")
    );
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let files = unzip(&r.body);

    // README explains every file and says images are decrypted.
    let readme = String::from_utf8(files["README.txt"].clone()).unwrap();
    for name in [
        "account.json",
        "sessions.json",
        "access_tokens.json",
        "ip_events.json",
        "generations.json",
        "uploads.json",
        "favorites.json",
        "boards.json",
        "ledger.json",
        "purchases.json",
        "assistant_logs.json",
        "consents.json",
        "mail_preferences.json",
        "images/uploads/",
        "images/generations/",
    ] {
        assert!(readme.contains(name), "README lacks {name}");
        if name.ends_with(".json") {
            assert!(files.contains_key(name), "{name} missing from the ZIP");
        }
    }
    assert!(readme.contains("decrypted"));
    assert!(readme.contains("2025-06-15T"), "the generation time");
    assert!(!files.contains_key("deletion_request.json"), "none pending");

    let account = json_file(&files, "account.json");
    assert_eq!(account["id"], u.id.as_str());
    assert_eq!(account["email"], "export@example.com");
    assert_eq!(account["marketing_opt_in"], true);
    assert!(
        account["roles"]
            .as_array()
            .unwrap()
            .contains(&json!("user"))
    );
    assert!(account["created_at"].as_str().unwrap().ends_with('Z'));
    let prefs = json_file(&files, "mail_preferences.json");
    assert_eq!(prefs["marketing_opt_in"], true);
    assert_eq!(prefs["language"], account["language"]);

    let sessions = json_file(&files, "sessions.json");
    assert_eq!(sessions.as_array().unwrap().len(), 1, "{sessions}");
    assert!(sessions[0]["label"].is_string());
    assert!(sessions[0]["last_seen_at"].is_string());
    assert!(sessions[0]["expires_at"].is_string());
    assert!(sessions[0].get("token").is_none() && sessions[0].get("token_hash").is_none());
    let tokens = json_file(&files, "access_tokens.json");
    assert_eq!(tokens.as_array().unwrap().len(), 1, "{tokens}");
    assert!(tokens[0]["name"].is_string());
    let ip = json_file(&files, "ip_events.json");
    assert!(!ip.as_array().unwrap().is_empty(), "{ip}");
    assert_eq!(ip[0]["ip"], "203.0.113.10");

    let uploads = json_file(&files, "uploads.json");
    let mut want = made.uploads.clone();
    want.sort();
    let mut got = ids(&uploads);
    got.sort();
    assert_eq!(got, want);
    for up in uploads.as_array().unwrap() {
        let id = up["id"].as_str().unwrap();
        let file = up["file"].as_str().unwrap();
        assert_eq!(file, format!("images/uploads/{id}.jpg"));
        let served = t
            .api(Method::GET, &format!("/img/up/{id}/original"), None, &u)
            .await;
        assert_eq!(served.status, StatusCode::OK);
        assert_eq!(files[file], served.body.to_vec(), "upload {id} byte-equal");
        assert_eq!(up["byte_size"].as_u64().unwrap(), served.body.len() as u64);
    }

    let gens = json_file(&files, "generations.json");
    assert_eq!(gens.as_array().unwrap().len(), 1);
    let g = &gens[0];
    assert_eq!(g["id"], made.generation["id"]);
    assert_eq!(g["prompt"], "a lighthouse at dusk, oil painting");
    assert_eq!(g["model"], "local");
    assert_eq!(g["status"], "succeeded");
    assert_eq!(g["credits_charged"], 2);
    assert_eq!(g["seed"], 7);
    assert_eq!(g["references"][0]["upload_id"], made.uploads[0].as_str());
    assert!(g["edit_of"].is_null());
    let images = g["images"].as_array().unwrap();
    assert_eq!(images.len(), 2);
    let mut image_files = 0;
    for (img, api) in images
        .iter()
        .zip(made.generation["images"].as_array().unwrap())
    {
        let id = img["id"].as_str().unwrap();
        assert_eq!(id, api["id"].as_str().unwrap());
        let file = img["file"].as_str().unwrap();
        assert!(
            file.starts_with(&format!("images/generations/{id}.")),
            "{file}"
        );
        let served = t
            .api(Method::GET, &format!("/img/gen/{id}/original"), None, &u)
            .await;
        assert_eq!(served.status, StatusCode::OK);
        assert_eq!(files[file], served.body.to_vec(), "image {id} byte-equal");
        image_files += 1;
    }
    assert_eq!(
        files.keys().filter(|k| k.starts_with("images/")).count(),
        image_files + 2,
        "two uploads and the generated images, nothing else"
    );

    let favorites = json_file(&files, "favorites.json");
    assert_eq!(favorites.as_array().unwrap().len(), 1);
    assert_eq!(favorites[0]["item_id"], made.favorite.as_str());
    assert!(favorites[0]["prompt"].is_string());

    let boards = json_file(&files, "boards.json");
    assert_eq!(boards.as_array().unwrap().len(), 1);
    let b = &boards[0];
    assert_eq!(b["id"], made.board.as_str());
    assert_eq!(b["name"], "Moodboard");
    assert_eq!(b["description"], "evening light");
    assert_eq!(b["shared"], true);
    let items = b["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(
        items
            .iter()
            .any(|i| i["item_id"] == made.board_item.as_str())
    );
    assert!(
        items.iter().any(
            |i| i["generation_id"] == made.generation["id"] && i["shown_on_share_link"] == true
        )
    );

    let ledger = json_file(&files, "ledger.json");
    let balance = t
        .api(Method::GET, "/api/v1/me/credits", None, &u)
        .await
        .json();
    assert_eq!(ledger["balance"], balance["balance"]);
    let entries = ledger["entries"].as_array().unwrap();
    assert!(entries.iter().any(|e| e["kind"] == "grant"), "{ledger}");
    assert!(entries.iter().any(|e| e["kind"] == "hold"));
    assert!(entries.iter().any(|e| e["kind"] == "capture"));
    let sum: i64 = entries.iter().map(|e| e["amount"].as_i64().unwrap()).sum();
    assert_eq!(
        sum,
        ledger["balance"].as_i64().unwrap(),
        "signed amounts add up"
    );

    let logs = json_file(&files, "assistant_logs.json");
    assert_eq!(logs.as_array().unwrap().len(), 1, "{logs}");
    assert_eq!(logs[0]["feature"], "enhance");
    assert_eq!(logs[0]["input"], "a portrait of a cat");
    assert!(logs[0]["output"].is_string());

    let consents = json_file(&files, "consents.json");
    let stored = t.db.store.consent_events(&u.id).await.unwrap();
    assert_eq!(consents.as_array().unwrap().len(), stored.len());
    for (c, row) in consents.as_array().unwrap().iter().zip(&stored) {
        assert_eq!(c["id"], row.id.as_str());
        assert_eq!(c["kind"], row.kind.as_str());
        assert_eq!(c["value"], row.value.as_str());
    }

    // No secret anywhere: tokens, the session cookie, their hashes, the share token.
    let cookie_value = u.cookie.split_once('=').unwrap().1.to_owned();
    let secrets = [
        u.token.clone(),
        cookie_value.clone(),
        atelier_app::accounts::secrets::hash_token(&u.token),
        atelier_app::accounts::secrets::hash_token(&cookie_value),
        made.share_token.clone(),
        "atl_".to_owned(),
    ];
    // Nothing of the other user either.
    let foreign = [
        other.id.clone(),
        other.email.clone(),
        other_upload.clone(),
        other_gen["id"].as_str().unwrap().to_owned(),
        "a secret garden".to_owned(),
    ];
    for (name, data) in &files {
        for s in secrets.iter().chain(&foreign) {
            assert!(!contains(data, s), "{name} holds {s}");
        }
    }
}

#[tokio::test]
async fn d4_export_needs_sign_in_and_shows_consents_and_a_pending_deletion() {
    let t = TestApp::new().await;
    let r = t.get("/api/v1/me/export").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = t
        .call(Method::POST, "/api/v1/me/exports", None, &Auth::None)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    let u = t.sign_in("pending@example.com").await;
    let now = t.clock_now();
    t.db.store
        .request_deletion(&atelier_db::privacy::DeletionRequestRow {
            user_id: u.id.clone(),
            source: "self".to_owned(),
            requested_at: now,
            due_at: now + 7 * 24 * HOUR_MS,
        })
        .await
        .unwrap();
    t.db.store
        .insert_consent_event(&atelier_db::privacy::ConsentEventRow {
            id: "consent-1".to_owned(),
            user_id: u.id.clone(),
            kind: "policy".to_owned(),
            value: "3".to_owned(),
            source: "policy_page".to_owned(),
            created_at: now,
        })
        .await
        .unwrap();
    let r = download(&t, &u.bearer()).await;
    assert_eq!(r.status, StatusCode::OK);
    let files = unzip(&r.body);
    assert_eq!(
        json_file(&files, "consents.json"),
        json!([{ "id": "consent-1", "kind": "policy", "value": "3",
                 "source": "policy_page", "created_at": "2025-06-15T00:00:00Z" }])
    );
    let d = json_file(&files, "deletion_request.json");
    assert_eq!(d["source"], "self");
    assert_eq!(d["due_at"], "2025-06-22T00:00:00Z");
    assert!(String::from_utf8_lossy(&files["README.txt"]).contains("deletion_request.json"));
}

#[tokio::test]
async fn d4_export_is_limited_to_five_an_hour() {
    let t = TestApp::new().await;
    let u = t.sign_in("limit@example.com").await;
    for i in 0..5 {
        let r = download(&t, &u.bearer()).await;
        assert_eq!(r.status, StatusCode::OK, "download {i}");
    }
    let r = download(&t, &u.bearer()).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.error_code(), "rate_limited");
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!(wait > 0 && wait <= 3600);
    let r = t
        .call(Method::POST, "/api/v1/me/exports", None, &u.bearer())
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "one shared limit");
    // Another user is not affected; the next hour starts afresh.
    let v = t.sign_in("other-limit@example.com").await;
    assert_eq!(download(&t, &v.bearer()).await.status, StatusCode::OK);
    t.clock.advance_ms(HOUR_MS);
    assert_eq!(download(&t, &u.bearer()).await.status, StatusCode::OK);
}

fn link_path(text: &str) -> String {
    let at = text
        .find("/api/v1/me/exports/")
        .expect("a download link in the mail");
    text[at..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect()
}

#[tokio::test]
async fn d4_background_export_mails_a_signed_link_that_expires() {
    let t = TestApp::init().demo().with_sample_posts(4).build().await;
    let u = t.sign_in("big@example.com").await;
    let made = make_everything(&t, &u).await;

    let r = t.api(Method::POST, "/api/v1/me/exports", None, &u).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    assert_eq!(r.json()["status"], "queued");
    let id = r.json()["id"].as_str().unwrap().to_owned();

    let mail = t.last_mail_to("big@example.com").await;
    assert!(mail.subject.contains("export"), "{}", mail.subject);
    let path = link_path(&mail.text);
    assert!(path.starts_with(&format!("/api/v1/me/exports/{id}/download?expires=")));
    let public = t
        .app
        .settings()
        .public_url
        .as_str()
        .trim_end_matches('/')
        .to_owned();
    assert!(
        mail.text.contains(&format!("{public}{path}")),
        "an absolute link"
    );
    assert!(mail.html.contains(&path.replace('&', "&amp;")));

    let list = t
        .api(Method::GET, "/api/v1/me/exports", None, &u)
        .await
        .json();
    assert_eq!(list["items"][0]["id"], id.as_str());
    assert_eq!(list["items"][0]["status"], "ready");
    let size = list["items"][0]["byte_size"].as_u64().unwrap();

    // The blob is stored encrypted under the user's prefix.
    let key = BlobKey::from_listed(&format!("users/{}/exports/{id}", u.id)).unwrap();
    let sealed = t.app.blobs().get(&key).await.unwrap();
    assert!(
        !contains(&sealed, "a lighthouse at dusk"),
        "encrypted at rest"
    );

    // The link works without credentials and holds the same files as a direct download.
    let r = t.get(&path).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("application/zip"));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(r.body.len() as u64, size);
    let linked = unzip(&r.body);
    let direct = unzip(&download(&t, &u.bearer()).await.body);
    assert_eq!(
        linked.keys().collect::<Vec<_>>(),
        direct.keys().collect::<Vec<_>>()
    );
    for (name, data) in &linked {
        if name != "exports.json" {
            assert_eq!(data, &direct[name], "{name}");
        }
    }
    let gens = json_file(&linked, "generations.json");
    assert_eq!(gens[0]["id"], made.generation["id"]);

    // A tampered link fails.
    let (head, sig) = path.rsplit_once("sig=").unwrap();
    let flipped: String = sig
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i == 0 {
                if c == '0' { '1' } else { '0' }
            } else {
                c
            }
        })
        .collect();
    for bad in [
        format!("{head}sig={flipped}"),
        format!("{head}sig=zz"),
        path.replace("expires=", "expires=1"),
        path.replace(&id, "someone-else"),
    ] {
        let r = t.get(&bad).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{bad}");
        assert_eq!(r.error_code(), "invalid_link");
    }

    // After a day it is gone, and purging removes the file.
    t.clock.advance_ms(24 * HOUR_MS + 1000);
    let r = t.get(&path).await;
    assert_eq!(r.status, StatusCode::GONE);
    assert_eq!(r.error_code(), "link_expired");
    assert_eq!(t.app.purge_expired_exports().await.unwrap(), 1);
    assert!(t.app.blobs().get(&key).await.is_err(), "blob deleted");
    let left: Vec<_> = t
        .app
        .blobs()
        .list(Some(
            &BlobKey::from_listed(&format!("users/{}/exports", u.id)).unwrap(),
        ))
        .try_collect()
        .await
        .unwrap();
    assert!(left.is_empty());
    let list = t
        .api(Method::GET, "/api/v1/me/exports", None, &u)
        .await
        .json();
    assert!(list["items"].as_array().unwrap().is_empty());
    assert_eq!(t.get(&path).await.status, StatusCode::GONE);
    assert_eq!(t.app.purge_expired_exports().await.unwrap(), 0);
}

#[tokio::test]
async fn d4_export_is_streamed_in_bounded_pieces_and_stops_when_nobody_reads() {
    use futures::StreamExt as _;
    let t = TestApp::new().await;
    let u = t.sign_in("stream@example.com").await;
    for (i, w) in [400, 360, 320].into_iter().enumerate() {
        t.upload_jpeg(&u, &noise_jpeg(w, 300, u32::try_from(i).unwrap() + 1))
            .await;
    }
    let largest =
        t.db.store
            .export_uploads(&u.id)
            .await
            .unwrap()
            .iter()
            .map(|x| usize::try_from(x.byte_size).unwrap())
            .max()
            .unwrap();
    let pieces: Vec<bytes::Bytes> = t
        .app
        .export_zip(&u.id)
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert!(pieces.len() > 1, "handed on as it is written");
    let max = pieces.iter().map(bytes::Bytes::len).max().unwrap();
    assert!(
        max <= largest + 128 * 1024,
        "a piece holds at most about one image: {max}"
    );
    let whole: Vec<u8> = pieces.concat();
    assert_eq!(
        unzip(&whole)
            .keys()
            .filter(|k| k.starts_with("images/uploads/"))
            .count(),
        3
    );

    // A reader that goes away stops the writer; the next export still works.
    let mut stream = Box::pin(t.app.export_zip(&u.id).await.unwrap());
    assert!(stream.next().await.unwrap().is_ok());
    drop(stream);
    assert!(t.app.export_zip("no-such-user").await.is_err());
    let again: Vec<bytes::Bytes> = t
        .app
        .export_zip(&u.id)
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(again.concat().len(), whole.len());
}

/// D4: an image whose blob is gone (a storage fault, a half-finished deletion) does not break
/// the export: the archive lists it in `images/missing.json` and holds everything else.
#[tokio::test]
async fn d4_an_image_missing_from_storage_is_listed_not_fatal() {
    let t = TestApp::init().demo().with_sample_posts(4).build().await;
    let u = t.sign_in("missing@example.com").await;
    let g = t
        .generate(&u, json!({ "prompt": "a lighthouse at dusk", "count": 2 }))
        .await;
    let gone = g["images"][0]["id"].as_str().unwrap().to_owned();
    let kept = g["images"][1]["id"].as_str().unwrap().to_owned();
    t.app
        .blobs()
        .delete_prefix(&BlobKey::generated_prefix(&u.id, &gone))
        .await
        .unwrap();
    let r = download(&t, &u.browser()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let files = unzip(&r.body);
    let missing = json_file(&files, "images/missing.json");
    let missing: Vec<&str> = missing
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert!(missing[0].contains(&gone), "{missing:?}");
    assert!(
        files.keys().any(|name| name.contains(&kept)),
        "the other image is exported: {:?}",
        files.keys().collect::<Vec<_>>()
    );
}
