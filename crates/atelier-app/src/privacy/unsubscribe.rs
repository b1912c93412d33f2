//! Marketing mail and its one-click unsubscribe (C1, D7, RFC 8058). Marketing mail goes only to
//! users who opted in, always with `List-Unsubscribe` (a signed HTTPS URL and a mailto) and
//! `List-Unsubscribe-Post: List-Unsubscribe=One-Click`, plus a visible link. The URL's token
//! names the user and carries an HMAC under a key derived from the master key: it cannot be
//! forged, needs no cookie, and says nothing about the address. Service mail never depends on the
//! opt-in.

use crate::mail::NewMail;
use crate::{App, AppError};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac as _};
use serde_json::json;
use sha2::Sha256;

/// What one marketing send did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Announced {
    /// Messages queued (one per opted-in user).
    pub queued: u64,
}

impl App {
    fn unsubscribe_mac(&self, user_id: &str) -> Result<Hmac<Sha256>, AppError> {
        let key = self.master_key()?.derive("unsubscribe-link");
        let mut mac = Hmac::<Sha256>::new_from_slice(key.as_slice())
            .map_err(|e| AppError::Corrupt(e.to_string()))?;
        mac.update(b"unsubscribe:");
        mac.update(user_id.as_bytes());
        Ok(mac)
    }

    /// The token of a user's unsubscribe link: `<user id>.<signature>`.
    ///
    /// # Errors
    /// When the master key cannot be loaded.
    pub fn unsubscribe_token(&self, user_id: &str) -> Result<String, AppError> {
        let sig = self.unsubscribe_mac(user_id)?.finalize().into_bytes();
        Ok(format!("{user_id}.{}", URL_SAFE_NO_PAD.encode(sig)))
    }

    /// The absolute one-click unsubscribe URL of a user.
    ///
    /// # Errors
    /// When the master key cannot be loaded.
    pub fn unsubscribe_url(&self, user_id: &str) -> Result<String, AppError> {
        Ok(format!(
            "{}/unsubscribe/{}",
            self.settings().public_url.as_str().trim_end_matches('/'),
            self.unsubscribe_token(user_id)?
        ))
    }

    /// Checks an unsubscribe token; the user id it names when it is genuine.
    ///
    /// # Errors
    /// [`AppError::NotFound`] for a token this instance did not sign.
    pub fn verify_unsubscribe_token(&self, token: &str) -> Result<String, AppError> {
        let (user_id, sig) = token.split_once('.').ok_or(AppError::NotFound)?;
        let sig = URL_SAFE_NO_PAD
            .decode(sig)
            .map_err(|_| AppError::NotFound)?;
        self.unsubscribe_mac(user_id)?
            .verify_slice(&sig)
            .map_err(|_| AppError::NotFound)?;
        Ok(user_id.to_owned())
    }

    /// Unsubscribes the user a genuine token names from marketing mail (D7). Idempotent; an
    /// account deleted meanwhile is simply not there any more.
    ///
    /// # Errors
    /// [`AppError::NotFound`] for a forged token.
    pub async fn unsubscribe(&self, token: &str) -> Result<(), AppError> {
        let user_id = self.verify_unsubscribe_token(token)?;
        let Ok(user) = self.store().user(&user_id).await else {
            return Ok(());
        };
        if user.marketing_opt_in {
            self.store()
                .set_marketing_opt_in(&user_id, false, self.now_ms())
                .await?;
            self.record_consent(&user_id, "marketing", "opt_out", "unsubscribe_link")
                .await?;
        }
        tracing::info!("unsubscribed from marketing mail");
        Ok(())
    }

    /// Queues one marketing message (an announcement) to every user who opted in, each with
    /// its own one-click unsubscribe (C1, D7). `body` is plain text; blank lines part paragraphs.
    ///
    /// # Errors
    /// [`AppError::Invalid`] for an empty title or body; database errors.
    pub async fn announce(&self, title: &str, body: &str) -> Result<Announced, AppError> {
        let title = title.trim();
        let body = body.trim();
        if title.is_empty() || body.is_empty() || title.chars().any(char::is_control) {
            return Err(AppError::invalid(
                crate::Refusal::InvalidAnnouncement,
                "An announcement needs a one-line title and a body.",
            ));
        }
        let paragraphs: Vec<String> = body
            .split("\n\n")
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect();
        let contact = self.privacy_contact();
        let mut after = String::new();
        let mut done = Announced::default();
        loop {
            let batch = self.store().marketing_recipients(&after, 200).await?;
            let Some(last) = batch.last() else {
                return Ok(done);
            };
            after.clone_from(&last.0);
            for (user_id, email, language) in batch {
                let url = self.unsubscribe_url(&user_id)?;
                let token = self.unsubscribe_token(&user_id)?;
                let headers = vec![
                    (
                        "List-Unsubscribe".to_owned(),
                        format!("<{url}>, <mailto:{contact}?subject=unsubscribe%20{token}>"),
                    ),
                    (
                        "List-Unsubscribe-Post".to_owned(),
                        "List-Unsubscribe=One-Click".to_owned(),
                    ),
                ];
                self.queue_mail_with_headers(
                    NewMail {
                        kind: atelier_mail::MailKind::Announcement,
                        to: &email,
                        language: &language,
                        vars: json!({
                            "title": title,
                            "body": body,
                            "paragraphs": paragraphs,
                            "unsubscribe_url": url,
                        }),
                        user_id: Some(&user_id),
                        expires_at: None,
                    },
                    headers,
                )
                .await?;
                done.queued += 1;
            }
        }
    }
}
