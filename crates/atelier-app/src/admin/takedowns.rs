//! Takedowns (issue 19: C7, R3): one action removes a gallery item — or every item of its author —
//! with its images, purges the CDN, and leaves a tombstone so that no import or indexer run brings
//! it back. The console and `atelier admin takedown` run the same use case.

use super::Staff;
use crate::accounts::RateLimit;
use crate::mail::NewMail;
use crate::{App, AppError, Refusal};
use atelier_core::id::new_id;
use atelier_db::takedown_requests::TakedownRequestRow;
use atelier_mail::MailKind;
use std::net::IpAddr;

/// Takedown requests one IP address may file in an hour.
pub const TAKEDOWN_REQUESTS_PER_IP_PER_HOUR: u32 = 5;
/// Longest source URL of a request.
const MAX_URL_CHARS: usize = 500;
/// Longest reason of a request.
const MAX_REQUEST_REASON_CHARS: usize = 2000;

/// A creator's request to remove a post.
#[derive(Debug, Clone)]
pub struct TakedownRequest<'a> {
    /// The post's URL.
    pub source_url: &'a str,
    /// Where to answer.
    pub contact_email: &'a str,
    /// Why.
    pub reason: &'a str,
    /// The language to answer in (`en`, `zh-CN`).
    pub language: &'a str,
    /// The requester's address, for the rate limit.
    pub ip: IpAddr,
}

/// How staff answer a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TakedownAnswer {
    /// Remove the post (with `true`: every item of its author, for good).
    Remove(bool),
    /// Keep it.
    Decline,
}

/// What to take down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TakedownTarget<'a> {
    /// A gallery item by its id.
    Item(&'a str),
    /// The items whose source post is at this URL.
    SourceUrl(&'a str),
}

impl<'a> TakedownTarget<'a> {
    /// A target as typed: a URL (`http…`) or a gallery id.
    #[must_use]
    pub fn parse(text: &'a str) -> Self {
        let text = text.trim();
        if text.starts_with("http://") || text.starts_with("https://") {
            Self::SourceUrl(text)
        } else {
            Self::Item(text)
        }
    }
}

/// What a takedown removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TakedownOutcome {
    /// The items removed.
    pub removed: Vec<String>,
    /// The author whose later posts stay out too (`source`, `handle`), for an author takedown.
    pub author: Option<(String, String)>,
}

impl App {
    /// Takes down `target` (and, with `author`, every item of its author, for good) on behalf of
    /// `actor` (a staff member's id, or `cli`); audited with the reason.
    ///
    /// # Errors
    /// [`AppError::NotFound`] when nothing matches; [`AppError::Invalid`] `invalid_reason`.
    pub async fn take_down(
        &self,
        actor: &str,
        target: TakedownTarget<'_>,
        author: bool,
        reason: &str,
    ) -> Result<TakedownOutcome, AppError> {
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 || reason.chars().any(char::is_control)
        {
            return Err(AppError::invalid(
                Refusal::InvalidReason,
                "Give a reason of 1 to 500 characters.",
            ));
        }
        let mut ids = match target {
            TakedownTarget::Item(id) => vec![self.store().gallery_item(id).await?.id],
            TakedownTarget::SourceUrl(url) => self.store().gallery_ids_by_source_url(url).await?,
        };
        let Some(first) = ids.first().cloned() else {
            return Err(AppError::NotFound);
        };
        let mut gone_author = None;
        if author {
            let (source, handle, all) = self.store().gallery_author_items(&first).await?;
            self.store()
                .tombstone_author(&source, &handle, self.now_ms())
                .await?;
            ids = all;
            gone_author = Some((source, handle));
        }
        let mut removed = Vec::with_capacity(ids.len());
        for id in ids {
            if self.take_down_gallery_item(&id).await? {
                removed.push(id);
            }
        }
        let scope = if author { "author" } else { "item" };
        self.audit(
            actor,
            "takedown.done",
            None,
            &format!("{} {scope} item(s) removed: {reason}", removed.len()),
        )
        .await?;
        tracing::info!(removed = removed.len(), scope, "takedown");
        Ok(TakedownOutcome {
            removed,
            author: gone_author,
        })
    }

    /// [`App::take_down`] by an admin of the console.
    ///
    /// # Errors
    /// [`AppError::Forbidden`] for support; as [`App::take_down`].
    pub async fn admin_takedown(
        &self,
        staff: &Staff,
        target: TakedownTarget<'_>,
        author: bool,
        reason: &str,
    ) -> Result<TakedownOutcome, AppError> {
        staff.manage()?;
        self.take_down(&staff.user().id, target, author, reason)
            .await
    }
}

