//! Writing the export's ZIP on a blocking thread: the writer that hands the ZIP on in pieces as
//! it grows, the archive's entries in their order (README, the JSON files of `entries`, then the
//! images, decrypted one at a time), and the mapping of every failure to an I/O error of the
//! stream. Kept apart from the use cases because it is synchronous code that reaches the
//! database and the blob store only through the runtime's `block_on`.

use super::ZipPiece;
use super::entries::{
    AccessToken, Account, AssistantLog, Consent, DeletionRequest, Export, Favorite, IpEvent,
    Ledger, MailPreferences, Purchase, Session, Upload, boards, generations,
};
use super::readme::readme;
use crate::{App, AppError};
use atelier_core::time::rfc3339;
use atelier_db::generations::GenerationImageRow;
use atelier_db::uploads::UploadRow;
use atelier_db::{DbError, Store};
use atelier_media::{BlobKey, segment};
use bytes::Bytes;
use serde::Serialize;
use std::future::Future;
use std::io::Write;
use tokio::runtime::Handle;
use tokio::sync::mpsc;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// Bytes gathered before a piece of the ZIP is handed on.
const PIECE: usize = 64 * 1024;

/// Writes the whole archive (on a blocking thread; database and storage calls go through
/// `rt`).
pub(super) fn write_archive(
    app: &App,
    rt: &Handle,
    user_id: &str,
    out: ChannelWriter,
) -> std::io::Result<()> {
    let now = app.now_ms();
    let mut a = Archive::new(out, now);
    let db = BlockingStore {
        store: app.store(),
        rt,
    };
    let store = db.store;

    let account = db.read(store.export_account(user_id))?;
    let deletion = db.read(store.deletion_request(user_id))?;
    a.text("README.txt", &readme(now, deletion.is_some()))?;
    a.json("account.json", &Account::from(&account))?;
    a.json("mail_preferences.json", &MailPreferences::from(&account))?;
    let sessions = db.read(store.export_sessions(user_id))?;
    a.each("sessions.json", &sessions, Session::from)?;
    let tokens = db.read(store.export_access_tokens(user_id))?;
    a.each("access_tokens.json", &tokens, AccessToken::from)?;
    let ip_events = db.read(store.export_ip_events(user_id))?;
    a.each("ip_events.json", &ip_events, IpEvent::from)?;
    let mut images = write_uploads(&mut a, &db, user_id)?;
    images.extend(write_generations(&mut a, &db, user_id)?);
    let favorites = db.read(store.export_favorites(user_id))?;
    a.each("favorites.json", &favorites, Favorite::from)?;
    let board_rows = db.read(store.export_boards(user_id))?;
    let board_items = db.read(store.export_board_items(user_id))?;
    a.json("boards.json", &boards(&board_rows, &board_items))?;
    let entries = db.read(store.export_credit_entries(user_id))?;
    let balance = db.read(store.credit_balance(user_id))?;
    a.json("ledger.json", &Ledger::new(balance, &entries))?;
    let mut purchases = db.read(store.purchases_of(user_id, i64::MAX, None))?;
    purchases.reverse();
    a.each("purchases.json", &purchases, Purchase::from)?;
    let logs = db.read(store.assistant_logs_of_user(user_id, i64::MAX, None))?;
    a.each("assistant_logs.json", &logs, AssistantLog::from)?;
    let consents = db.read(store.consent_events(user_id))?;
    a.each("consents.json", &consents, Consent::from)?;
    let exports = db.read(store.exports_of_user(user_id))?;
    a.each("exports.json", &exports, Export::from)?;
    if let Some(d) = &deletion {
        a.json("deletion_request.json", &DeletionRequest::from(d))?;
    }

    write_images(&mut a, app, rt, user_id, &images)?;
    a.finish()
}

/// Writes `uploads.json`; returns the uploads to copy into the archive.
fn write_uploads(
    a: &mut Archive,
    db: &BlockingStore<'_>,
    user_id: &str,
) -> std::io::Result<Vec<ImageFile>> {
    let uploads = db.read(db.store.export_uploads(user_id))?;
    let files: Vec<ImageFile> = uploads
        .iter()
        .map(|u| ImageFile::upload(user_id, u))
        .collect();
    let list: Vec<Upload<'_>> = uploads
        .iter()
        .zip(&files)
        .map(|(u, f)| Upload::new(u, &f.path))
        .collect();
    a.json("uploads.json", &list)?;
    Ok(files)
}

