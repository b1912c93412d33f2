//! Mail leaves through the outbox: a use case renders the message in the recipient's language and
//! stores it with a job in the same breath; the job hands it to the transport and then deletes the
//! row, so sent mail is never kept with its address. Mail that is useless once its code expired is
//! dropped unsent.

use crate::{App, AppError, JobKind};
use atelier_core::id::new_id;
use atelier_db::accounts::OutboxRow;
use atelier_jobs::{EnqueueOptions, JobContext, JobError};
use atelier_mail::{MailKind, OutgoingMail, SendError, Templates, Transport};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Attempts a mail gets before it is given up on (about a day of back-off).
pub const MAIL_MAX_ATTEMPTS: i64 = 12;

/// Templates and the configured transport.
#[derive(Debug, Clone)]
pub struct Mailer {
    templates: Arc<Templates>,
    transport: Arc<dyn Transport>,
}

impl Mailer {
    /// A mailer over `transport`.
    #[must_use]
    pub fn new(transport: Arc<dyn Transport>) -> Self {
        Self {
            templates: Arc::new(Templates::new()),
            transport,
        }
    }

    /// The transport's name.
    #[must_use]
    pub fn transport_name(&self) -> &'static str {
        self.transport.name()
    }
}

/// A message to queue.
#[derive(Debug)]
pub struct NewMail<'a> {
    /// Which template.
    pub kind: MailKind,
    /// A validated address.
    pub to: &'a str,
    /// `en` or `zh-CN`.
    pub language: &'a str,
    /// Template variables (a JSON object); `site_name` and `site_url` are added.
    pub vars: serde_json::Value,
    /// The user it concerns.
    pub user_id: Option<&'a str>,
    /// Drop the message unsent after this time.
    pub expires_at: Option<i64>,
}

/// The job's payload.
#[derive(Debug, Serialize, Deserialize)]
pub struct SendMailJob {
    /// Outbox row id.
    pub id: String,
}

impl App {
    /// Renders and queues a message; returns its outbox id.
    ///
    /// # Errors
    /// When a template fails or the database refuses.
    pub async fn queue_mail(&self, mail: NewMail<'_>) -> Result<String, AppError> {
        if mail.kind.is_marketing() {
            // Marketing mail has one door, `App::announce`: opted-in users, with List-Unsubscribe.
            return Err(AppError::invalid(
                crate::Refusal::MarketingNeedsUnsubscribe,
                "Marketing mail is sent through announce, with its unsubscribe headers.",
            ));
        }
        self.queue_mail_with_headers(mail, Vec::new()).await
    }

    /// [`App::queue_mail`] with extra headers (`List-Unsubscribe`…).
    pub(crate) async fn queue_mail_with_headers(
        &self,
        mail: NewMail<'_>,
        headers: Vec<(String, String)>,
    ) -> Result<String, AppError> {
        let row = self.render_mail(mail, &headers)?;
        self.store().insert_outbox(&row).await?;
        self.queue()
            .enqueue(
                JobKind::SendMail.name(),
                &SendMailJob { id: row.id.clone() },
                EnqueueOptions {
                    max_attempts: Some(MAIL_MAX_ATTEMPTS),
                    ..EnqueueOptions::default()
                },
            )
            .await?;
        Ok(row.id)
    }

    /// Renders a message in the recipient's language into an outbox row.
    pub(crate) fn render_mail(
        &self,
        mail: NewMail<'_>,
        headers: &[(String, String)],
    ) -> Result<OutboxRow, AppError> {
        let mut vars = mail.vars;
        if let Some(map) = vars.as_object_mut() {
            map.insert("site_name".into(), "Atelier".into());
            map.insert(
                "site_url".into(),
                self.settings()
                    .public_url
                    .as_str()
                    .trim_end_matches('/')
                    .into(),
            );
        }
        let rendered = self
            .mailer()
            .templates
            .render(mail.kind, mail.language, &vars)
            .map_err(|e| AppError::Unavailable(format!("mail template: {e}")))?;
        Ok(OutboxRow {
            id: new_id(),
            kind: mail.kind.as_str().to_owned(),
            user_id: mail.user_id.map(str::to_owned),
            to_address: mail.to.to_owned(),
            subject: rendered.subject,
            text_body: rendered.text,
            html_body: rendered.html,
            headers: serde_json::to_string(headers).unwrap_or_else(|_| "[]".to_owned()),
            created_at: self.now_ms(),
            expires_at: mail.expires_at,
        })
    }

