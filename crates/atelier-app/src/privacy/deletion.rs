//! Account deletion (D3, R1, R5): requested by the user in settings or the API, or entered by an
//! admin for a request that came by mail; confirmed by mail; withdrawable during the grace period
//! (`retention.account_deletion_grace_days`, below 30 by construction); then carried out by a
//! job: every blob of the user, every row, and the user's data key (so backup copies of the
//! encrypted blobs become unreadable); one last mail whose outbox row carries no user id and goes
//! as soon as it is sent; and no email kept — only, when the operator turns it on, a salted hash.

use crate::mail::NewMail;
use crate::{App, AppError};
use atelier_core::clock::DAY_MS;
use atelier_core::email::normalized_for_hash;
use atelier_db::privacy::DeletionRequestRow;
use atelier_mail::MailKind;
use atelier_media::BlobKey;
use hmac::{Hmac, Mac as _};
use serde_json::json;
use sha2::Sha256;

/// The policy's promise: an account is deleted within this many days of the request.
pub const DELETION_DEADLINE_DAYS: i64 = 30;

/// Who entered a deletion request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeletionSource {
    /// The user, in the app.
    User,
    /// An admin, for a request that came by mail.
    Admin,
}

impl DeletionSource {
    const fn as_str(self) -> &'static str {
        match self {
            Self::User => "self",
            Self::Admin => "admin",
        }
    }
}

impl App {
    /// Enters the deletion of the account that uses `email` (D3), for a request that came by
    /// mail to the operator: as [`App::request_account_deletion`] with [`DeletionSource::Admin`].
    /// Returns the account's address and the request.
    ///
    /// # Errors
    /// [`AppError::NotFound`] when no account uses the address.
    pub async fn request_account_deletion_by_email(
        &self,
        email: &str,
        actor: &str,
    ) -> Result<(String, DeletionRequestRow), AppError> {
        let user = self
            .store()
            .user_by_email(&email.trim().to_lowercase())
            .await?
            .ok_or(AppError::NotFound)?;
        let request = self
            .request_account_deletion(&user.id, DeletionSource::Admin, actor)
            .await?;
        Ok((user.email, request))
    }

    /// Every pending deletion request, the oldest first, with its due date; the deadline of
    /// each is `requested_at` plus [`DELETION_DEADLINE_DAYS`].
    ///
    /// # Errors
    /// When the database fails.
    pub async fn pending_deletions(&self) -> Result<Vec<DeletionRequestRow>, AppError> {
        Ok(self.store().pending_deletions().await?)
    }

    /// Requests the deletion of an account (D3): due after the grace period, confirmed by mail.
    /// Asking again keeps the first request and its date.
    ///
    /// # Errors
    /// [`AppError::NotFound`] for an unknown user.
    pub async fn request_account_deletion(
        &self,
        user_id: &str,
        source: DeletionSource,
        actor: &str,
    ) -> Result<DeletionRequestRow, AppError> {
        let user = self.store().user(user_id).await?;
        if let Some(existing) = self.store().deletion_request(user_id).await? {
            return Ok(existing);
        }
        let now = self.now_ms();
        let grace = i64::from(self.settings().retention.account_deletion_grace_days);
        let row = self
            .store()
            .request_deletion(&DeletionRequestRow {
                user_id: user_id.to_owned(),
                source: source.as_str().to_owned(),
                requested_at: now,
                due_at: now + grace * DAY_MS,
            })
            .await?;
        self.audit(actor, "deletion.requested", Some(user_id), source.as_str())
            .await?;
        let privacy_url = format!(
            "{}/settings/privacy",
            self.settings().public_url.as_str().trim_end_matches('/')
        );
        self.queue_mail(NewMail {
            kind: MailKind::DeletionRequested,
            to: &user.email,
            language: &user.language,
            vars: json!({
                "due": atelier_core::time::rfc3339(row.due_at).get(..10).unwrap_or_default(),
                "privacy_url": privacy_url,
            }),
            user_id: Some(user_id),
            expires_at: Some(row.due_at),
        })
        .await?;
        tracing::info!(source = source.as_str(), "account deletion requested");
        Ok(row)
    }