/// Writes `generations.json`; returns the generated images to copy into the archive.
fn write_generations(
    a: &mut Archive,
    db: &BlockingStore<'_>,
    user_id: &str,
) -> std::io::Result<Vec<ImageFile>> {
    let store = db.store;
    let rows = db.read(store.export_generations(user_id))?;
    let images = db.read(store.export_generation_images(user_id))?;
    let files: Vec<ImageFile> = images
        .iter()
        .map(|i| ImageFile::generated(user_id, i))
        .collect();
    let references = db.read(store.export_generation_references(user_id))?;
    let edits = db.read(store.export_generation_edits(user_id))?;
    let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    a.json(
        "generations.json",
        &generations(&rows, &references, &edits, &images, &paths),
    )?;
    Ok(files)
}

/// Copies the images into the archive, one at a time, decrypted. One deleted between the
/// listing and the copy (or never stored) is named in `images/missing.json` instead of failing
/// the export.
fn write_images(
    a: &mut Archive,
    app: &App,
    rt: &Handle,
    user_id: &str,
    images: &[ImageFile],
) -> std::io::Result<()> {
    let mut missing = Vec::new();
    for image in images {
        match rt.block_on(app.get_private_blob(user_id, &image.key)) {
            Ok(bytes) => a.binary(&image.path, &bytes)?,
            Err(AppError::NotFound) => missing.push(image.path.clone()),
            Err(e) => return Err(io_err(e)),
        }
    }
    if !missing.is_empty() {
        a.json("images/missing.json", &missing)?;
    }
    Ok(())
}

/// An image of the user's to copy into the archive.
#[derive(Debug)]
struct ImageFile {
    /// Where its original is stored (encrypted).
    key: BlobKey,
    /// Its path in the archive: `images/<kind>/<id>.<extension>`.
    path: String,
}

impl ImageFile {
    fn upload(user_id: &str, upload: &UploadRow) -> Self {
        ImageFile {
            key: BlobKey::upload(user_id, &upload.id),
            path: format!(
                "images/uploads/{}.{}",
                segment(&upload.id),
                extension(&upload.content_type)
            ),
        }
    }

    fn generated(user_id: &str, image: &GenerationImageRow) -> Self {
        ImageFile {
            key: BlobKey::generated(user_id, &image.id, "original"),
            path: format!(
                "images/generations/{}.{}",
                segment(&image.id),
                extension(&image.content_type)
            ),
        }
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

/// The database, read from the writer's blocking thread.
struct BlockingStore<'a> {
    store: &'a Store,
    rt: &'a Handle,
}

impl BlockingStore<'_> {
    /// Waits for `query`; a database error becomes an I/O error of the stream.
    fn read<T>(&self, query: impl Future<Output = Result<T, DbError>>) -> std::io::Result<T> {
        self.rt.block_on(query).map_err(io_err)
    }
}

/// Hands the ZIP on in pieces of [`PIECE`] bytes; fails with `BrokenPipe` once nobody reads.
pub(super) struct ChannelWriter {
    tx: mpsc::Sender<ZipPiece>,
    buf: Vec<u8>,
}

impl ChannelWriter {
    /// A writer handing its pieces to `tx`.
    pub(super) fn new(tx: mpsc::Sender<ZipPiece>) -> Self {
        ChannelWriter {
            tx,
            buf: Vec::with_capacity(PIECE),
        }
    }

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

/// The ZIP being written: every entry stamped with the time the export was made.
struct Archive {
    zip: ZipWriter<zip::write::StreamWriter<ChannelWriter>>,
    stamp: zip::DateTime,
}

impl Archive {
    fn new(out: ChannelWriter, now: i64) -> Self {
        Archive {
            zip: ZipWriter::new_stream(out),
            stamp: zip_time(now),
        }
    }

    /// A JSON file: `value` pretty-printed, with a final newline.
    fn json(&mut self, name: &str, value: &impl Serialize) -> std::io::Result<()> {
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .last_modified_time(self.stamp);
        self.zip.start_file(name, options).map_err(zip_err)?;
        serde_json::to_writer_pretty(&mut self.zip, value).map_err(io_err)?;
        self.zip.write_all(b"\n")
    }

    /// A JSON file listing one `entry` per row.
    fn each<'r, R, E: Serialize>(
        &mut self,
        name: &str,
        rows: &'r [R],
        entry: impl Fn(&'r R) -> E,
    ) -> std::io::Result<()> {
        self.json(name, &rows.iter().map(entry).collect::<Vec<E>>())
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

    /// Writes the central directory and hands on the last piece.
    fn finish(self) -> std::io::Result<()> {
        let out = self.zip.finish().map_err(zip_err)?;
        out.into_inner().flush()
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
