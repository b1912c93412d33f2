//! Buying credit packs through Stripe Checkout (issue 18: G7, C4, S1).
//!
//! A purchase is written `pending` before Stripe is asked for a Checkout session, under the
//! purchase's id as the `Idempotency-Key`, so a retried request never makes a second session.
//! Only a webhook whose `Stripe-Signature` verifies moves it on, and each event does so once
//! (`atelier_db::billing`): paid sessions credit the pack, failed or expired ones close the
//! purchase unpaid, and refunds take back the refunded share of the credits. Logs name ids only.

use crate::accounts::User;
use crate::{App, AppError, Refusal};
use atelier_billing::signature::{self, SignatureError};
use atelier_billing::{CheckoutRequest, Event, EventKind, StripeClient};
use atelier_core::id::new_id;
use atelier_core::settings::CreditPack;
use atelier_db::billing::{
    EventEffect, EventOutcome, NoticeJob, PurchaseRow, PurchaseStatus, SessionFacts,
    StripeEventRecord,
};
use std::time::Duration;

mod notices;

pub use notices::PurchaseNoticeJob;

/// Days a webhook event's id is kept: far beyond the three days Stripe redelivers an event for,
/// long enough to reconcile a month with the dashboard; the ids name no person.
pub const STRIPE_EVENT_RETENTION_DAYS: i64 = 90;

/// A page of a user's purchases.
#[derive(Debug, Clone)]
pub struct PurchasePage {
    /// Purchases, newest first.
    pub items: Vec<PurchaseRow>,
    /// Cursor of the next page.
    pub next_cursor: Option<String>,
}

/// What a verified webhook did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookOutcome {
    /// A purchase was paid and its credits booked.
    Credited,
    /// A purchase was closed unpaid.
    Closed,
    /// A refund took back credits (or was known already).
    Refunded,
    /// Recorded; nothing needed to change.
    Unchanged,
    /// The event was handled before.
    Duplicate,
    /// A type the instance does not act on.
    Ignored,
}

impl WebhookOutcome {
    /// The name an answer and a log give it.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Credited => "credited",
            Self::Closed => "closed",
            Self::Refunded => "refunded",
            Self::Unchanged => "unchanged",
            Self::Duplicate => "duplicate",
            Self::Ignored => "ignored",
        }
    }
}

/// The Stripe client of these settings, when billing is on.
pub(crate) fn stripe_from_settings(
    settings: &atelier_core::Settings,
) -> Result<Option<StripeClient>, String> {
    let billing = &settings.billing;
    let Some(key) = billing.stripe.secret_key.clone() else {
        return Ok(None);
    };
    if !billing.enabled() {
        return Ok(None);
    }
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| e.to_string())?;
    StripeClient::new(&billing.stripe.base_url, key, http)
        .map(Some)
        .map_err(|e| e.to_string())
}

fn billing_disabled() -> AppError {
    AppError::Conflict {
        refusal: Refusal::BillingDisabled,
        message: "This instance does not sell credits.".to_owned(),
    }
}

impl App {
    /// The packs on sale; none while billing is off.
    #[must_use]
    pub fn billing_packs(&self) -> Vec<CreditPack> {
        let billing = &self.settings().billing;
        if billing.enabled() {
            billing.packs.clone()
        } else {
            Vec::new()
        }
    }

