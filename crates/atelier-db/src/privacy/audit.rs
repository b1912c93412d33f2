//! The audit log (SEC2, SEC4): who did what to whose data, without personal data in the text.

use crate::{DbError, Store};
use atelier_core::UnixMillis;
use sqlx::Row as _;

/// An audit log entry (SEC2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    /// Id.
    pub id: String,
    /// Who acted: a user id, `cli`, or `system`.
    pub actor: String,
    /// What was done, e.g. `deletion.requested`, `account.deleted`, `credits.adjusted`.
    pub action: String,
    /// Whose data it concerned; cleared when that account is deleted.
    pub subject_user_id: Option<String>,
    /// Free text without personal data.
    pub detail: String,
    /// When.
    pub created_at: UnixMillis,
}

impl Store {
    /// Appends to the audit log.
    ///
    /// # Errors
    /// A database error.
    pub async fn insert_audit(&self, a: &AuditRow) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO audit_log (id, actor, action, subject_user_id, detail, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&a.id)
        .bind(&a.actor)
        .bind(&a.action)
        .bind(&a.subject_user_id)
        .bind(&a.detail)
        .bind(a.created_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The newest audit entries.
    ///
    /// # Errors
    /// A database error.
    pub async fn audit_entries(&self, limit: i64) -> Result<Vec<AuditRow>, DbError> {
        self.audit_page(limit, None, None).await
    }

    /// Audit entries newest first, before the `(created_at, id)` cursor when given, only those
    /// about `subject` when given.
    ///
    /// # Errors
    /// A database error.
    pub async fn audit_page(
        &self,
        limit: i64,
        before: Option<(UnixMillis, &str)>,
        subject: Option<&str>,
    ) -> Result<Vec<AuditRow>, DbError> {
        let (at, id) = before.unwrap_or((i64::MAX, ""));
        let rows = sqlx::query(
            "SELECT id, actor, action, subject_user_id, detail, created_at FROM audit_log \
             WHERE (created_at < $1 OR (created_at = $1 AND id < $2) OR $2 = '') \
             AND ($3 = '' OR subject_user_id = $3) \
             ORDER BY created_at DESC, id DESC LIMIT $4",
        )
        .bind(at)
        .bind(id)
        .bind(subject.unwrap_or(""))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AuditRow {
                    id: r.try_get("id")?,
                    actor: r.try_get("actor")?,
                    action: r.try_get("action")?,
                    subject_user_id: r.try_get("subject_user_id")?,
                    detail: r.try_get("detail")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(DbError::from)
    }
}
