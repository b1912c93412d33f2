//! The mail a test app sent: the file transport writes every message to `outbox/` in the data
//! folder; [`SentMail`] reads one back, with its one-time code and magic link.

use crate::TestApp;

/// A message the file transport wrote.
#[derive(Debug, Clone)]
pub struct SentMail {
    /// The file.
    pub path: std::path::PathBuf,
    /// `To` address.
    pub to: String,
    /// Decoded subject.
    pub subject: String,
    /// Decoded plain-text body.
    pub text: String,
    /// Decoded HTML body.
    pub html: String,
    /// Every header, raw, for header checks.
    pub raw_headers: String,
}

impl SentMail {
    /// The first run of exactly six digits in the text body (the one-time code).
    pub fn code(&self) -> String {
        let bytes = self.text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i].is_ascii_digit() {
                let start = i;
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
                if i - start == 6 {
                    return self.text[start..i].to_owned();
                }
            } else {
                i += 1;
            }
        }
        panic!("no 6-digit code in the mail: {}", self.text)
    }

    /// The magic link's token.
    pub fn link_token(&self) -> String {
        let at = self.text.find("token=").expect("a magic link in the mail");
        self.text[at + 6..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect()
    }
}

/// A six-digit code that is not `code` (the next one up): a wrong guess.
///
/// # Panics
/// When `code` is not a number.
#[must_use]
pub fn wrong_code(code: &str) -> String {
    let n: u32 = code.parse().expect("a numeric code");
    format!("{:06}", (n + 1) % 1_000_000)
}

impl TestApp {
    /// Every message in the file transport's outbox folder, oldest first.
    pub fn mails(&self) -> Vec<SentMail> {
        let dir = self.data_dir.path().join("outbox");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Vec::new();
        };
        let mut paths: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        // Written in this order (names share the test clock's second, so they cannot tell).
        paths.sort_by_key(|p| {
            std::fs::metadata(p)
                .and_then(|m| m.modified())
                .unwrap_or(std::time::SystemTime::UNIX_EPOCH)
        });
        paths.into_iter().map(read_mail).collect()
    }

    /// The newest message to `to`, after running due jobs (the mail job among them).
    pub async fn last_mail_to(&self, to: &str) -> SentMail {
        self.run_jobs().await;
        self.mails()
            .into_iter()
            .rev()
            .find(|m| m.to == to)
            .unwrap_or_else(|| panic!("no mail to {to}"))
    }
}

/// Reads one message file.
fn read_mail(path: std::path::PathBuf) -> SentMail {
    let raw = std::fs::read(&path).unwrap();
    let msg = mail_parser::MessageParser::default().parse(&raw).unwrap();
    let head_end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(raw.len());
    SentMail {
        to: msg
            .to()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .unwrap_or_default()
            .to_owned(),
        subject: msg.subject().unwrap_or_default().to_owned(),
        text: msg.body_text(0).unwrap_or_default().into_owned(),
        html: msg.body_html(0).unwrap_or_default().into_owned(),
        raw_headers: String::from_utf8_lossy(&raw[..head_end]).into_owned(),
        path,
    }
}