    /// Starts buying `pack_id`: writes the pending purchase, asks Stripe for a Checkout session
    /// and returns the session's URL, where the buyer pays.
    ///
    /// # Errors
    /// [`AppError::Conflict`] `billing_disabled` while billing is off; [`AppError::Invalid`]
    /// `unknown_pack`; [`AppError::Provider`] when Stripe did not create the session (the
    /// purchase is then marked failed).
    pub async fn start_checkout(&self, user: &User, pack_id: &str) -> Result<String, AppError> {
        let stripe = self.stripe().ok_or_else(billing_disabled)?;
        let pack = self.settings().billing.pack(pack_id).ok_or_else(|| {
            AppError::invalid(Refusal::UnknownPack, "No credit pack has that id.")
        })?;
        let amount = i64::try_from(pack.amount).map_err(|_| {
            AppError::invalid(Refusal::UnknownPack, "That pack's price is out of range.")
        })?;
        let now = self.now_ms();
        let purchase = PurchaseRow {
            id: new_id(),
            user_id: Some(user.id.clone()),
            pack_id: pack.id.clone(),
            credits: i64::from(pack.credits),
            amount,
            currency: pack.currency.clone(),
            status: PurchaseStatus::Pending,
            stripe_session_id: None,
            payment_intent: None,
            credits_refunded: 0,
            amount_refunded: 0,
            created_at: now,
            updated_at: now,
        };
        self.store().insert_purchase(&purchase).await?;
        let base = self.settings().public_url.as_str().trim_end_matches('/');
        let request = CheckoutRequest {
            purchase_id: purchase.id.clone(),
            pack_name: pack.name.clone(),
            amount: pack.amount,
            currency: pack.currency.clone(),
            success_url: format!("{base}/credits?purchase={}", purchase.id),
            cancel_url: format!("{base}/credits?cancelled=1"),
            customer_email: None,
        };
        match stripe.create_checkout_session(&request, &purchase.id).await {
            Ok(session) => {
                self.store()
                    .set_purchase_session(&purchase.id, &session.id, self.now_ms())
                    .await?;
                tracing::info!(purchase_id = %purchase.id, pack_id = %pack.id, "checkout started");
                Ok(session.url)
            }
            Err(e) => {
                tracing::warn!(
                    purchase_id = %purchase.id,
                    status = e.status(),
                    code = e.code(),
                    "stripe did not create a checkout session"
                );
                self.store()
                    .fail_pending_purchase(&purchase.id, self.now_ms())
                    .await?;
                let retryable = matches!(e, atelier_billing::StripeError::Transport(_))
                    || e.status().is_some_and(|s| s == 429 || s >= 500);
                Err(AppError::Provider {
                    message: "The payment provider could not start the payment. Please try again."
                        .to_owned(),
                    retryable,
                })
            }
        }
    }

    /// Handles a webhook from Stripe: verifies `Stripe-Signature` over the raw body with the
    /// webhook secret and the app's clock (five minutes' tolerance), then applies the event once.
    ///
    /// # Errors
    /// [`AppError::BadRequest`] `invalid_signature` for a missing, wrong or stale signature and
    /// `invalid_event` for a body that is not an event; [`AppError::Invalid`] `unknown_purchase`
    /// for a session or payment the instance never made and `purchase_mismatch` for an amount or
    /// currency that is not the purchase's (nothing is granted, nothing recorded);
    /// [`AppError::Conflict`] `billing_disabled` while billing is off.
    pub async fn handle_stripe_webhook(
        &self,
        signature_header: Option<&str>,
        raw_body: &[u8],
    ) -> Result<WebhookOutcome, AppError> {
        let secret = self
            .settings()
            .billing
            .stripe
            .webhook_secret
            .as_ref()
            .filter(|_| self.settings().billing.enabled())
            .ok_or_else(billing_disabled)?;
        let now_ms = self.now_ms();
        signature::verify(
            signature_header.unwrap_or_default(),
            raw_body,
            &[secret.expose().as_str()],
            now_ms.div_euclid(1000),
            signature::DEFAULT_TOLERANCE_SECS,
        )
        .map_err(|e| {
            tracing::warn!(reason = signature_reason(&e), "stripe webhook refused");
            AppError::bad_request(Refusal::InvalidSignature, e.to_string())
        })?;
        let event = Event::parse(raw_body)
            .map_err(|e| AppError::bad_request(Refusal::InvalidEvent, e.to_string()))?;
        let (event_type, effect) = match &event.kind {
            EventKind::CheckoutCompleted(s) if s.is_paid() => (
                "checkout.session.completed",
                EventEffect::SessionPaid(facts(s)?),
            ),
            EventKind::CheckoutCompleted(s) => (
                "checkout.session.completed",
                EventEffect::SessionAwaitingPayment(facts(s)?),
            ),
            EventKind::AsyncPaymentSucceeded(s) => (
                "checkout.session.async_payment_succeeded",
                EventEffect::SessionPaid(facts(s)?),
            ),
            EventKind::AsyncPaymentFailed(s) => (
                "checkout.session.async_payment_failed",
                EventEffect::SessionClosed(facts(s)?, PurchaseStatus::Failed),
            ),
            EventKind::Expired(s) => (
                "checkout.session.expired",
                EventEffect::SessionClosed(facts(s)?, PurchaseStatus::Expired),
            ),
            EventKind::ChargeRefunded(c) => {
                let Some(payment_intent) = c.payment_intent.as_deref() else {
                    return Err(unknown_purchase());
                };
                (
                    "charge.refunded",
                    EventEffect::ChargeRefunded {
                        payment_intent,
                        amount: minor_units(c.amount)?,
                        amount_refunded: minor_units(c.amount_refunded)?,
                        currency: &c.currency,
                    },
                )
            }
            EventKind::Other { .. } => {
                tracing::info!(event_id = %event.id, "stripe event ignored");
                return Ok(WebhookOutcome::Ignored);
            }
        };
        let record = StripeEventRecord {
            event_id: &event.id,
            event_type,
            received_at: now_ms,
        };
        let outcome = self
            .store()
            .apply_stripe_event(
                &record,
                &effect,
                &new_id(),
                &NoticeJob {
                    kind: crate::JobKind::PurchaseNotice.name(),
                    id: &new_id(),
                    max_attempts: crate::mail::MAIL_MAX_ATTEMPTS,
                },
            )
            .await?;
        let purchase_id = match &outcome {
            EventOutcome::Mismatch { purchase_id }
            | EventOutcome::Credited { purchase_id, .. }
            | EventOutcome::Unchanged { purchase_id }
            | EventOutcome::Closed { purchase_id }
            | EventOutcome::Refunded { purchase_id, .. } => Some(purchase_id.as_str()),
            EventOutcome::Duplicate | EventOutcome::UnknownPurchase => None,
        };
        tracing::info!(
            event_id = %event.id,
            event_type,
            purchase_id,
            outcome = outcome.as_str(),
            "stripe event"
        );
        match outcome {
            EventOutcome::Duplicate => Ok(WebhookOutcome::Duplicate),
            EventOutcome::UnknownPurchase => Err(unknown_purchase()),
            EventOutcome::Mismatch { .. } => Err(AppError::invalid(
                Refusal::PurchaseMismatch,
                "The event's amount or currency is not the purchase's.",
            )),
            EventOutcome::Credited { .. } => Ok(WebhookOutcome::Credited),
            EventOutcome::Unchanged { .. } => Ok(WebhookOutcome::Unchanged),
            EventOutcome::Closed { .. } => Ok(WebhookOutcome::Closed),
            EventOutcome::Refunded { .. } => Ok(WebhookOutcome::Refunded),
        }
    }

