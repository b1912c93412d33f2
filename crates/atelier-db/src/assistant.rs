//! Rows of the AI assistant: call logs (C9) and which image an AI Edit changes.

use crate::{DbError, Store};
use atelier_core::UnixMillis;
use sqlx::Row as _;
use sqlx::any::AnyRow;

/// One assistant call (C9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssistantLogRow {
    /// Id.
    pub id: String,
    /// Who called.
    pub user_id: String,
    /// `enhance`, `describe` or `edit`.
    pub feature: String,
    /// The prompt as written, or a reference such as `upload:ID` or `image:ID`.
    pub input: String,
    /// The edit instruction.
    pub instruction: Option<String>,
    /// What the model answered (for an edit: `generation:ID`).
    pub output: Option<String>,
    /// Provider kind.
    pub provider: String,
    /// Model name.
    pub model: String,
    /// How long the call took.
    pub duration_ms: i64,
    /// `succeeded` or `failed`.
    pub status: String,
    /// Readable reason of a failure.
    pub error: Option<String>,
    /// When the call was made.
    pub created_at: UnixMillis,
}

const LOG_COLUMNS: &str = "id, user_id, feature, input, instruction, output, provider, model, \
     duration_ms, status, error, created_at";

fn log_from_row(r: &AnyRow) -> Result<AssistantLogRow, sqlx::Error> {
    Ok(AssistantLogRow {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        feature: r.try_get("feature")?,
        input: r.try_get("input")?,
        instruction: r.try_get("instruction")?,
        output: r.try_get("output")?,
        provider: r.try_get("provider")?,
        model: r.try_get("model")?,
        duration_ms: r.try_get("duration_ms")?,
        status: r.try_get("status")?,
        error: r.try_get("error")?,
        created_at: r.try_get("created_at")?,
    })
}

/// The image an AI Edit changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerationEditRow {
    /// The generation holding the result.
    pub generation_id: String,
    /// `upload` or `image` (a generated image).
    pub source_kind: String,
    /// The upload's or the generated image's id.
    pub source_id: String,
}

pub(crate) fn edit_from_row(r: &AnyRow) -> Result<GenerationEditRow, sqlx::Error> {
    Ok(GenerationEditRow {
        generation_id: r.try_get("generation_id")?,
        source_kind: r.try_get("source_kind")?,
        source_id: r.try_get("source_id")?,
    })
}

impl Store {
    /// Records an assistant call.
    ///
    /// # Errors
    /// A database error (the user may have been deleted meanwhile: then a foreign-key error).
    pub async fn insert_assistant_log(&self, log: &AssistantLogRow) -> Result<(), DbError> {
        let sql = format!(
            "INSERT INTO assistant_logs ({LOG_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&log.id)
            .bind(&log.user_id)
            .bind(&log.feature)
            .bind(&log.input)
            .bind(&log.instruction)
            .bind(&log.output)
            .bind(&log.provider)
            .bind(&log.model)
            .bind(log.duration_ms)
            .bind(&log.status)
            .bind(&log.error)
            .bind(log.created_at)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// A user's assistant calls, newest first, `limit` at most, older than `before`
    /// (`(created_at, id)`) when given.
    ///
    /// # Errors
    /// A database error.
    pub async fn assistant_logs_of_user(
        &self,
        user_id: &str,
        limit: i64,
        before: Option<(UnixMillis, &str)>,
    ) -> Result<Vec<AssistantLogRow>, DbError> {
        let (at, id) = before.unwrap_or((i64::MAX, ""));
        let sql = format!(
            "SELECT {LOG_COLUMNS} FROM assistant_logs WHERE user_id = $1 \
             AND (created_at < $2 OR (created_at = $2 AND id < $3 AND $3 <> '')) \
             ORDER BY created_at DESC, id DESC LIMIT $4"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(user_id)
            .bind(at)
            .bind(id)
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(log_from_row).collect::<Result<_, _>>()?)
    }

    /// How many assistant calls a user has on record.
    ///
    /// # Errors
    /// A database error.
    pub async fn assistant_log_count(&self, user_id: &str) -> Result<i64, DbError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM assistant_logs WHERE user_id = $1")
            .bind(user_id)
            .fetch_one(self.pool())
            .await?;
        Ok(n)
    }

    /// Deletes all of a user's assistant calls (D6); returns how many went.
    ///
    /// # Errors
    /// A database error.
    pub async fn delete_assistant_logs_of_user(&self, user_id: &str) -> Result<u64, DbError> {
        let done = sqlx::query("DELETE FROM assistant_logs WHERE user_id = $1")
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }

    /// Deletes every assistant call made before `before` (C9, R4); returns how many went.
    ///
    /// # Errors
    /// A database error.
    pub async fn delete_assistant_logs_before(&self, before: UnixMillis) -> Result<u64, DbError> {
        let done = sqlx::query("DELETE FROM assistant_logs WHERE created_at < $1")
            .bind(before)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }

    /// The oldest assistant call on record, if any (for `doctor`).
    ///
    /// # Errors
    /// A database error.
    pub async fn oldest_assistant_log(&self) -> Result<Option<UnixMillis>, DbError> {
        let at: Option<i64> = sqlx::query_scalar("SELECT MIN(created_at) FROM assistant_logs")
            .fetch_one(self.pool())
            .await?;
        Ok(at)
    }

    /// The image a generation edits, when it is an AI Edit.
    ///
    /// # Errors
    /// A database error.
    pub async fn generation_edit(
        &self,
        generation_id: &str,
    ) -> Result<Option<GenerationEditRow>, DbError> {
        let row = sqlx::query(
            "SELECT generation_id, source_kind, source_id FROM generation_edits \
             WHERE generation_id = $1",
        )
        .bind(generation_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.as_ref().map(edit_from_row).transpose()?)
    }
}
