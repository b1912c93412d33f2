//! The account's own settings (C3: an id, an email, an optional display name — nothing else about
//! the person), email change verified at the new address with a notice to the old one (D5), roles
//! (SEC2), and the purges of expired account rows (C2).

use super::secrets::hash_code;
use super::signin::{invalid_code, parse_email};
use super::{CODE_TTL_MINUTES, RateLimit, User, normalize_language};
use crate::mail::NewMail;
use crate::{App, AppError};
use atelier_core::clock::{DAY_MS, HOUR_MS, MINUTE_MS};
use atelier_core::id::new_id;
use atelier_core::{Email, Role, random_digits};
use atelier_db::DbError;
use atelier_db::accounts::{ChallengePurpose, ChallengeRow};
use atelier_mail::MailKind;
use serde_json::json;

/// Longest display name.
pub const MAX_DISPLAY_NAME_CHARS: usize = 60;

/// Changes to the profile; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ProfileUpdate {
    /// A new display name; `Some(None)` or an empty name removes it.
    pub display_name: Option<Option<String>>,
    /// `en` or `zh-CN`.
    pub language: Option<String>,
    /// Marketing mail opt-in (D7).
    pub marketing_opt_in: Option<bool>,
}

/// What one purge of account rows removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AccountPurge {
    /// Expired or used-up codes.
    pub challenges: u64,
    /// Sessions past their idle or absolute timeout.
    pub sessions: u64,
    /// Expired access tokens.
    pub access_tokens: u64,
    /// Old rate-limit counters.
    pub rate_limits: u64,
    /// Undeliverable or expired outbox messages.
    pub outbox: u64,
}

impl App {
    /// The user with this id.
    ///
    /// # Errors
    /// [`AppError::NotFound`].
    pub async fn user(&self, id: &str) -> Result<User, AppError> {
        Ok(User::from(self.store().user(id).await?))
    }

    /// Applies profile changes (`PATCH /api/v1/me`).
    ///
    /// # Errors
    /// [`AppError::Invalid`] `invalid_display_name` or `invalid_language`.
    pub async fn update_profile(
        &self,
        user_id: &str,
        update: ProfileUpdate,
    ) -> Result<User, AppError> {
        let mut user = self.user(user_id).await?;
        if let Some(name) = update.display_name {
            let name = name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
            if let Some(n) = &name
                && (n.chars().count() > MAX_DISPLAY_NAME_CHARS || n.chars().any(char::is_control))
            {
                return Err(AppError::invalid(
                    crate::Refusal::InvalidDisplayName,
                    format!(
                        "A display name has at most {MAX_DISPLAY_NAME_CHARS} characters and no control characters."
                    ),
                ));
            }
            user.display_name = name;
        }
        if let Some(language) = update.language {
            user.language = normalize_language(&language)
                .ok_or_else(|| {
                    AppError::invalid(
                        crate::Refusal::InvalidLanguage,
                        "The language must be `en` or `zh-CN`.",
                    )
                })?
                .to_owned();
        }
        let consent_change = update
            .marketing_opt_in
            .filter(|opt_in| *opt_in != user.marketing_opt_in);
        if let Some(opt_in) = update.marketing_opt_in {
            user.marketing_opt_in = opt_in;
        }
        self.store()
            .update_user(&user.to_row(), self.now_ms())
            .await?;
        if let Some(opt_in) = consent_change {
            let value = if opt_in { "opt_in" } else { "opt_out" };
            self.record_consent(user_id, "marketing", value, "settings")
                .await?;
        }
        Ok(user)
    }

