//! The privacy center (D3, D6, D7, D8, P1, R1, R4, R5, SEC2, SEC4): what is held about a user,
//! the policy version they have read, consent changes, account deletion with a grace period,
//! one-click unsubscribe, every retention job in one place, the audit log and `doctor`.

pub mod deletion;
pub mod doctor;
pub mod logfiles;
pub mod retention;
pub mod unsubscribe;

use crate::{App, AppError};
use atelier_core::id::new_id;
use atelier_db::privacy::{AuditRow, ConsentEventRow};

/// The version of the instance's privacy policy (`/privacy`). Raise it whenever the policy's
/// text changes: every signed-in user then sees a banner until they open the new version (P1).
pub const POLICY_VERSION: i64 = 1;
/// When [`POLICY_VERSION`] took effect (shown on the page).
pub const POLICY_EFFECTIVE: &str = "2026-11-25";

/// Counts of what the instance holds about one user (D8).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Holdings {
    /// Signed-in sessions.
    pub sessions: i64,
    /// Personal access tokens.
    pub access_tokens: i64,
    /// IP events (C2).
    pub ip_events: i64,
    /// Generation records (with their prompts).
    pub generations: i64,
    /// Generated images.
    pub generated_images: i64,
    /// Reference uploads.
    pub uploads: i64,
    /// Favorites.
    pub favorites: i64,
    /// Boards.
    pub boards: i64,
    /// Credit ledger entries.
    pub ledger_entries: i64,
    /// Assistant calls (C9).
    pub assistant_logs: i64,
    /// Consent changes.
    pub consent_events: i64,
}

impl App {
    /// How many rows of each kind the instance holds about a user (D8).
    ///
    /// # Errors
    /// A database error.
    pub async fn holdings(&self, user_id: &str) -> Result<Holdings, AppError> {
        let s = self.store();
        let count = |table: &'static str| s.count_of_user(table, user_id);
        Ok(Holdings {
            sessions: count("sessions").await?,
            access_tokens: count("access_tokens").await?,
            ip_events: count("ip_events").await?,
            generations: count("generations").await?,
            generated_images: s.generated_image_count(user_id).await?,
            uploads: count("uploads").await?,
            favorites: count("favorites").await?,
            boards: count("boards").await?,
            ledger_entries: count("credit_entries").await?,
            assistant_logs: count("assistant_logs").await?,
            consent_events: count("consent_events").await?,
        })
    }

    /// Whether the user has yet to open the current policy (P1): then pages show a banner.
    ///
    /// # Errors
    /// A database error.
    pub async fn policy_unread(&self, user_id: &str) -> Result<bool, AppError> {
        Ok(self.store().policy_version_seen(user_id).await? < POLICY_VERSION)
    }

    /// Records that the user opened the current policy (P1).
    ///
    /// # Errors
    /// A database error.
    pub async fn mark_policy_read(&self, user_id: &str) -> Result<(), AppError> {
        if self
            .store()
            .mark_policy_seen(user_id, POLICY_VERSION)
            .await?
        {
            self.record_consent(
                user_id,
                "policy",
                &POLICY_VERSION.to_string(),
                "policy_page",
            )
            .await?;
        }
        Ok(())
    }

    /// Tells every account by mail that the policy changed (P1). Service mail: it goes to every
    /// account, whatever its marketing choice. Returns how many were queued.
    ///
    /// # Errors
    /// Database or template errors.
    pub async fn announce_policy_change(&self) -> Result<u64, AppError> {
        let policy_url = format!(
            "{}/privacy",
            self.settings().public_url.as_str().trim_end_matches('/')
        );
        let mut after = String::new();
        let mut queued = 0;
        loop {
            let batch = self.store().mail_recipients(false, &after, 200).await?;
            let Some(last) = batch.last() else {
                return Ok(queued);
            };
            after.clone_from(&last.0);
            for (user_id, email, language) in batch {
                self.queue_mail(crate::mail::NewMail {
                    kind: atelier_mail::MailKind::PolicyChanged,
                    to: &email,
                    language: &language,
                    vars: serde_json::json!({
                        "version": POLICY_VERSION,
                        "effective": POLICY_EFFECTIVE,
                        "policy_url": policy_url,
                    }),
                    user_id: Some(&user_id),
                    expires_at: None,
                })
                .await?;
                queued += 1;
            }
        }
    }

    /// Appends a consent change (C1, D7, P1).
    ///
    /// # Errors
    /// A database error.
    pub async fn record_consent(
        &self,
        user_id: &str,
        kind: &str,
        value: &str,
        source: &str,
    ) -> Result<(), AppError> {
        self.store()
            .insert_consent_event(&ConsentEventRow {
                id: new_id(),
                user_id: user_id.to_owned(),
                kind: kind.to_owned(),
                value: value.to_owned(),
                source: source.to_owned(),
                created_at: self.now_ms(),
            })
            .await?;
        Ok(())
    }

    /// A user's consent changes, newest first.
    ///
    /// # Errors
    /// A database error.
    pub async fn consent_events(&self, user_id: &str) -> Result<Vec<ConsentEventRow>, AppError> {
        Ok(self.store().consent_events(user_id).await?)
    }

    /// Appends to the audit log (SEC2): who did what to whose data. `detail` must hold no
    /// personal data.
    ///
    /// # Errors
    /// A database error.
    pub async fn audit(
        &self,
        actor: &str,
        action: &str,
        subject_user_id: Option<&str>,
        detail: &str,
    ) -> Result<(), AppError> {
        self.store()
            .insert_audit(&AuditRow {
                id: new_id(),
                actor: actor.to_owned(),
                action: action.to_owned(),
                subject_user_id: subject_user_id.map(str::to_owned),
                detail: detail.to_owned(),
                created_at: self.now_ms(),
            })
            .await?;
        Ok(())
    }

    /// What the privacy policy would show that is not a real operator's identity (issue 22): the
    /// placeholder operator name, or a contact address nobody reads (a no-reply mailbox, or one at
    /// a loopback or reserved host). Empty when the identity is real. `serve` warns and `doctor`
    /// fails while it is not (outside `--demo`).
    #[must_use]
    pub fn operator_identity_problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let operator = &self.settings().operator;
        if operator.name == atelier_core::settings::OperatorSettings::default().name {
            problems.push("`operator.name` is still the placeholder".to_owned());
        }
        let contact = self.privacy_contact();
        let (local, host) = contact.rsplit_once('@').unwrap_or(("", contact.as_str()));
        let local = local.to_ascii_lowercase();
        if [
            "no-reply",
            "noreply",
            "no_reply",
            "donotreply",
            "do-not-reply",
        ]
        .iter()
        .any(|n| local.contains(n))
        {
            problems.push(format!(
                "the contact for data requests, {contact}, is a no-reply address"
            ));
        }
        let host = host.trim_matches(['[', ']']).to_ascii_lowercase();
        let loopback = host == "localhost"
            || host.ends_with(".localhost")
            || host.ends_with(".invalid")
            || host.ends_with(".local")
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback() || ip.is_unspecified());
        if loopback {
            problems.push(format!(
                "the contact for data requests, {contact}, is at a host nobody can write to"
            ));
        }
        problems
    }

    /// Where people write about their data: `operator.contact_email`, else the mail sender.
    #[must_use]
    pub fn privacy_contact(&self) -> String {
        let settings = self.settings();
        settings.operator.contact_email.clone().unwrap_or_else(|| {
            let from = &settings.mail_from;
            from.rsplit_once('<')
                .map_or(from.as_str(), |(_, rest)| rest.trim_end_matches('>'))
                .trim()
                .to_owned()
        })
    }
}
