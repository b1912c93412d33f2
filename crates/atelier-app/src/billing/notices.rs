//! The buyer's mails (C1, G7): a receipt for each paid purchase and a notice for each refund,
//! service mail in the buyer's language, sent whatever the marketing choice.
//!
//! The webhook that pays or refunds a purchase queues a notice job in its own transaction, so the
//! job exists exactly when the money moved; the job records the notice's key with the message it
//! stores, so a retried webhook (a duplicate event) or a job that runs twice mails once.

use crate::mail::{MAIL_MAX_ATTEMPTS, NewMail, SendMailJob};
use crate::{App, AppError, JobKind};
use atelier_core::id::new_id;
use atelier_core::settings::format_price;
use atelier_db::jobs::NewJob;
use atelier_mail::MailKind;
use serde::Deserialize;
use serde_json::json;

/// The payload of a notice job, as the webhook's transaction writes it.
#[derive(Debug, Clone, Deserialize)]
pub struct PurchaseNoticeJob {
    /// The purchase.
    pub purchase_id: String,
    /// `receipt` or `refund`.
    pub notice: String,
    /// Credits added, or taken back.
    pub credits: i64,
    /// The money paid, or refunded now, in minor units.
    pub amount: i64,
    /// Names the notice once.
    pub key: String,
}

impl App {
    /// Mails the buyer the receipt or refund notice of a purchase, once: nothing when it was
    /// mailed before, or when the buyer's account is gone.
    ///
    /// # Errors
    /// [`AppError::NotFound`] for an unknown purchase; a database or template failure (retried).
    pub async fn send_purchase_notice(&self, job: &PurchaseNoticeJob) -> Result<(), AppError> {
        let kind = match job.notice.as_str() {
            "receipt" => MailKind::PurchaseReceipt,
            "refund" => MailKind::RefundNotice,
            other => {
                return Err(AppError::invalid(
                    crate::Refusal::InvalidEvent,
                    format!("unknown purchase notice {other}"),
                ));
            }
        };
        if self.store().purchase_notice_queued(&job.key).await? {
            return Ok(());
        }
        let purchase = self
            .store()
            .purchase(&job.purchase_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let Some(user_id) = purchase.user_id.as_deref() else {
            // The account was deleted since: there is nobody to write to.
            return Ok(());
        };
        let user = self.store().user(user_id).await?;
        let pack_name = self
            .settings()
            .billing
            .pack(&purchase.pack_id)
            .map_or_else(|| purchase.pack_id.clone(), |p| p.name.clone());
        let money =
            |minor: i64| format_price(u64::try_from(minor).unwrap_or(0), &purchase.currency);
        let base = self.settings().public_url.as_str().trim_end_matches('/');
        let date = atelier_core::time::rfc3339(self.now_ms())
            .get(..10)
            .unwrap_or_default()
            .to_owned();
        let vars = match kind {
            MailKind::PurchaseReceipt => json!({
                "pack_name": pack_name,
                "credits": job.credits,
                "price": money(job.amount),
                "currency": purchase.currency.to_uppercase(),
                "date": date,
                "purchase_id": purchase.id,
                "balance": self.credit_balance(user_id).await?,
                "credits_url": format!("{base}/credits"),
            }),
            _ => json!({
                "pack_name": pack_name,
                "credits": job.credits,
                "refunded": money(job.amount),
                "currency": purchase.currency.to_uppercase(),
                "date": date,
                "purchase_id": purchase.id,
                "credits_url": format!("{base}/credits"),
            }),
        };
        let mail = self.render_mail(
            NewMail {
                kind,
                to: &user.email,
                language: &user.language,
                vars,
                user_id: Some(user_id),
                expires_at: None,
            },
            &[],
        )?;
        let payload = serde_json::to_string(&SendMailJob {
            id: mail.id.clone(),
        })
        .map_err(|e| AppError::Unavailable(e.to_string()))?;
        let now = self.now_ms();
        let queued = self
            .store()
            .queue_purchase_notice(
                &job.key,
                &purchase.id,
                &mail,
                &NewJob {
                    id: &new_id(),
                    kind: JobKind::SendMail.name(),
                    payload: &payload,
                    dedup_key: None,
                    run_at: now,
                    max_attempts: MAIL_MAX_ATTEMPTS,
                },
                now,
            )
            .await?;
        if queued {
            tracing::info!(purchase_id = %purchase.id, notice = %job.notice, "purchase mail queued");
        }
        Ok(())
    }
}
