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
//!
//! Here: the download itself. `archive` writes the ZIP, `entries` are its JSON files, `readme`
//! its README; `background` is the export prepared by a job, `link` its signed download link.

mod archive;
mod background;
mod entries;
mod link;
mod readme;

pub use background::ExportJob;
pub use link::ExportLink;

use crate::{App, AppError};
use archive::ChannelWriter;
use atelier_core::clock::HOUR_MS;
use atelier_core::time::rfc3339;
use bytes::Bytes;
use futures::Stream;
use tokio::runtime::Handle;
use tokio::sync::mpsc;

/// Exports (downloads and background requests together) a user may start per hour.
pub const EXPORT_LIMIT_PER_HOUR: u32 = 5;
/// How long a background export and its mailed link stay usable once ready.
pub const EXPORT_LINK_TTL_MS: i64 = 24 * HOUR_MS;
/// Pieces in flight between the writer thread and the reader.
const PIECES_IN_FLIGHT: usize = 4;

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
            let out = ChannelWriter::new(tx.clone());
            if let Err(e) = archive::write_archive(&app, &runtime, &user_id, out) {
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
}
