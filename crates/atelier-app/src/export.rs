//! Self-service export (D4): one ZIP holding a JSON file per kind of data held about the user,
//! every image of theirs decrypted, and a README that explains each file.
//!
//! The ZIP is written as a stream (entries with data descriptors) by a blocking thread into a
//! bounded channel whose other end is the response body (or, for a background export, the
//! encrypting upload to the blob store): at any moment the process holds about one image and one
//! JSON file of it, whatever the size of the account. A client that goes away stops the writer.
//!
//! Large accounts can ask for it in the background: a job writes the same ZIP, encrypted with the
//! user's data key, under the user's blob prefix (so deleting the account removes it), and mails a
//! signed link that works without cookies for [`EXPORT_LINK_TTL_MS`]. Expired exports are purged
//! with their blobs by [`App::purge_expired_exports`].

use crate::mail::NewMail;
use crate::{App, AppError, JobKind};
use atelier_core::clock::HOUR_MS;
use atelier_core::id::new_id;
use atelier_core::time::rfc3339;
use atelier_db::export::ExportRow;
use atelier_db::generations::GenerationRow;
use atelier_jobs::EnqueueOptions;
use atelier_mail::MailKind;
use atelier_media::{BlobKey, StorageError};
use bytes::Bytes;
use futures::{Stream, StreamExt as _};
use hmac::{Hmac, Mac as _};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::Sha256;
use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::runtime::Handle;
use tokio::sync::mpsc;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// Exports (downloads and background requests together) a user may start per hour.
pub const EXPORT_LIMIT_PER_HOUR: u32 = 5;
/// How long a background export and its mailed link stay usable once ready.
pub const EXPORT_LINK_TTL_MS: i64 = 24 * HOUR_MS;
/// Bytes gathered before a piece of the ZIP is handed on.
const PIECE: usize = 64 * 1024;
/// Pieces in flight between the writer thread and the reader.
const PIECES_IN_FLIGHT: usize = 4;

/// The job's payload.
#[derive(Debug, Serialize, Deserialize)]
pub struct ExportJob {
    /// The `exports` row.
    pub id: String,
}

/// What a signed download link turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportLink {
    /// Valid: the ready export.
    Valid(ExportRow),
    /// The link's time is up (or the export was purged after it).
    Expired,
    /// Tampered, unknown, or not ready.
    Invalid,
}

/// The pieces of a ZIP being written.
pub type ZipPiece = Result<Bytes, std::io::Error>;

impl App {
    /// The name the download is offered under: `atelier-export-YYYY-MM-DD.zip` (today, UTC).
    #[must_use]
    pub fn export_file_name(&self) -> String {
        let date: String = rfc3339(self.now_ms()).chars().take(10).collect();
        format!("atelier-export-{date}.zip")
    }

    /// Counts one export against the user's hourly limit (D4: rate-limited).
    ///
    /// # Errors
    /// [`AppError::RateLimited`] past [`EXPORT_LIMIT_PER_HOUR`].
    async fn hit_export_limit(&self, user_id: &str) -> Result<(), AppError> {
        self.hit_limit(crate::accounts::RateLimit::Export, user_id)
            .await
    }