impl App {
    /// Files a creator's takedown request (C7): anyone may, a few times an hour from one address.
    /// Returns its id.
    ///
    /// # Errors
    /// [`AppError::RateLimited`]; [`AppError::Invalid`] `invalid_source_url`, `invalid_email` or
    /// `invalid_reason`.
    pub async fn request_takedown(&self, r: &TakedownRequest<'_>) -> Result<String, AppError> {
        self.hit_ip_limit(RateLimit::TakedownPerIp, r.ip).await?;
        let url = r.source_url.trim();
        let url_ok = (url.starts_with("https://") || url.starts_with("http://"))
            && url.chars().count() <= MAX_URL_CHARS
            && !url.chars().any(|c| c.is_control() || c.is_whitespace());
        if !url_ok {
            return Err(AppError::invalid(
                Refusal::InvalidSourceUrl,
                "Give the post's full web address (https://…).",
            ));
        }
        let email = atelier_core::Email::parse(r.contact_email)
            .map_err(|e| AppError::invalid(Refusal::InvalidEmail, e.to_string()))?;
        let reason = r.reason.trim();
        if reason.is_empty() || reason.chars().count() > MAX_REQUEST_REASON_CHARS {
            return Err(AppError::invalid(
                Refusal::InvalidReason,
                format!("Say why in 1 to {MAX_REQUEST_REASON_CHARS} characters."),
            ));
        }
        let row = TakedownRequestRow {
            id: new_id(),
            source_url: url.to_owned(),
            contact_email: Some(email.as_str().to_owned()),
            language: atelier_core::Lang::from_tag(r.language).as_str().to_owned(),
            reason: reason.to_owned(),
            status: "open".to_owned(),
            removed: 0,
            created_at: self.now_ms(),
            closed_at: None,
            closed_by: None,
        };
        self.store().insert_takedown_request(&row).await?;
        tracing::info!(request_id = %row.id, "takedown requested");
        Ok(row.id)
    }

    /// The requests, open ones first (staff).
    ///
    /// # Errors
    /// On database failure.
    pub async fn admin_takedown_requests(
        &self,
        _staff: &Staff,
    ) -> Result<Vec<TakedownRequestRow>, AppError> {
        Ok(self.store().takedown_requests(200).await?)
    }

    /// Answers an open request (admin): removes the post (or its author's) as
    /// [`App::take_down`] does, or declines; closes the request and tells the requester by mail.
    ///
    /// # Errors
    /// [`AppError::Forbidden`] for support; [`AppError::NotFound`] for an unknown request, or
    /// when the post to remove is not in the gallery (decline it then);
    /// [`AppError::Conflict`] `already_answered`.
    pub async fn admin_answer_takedown(
        &self,
        staff: &Staff,
        id: &str,
        answer: TakedownAnswer,
    ) -> Result<TakedownRequestRow, AppError> {
        staff.manage()?;
        let request = self.store().takedown_request(id).await?;
        if request.status != "open" {
            return Err(AppError::Conflict {
                refusal: Refusal::AlreadyAnswered,
                message: "This request was answered already.".to_owned(),
            });
        }
        let (status, removed) = match answer {
            TakedownAnswer::Remove(author) => {
                let outcome = self
                    .take_down(
                        &staff.user().id,
                        TakedownTarget::SourceUrl(&request.source_url),
                        author,
                        &format!("request {}", request.id),
                    )
                    .await?;
                ("removed", outcome.removed.len())
            }
            TakedownAnswer::Decline => ("declined", 0),
        };
        let removed = i64::try_from(removed).unwrap_or(i64::MAX);
        if !self
            .store()
            .close_takedown_request(id, status, removed, &staff.user().id, self.now_ms())
            .await?
        {
            return Err(AppError::Conflict {
                refusal: Refusal::AlreadyAnswered,
                message: "This request was answered already.".to_owned(),
            });
        }
        self.audit(
            &staff.user().id,
            "takedown.answered",
            None,
            &format!("{id}: {status}"),
        )
        .await?;
        if let Some(to) = &request.contact_email {
            self.queue_mail(NewMail {
                kind: MailKind::TakedownAnswer,
                to,
                language: &request.language,
                vars: serde_json::json!({
                    "source_url": request.source_url,
                    "removed": status == "removed",
                    "count": removed,
                }),
                user_id: None,
                expires_at: None,
            })
            .await?;
        }
        Ok(self.store().takedown_request(id).await?)
    }

    /// Clears the address of requests answered more than `retention.takedown_contact_days` ago
    /// (a retention job); returns how many.
    ///
    /// # Errors
    /// On database failure.
    pub async fn forget_takedown_contacts(&self) -> Result<u64, AppError> {
        let days = i64::from(self.settings().retention.takedown_contact_days);
        let before = self.now_ms() - days * atelier_core::clock::DAY_MS;
        Ok(self.store().forget_takedown_contacts(before).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c7_a_target_is_a_url_or_an_id() {
        assert_eq!(
            TakedownTarget::parse(" https://x.com/a/status/1 "),
            TakedownTarget::SourceUrl("https://x.com/a/status/1")
        );
        assert_eq!(
            TakedownTarget::parse("abc123"),
            TakedownTarget::Item("abc123")
        );
    }
}
