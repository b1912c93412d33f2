//! The credit ledger part of the export: every entry of the user.

use crate::credits::EntryKind;
use crate::{DbError, Store};
use atelier_core::UnixMillis;
use sqlx::Row as _;

/// A ledger entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportCreditEntry {
    /// Id.
    pub id: String,
    /// Kind.
    pub kind: EntryKind,
    /// Amount as stored ([`EntryKind::effect`] gives its effect on the balance).
    pub amount: i64,
    /// The hold it settles.
    pub hold_id: Option<String>,
    /// What it concerns (a generation id, …).
    pub reference: Option<String>,
    /// Why.
    pub reason: String,
    /// When.
    pub created_at: UnixMillis,
}

impl Store {
    /// Every ledger entry of the user.
    ///
    /// # Errors
    /// Database failures.
    pub async fn export_credit_entries(
        &self,
        user_id: &str,
    ) -> Result<Vec<ExportCreditEntry>, DbError> {
        self.export_rows(
            "SELECT id, kind, amount, hold_id, reference, reason, created_at FROM credit_entries \
             WHERE user_id = $1 ORDER BY created_at, id",
            user_id,
            |r| {
                let kind: String = r.try_get("kind")?;
                Ok(ExportCreditEntry {
                    id: r.try_get("id")?,
                    kind: EntryKind::parse(&kind).ok_or_else(|| {
                        sqlx::Error::Decode(format!("unknown entry kind {kind}").into())
                    })?,
                    amount: r.try_get("amount")?,
                    hold_id: r.try_get("hold_id")?,
                    reference: r.try_get("reference")?,
                    reason: r.try_get("reason")?,
                    created_at: r.try_get("created_at")?,
                })
            },
        )
        .await
    }
}
