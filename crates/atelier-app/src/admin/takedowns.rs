//! Takedowns (issue 19: C7, R3): one action removes a gallery item — or every item of its author —
//! with its images, purges the CDN, and leaves a tombstone so that no import or indexer run brings
//! it back. The console and `atelier admin takedown` run the same use case.

use super::Staff;
use crate::{App, AppError, Refusal};

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
