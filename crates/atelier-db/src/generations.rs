//! Rows of generations, their images and their reference uploads.

use crate::{DbError, Store};
use atelier_core::UnixMillis;
use sqlx::Row as _;
use sqlx::any::AnyRow;

/// A generation record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerationRow {
    /// Id (≥ 128 random bits: it is also a capability for the MeiGen status route).
    pub id: String,
    /// Owner.
    pub user_id: String,
    /// The prompt (C8).
    pub prompt: String,
    /// Model id.
    pub model_id: String,
    /// Provider kind.
    pub provider: String,
    /// Aspect ratio.
    pub aspect: String,
    /// Images asked for.
    pub count: i64,
    /// Seed, if given.
    pub seed: Option<i64>,
    /// `queued`, `running`, `succeeded` or `failed`.
    pub status: String,
    /// Readable reason of a failure.
    pub error: Option<String>,
    /// Credits per delivered image.
    pub price_per_image: i64,
    /// The credit hold placed for it.
    pub hold_id: Option<String>,
    /// Credits captured.
    pub credits_charged: i64,
    /// The client's Idempotency-Key.
    pub idempotency_key: Option<String>,
    /// Hash of the request, to tell a replay from a reuse of the key.
    pub request_hash: String,
    /// Creation time.
    pub created_at: UnixMillis,
    /// Last change.
    pub updated_at: UnixMillis,
    /// When it ended.
    pub finished_at: Option<UnixMillis>,
}

pub(crate) const GENERATION_COLUMNS: &str = "g.id, g.user_id, g.prompt, g.model_id, g.provider, g.aspect, \
     g.count, g.seed, g.status, g.error, g.price_per_image, g.hold_id, g.credits_charged, \
     g.idempotency_key, g.request_hash, g.created_at, g.updated_at, g.finished_at";

pub(crate) fn generation_from_row(r: &AnyRow) -> Result<GenerationRow, sqlx::Error> {
    Ok(GenerationRow {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        prompt: r.try_get("prompt")?,
        model_id: r.try_get("model_id")?,
        provider: r.try_get("provider")?,
        aspect: r.try_get("aspect")?,
        count: r.try_get("count")?,
        seed: r.try_get("seed")?,
        status: r.try_get("status")?,
        error: r.try_get("error")?,
        price_per_image: r.try_get("price_per_image")?,
        hold_id: r.try_get("hold_id")?,
        credits_charged: r.try_get("credits_charged")?,
        idempotency_key: r.try_get("idempotency_key")?,
        request_hash: r.try_get("request_hash")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        finished_at: r.try_get("finished_at")?,
    })
}

/// A delivered image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerationImageRow {
    /// Id (unguessable).
    pub id: String,
    /// Its generation.
    pub generation_id: String,
    /// Position in the generation, from 0.
    pub position: i64,
    /// Width.
    pub width: i64,
    /// Height.
    pub height: i64,
    /// MIME type of the original.
    pub content_type: String,
    /// Bytes of the original (before encryption).
    pub byte_size: i64,
    /// When it was stored.
    pub created_at: UnixMillis,
}

pub(crate) const IMAGE_COLUMNS: &str = "i.id, i.generation_id, i.position, i.width, i.height, \
     i.content_type, i.byte_size, i.created_at";

pub(crate) fn image_from_row(r: &AnyRow) -> Result<GenerationImageRow, sqlx::Error> {
    Ok(GenerationImageRow {
        id: r.try_get("id")?,
        generation_id: r.try_get("generation_id")?,
        position: r.try_get("position")?,
        width: r.try_get("width")?,
        height: r.try_get("height")?,
        content_type: r.try_get("content_type")?,
        byte_size: r.try_get("byte_size")?,
        created_at: r.try_get("created_at")?,
    })
}