    /// Withdraws a pending deletion request during the grace period; `false` when none was
    /// pending.
    ///
    /// # Errors
    /// A database error.
    pub async fn withdraw_account_deletion(
        &self,
        user_id: &str,
        actor: &str,
    ) -> Result<bool, AppError> {
        let withdrawn = self.store().withdraw_deletion(user_id).await?;
        if withdrawn {
            self.audit(actor, "deletion.withdrawn", Some(user_id), "")
                .await?;
        }
        Ok(withdrawn)
    }

    /// The user's pending deletion request.
    ///
    /// # Errors
    /// A database error.
    pub async fn deletion_request(
        &self,
        user_id: &str,
    ) -> Result<Option<DeletionRequestRow>, AppError> {
        Ok(self.store().deletion_request(user_id).await?)
    }

    /// Carries out every deletion that is due; returns how many accounts were deleted.
    ///
    /// # Errors
    /// When storage or the database fails (the rest is tried again on the next run).
    pub async fn process_due_deletions(&self) -> Result<u64, AppError> {
        let mut deleted = 0;
        loop {
            let due = self.store().due_deletions(self.now_ms(), 50).await?;
            if due.is_empty() {
                return Ok(deleted);
            }
            for request in due {
                self.delete_account(&request).await?;
                deleted += 1;
            }
        }
    }

    /// Deletes one account for good. Safe to run again after a crash at any step.
    async fn delete_account(&self, request: &DeletionRequestRow) -> Result<(), AppError> {
        let user_id = &request.user_id;
        let user = self.store().user(user_id).await?;
        // The CDN forgets the images (C6); private URLs are not cached by it, signed ones are.
        let image_ids = self.store().generated_image_ids(user_id).await?;
        let paths: Vec<String> = image_ids
            .iter()
            .flat_map(|id| crate::image_urls::every_generated_variant(id))
            .collect();
        self.queue_cdn_purge(&paths).await?;
        // Storage first: should the rows go and this step fail, nothing would name the blobs.
        self.blobs()
            .delete_prefix(&BlobKey::user_prefix(user_id))
            .await?;
        // The last mail: no user id on its row, so it survives the rows' deletion and goes (with
        // the address) as soon as it is sent.
        let last_mail = self
            .queue_mail(NewMail {
                kind: MailKind::AccountDeleted,
                to: &user.email,
                language: &user.language,
                vars: json!({}),
                user_id: None,
                expires_at: None,
            })
            .await?;
        let rate_keys: Vec<String> = crate::accounts::RateLimit::PER_PERSON
            .iter()
            .flat_map(|limit| [limit.key(&user.email), limit.key(user_id)])
            .collect();
        self.store()
            .delete_account_rows(user_id, &user.email, &rate_keys, &last_mail, self.now_ms())
            .await?;
        if self.settings().accounts.keep_deleted_email_hash {
            let hash = self.deleted_email_hash(&user.email)?;
            self.store()
                .insert_blocked_hash(&hash, self.now_ms())
                .await?;
        }
        self.audit(
            "system",
            "account.deleted",
            None,
            &format!(
                "requested by {} {} days before",
                request.source,
                (self.now_ms() - request.requested_at) / DAY_MS
            ),
        )
        .await?;
        tracing::info!(source = %request.source, "account deleted");
        Ok(())
    }

    /// The salted hash kept of a deleted address when the operator turns it on (R5): HMAC-SHA256
    /// under a key derived from the master key, of the address normalized as mail providers
    /// treat it (case, Gmail's dots and `+tags`).
    ///
    /// # Errors
    /// When the master key cannot be loaded.
    pub fn deleted_email_hash(&self, email: &str) -> Result<String, AppError> {
        let key = self.master_key()?.derive("deleted-email-hash");
        let mut mac = Hmac::<Sha256>::new_from_slice(key.as_slice())
            .map_err(|e| AppError::Corrupt(e.to_string()))?;
        mac.update(normalized_for_hash(email).as_bytes());
        Ok(hex::encode(mac.finalize().into_bytes()))
    }

    /// Whether an address belongs to an account deleted for abuse (only when the operator keeps
    /// hashes).
    ///
    /// # Errors
    /// A database error.
    pub async fn email_blocked(&self, email: &str) -> Result<bool, AppError> {
        if !self.settings().accounts.keep_deleted_email_hash {
            return Ok(false);
        }
        let hash = self.deleted_email_hash(email)?;
        Ok(self.store().is_blocked_hash(&hash).await?)
    }
}
