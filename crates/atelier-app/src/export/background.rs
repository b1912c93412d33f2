//! The export prepared in the background (D4, large accounts): asked for, written by a job as
//! an encrypted blob under the user's prefix, mailed as a signed link, downloaded decrypted, and
//! purged with its blob once expired. Kept apart from the direct download because it owns rows,
//! blobs and mail that the download never touches.

use super::{EXPORT_LINK_TTL_MS, ZipPiece};
use crate::mail::NewMail;
use crate::{App, AppError, JobKind};
use atelier_core::clock::HOUR_MS;
use atelier_core::id::new_id;
use atelier_core::time::rfc3339;
use atelier_db::export::ExportRow;
use atelier_jobs::EnqueueOptions;
use atelier_mail::MailKind;
use atelier_media::{BlobKey, StorageError, segment};
use futures::{Stream, StreamExt as _};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The job's payload.
#[derive(Debug, Serialize, Deserialize)]
pub struct ExportJob {
    /// The `exports` row.
    pub id: String,
}

impl App {
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
        let (_, sealed) = self.blobs().get_stream(&key).await?;
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
        segment(export_id)
    );
    BlobKey::from_listed(&path).ok_or_else(|| AppError::Corrupt("bad export key".to_owned()))
}