/// What deleting a generation removed from the database; the blobs are the caller's to delete.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeletedGeneration {
    /// Its images.
    pub image_ids: Vec<String>,
    /// Reference uploads no other generation of the user uses; their rows are gone too.
    pub orphaned_upload_ids: Vec<String>,
    /// The credit hold, to settle if the generation had not ended.
    pub hold_id: Option<String>,
    /// Its status when deleted.
    pub status: String,
}

fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store {
    /// Stores a new generation and its references.
    ///
    /// # Errors
    /// [`DbError::Conflict`] when the user already used the idempotency key.
    pub async fn insert_generation(
        &self,
        g: &GenerationRow,
        reference_upload_ids: &[String],
    ) -> Result<(), DbError> {
        self.insert_generation_with_edit(g, reference_upload_ids, None)
            .await
    }

    /// Stores a new generation, its references and, for an AI Edit, the image it changes — in
    /// one transaction.
    ///
    /// # Errors
    /// [`DbError::Conflict`] when the user already used the idempotency key.
    pub async fn insert_generation_with_edit(
        &self,
        g: &GenerationRow,
        reference_upload_ids: &[String],
        edit: Option<&crate::assistant::GenerationEditRow>,
    ) -> Result<(), DbError> {
        let mut tx = self.begin_write().await?;
        let outcome = async {
        sqlx::query(
            "INSERT INTO generations (id, user_id, prompt, model_id, provider, aspect, count, seed, \
             status, error, price_per_image, hold_id, credits_charged, idempotency_key, request_hash, \
             created_at, updated_at, finished_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
        )
        .bind(&g.id)
        .bind(&g.user_id)
        .bind(&g.prompt)
        .bind(&g.model_id)
        .bind(&g.provider)
        .bind(&g.aspect)
        .bind(g.count)
        .bind(g.seed)
        .bind(&g.status)
        .bind(&g.error)
        .bind(g.price_per_image)
        .bind(&g.hold_id)
        .bind(g.credits_charged)
        .bind(&g.idempotency_key)
        .bind(&g.request_hash)
        .bind(g.created_at)
        .bind(g.updated_at)
        .bind(g.finished_at)
        .execute(&mut *tx)
        .await?;
        for (position, upload) in reference_upload_ids.iter().enumerate() {
            sqlx::query(
                "INSERT INTO generation_references (generation_id, upload_id, position) \
                 VALUES ($1, $2, $3)",
            )
            .bind(&g.id)
            .bind(upload)
            .bind(i64::try_from(position).unwrap_or(i64::MAX))
            .execute(&mut *tx)
            .await?;
        }
        if let Some(e) = edit {
            sqlx::query(
                "INSERT INTO generation_edits (generation_id, source_kind, source_id) \
                 VALUES ($1, $2, $3)",
            )
            .bind(&g.id)
            .bind(&e.source_kind)
            .bind(&e.source_id)
            .execute(&mut *tx)
            .await?;
        }
        Ok::<_, DbError>(())
        }
        .await;
        crate::store::finish_tx(tx, outcome, |()| true).await
    }

    /// One of a user's generations (another user's is not found).
    ///
    /// # Errors
    /// [`DbError::NotFound`].
    pub async fn generation(&self, user_id: &str, id: &str) -> Result<GenerationRow, DbError> {
        let sql = format!(
            "SELECT {GENERATION_COLUMNS} FROM generations g WHERE g.id = $1 AND g.user_id = $2"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(user_id)
            .fetch_one(self.pool())
            .await?;
        Ok(generation_from_row(&row)?)
    }

    /// A generation by id alone (for its job, and the status route where the id is the
    /// capability).
    ///
    /// # Errors
    /// On database failure.
    pub async fn generation_by_id(&self, id: &str) -> Result<Option<GenerationRow>, DbError> {
        let sql = format!("SELECT {GENERATION_COLUMNS} FROM generations g WHERE g.id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(generation_from_row).transpose()?)
    }

    /// The user's generation made with an idempotency key.
    ///
    /// # Errors
    /// On database failure.
    pub async fn generation_by_key(
        &self,
        user_id: &str,
        key: &str,
    ) -> Result<Option<GenerationRow>, DbError> {
        let sql = format!(
            "SELECT {GENERATION_COLUMNS} FROM generations g WHERE g.user_id = $1 AND g.idempotency_key = $2"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(user_id)
            .bind(key)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(generation_from_row).transpose()?)
    }

    /// A user's generations, newest first, before the `(created_at, id)` cursor when given.
    ///
    /// # Errors
    /// On database failure.
    pub async fn generations_of_user(
        &self,
        user_id: &str,
        limit: i64,
        before: Option<(UnixMillis, &str)>,
    ) -> Result<Vec<GenerationRow>, DbError> {
        let (at, id) = before.unwrap_or((i64::MAX, ""));
        let sql = format!(
            "SELECT {GENERATION_COLUMNS} FROM generations g WHERE g.user_id = $1 \
             AND (g.created_at < $2 OR (g.created_at = $2 AND g.id < $3) OR $3 = '') \
             ORDER BY g.created_at DESC, g.id DESC LIMIT $4"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(user_id)
            .bind(at)
            .bind(id)
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        Ok(rows
            .iter()
            .map(generation_from_row)
            .collect::<Result<_, _>>()?)
    }

    /// How many of a user's generations are queued or running.
    ///
    /// # Errors
    /// On database failure.
    pub async fn active_generation_count(&self, user_id: &str) -> Result<i64, DbError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM generations WHERE user_id = $1 AND status IN ('queued', 'running')",
        )
        .bind(user_id)
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get("n")?)
    }

    /// Marks a generation running; `false` when it already ended or is gone.
    ///
    /// # Errors
    /// On database failure.
    pub async fn mark_generation_running(
        &self,
        id: &str,
        now: UnixMillis,
    ) -> Result<bool, DbError> {
        let done = sqlx::query(
            "UPDATE generations SET status = 'running', updated_at = $2 \
             WHERE id = $1 AND status IN ('queued', 'running')",
        )
        .bind(id)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Ends a generation (once): `succeeded` or `failed` with its reason and the credits charged.
    ///
    /// # Errors
    /// On database failure.
    pub async fn finish_generation(
        &self,
        id: &str,
        succeeded: bool,
        error: Option<&str>,
        credits_charged: i64,
        now: UnixMillis,
    ) -> Result<bool, DbError> {
        let done = sqlx::query(
            "UPDATE generations SET status = $2, error = $3, credits_charged = $4, updated_at = $5, \
             finished_at = $5 WHERE id = $1 AND status IN ('queued', 'running')",
        )
        .bind(id)
        .bind(if succeeded { "succeeded" } else { "failed" })
        .bind(error)
        .bind(credits_charged)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records a delivered image (a second record of the same position is ignored, so a retried
    /// job does not duplicate images).
    ///
    /// # Errors
    /// [`DbError::NotFound`] when the generation was deleted meanwhile.
    pub async fn insert_generation_image(&self, i: &GenerationImageRow) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO generation_images (id, generation_id, position, width, height, content_type, \
             byte_size, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (generation_id, position) DO NOTHING",
        )
        .bind(&i.id)
        .bind(&i.generation_id)
        .bind(i.position)
        .bind(i.width)
        .bind(i.height)
        .bind(&i.content_type)
        .bind(i.byte_size)
        .bind(i.created_at)
        .execute(self.pool())
        .await
        .map_err(|e| match DbError::from(e) {
            DbError::Sqlx(sqlx::Error::Database(db)) if db.is_foreign_key_violation() => {
                DbError::NotFound
            }
            other => other,
        })?;
        Ok(())
    }

    /// The images of some generations, in position order.
    ///
    /// # Errors
    /// On database failure.
    pub async fn generation_images(
        &self,
        generation_ids: &[String],
    ) -> Result<Vec<GenerationImageRow>, DbError> {
        if generation_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {IMAGE_COLUMNS} FROM generation_images i WHERE i.generation_id IN ({}) \
             ORDER BY i.generation_id, i.position",
            placeholders(1, generation_ids.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in generation_ids {
            q = q.bind(id);
        }
        let rows = q.fetch_all(self.pool()).await?;
        Ok(rows.iter().map(image_from_row).collect::<Result<_, _>>()?)
    }

    /// An image and its owner's id.
    ///
    /// # Errors
    /// On database failure.
    pub async fn generation_image(
        &self,
        image_id: &str,
    ) -> Result<Option<(GenerationImageRow, String)>, DbError> {
        let sql = format!(
            "SELECT {IMAGE_COLUMNS}, g.user_id AS owner FROM generation_images i \
             JOIN generations g ON g.id = i.generation_id WHERE i.id = $1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(image_id)
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| Ok::<_, sqlx::Error>((image_from_row(&r)?, r.try_get("owner")?)))
            .transpose()
            .map_err(DbError::from)
    }

    /// The reference uploads of some generations: `(generation id, upload id)` in order.
    ///
    /// # Errors
    /// On database failure.
    pub async fn generation_references(
        &self,
        generation_ids: &[String],
    ) -> Result<Vec<(String, String)>, DbError> {
        if generation_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT generation_id, upload_id FROM generation_references WHERE generation_id IN ({}) \
             ORDER BY generation_id, position",
            placeholders(1, generation_ids.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in generation_ids {
            q = q.bind(id);
        }
        let rows = q.fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| Ok((r.try_get("generation_id")?, r.try_get("upload_id")?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(DbError::from)
    }

    /// Deletes one of a user's generations with its image rows and reference links, and the
    /// uploads no other generation of the user still uses (C5). `None` when it is not theirs.
    ///
    /// # Errors
    /// On database failure.
    pub async fn delete_generation(
        &self,
        user_id: &str,
        id: &str,
    ) -> Result<Option<DeletedGeneration>, DbError> {
        let mut tx = self.begin_write().await?;
        let outcome = async {
            let Some(row) = sqlx::query(
                "SELECT hold_id, status FROM generations WHERE id = $1 AND user_id = $2",
            )
            .bind(id)
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?
            else {
                return Ok(None);
            };
            let mut deleted = DeletedGeneration {
                hold_id: row.try_get("hold_id")?,
                status: row.try_get("status")?,
                ..DeletedGeneration::default()
            };
            for r in sqlx::query("SELECT id FROM generation_images WHERE generation_id = $1")
                .bind(id)
                .fetch_all(&mut *tx)
                .await?
            {
                deleted.image_ids.push(r.try_get("id")?);
            }
            let references: Vec<String> =
                sqlx::query("SELECT upload_id FROM generation_references WHERE generation_id = $1")
                    .bind(id)
                    .fetch_all(&mut *tx)
                    .await?
                    .iter()
                    .map(|r| r.try_get("upload_id"))
                    .collect::<Result<_, _>>()?;
            sqlx::query("DELETE FROM generations WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            for upload in references {
                let still_used = sqlx::query(
                    "SELECT COUNT(*) AS n FROM generation_references WHERE upload_id = $1",
                )
                .bind(&upload)
                .fetch_one(&mut *tx)
                .await?
                .try_get::<i64, _>("n")?;
                if still_used == 0 {
                    sqlx::query("DELETE FROM uploads WHERE id = $1 AND user_id = $2")
                        .bind(&upload)
                        .bind(user_id)
                        .execute(&mut *tx)
                        .await?;
                    deleted.orphaned_upload_ids.push(upload);
                }
            }
            Ok::<_, DbError>(Some(deleted))
        }
        .await;
        crate::store::finish_tx(tx, outcome, Option::is_some).await
    }
}