    /// Forgets webhook event ids older than [`STRIPE_EVENT_RETENTION_DAYS`] (a retention job);
    /// returns how many.
    ///
    /// # Errors
    /// On database failure.
    pub async fn purge_stripe_events(&self) -> Result<u64, AppError> {
        let before = self.now_ms() - STRIPE_EVENT_RETENTION_DAYS * atelier_core::clock::DAY_MS;
        Ok(self.store().delete_stripe_events_before(before).await?)
    }

    /// A page of the user's purchases, newest first (`GET /api/v1/me/purchases`).
    ///
    /// # Errors
    /// [`AppError::BadRequest`] for a cursor that does not decode.
    pub async fn purchases(
        &self,
        user_id: &str,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<PurchasePage, AppError> {
        let limit = i64::from(limit.clamp(1, 200));
        let before = crate::paging::decode(cursor)?;
        let mut items = self
            .store()
            .purchases_of(user_id, limit + 1, before)
            .await?;
        let next_cursor =
            crate::paging::split_page(&mut items, limit, |p| (p.created_at, p.id.as_str()));
        Ok(PurchasePage { items, next_cursor })
    }
}

fn unknown_purchase() -> AppError {
    AppError::invalid(
        Refusal::UnknownPurchase,
        "The event is about a payment this instance did not start.",
    )
}

/// A Stripe amount as stored.
fn minor_units(amount: u64) -> Result<i64, AppError> {
    i64::try_from(amount).map_err(|_| {
        AppError::invalid(
            Refusal::PurchaseMismatch,
            "The event's amount is out of range.",
        )
    })
}

fn facts(s: &atelier_billing::CheckoutSessionEvent) -> Result<SessionFacts<'_>, AppError> {
    Ok(SessionFacts {
        session_id: &s.session_id,
        amount: s.amount_total.map(minor_units).transpose()?,
        currency: s.currency.as_deref(),
        payment_intent: s.payment_intent.as_deref(),
    })
}

/// Why a signature was refused, for the log (never the header itself).
const fn signature_reason(e: &SignatureError) -> &'static str {
    match e {
        SignatureError::Missing => "missing",
        SignatureError::Malformed(_) => "malformed",
        SignatureError::Stale { .. } => "stale",
        SignatureError::Mismatch => "mismatch",
    }
}