    /// Sends one queued message (the mail job). The row is deleted once the transport took it, when
    /// it can never be delivered, and after the last attempt.
    ///
    /// # Errors
    /// A [`JobError`] telling the runner whether to try again (and when).
    pub async fn deliver_mail(&self, ctx: &JobContext) -> Result<(), JobError> {
        let job: SendMailJob = ctx.payload()?;
        let store = self.store();
        let Some(row) = store.outbox(&job.id).await.map_err(JobError::retry)? else {
            return Ok(()); // already sent
        };
        if row.expires_at.is_some_and(|at| at <= self.now_ms()) {
            store
                .delete_outbox(&row.id)
                .await
                .map_err(JobError::retry)?;
            return Ok(());
        }
        if atelier_mail::MailKind::parse(&row.kind)
            .is_some_and(atelier_mail::MailKind::is_marketing)
            && !self.still_opted_in(row.user_id.as_deref()).await
        {
            // Unsubscribed (or gone) since it was queued: marketing mail is dropped unsent.
            store
                .delete_outbox(&row.id)
                .await
                .map_err(JobError::retry)?;
            return Ok(());
        }
        let headers: Vec<(String, String)> = serde_json::from_str(&row.headers).unwrap_or_default();
        let mail = OutgoingMail {
            id: row.id.clone(),
            from: self.settings().mail_from.clone(),
            to: row.to_address.clone(),
            subject: row.subject.clone(),
            text: row.text_body.clone(),
            html: row.html_body.clone(),
            date_ms: self.now_ms(),
            headers,
        };
        let last = ctx.attempt >= ctx.max_attempts;
        match self.mailer().transport.send(&mail).await {
            Ok(()) => {
                store
                    .delete_outbox(&row.id)
                    .await
                    .map_err(JobError::retry)?;
                tracing::info!(mail_id = %row.id, kind = %row.kind, transport = self.mailer().transport_name(), "mail sent");
                Ok(())
            }
            Err(SendError::Permanent(reason)) => {
                store
                    .delete_outbox(&row.id)
                    .await
                    .map_err(JobError::retry)?;
                Err(JobError::Permanent(format!(
                    "refused: {}",
                    scrub(&reason, &row.to_address)
                )))
            }
            Err(SendError::Retry { reason, after }) => {
                let reason = scrub(&reason, &row.to_address);
                if last {
                    store
                        .delete_outbox(&row.id)
                        .await
                        .map_err(JobError::retry)?;
                    return Err(JobError::Permanent(format!("gave up: {reason}")));
                }
                Err(match after {
                    Some(after) => JobError::RetryAfter(reason, after),
                    None => JobError::Retry(reason),
                })
            }
        }
    }

    /// The mailer.
    #[must_use]
    pub fn mailer(&self) -> &Mailer {
        &self.inner.mailer
    }
}

/// An error text without the recipient's address (job rows are read by operators).
fn scrub(reason: &str, address: &str) -> String {
    reason.replace(address, "<recipient>")
}

impl App {
    /// Whether a marketing message's recipient still wants it.
    async fn still_opted_in(&self, user_id: Option<&str>) -> bool {
        match user_id {
            Some(id) => self
                .store()
                .user(id)
                .await
                .is_ok_and(|u| u.marketing_opt_in),
            None => false,
        }
    }
}