    /// The user's export downloaded at once (D4): counted against the hourly limit, then
    /// streamed as [`App::export_zip`] writes it.
    ///
    /// # Errors
    /// [`AppError::RateLimited`] past [`EXPORT_LIMIT_PER_HOUR`]; as [`App::export_zip`].
    pub async fn download_export(
        &self,
        user_id: &str,
    ) -> Result<impl Stream<Item = ZipPiece> + Send + 'static + use<>, AppError> {
        self.hit_export_limit(user_id).await?;
        self.export_zip(user_id).await
    }

    /// The user's export as a stream of ZIP pieces, not counted against any limit (the
    /// background export counted its request; a download goes through
    /// [`App::download_export`]), written as it is read (never whole in
    /// memory). The stream ends with an error when writing fails midway (the client then sees a
    /// cut-off body, never a ZIP that looks complete but is not).
    ///
    /// # Errors
    /// [`AppError::NotFound`] when the user does not exist.
    pub async fn export_zip(
        &self,
        user_id: &str,
    ) -> Result<impl Stream<Item = ZipPiece> + Send + 'static + use<>, AppError> {
        // Fail before the first byte for a missing account.
        self.store().export_account(user_id).await?;
        let (tx, rx) = mpsc::channel::<ZipPiece>(PIECES_IN_FLIGHT);
        let app = self.clone();
        let user_id = user_id.to_owned();
        let runtime = Handle::current();
        tokio::task::spawn_blocking(move || {
            let out = ChannelWriter {
                tx: tx.clone(),
                buf: Vec::with_capacity(PIECE),
            };
            if let Err(e) = write_archive(&app, &runtime, &user_id, out) {
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    tracing::error!(error = %e, "writing an export failed");
                }
                let _ = tx.blocking_send(Err(std::io::Error::other("the export failed")));
            }
        });
        // Fused: a body layer may poll once more after the end (compression does).
        Ok(futures::StreamExt::fuse(futures::stream::unfold(
            rx,
            |mut rx| async move { rx.recv().await.map(|piece| (piece, rx)) },
        )))
    }

    /// Asks for an export prepared in the background (D4, large accounts); returns the queued
    /// row. The ZIP is mailed as a link when ready.
    ///
    /// # Errors
    /// [`AppError::RateLimited`] past the hourly limit; database failures.
    pub async fn request_export(&self, user_id: &str) -> Result<ExportRow, AppError> {
        self.hit_export_limit(user_id).await?;
        let now = self.now_ms();
        let row = ExportRow {
            id: new_id(),
            user_id: user_id.to_owned(),
            status: "queued".to_owned(),
            byte_size: None,
            created_at: now,
            expires_at: now + EXPORT_LINK_TTL_MS,
        };
        self.store().insert_export(&row).await?;
        self.queue()
            .enqueue(
                JobKind::BuildExport.name(),
                &ExportJob { id: row.id.clone() },
                EnqueueOptions {
                    max_attempts: Some(3),
                    ..EnqueueOptions::default()
                },
            )
            .await?;
        Ok(row)
    }

    /// The user's background exports, newest first.
    ///
    /// # Errors
    /// Database failures.
    pub async fn exports(&self, user_id: &str) -> Result<Vec<ExportRow>, AppError> {
        Ok(self.store().exports_of_user(user_id).await?)
    }

    /// The background export job: writes the ZIP encrypted under the user's prefix, marks the
    /// row ready with its size and mails the signed link.
    ///
    /// # Errors
    /// [`AppError::NotFound`] when the row or the user is gone; storage and database failures
    /// (the row is then marked `failed`; a retry may still make it ready).
    pub async fn build_export(&self, export_id: &str) -> Result<(), AppError> {
        let row = self
            .store()
            .export_by_id(export_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if row.status == "ready" {
            return Ok(());
        }
        match self.write_export_blob(&row).await {
            Ok(size) => {
                let expires_at = self.now_ms() + EXPORT_LINK_TTL_MS;
                self.store()
                    .finish_export(&row.id, "ready", Some(size), expires_at)
                    .await?;
                self.mail_export_link(&row, expires_at).await
            }
            Err(e) => {
                self.store()
                    .finish_export(&row.id, "failed", None, row.expires_at)
                    .await?;
                Err(e)
            }
        }
    }

    async fn write_export_blob(&self, row: &ExportRow) -> Result<i64, AppError> {
        let key = export_blob_key(&row.user_id, &row.id)?;
        let dk = self.data_key(&row.user_id).await?;
        let plain_bytes = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&plain_bytes);
        let zip = self.export_zip(&row.user_id).await?.inspect(move |piece| {
            if let Ok(bytes) = piece {
                counter.fetch_add(bytes.len() as u64, Ordering::Relaxed);
            }
        });
        let sealed = atelier_crypto::encrypt_stream(&dk, key.as_str().as_bytes(), zip).map(|r| {
            r.map_err(|e| match e {
                atelier_crypto::StreamError::Source(io) => io,
                atelier_crypto::StreamError::Crypto(c) => std::io::Error::other(c.to_string()),
            })
        });
        if let Err(e) = self.blobs().put_stream(&key, sealed).await {
            // A partial upload may be left behind: never keep half an export.
            let _ = self.blobs().delete(&key).await;
            return Err(e.into());
        }
        i64::try_from(plain_bytes.load(Ordering::Relaxed))
            .map_err(|_| AppError::Corrupt("export size out of range".to_owned()))
    }

    async fn mail_export_link(&self, row: &ExportRow, expires_at: i64) -> Result<(), AppError> {
        let user = self.store().export_account(&row.user_id).await?;
        let link = format!(
            "{}{}",
            self.settings().public_url.as_str().trim_end_matches('/'),
            self.export_download_path(&row.id, expires_at)?
        );
        let when = |ms: i64| {
            format!(
                "{} UTC",
                rfc3339(ms).replace('T', " ").trim_end_matches('Z')
            )
        };
        self.queue_mail(NewMail {
            kind: MailKind::ExportReady,
            to: &user.email,
            language: &user.language,
            vars: json!({
                "link": link,
                "hours": EXPORT_LINK_TTL_MS / HOUR_MS,
                "expires": when(expires_at),
            }),
            user_id: Some(&user.id),
            expires_at: Some(expires_at),
        })
        .await?;
        Ok(())
    }

    fn export_mac(&self, export_id: &str, expires: i64) -> Result<Hmac<Sha256>, AppError> {
        let key = self.master_key()?.derive("atelier/export-link/v1");
        let mut mac = Hmac::<Sha256>::new_from_slice(&*key)
            .map_err(|e| AppError::Unavailable(format!("export link key: {e}")))?;
        mac.update(format!("export/{export_id}/{expires}").as_bytes());
        Ok(mac)
    }

    /// The signed path of a background export
    /// (`/api/v1/me/exports/{id}/download?expires=…&sig=…`), `expires_at` in milliseconds.
    ///
    /// # Errors
    /// When the master key is unavailable.
    pub fn export_download_path(
        &self,
        export_id: &str,
        expires_at: i64,
    ) -> Result<String, AppError> {
        let expires = expires_at.div_euclid(1000);
        let sig = hex::encode(self.export_mac(export_id, expires)?.finalize().into_bytes());
        Ok(format!(
            "/api/v1/me/exports/{export_id}/download?expires={expires}&sig={sig}"
        ))
    }

    /// Checks a signed export link (`expires` in seconds since the epoch).
    ///
    /// # Errors
    /// Database failures.
    pub async fn check_export_link(
        &self,
        export_id: &str,
        expires: i64,
        sig: &str,
    ) -> Result<ExportLink, AppError> {
        let Ok(sig) = hex::decode(sig) else {
            return Ok(ExportLink::Invalid);
        };
        if self
            .export_mac(export_id, expires)?
            .verify_slice(&sig)
            .is_err()
        {
            return Ok(ExportLink::Invalid);
        }
        let now = self.now_ms();
        if expires.saturating_mul(1000) < now {
            return Ok(ExportLink::Expired);
        }
        match self.store().export_by_id(export_id).await? {
            Some(row) if row.expires_at < now => Ok(ExportLink::Expired),
            Some(row) if row.status == "ready" => Ok(ExportLink::Valid(row)),
            Some(_) => Ok(ExportLink::Invalid),
            None => Ok(ExportLink::Expired),
        }
    }

    /// The decrypted ZIP of a ready background export, as a stream.
    ///
    /// # Errors
    /// [`AppError::NotFound`] when its blob is gone; storage failures.
    pub async fn export_download(
        &self,
        row: &ExportRow,
    ) -> Result<impl Stream<Item = ZipPiece> + Send + 'static + use<>, AppError> {
        let key = export_blob_key(&row.user_id, &row.id)?;
        let dk = self.data_key(&row.user_id).await?;
        let (_, sealed) = self.blobs().get_stream(&key).await.map_err(|e| match e {
            StorageError::NotFound => AppError::NotFound,
            other => AppError::Storage(other),
        })?;
        Ok(
            atelier_crypto::decrypt_stream(&dk, key.as_str().as_bytes(), sealed)
                .map(|r| {
                    r.map_err(|e| match e {
                        atelier_crypto::StreamError::Source(s) => {
                            std::io::Error::other(s.to_string())
                        }
                        atelier_crypto::StreamError::Crypto(c) => {
                            std::io::Error::other(c.to_string())
                        }
                    })
                })
                .fuse(),
        )
    }

    /// Deletes expired background exports: their blobs, then their rows. Returns how many went.
    ///
    /// # Errors
    /// Storage or database failures.
    pub async fn purge_expired_exports(&self) -> Result<u64, AppError> {
        let mut removed = 0;
        loop {
            let batch = self.store().expired_exports(self.now_ms(), 500).await?;
            if batch.is_empty() {
                return Ok(removed);
            }
            for (id, user_id) in batch {
                let key = export_blob_key(&user_id, &id)?;
                match self.blobs().delete(&key).await {
                    Ok(()) | Err(StorageError::NotFound) => {}
                    Err(e) => return Err(e.into()),
                }
                if self.store().delete_export(&id).await? {
                    removed += 1;
                }
            }
        }
    }
}

