//! Credits (C4, U1): an append-only ledger whose balance is derived and never negative. Work that
//! costs credits places a hold first; when the work ends the hold is settled exactly once — the
//! delivered part captured, the rest released — so a retried or crashed job can never charge twice.

use crate::accounts::User;
use crate::{App, AppError};
use atelier_core::id::new_id;
use atelier_db::DbError;
use atelier_db::credits::{EntryKind, EntryRow, Settlement};

/// Longest reason text.
pub const MAX_REASON_CHARS: usize = 200;

/// A page of ledger entries.
#[derive(Debug, Clone)]
pub struct CreditHistory {
    /// The available balance.
    pub balance: i64,
    /// Entries, newest first.
    pub entries: Vec<EntryRow>,
    /// Cursor of the next page.
    pub next_cursor: Option<String>,
}

impl App {
    /// The user's available balance (pending holds already taken off).
    ///
    /// # Errors
    /// On database failure.
    pub async fn credit_balance(&self, user_id: &str) -> Result<i64, AppError> {
        Ok(self.store().credit_balance(user_id).await?)
    }

    /// The balance and a page of the ledger (`GET /api/v1/me/credits`).
    ///
    /// # Errors
    /// [`AppError::BadRequest`] for a cursor that does not decode.
    pub async fn credit_history(
        &self,
        user_id: &str,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<CreditHistory, AppError> {
        let limit = i64::from(limit.clamp(1, 200));
        let before = crate::paging::decode(cursor)?;
        let mut entries = self
            .store()
            .credit_entries(user_id, limit + 1, before)
            .await?;
        let next_cursor =
            crate::paging::split_page(&mut entries, limit, |e| (e.created_at, e.id.as_str()));
        Ok(CreditHistory {
            balance: self.credit_balance(user_id).await?,
            entries,
            next_cursor,
        })
    }

    /// Adds a credit-side entry (grant, purchase, or an adjustment of either sign). Refunds are
    /// booked only with the refunded purchase (`billing`).
    ///
    /// # Errors
    /// [`AppError::InsufficientCredits`] when a negative adjustment would take the balance below
    /// zero; [`AppError::Invalid`] for a bad amount or reason.
    pub async fn add_credits(
        &self,
        user_id: &str,
        kind: EntryKind,
        amount: i64,
        reason: &str,
        reference: Option<&str>,
    ) -> Result<EntryRow, AppError> {
        let reason = check_reason(reason)?;
        let valid = match kind {
            EntryKind::Grant | EntryKind::Purchase => amount > 0,
            EntryKind::Adjustment => amount != 0,
            EntryKind::Hold | EntryKind::Capture | EntryKind::Release | EntryKind::Refund => false,
        };
        if !valid {
            return Err(AppError::invalid(
                crate::Refusal::InvalidAmount,
                "That amount cannot be booked.",
            ));
        }
        let entry = EntryRow {
            id: new_id(),
            user_id: user_id.to_owned(),
            kind,
            amount,
            hold_id: None,
            reference: reference.map(str::to_owned),
            reason,
            created_at: self.now_ms(),
        };
        if self.store().append_credit_entry(&entry).await? {
            Ok(entry)
        } else {
            Err(AppError::InsufficientCredits {
                needed: -amount,
                balance: self.credit_balance(user_id).await?,
            })
        }
    }

    /// `atelier admin credits EMAIL N --reason TEXT`: an adjustment by an operator.
    ///
    /// # Errors
    /// [`AppError::NotFound`] for an unknown address, or as [`App::add_credits`].
    pub async fn adjust_credits(
        &self,
        email: &str,
        amount: i64,
        reason: &str,
    ) -> Result<(User, i64), AppError> {
        let email = atelier_core::Email::parse(email)
            .map_err(|e| AppError::invalid(crate::Refusal::InvalidEmail, e.to_string()))?;
        let user = User::from(
            self.store()
                .user_by_email(email.as_str())
                .await?
                .ok_or(AppError::NotFound)?,
        );
        self.add_credits(&user.id, EntryKind::Adjustment, amount, reason, None)
            .await?;
        let balance = self.credit_balance(&user.id).await?;
        Ok((user, balance))
    }

    /// Sets `amount` credits aside for work about `reference`; returns the hold's id.
    ///
    /// # Errors
    /// [`AppError::InsufficientCredits`] when the balance does not cover it.
    pub async fn hold_credits(
        &self,
        user_id: &str,
        amount: i64,
        reason: &str,
        reference: &str,
    ) -> Result<String, AppError> {
        if amount < 0 {
            return Err(AppError::invalid(
                crate::Refusal::InvalidAmount,
                "A hold cannot be negative.",
            ));
        }
        let entry = EntryRow {
            id: new_id(),
            user_id: user_id.to_owned(),
            kind: EntryKind::Hold,
            amount,
            hold_id: None,
            reference: Some(reference.to_owned()),
            reason: check_reason(reason)?,
            created_at: self.now_ms(),
        };
        if self.store().append_credit_entry(&entry).await? {
            Ok(entry.id)
        } else {
            Err(AppError::InsufficientCredits {
                needed: amount,
                balance: self.credit_balance(user_id).await?,
            })
        }
    }

    /// Settles a hold once: captures `captured` credits and releases the rest. Settling a settled
    /// hold again changes nothing and reports [`Settlement::AlreadySettled`].
    ///
    /// # Errors
    /// [`AppError::NotFound`] for an unknown hold, [`AppError::Invalid`] when `captured` is more
    /// than the hold.
    pub async fn settle_credits(
        &self,
        hold_id: &str,
        captured: i64,
        reason: &str,
    ) -> Result<Settlement, AppError> {
        match self
            .store()
            .settle_credit_hold(
                hold_id,
                captured,
                &new_id(),
                &new_id(),
                &check_reason(reason)?,
                self.now_ms(),
            )
            .await
        {
            Ok(s) => Ok(s),
            Err(DbError::Conflict) => Err(AppError::invalid(
                crate::Refusal::InvalidAmount,
                "A capture cannot exceed its hold.",
            )),
            Err(e) => Err(e.into()),
        }
    }

    /// Gives a new account the configured sign-up grant.
    pub(crate) async fn grant_signup_credits(&self, user_id: &str) -> Result<(), AppError> {
        let grant = i64::from(self.settings().signup_grant());
        if grant > 0 {
            self.add_credits(user_id, EntryKind::Grant, grant, "Welcome credits", None)
                .await?;
        }
        Ok(())
    }
}

/// A reason as staff give it (credit adjustments, blocks): 1 to 200 characters, no control
/// characters; trimmed.
pub(crate) fn check_reason(reason: &str) -> Result<String, AppError> {
    let reason = reason.trim();
    if reason.is_empty()
        || reason.chars().count() > MAX_REASON_CHARS
        || reason.chars().any(char::is_control)
    {
        return Err(AppError::invalid(
            crate::Refusal::InvalidReason,
            format!("Give a reason of 1 to {MAX_REASON_CHARS} characters."),
        ));
    }
    Ok(reason.to_owned())
}
