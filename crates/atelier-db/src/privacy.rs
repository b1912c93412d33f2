//! Rows of the privacy center: deletion requests (D3), consent events (C1, D7, P1), the policy
//! version each user opened (P1), salted hashes of deleted addresses (R5), the audit log (SEC2,
//! SEC4), retention job runs (SEC4), and the removal of every row of an account (R1, R5).

use crate::{DbError, Store};
use atelier_core::UnixMillis;
use sqlx::Row as _;
use sqlx::any::AnyRow;

/// A pending account deletion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletionRequestRow {
    /// The account.
    pub user_id: String,
    /// `self` (asked in the app) or `admin` (entered by an admin for a request by mail).
    pub source: String,
    /// When it was asked for.
    pub requested_at: UnixMillis,
    /// When it will be carried out.
    pub due_at: UnixMillis,
}

fn deletion_from_row(r: &AnyRow) -> Result<DeletionRequestRow, sqlx::Error> {
    Ok(DeletionRequestRow {
        user_id: r.try_get("user_id")?,
        source: r.try_get("source")?,
        requested_at: r.try_get("requested_at")?,
        due_at: r.try_get("due_at")?,
    })
}

/// One consent change: marketing opt-in or opt-out, or a policy version opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentEventRow {
    /// Id.
    pub id: String,
    /// The account.
    pub user_id: String,
    /// `marketing` or `policy`.
    pub kind: String,
    /// `opt_in` / `opt_out`, or the policy version.
    pub value: String,
    /// Where it happened: `signup`, `settings`, `api`, `unsubscribe_link`, `policy_page`.
    pub source: String,
    /// When.
    pub created_at: UnixMillis,
}

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

/// When a retention job last ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionRunRow {
    /// The job's name.
    pub job: String,
    /// Its last run.
    pub last_run_at: UnixMillis,
    /// What that run removed.
    pub removed: i64,
}

impl Store {
    /// Records a deletion request, or returns the one already pending (it keeps its due date).
    ///
    /// # Errors
    /// A database error.
    pub async fn request_deletion(
        &self,
        row: &DeletionRequestRow,
    ) -> Result<DeletionRequestRow, DbError> {
        sqlx::query(
            "INSERT INTO deletion_requests (user_id, source, requested_at, due_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (user_id) DO NOTHING",
        )
        .bind(&row.user_id)
        .bind(&row.source)
        .bind(row.requested_at)
        .bind(row.due_at)
        .execute(self.pool())
        .await?;
        self.deletion_request(&row.user_id)
            .await?
            .ok_or(DbError::NotFound)
    }