/// Where a background export's ZIP lives: `users/<user>/exports/<id>`, under the user's prefix.
fn export_blob_key(user_id: &str, export_id: &str) -> Result<BlobKey, AppError> {
    let path = format!(
        "{}/exports/{}",
        BlobKey::user_prefix(user_id).as_str(),
        safe_name(export_id)
    );
    BlobKey::from_listed(&path).ok_or_else(|| AppError::Corrupt("bad export key".to_owned()))
}

/// An id as a file-name part: only `A-Z a-z 0-9 - _` survive.
fn safe_name(id: &str) -> String {
    let cleaned: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if cleaned.is_empty() {
        "_".to_owned()
    } else {
        cleaned
    }
}

/// A file extension for an image's MIME type.
fn extension(content_type: &str) -> &'static str {
    match content_type {
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/webp" => "webp",
        "image/gif" => "gif",
        _ => "bin",
    }
}

fn time_opt(ms: Option<i64>) -> Value {
    ms.map_or(Value::Null, |m| Value::String(rfc3339(m)))
}

/// Hands the ZIP on in pieces of [`PIECE`] bytes; fails with `BrokenPipe` once nobody reads.
struct ChannelWriter {
    tx: mpsc::Sender<ZipPiece>,
    buf: Vec<u8>,
}

