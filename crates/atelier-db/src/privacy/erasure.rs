//! Erasure (R1, R5): removing every row of an account in one transaction, the ids of its images
//! for the CDN purge, the salted hashes of deleted addresses, and the search of every table that
//! proves nothing was left behind.

use crate::{DbError, Store};
use atelier_core::UnixMillis;
use sqlx::Row as _;

impl Store {
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
}