    /// A user's pending deletion request.
    ///
    /// # Errors
    /// A database error.
    pub async fn deletion_request(
        &self,
        user_id: &str,
    ) -> Result<Option<DeletionRequestRow>, DbError> {
        let row = sqlx::query(
            "SELECT user_id, source, requested_at, due_at FROM deletion_requests WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.as_ref().map(deletion_from_row).transpose()?)
    }

    /// Withdraws a pending deletion request; `false` when there was none.
    ///
    /// # Errors
    /// A database error.
    pub async fn withdraw_deletion(&self, user_id: &str) -> Result<bool, DbError> {
        let done = sqlx::query("DELETE FROM deletion_requests WHERE user_id = $1")
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Deletion requests due at `now`, the oldest first.
    ///
    /// # Errors
    /// A database error.
    pub async fn due_deletions(
        &self,
        now: UnixMillis,
        limit: i64,
    ) -> Result<Vec<DeletionRequestRow>, DbError> {
        let rows = sqlx::query(
            "SELECT user_id, source, requested_at, due_at FROM deletion_requests \
             WHERE due_at <= $1 ORDER BY due_at, user_id LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(deletion_from_row)
            .collect::<Result<_, _>>()?)
    }

    /// Every pending deletion request, the oldest first (admins, `doctor`).
    ///
    /// # Errors
    /// A database error.
    pub async fn pending_deletions(&self) -> Result<Vec<DeletionRequestRow>, DbError> {
        let rows = sqlx::query(
            "SELECT user_id, source, requested_at, due_at FROM deletion_requests \
             ORDER BY requested_at, user_id",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(deletion_from_row)
            .collect::<Result<_, _>>()?)
    }

    /// Records a consent change.
    ///
    /// # Errors
    /// A database error.
    pub async fn insert_consent_event(&self, e: &ConsentEventRow) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO consent_events (id, user_id, kind, value, source, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&e.id)
        .bind(&e.user_id)
        .bind(&e.kind)
        .bind(&e.value)
        .bind(&e.source)
        .bind(e.created_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// A user's consent changes, newest first.
    ///
    /// # Errors
    /// A database error.
    pub async fn consent_events(&self, user_id: &str) -> Result<Vec<ConsentEventRow>, DbError> {
        let rows = sqlx::query(
            "SELECT id, user_id, kind, value, source, created_at FROM consent_events \
             WHERE user_id = $1 ORDER BY created_at DESC, id DESC",
        )
        .bind(user_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ConsentEventRow {
                    id: r.try_get("id")?,
                    user_id: r.try_get("user_id")?,
                    kind: r.try_get("kind")?,
                    value: r.try_get("value")?,
                    source: r.try_get("source")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(DbError::from)
    }

    /// Sets the marketing opt-in flag alone (an unsubscribe link); `false` for an unknown user.
    ///
    /// # Errors
    /// A database error.
    pub async fn set_marketing_opt_in(
        &self,
        user_id: &str,
        opt_in: bool,
        now: UnixMillis,
    ) -> Result<bool, DbError> {
        let done =
            sqlx::query("UPDATE users SET marketing_opt_in = $2, updated_at = $3 WHERE id = $1")
                .bind(user_id)
                .bind(i64::from(opt_in))
                .bind(now)
                .execute(self.pool())
                .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The policy version a user last opened (0: none).
    ///
    /// # Errors
    /// [`DbError::NotFound`] for an unknown user.
    pub async fn policy_version_seen(&self, user_id: &str) -> Result<i64, DbError> {
        let v: Option<i64> =
            sqlx::query_scalar("SELECT policy_version_seen FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(self.pool())
                .await?;
        v.ok_or(DbError::NotFound)
    }

    /// Records that a user opened policy version `version`; `true` when it is newer than the one
    /// they had seen.
    ///
    /// # Errors
    /// A database error.
    pub async fn mark_policy_seen(&self, user_id: &str, version: i64) -> Result<bool, DbError> {
        let done = sqlx::query(
            "UPDATE users SET policy_version_seen = $2 WHERE id = $1 AND policy_version_seen < $2",
        )
        .bind(user_id)
        .bind(version)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Remembers the salted hash of a deleted account's address (R5, when enabled).
    ///
    /// # Errors
    /// A database error.
    pub async fn insert_blocked_hash(&self, hash: &str, now: UnixMillis) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO blocked_email_hashes (hash, created_at) VALUES ($1, $2) \
             ON CONFLICT (hash) DO NOTHING",
        )
        .bind(hash)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Whether this salted hash is blocked.
    ///
    /// # Errors
    /// A database error.
    pub async fn is_blocked_hash(&self, hash: &str) -> Result<bool, DbError> {
        let found = sqlx::query("SELECT hash FROM blocked_email_hashes WHERE hash = $1")
            .bind(hash)
            .fetch_optional(self.pool())
            .await?;
        Ok(found.is_some())
    }

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
        let rows = sqlx::query(
            "SELECT id, actor, action, subject_user_id, detail, created_at FROM audit_log \
             ORDER BY created_at DESC, id DESC LIMIT $1",
        )
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

    /// Records a retention job's run.
    ///
    /// # Errors
    /// A database error.
    pub async fn record_retention_run(
        &self,
        job: &str,
        at: UnixMillis,
        removed: i64,
    ) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO retention_runs (job, last_run_at, removed) VALUES ($1, $2, $3) \
             ON CONFLICT (job) DO UPDATE SET last_run_at = EXCLUDED.last_run_at, \
             removed = EXCLUDED.removed",
        )
        .bind(job)
        .bind(at)
        .bind(removed)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Every retention job's last run.
    ///
    /// # Errors
    /// A database error.
    pub async fn retention_runs(&self) -> Result<Vec<RetentionRunRow>, DbError> {
        let rows = sqlx::query("SELECT job, last_run_at, removed FROM retention_runs ORDER BY job")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(RetentionRunRow {
                    job: r.try_get("job")?,
                    last_run_at: r.try_get("last_run_at")?,
                    removed: r.try_get("removed")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(DbError::from)
    }

    /// The oldest creation time in `table`'s `column`, for `doctor` (the names are the caller's
    /// constants, never input).
    ///
    /// # Errors
    /// A database error.
    pub async fn oldest(
        &self,
        table: &'static str,
        column: &'static str,
    ) -> Result<Option<UnixMillis>, DbError> {
        let sql = format!("SELECT MIN({column}) FROM {table}");
        let at: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(self.pool())
            .await?;
        Ok(at)
    }

    /// Rows of `table` whose `column` is before `before` (for `doctor`; names are constants).
    ///
    /// # Errors
    /// A database error.
    pub async fn count_before(
        &self,
        table: &'static str,
        column: &'static str,
        before: UnixMillis,
    ) -> Result<i64, DbError> {
        let sql = format!("SELECT COUNT(*) FROM {table} WHERE {column} < $1");
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(before)
            .fetch_one(self.pool())
            .await?;
        Ok(n)
    }

    /// Rows of `table` whose `user_id` is the user (names are the caller's constants).
    ///
    /// # Errors
    /// A database error.
    pub async fn count_of_user(&self, table: &'static str, user_id: &str) -> Result<i64, DbError> {
        let sql = format!("SELECT COUNT(*) FROM {table} WHERE user_id = $1");
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(user_id)
            .fetch_one(self.pool())
            .await?;
        Ok(n)
    }

    /// The user's generated images.
    ///
    /// # Errors
    /// A database error.
    pub async fn generated_image_count(&self, user_id: &str) -> Result<i64, DbError> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM generation_images i JOIN generations g ON g.id = i.generation_id \
             WHERE g.user_id = $1",
        )
        .bind(user_id)
        .fetch_one(self.pool())
        .await?;
        Ok(n)
    }

    /// The ids of the user's generated images (their URLs are purged from the CDN).
    ///
    /// # Errors
    /// A database error.
    pub async fn generated_image_ids(&self, user_id: &str) -> Result<Vec<String>, DbError> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT i.id FROM generation_images i JOIN generations g ON g.id = i.generation_id \
             WHERE g.user_id = $1",
        )
        .bind(user_id)
        .fetch_all(self.pool())
        .await?;
        Ok(ids)
    }

    /// Users who opted in to marketing mail (or, with `marketing_only` false, every user), by id
    /// after `after`, `limit` at a time: `(id, email, language)`.
    ///
    /// # Errors
    /// A database error.
    pub async fn mail_recipients(
        &self,
        marketing_only: bool,
        after: &str,
        limit: i64,
    ) -> Result<Vec<(String, String, String)>, DbError> {
        let rows = sqlx::query(
            "SELECT id, email, language FROM users \
             WHERE (marketing_opt_in = 1 OR $3 = 0) AND id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .bind(i64::from(marketing_only))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("id")?,
                    r.try_get("email")?,
                    r.try_get("language")?,
                ))
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(DbError::from)
    }

    /// Users who opted in to marketing mail, by id after `after`: `(id, email, language)`.
    ///
    /// # Errors
    /// A database error.
    pub async fn marketing_recipients(
        &self,
        after: &str,
        limit: i64,
    ) -> Result<Vec<(String, String, String)>, DbError> {
        self.mail_recipients(true, after, limit).await
    }

    /// Removes every row of an account (R1, R5) in one transaction: codes and pending mail to
    /// its address (but the last one, `keep_outbox_id`, which carries no user id and goes as soon
    /// as it is sent), its favorites (keeping the items' counts right), the subject of its audit
    /// entries, its rate-limit counters (`rate_keys`), and the user row, whose deletion cascades
    /// to every table that names the user — its data key included (R1). `false` when the account
    /// was already gone.
    ///
    /// # Errors
    /// A database error.
    pub async fn delete_account_rows(
        &self,
        user_id: &str,
        email: &str,
        rate_keys: &[String],
        keep_outbox_id: &str,
        now: UnixMillis,
    ) -> Result<bool, DbError> {
        let mut tx = self.begin_write().await?;
        let outcome = async {
            let favorites: Vec<String> =
                sqlx::query_scalar("SELECT item_id FROM favorites WHERE user_id = $1")
                    .bind(user_id)
                    .fetch_all(&mut *tx)
                    .await?;
            for item in &favorites {
                crate::collections::bump_favorites(&mut tx, item, -1, now).await?;
            }
            sqlx::query("DELETE FROM auth_challenges WHERE email = $1 OR user_id = $2")
                .bind(email)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "DELETE FROM mail_outbox WHERE (to_address = $1 OR user_id = $2) AND id <> $3",
            )
            .bind(email)
            .bind(user_id)
            .bind(keep_outbox_id)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE audit_log SET subject_user_id = NULL WHERE subject_user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE audit_log SET actor = 'deleted-account' WHERE actor = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            for key in rate_keys {
                sqlx::query("DELETE FROM rate_limits WHERE key = $1")
                    .bind(key)
                    .execute(&mut *tx)
                    .await?;
            }
            let gone = sqlx::query("DELETE FROM users WHERE id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            Ok::<_, DbError>(gone > 0)
        }
        .await;
        let result = crate::store::finish_tx(tx, outcome, |_| true).await;
        self.gallery_written();
        result
    }

    /// Every `(table, column)` holding `needle` anywhere in its text, across every table of the
    /// database: the proof that a deleted account left nothing behind (R1, R5). Slow; for tests
    /// and audits.
    ///
    /// # Errors
    /// A database error.
    pub async fn find_text_everywhere(
        &self,
        needle: &str,
    ) -> Result<Vec<(String, String)>, DbError> {
        let columns: Vec<(String, String)> = match self.kind() {
            crate::DatabaseKind::Sqlite => {
                let tables: Vec<String> = sqlx::query_scalar(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
                )
                .fetch_all(self.pool())
                .await?;
                let mut out = Vec::new();
                for table in tables {
                    let sql = format!(
                        "SELECT name FROM pragma_table_info('{}')",
                        table.replace('\'', "")
                    );
                    let names: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                        .fetch_all(self.pool())
                        .await?;
                    out.extend(names.into_iter().map(|c| (table.clone(), c)));
                }
                out
            }
            crate::DatabaseKind::Postgres => {
                let rows = sqlx::query(
                    "SELECT table_name::text AS t, column_name::text AS c FROM information_schema.columns \
                     WHERE table_schema = current_schema()",
                )
                .fetch_all(self.pool())
                .await?;
                rows.iter()
                    .map(|r| Ok((r.try_get("t")?, r.try_get("c")?)))
                    .collect::<Result<_, sqlx::Error>>()?
            }
        };
        let mut found = Vec::new();
        for (table, column) in columns {
            let sql = format!(
                "SELECT COUNT(*) FROM \"{table}\" WHERE CAST(\"{column}\" AS TEXT) LIKE $1",
            );
            let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .bind(format!("%{needle}%"))
                .fetch_one(self.pool())
                .await?;
            if n > 0 {
                found.push((table, column));
            }
        }
        Ok(found)
    }
}