impl ChannelWriter {
    fn send(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let piece = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(PIECE)));
        self.tx
            .blocking_send(Ok(piece))
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::BrokenPipe))
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= PIECE {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

/// Something went wrong while writing: reported as an I/O error of the stream.
fn io_err(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

fn zip_err(e: zip::result::ZipError) -> std::io::Error {
    match e {
        zip::result::ZipError::Io(io) => io,
        other => io_err(other),
    }
}

struct Archive {
    zip: ZipWriter<zip::write::StreamWriter<ChannelWriter>>,
    stamp: zip::DateTime,
}

impl Archive {
    fn json(&mut self, name: &str, value: &Value) -> std::io::Result<()> {
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .last_modified_time(self.stamp);
        self.zip.start_file(name, options).map_err(zip_err)?;
        serde_json::to_writer_pretty(&mut self.zip, value).map_err(io_err)?;
        self.zip.write_all(b"\n")
    }

    fn text(&mut self, name: &str, text: &str) -> std::io::Result<()> {
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .last_modified_time(self.stamp);
        self.zip.start_file(name, options).map_err(zip_err)?;
        self.zip.write_all(text.as_bytes())
    }

    fn binary(&mut self, name: &str, bytes: &[u8]) -> std::io::Result<()> {
        // Images are compressed already.
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Stored)
            .last_modified_time(self.stamp)
            .large_file(bytes.len() as u64 >= u64::from(u32::MAX));
        self.zip.start_file(name, options).map_err(zip_err)?;
        self.zip.write_all(bytes)
    }
}

fn zip_time(ms: i64) -> zip::DateTime {
    let s = rfc3339(ms);
    let num = |range: std::ops::Range<usize>| s.get(range).and_then(|p| p.parse::<u16>().ok());
    let parts = (
        num(0..4),
        num(5..7),
        num(8..10),
        num(11..13),
        num(14..16),
        num(17..19),
    );
    if let (Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(se)) = parts {
        let byte = |v: u16| u8::try_from(v).unwrap_or(0);
        if let Ok(t) =
            zip::DateTime::from_date_and_time(y, byte(mo), byte(d), byte(h), byte(mi), byte(se))
        {
            return t;
        }
    }
    zip::DateTime::default()
}

/// Writes the whole archive (on a blocking thread; database and storage calls go through
/// `rt`).
fn write_archive(app: &App, rt: &Handle, user_id: &str, out: ChannelWriter) -> std::io::Result<()> {
    let now = app.now_ms();
    let mut a = Archive {
        zip: ZipWriter::new_stream(out),
        stamp: zip_time(now),
    };
    let db = |e: atelier_db::DbError| io_err(e);
    let store = app.store();

    let account = rt.block_on(store.export_account(user_id)).map_err(db)?;
    let deletion = rt.block_on(store.deletion_request(user_id)).map_err(db)?;
    a.text("README.txt", &readme(now, deletion.is_some()))?;

    let roles: Vec<&str> = account
        .roles
        .split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .collect();
    a.json(
        "account.json",
        &json!({
            "id": account.id,
            "email": account.email,
            "display_name": account.display_name,
            "language": account.language,
            "roles": roles,
            "marketing_opt_in": account.marketing_opt_in,
            "policy_version_seen": account.policy_version_seen,
            "created_at": rfc3339(account.created_at),
            "updated_at": rfc3339(account.updated_at),
        }),
    )?;
    a.json(
        "mail_preferences.json",
        &json!({
            "marketing_opt_in": account.marketing_opt_in,
            "language": account.language,
            "email": account.email,
        }),
    )?;

    let rows = rt.block_on(store.export_sessions(user_id)).map_err(db)?;
    let list: Vec<Value> = rows
        .into_iter()
        .map(|s| {
            json!({
                "id": s.id,
                "label": s.label,
                "created_at": rfc3339(s.created_at),
                "last_seen_at": rfc3339(s.last_seen_at),
                "expires_at": rfc3339(s.expires_at),
            })
        })
        .collect();
    a.json("sessions.json", &Value::Array(list))?;

    let rows = rt
        .block_on(store.export_access_tokens(user_id))
        .map_err(db)?;
    let list: Vec<Value> = rows
        .into_iter()
        .map(|t| {
            json!({
                "id": t.id,
                "name": t.name,
                "created_at": rfc3339(t.created_at),
                "last_used_at": time_opt(t.last_used_at),
                "expires_at": time_opt(t.expires_at),
            })
        })
        .collect();
    a.json("access_tokens.json", &Value::Array(list))?;

    let rows = rt.block_on(store.export_ip_events(user_id)).map_err(db)?;
    let list: Vec<Value> = rows
        .into_iter()
        .map(|e| {
            json!({
                "id": e.id,
                "kind": e.kind,
                "ip": e.ip,
                "network": e.network,
                "created_at": rfc3339(e.created_at),
            })
        })
        .collect();
    a.json("ip_events.json", &Value::Array(list))?;

    let uploads = rt.block_on(store.export_uploads(user_id)).map_err(db)?;
    let upload_files: Vec<(String, String)> = uploads
        .iter()
        .map(|u| {
            (
                u.id.clone(),
                format!(
                    "images/uploads/{}.{}",
                    safe_name(&u.id),
                    extension(&u.content_type)
                ),
            )
        })
        .collect();
    let list: Vec<Value> = uploads
        .iter()
        .zip(&upload_files)
        .map(|(u, (_, file))| {
            json!({
                "id": u.id,
                "content_type": u.content_type,
                "width": u.width,
                "height": u.height,
                "byte_size": u.byte_size,
                "created_at": rfc3339(u.created_at),
                "file": file,
            })
        })
        .collect();
    a.json("uploads.json", &Value::Array(list))?;
    drop(uploads);

    let generations = rt.block_on(store.export_generations(user_id)).map_err(db)?;
    let images = rt
        .block_on(store.export_generation_images(user_id))
        .map_err(db)?;
    let image_files: Vec<(String, String)> = images
        .iter()
        .map(|i| {
            (
                i.id.clone(),
                format!(
                    "images/generations/{}.{}",
                    safe_name(&i.id),
                    extension(&i.content_type)
                ),
            )
        })
        .collect();
    {
        let references = rt
            .block_on(store.export_generation_references(user_id))
            .map_err(db)?;
        let edits = rt
            .block_on(store.export_generation_edits(user_id))
            .map_err(db)?;
        let mut refs_of: HashMap<&str, Vec<Value>> = HashMap::new();
        for r in &references {
            refs_of
                .entry(r.generation_id.as_str())
                .or_default()
                .push(json!({ "upload_id": r.upload_id, "position": r.position }));
        }
        let mut images_of: HashMap<&str, Vec<Value>> = HashMap::new();
        for (i, (_, file)) in images.iter().zip(&image_files) {
            images_of
                .entry(i.generation_id.as_str())
                .or_default()
                .push(json!({
                    "id": i.id,
                    "position": i.position,
                    "width": i.width,
                    "height": i.height,
                    "content_type": i.content_type,
                    "byte_size": i.byte_size,
                    "created_at": rfc3339(i.created_at),
                    "file": file,
                }));
        }
        let edit_of: HashMap<&str, Value> = edits
            .iter()
            .map(|e| {
                (
                    e.generation_id.as_str(),
                    json!({ "source_kind": e.source_kind, "source_id": e.source_id }),
                )
            })
            .collect();
        let list: Vec<Value> = generations
            .iter()
            .map(|g| generation_json(g, &mut refs_of, &mut images_of, &edit_of))
            .collect();
        a.json("generations.json", &Value::Array(list))?;
    }
    drop(generations);
    drop(images);

    let rows = rt.block_on(store.export_favorites(user_id)).map_err(db)?;
    let list: Vec<Value> = rows
        .into_iter()
        .map(|f| {
            json!({
                "item_id": f.item_id,
                "prompt": f.prompt,
                "created_at": rfc3339(f.created_at),
            })
        })
        .collect();
    a.json("favorites.json", &Value::Array(list))?;

    let boards = rt.block_on(store.export_boards(user_id)).map_err(db)?;
    let items = rt.block_on(store.export_board_items(user_id)).map_err(db)?;
    let mut items_of: HashMap<&str, Vec<Value>> = HashMap::new();
    for i in &items {
        items_of
            .entry(i.board_id.as_str())
            .or_default()
            .push(json!({
                "id": i.id,
                "item_id": i.item_id,
                "generation_id": i.generation_id,
                "shown_on_share_link": i.shared,
                "added_at": rfc3339(i.added_at),
            }));
    }
    let list: Vec<Value> = boards
        .iter()
        .map(|b| {
            json!({
                "id": b.id,
                "name": b.name,
                "description": b.description,
                "shared": b.shared,
                "created_at": rfc3339(b.created_at),
                "updated_at": rfc3339(b.updated_at),
                "items": items_of.remove(b.id.as_str()).unwrap_or_default(),
            })
        })
        .collect();
    a.json("boards.json", &Value::Array(list))?;

    let rows = rt
        .block_on(store.export_credit_entries(user_id))
        .map_err(db)?;
    let balance = rt.block_on(store.credit_balance(user_id)).map_err(db)?;
    let list: Vec<Value> = rows
        .into_iter()
        .map(|e| {
            json!({
                "id": e.id,
                "kind": e.kind,
                "amount": e.amount,
                "hold_id": e.hold_id,
                "reference": e.reference,
                "reason": e.reason,
                "created_at": rfc3339(e.created_at),
            })
        })
        .collect();
    a.json(
        "ledger.json",
        &json!({ "balance": balance, "entries": list }),
    )?;

    let rows = rt
        .block_on(store.assistant_logs_of_user(user_id, i64::MAX, None))
        .map_err(db)?;
    let list: Vec<Value> = rows
        .into_iter()
        .map(|l| {
            json!({
                "id": l.id,
                "feature": l.feature,
                "input": l.input,
                "instruction": l.instruction,
                "output": l.output,
                "provider": l.provider,
                "model": l.model,
                "duration_ms": l.duration_ms,
                "status": l.status,
                "error": l.error,
                "created_at": rfc3339(l.created_at),
            })
        })
        .collect();
    a.json("assistant_logs.json", &Value::Array(list))?;

    let rows = rt.block_on(store.consent_events(user_id)).map_err(db)?;
    let list: Vec<Value> = rows
        .into_iter()
        .map(|c| {
            json!({
                "id": c.id,
                "kind": c.kind,
                "value": c.value,
                "source": c.source,
                "created_at": rfc3339(c.created_at),
            })
        })
        .collect();
    a.json("consents.json", &Value::Array(list))?;

    let rows = rt.block_on(store.exports_of_user(user_id)).map_err(db)?;
    let list: Vec<Value> = rows
        .into_iter()
        .map(|e| {
            json!({
                "id": e.id,
                "status": e.status,
                "byte_size": e.byte_size,
                "created_at": rfc3339(e.created_at),
                "expires_at": rfc3339(e.expires_at),
            })
        })
        .collect();
    a.json("exports.json", &Value::Array(list))?;

    if let Some(d) = deletion {
        a.json(
            "deletion_request.json",
            &json!({
                "source": d.source,
                "requested_at": rfc3339(d.requested_at),
                "due_at": rfc3339(d.due_at),
            }),
        )?;
    }

    // The images, one at a time, decrypted.
    let mut missing = Vec::new();
    for (id, file) in &upload_files {
        let key = BlobKey::upload(user_id, id);
        match rt.block_on(app.get_private_blob(user_id, &key)) {
            Ok(bytes) => a.binary(file, &bytes)?,
            Err(AppError::Storage(StorageError::NotFound)) => missing.push(file.clone()),
            Err(e) => return Err(io_err(e)),
        }
    }
    for (id, file) in &image_files {
        let key = BlobKey::generated(user_id, id, "original");
        match rt.block_on(app.get_private_blob(user_id, &key)) {
            Ok(bytes) => a.binary(file, &bytes)?,
            Err(AppError::Storage(StorageError::NotFound)) => missing.push(file.clone()),
            Err(e) => return Err(io_err(e)),
        }
    }
    if !missing.is_empty() {
        // Deleted between the listing and the copy (or never stored): say so, do not fail.
        a.json("images/missing.json", &json!(missing))?;
    }

    let out = a.zip.finish().map_err(zip_err)?;
    out.into_inner().flush()
}

fn generation_json(
    g: &GenerationRow,
    refs_of: &mut HashMap<&str, Vec<Value>>,
    images_of: &mut HashMap<&str, Vec<Value>>,
    edit_of: &HashMap<&str, Value>,
) -> Value {
    json!({
        "id": g.id,
        "prompt": g.prompt,
        "model": g.model_id,
        "provider": g.provider,
        "aspect": g.aspect,
        "count": g.count,
        "seed": g.seed,
        "status": g.status,
        "error": g.error,
        "price_per_image": g.price_per_image,
        "credits_charged": g.credits_charged,
        "hold_id": g.hold_id,
        "idempotency_key": g.idempotency_key,
        "created_at": rfc3339(g.created_at),
        "updated_at": rfc3339(g.updated_at),
        "finished_at": time_opt(g.finished_at),
        "references": refs_of.remove(g.id.as_str()).unwrap_or_default(),
        "edit_of": edit_of.get(g.id.as_str()).cloned().unwrap_or(Value::Null),
        "images": images_of.remove(g.id.as_str()).unwrap_or_default(),
    })
}

fn readme(now: i64, deletion_pending: bool) -> String {
    let deletion = if deletion_pending {
        "deletion_request.json  The deletion of your account you (or an operator, on your\n\
         \x20                      written request) asked for, and when it will be carried out.\n"
    } else {
        ""
    };
    format!(
        "Your Atelier data export\n\
         ========================\n\
         \n\
         Made at {time}. This archive holds every record this Atelier instance keeps about\n\
         your account, one JSON file per kind of record, and every image of yours. Times are\n\
         in UTC (RFC 3339). No password, session token, access token, sign-in code, share-link\n\
         token or encryption key is included: those are secrets, and the instance keeps only\n\
         one-way hashes of them anyway.\n\
         \n\
         README.txt             This file.\n\
         account.json           Your account: id, email address, display name, language,\n\
         \x20                      roles, marketing opt-in, policy version seen, creation time.\n\
         mail_preferences.json  Whether you accept marketing mail, and the language of mail.\n\
         sessions.json          Browsers signed in to your account: label, when signed in,\n\
         \x20                      last seen, when the session expires.\n\
         access_tokens.json     Your personal access tokens: name, created, last used,\n\
         \x20                      expiry (never the token itself).\n\
         ip_events.json         The IP addresses your account was used from (sign-up,\n\
         \x20                      sign-in, sessions), kept for a limited time.\n\
         generations.json       Your image generations: prompt, model, status, credits,\n\
         \x20                      the uploads used as references, the image an AI Edit\n\
         \x20                      changed, and the images made, with their file in this ZIP.\n\
         uploads.json           The reference images you uploaded, with their file here.\n\
         favorites.json         Gallery items you marked as favorites.\n\
         boards.json            Your boards and what is on them; `shared` tells whether a\n\
         \x20                      share link exists (the link itself is not included).\n\
         ledger.json            Your credits ledger: every grant, purchase, hold, capture,\n\
         \x20                      release, refund and adjustment, and the balance.\n\
         assistant_logs.json    Your calls to the AI assistant (enhance, describe, edit):\n\
         \x20                      what was sent, what came back, model, duration.\n\
         consents.json          What you agreed to and when: marketing opt-in and opt-out,\n\
         \x20                      and each privacy-policy version you opened.\n\
         exports.json           Exports of your data prepared in the background.\n\
         {deletion}\
         images/uploads/        Your uploaded reference images, decrypted copies of the\n\
         \x20                      stored originals (<upload id>.<extension>).\n\
         images/generations/    Your generated images, decrypted copies of the stored\n\
         \x20                      originals (<image id>.<extension>).\n\
         \n\
         Images are stored encrypted with a key of your own; the copies here are decrypted,\n\
         so keep this archive safe.\n",
        time = rfc3339(now),
    )
}