    /// Sends a code to a new address (D5, step 1).
    ///
    /// # Errors
    /// [`AppError::Invalid`] `invalid_email` or `same_email`, [`AppError::RateLimited`].
    pub async fn request_email_change(&self, user: &User, new_email: &str) -> Result<(), AppError> {
        let email = parse_email(new_email)?;
        if email.as_str() == user.email {
            return Err(AppError::invalid(
                crate::Refusal::SameEmail,
                "That is already your address.",
            ));
        }
        self.hit_limit(RateLimit::MailPerAddress, email.as_str())
            .await?;
        self.hit_limit(RateLimit::MailPerAddress, &user.id).await?;
        let now = self.now_ms();
        let expires_at = now + CODE_TTL_MINUTES * MINUTE_MS;
        let id = new_id();
        let code = random_digits(6);
        let challenge = ChallengeRow {
            code_hash: hash_code(&id, &code),
            id,
            email: email.as_str().to_owned(),
            user_id: Some(user.id.clone()),
            link_hash: None,
            browser_hash: None,
            language: user.language.clone(),
            attempts: 0,
            created_at: now,
            expires_at,
        };
        self.store()
            .replace_challenge(ChallengePurpose::EmailChange, &challenge)
            .await?;
        self.queue_mail(NewMail {
            kind: MailKind::EmailChangeCode,
            to: email.as_str(),
            language: &user.language,
            vars: json!({ "code": code, "new_email": email.as_str(), "minutes": CODE_TTL_MINUTES }),
            user_id: Some(&user.id),
            expires_at: Some(expires_at),
        })
        .await?;
        Ok(())
    }

    /// Confirms a new address with its code and tells the old address (D5, step 2).
    ///
    /// # Errors
    /// [`AppError::Invalid`] `invalid_code` or `email_taken`.
    pub async fn confirm_email_change(&self, user: &User, code: &str) -> Result<User, AppError> {
        let challenge = self
            .store()
            .email_change_challenge(&user.id)
            .await?
            .ok_or_else(invalid_code)?;
        self.check_code(&challenge, code).await?;
        if !self.store().consume_challenge(&challenge.id).await? {
            return Err(invalid_code());
        }
        let now = self.now_ms();
        match self
            .store()
            .set_user_email(&user.id, &challenge.email, now)
            .await
        {
            Ok(()) => {}
            Err(DbError::Conflict) => {
                return Err(AppError::invalid(
                    crate::Refusal::EmailTaken,
                    "Another account uses that address.",
                ));
            }
            Err(e) => return Err(e.into()),
        }
        let new_email = Email::from_trusted(challenge.email.clone());
        self.queue_mail(NewMail {
            kind: MailKind::EmailChangedNotice,
            to: &user.email,
            language: &user.language,
            vars: json!({
                "new_email_masked": new_email.masked(),
                "when": format!("{} UTC", atelier_core::time::rfc3339(now).replace('T', " ").trim_end_matches('Z')),
                "support_hint": "",
            }),
            user_id: None,
            expires_at: None,
        })
        .await?;
        self.user(&user.id).await
    }

    /// Gives the user with this address a role (`atelier admin grant`).
    ///
    /// # Errors
    /// [`AppError::NotFound`] when no account has the address.
    pub async fn grant_role(&self, email: &str, role: Role) -> Result<User, AppError> {
        let email = parse_email(email)?;
        let row = self
            .store()
            .user_by_email(email.as_str())
            .await?
            .ok_or(AppError::NotFound)?;
        let mut user = User::from(row);
        if !user.roles.contains(&role) {
            user.roles.push(role);
            user.roles = Role::parse_list(&Role::join(&user.roles));
            self.store()
                .update_user(&user.to_row(), self.now_ms())
                .await?;
        }
        Ok(user)
    }

    /// Removes IP events older than `retention.ip_event_days` (C2); returns how many.
    ///
    /// # Errors
    /// On database failure.
    pub async fn purge_ip_events(&self) -> Result<u64, AppError> {
        let days = i64::from(self.settings().retention.ip_event_days);
        let before = self.now_ms() - days * DAY_MS;
        Ok(self.store().delete_ip_events_before(before).await?)
    }

    /// Removes expired codes, sessions, tokens, rate-limit counters and undeliverable mail.
    ///
    /// # Errors
    /// On database failure.
    pub async fn purge_expired_account_rows(&self) -> Result<AccountPurge, AppError> {
        let now = self.now_ms();
        let store = self.store();
        let idle_ms = i64::from(self.settings().accounts.session_idle_minutes) * MINUTE_MS;
        Ok(AccountPurge {
            challenges: store.delete_expired_challenges(now).await?,
            sessions: store.delete_expired_sessions(now, now - idle_ms).await?,
            access_tokens: store.delete_expired_access_tokens(now).await?,
            rate_limits: store.delete_rate_limits_before(now - 2 * HOUR_MS).await?,
            outbox: store.delete_stale_outbox(now - 3 * DAY_MS, now).await?,
        })
    }
}
