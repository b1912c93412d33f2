//! The file transport: each message written as an `.eml` file, for development and for
//! instances that hand mail to another program.

use std::path::{Path, PathBuf};

use crate::message::build_message;
use crate::{OutgoingMail, SendError, Transport};

/// Writes each message to `<dir>/<yyyymmddThhmmss>-<id>.eml` (UTC date of the mail), as the
/// full RFC 5322 bytes with CRLF line endings.
///
/// The folder is created when missing; each file is written under a temporary name and renamed,
/// so a reader never sees half a message. Sending the same id again replaces the earlier file.
#[derive(Debug, Clone)]
pub struct FileTransport {
    dir: PathBuf,
}

impl FileTransport {
    /// A transport writing into `dir`.
    #[must_use]
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    /// The folder messages are written to.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file name of a mail: `<yyyymmddThhmmss>-<id>.eml`.
    #[must_use]
    pub fn file_name(mail: &OutgoingMail) -> String {
        let stamp: String = atelier_core::time::rfc3339(mail.date_ms)
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == 'T')
            .collect();
        format!("{stamp}-{}.eml", mail.id)
    }
}

/// `<15-character stamp>-<id>.eml`: whether `name` is the file of mail `id`, whatever its date.
fn is_file_of(name: &str, id: &str) -> bool {
    name.len() == 16 + id.len() + 4
        && name.is_char_boundary(16)
        && name.as_bytes().get(15) == Some(&b'-')
        && name[16..].strip_suffix(".eml") == Some(id)
}

fn io_retry(what: &str, e: &std::io::Error) -> SendError {
    SendError::retry(format!("file transport: {what}: {e}"))
}

#[async_trait::async_trait]
impl Transport for FileTransport {
    fn name(&self) -> &'static str {
        "file"
    }

    async fn send(&self, mail: &OutgoingMail) -> Result<(), SendError> {
        let bytes = build_message(mail)?.formatted();
        let name = Self::file_name(mail);
        tokio::fs::create_dir_all(&self.dir)
            .await
            .map_err(|e| io_retry("creating the outbox folder", &e))?;

        let tmp = self
            .dir
            .join(format!(".{name}.{}.tmp", atelier_core::random_token(9)));
        let written = async {
            tokio::fs::write(&tmp, &bytes).await?;
            tokio::fs::File::open(&tmp).await?.sync_all().await?;
            tokio::fs::rename(&tmp, self.dir.join(&name)).await
        }
        .await;
        if let Err(e) = written {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(io_retry("writing the message", &e));
        }

        // The same mail sent again with another date: keep only the newest file.
        let mut entries = tokio::fs::read_dir(&self.dir)
            .await
            .map_err(|e| io_retry("reading the outbox folder", &e))?;
        while let Ok(Some(entry)) = entries.next_entry().await {
            let file_name = entry.file_name();
            let Some(other) = file_name.to_str() else {
                continue;
            };
            if other != name && is_file_of(other, &mail.id) {
                let _ = tokio::fs::remove_file(entry.path()).await;
            }
        }
        tracing::debug!(mail_id = %mail.id, transport = "file", "mail written");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_files_by_date_and_id() {
        let mail = OutgoingMail {
            id: "x-abc".into(),
            from: String::new(),
            to: String::new(),
            subject: String::new(),
            text: String::new(),
            html: String::new(),
            date_ms: 1_769_934_600_000,
            headers: vec![],
        };
        let name = FileTransport::file_name(&mail);
        assert_eq!(name, "20260201T083000-x-abc.eml");
        assert!(is_file_of(&name, "x-abc"));
        assert!(!is_file_of(&name, "abc"));
        assert!(!is_file_of("20260201T083000-abc.eml.tmp", "abc"));
        assert!(is_file_of("20250101T000000-abc.eml", "abc"));
    }
}
