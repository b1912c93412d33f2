//! Rows for the self-service export (D4): every row held about one user, table by table, read
//! only, and the `exports` rows of exports prepared in the background. Assistant logs, consents
//! and deletion requests are read with their own modules' queries.
//!
//! No secret ever leaves through here: session and access-token hashes, one-time codes, board
//! share tokens, wrapped data keys and request hashes are not selected at all. Pending mail
//! (`mail_outbox`) and sign-in challenges are transient delivery state and are not exported.

use crate::{DbError, Store};
use atelier_core::UnixMillis;
use sqlx::Row as _;
use sqlx::any::AnyRow;

use crate::assistant::GenerationEditRow;
use crate::generations::{GenerationImageRow, GenerationRow};
use crate::uploads::UploadRow;

/// The account itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportAccount {
    /// Id.
    pub id: String,
    /// Address.
    pub email: String,
    /// Display name.
    pub display_name: Option<String>,
    /// Language tag.
    pub language: String,
    /// Comma-separated roles.
    pub roles: String,
    /// Whether marketing mail may be sent.
    pub marketing_opt_in: bool,
    /// The privacy-policy version last opened.
    pub policy_version_seen: i64,
    /// Creation time.
    pub created_at: UnixMillis,
    /// Last change.
    pub updated_at: UnixMillis,
}

/// A session, without its token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSession {
    /// Id.
    pub id: String,
    /// Browser label.
    pub label: String,
    /// Sign-in time.
    pub created_at: UnixMillis,
    /// Last use.
    pub last_seen_at: UnixMillis,
    /// Expiry.
    pub expires_at: UnixMillis,
}

/// A personal access token, without the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportAccessToken {
    /// Id.
    pub id: String,
    /// Name given by the user.
    pub name: String,
    /// Creation time.
    pub created_at: UnixMillis,
    /// Last use.
    pub last_used_at: Option<UnixMillis>,
    /// Expiry.
    pub expires_at: Option<UnixMillis>,
}

/// An IP event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportIpEvent {
    /// Id.
    pub id: String,
    /// `signup`, `sign_in` or `session`.
    pub kind: String,
    /// The address.
    pub ip: String,
    /// Its network.
    pub network: String,
    /// When.
    pub created_at: UnixMillis,
}

/// A ledger entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportCreditEntry {
    /// Id.
    pub id: String,
    /// Kind (`grant`, `hold`, `capture`, …).
    pub kind: String,
    /// Amount.
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

/// A reference upload of a generation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportReference {
    /// The generation.
    pub generation_id: String,
    /// The upload.
    pub upload_id: String,
    /// Order.
    pub position: i64,
}

/// A favorite gallery item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportFavorite {
    /// Gallery item id.
    pub item_id: String,
    /// The item's prompt.
    pub prompt: Option<String>,
    /// When.
    pub created_at: UnixMillis,
}

/// A board (whether it is shared, never its token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportBoard {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Whether a share link exists.
    pub shared: bool,
    /// Creation.
    pub created_at: UnixMillis,
    /// Last change.
    pub updated_at: UnixMillis,
}

/// An entry on a board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportBoardItem {
    /// Id.
    pub id: String,
    /// The board.
    pub board_id: String,
    /// A gallery item.
    pub item_id: Option<String>,
    /// One of the user's generations.
    pub generation_id: Option<String>,
    /// Whether shown through the share link.
    pub shared: bool,
    /// When added.
    pub added_at: UnixMillis,
}

/// An export prepared in the background.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRow {
    /// Id.
    pub id: String,
    /// Owner.
    pub user_id: String,
    /// `queued`, `ready` or `failed`.
    pub status: String,
    /// Size of the ZIP once ready.
    pub byte_size: Option<i64>,
    /// When asked for.
    pub created_at: UnixMillis,
    /// When the file and its link stop working.
    pub expires_at: UnixMillis,
}

const EXPORT_COLUMNS: &str = "id, user_id, status, byte_size, created_at, expires_at";

fn export_from_row(r: &AnyRow) -> Result<ExportRow, sqlx::Error> {
    Ok(ExportRow {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        status: r.try_get("status")?,
        byte_size: r.try_get("byte_size")?,
        created_at: r.try_get("created_at")?,
        expires_at: r.try_get("expires_at")?,
    })
}

impl Store {
    async fn export_rows<T>(
        &self,
        sql: &str,
        user_id: &str,
        map: fn(&AnyRow) -> Result<T, sqlx::Error>,
    ) -> Result<Vec<T>, DbError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
            .bind(user_id)
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(map).collect::<Result<_, _>>()?)
    }

    /// The account row.
    ///
    /// # Errors
    /// [`DbError::NotFound`] when the user is gone; database failures.
    pub async fn export_account(&self, user_id: &str) -> Result<ExportAccount, DbError> {
        let row = sqlx::query(
            "SELECT id, email, display_name, language, roles, marketing_opt_in, \
             policy_version_seen, created_at, updated_at FROM users WHERE id = $1",
        )
        .bind(user_id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(DbError::NotFound)?;
        Ok(ExportAccount {
            id: row.try_get("id")?,
            email: row.try_get("email")?,
            display_name: row.try_get("display_name")?,
            language: row.try_get("language")?,
            roles: row.try_get("roles")?,
            marketing_opt_in: row.try_get::<i64, _>("marketing_opt_in")? != 0,
            policy_version_seen: row.try_get("policy_version_seen")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }

    /// Every session of the user (no token hash).
    ///
    /// # Errors
    /// Database failures.
    pub async fn export_sessions(&self, user_id: &str) -> Result<Vec<ExportSession>, DbError> {
        self.export_rows(
            "SELECT id, label, created_at, last_seen_at, expires_at FROM sessions \
             WHERE user_id = $1 ORDER BY created_at, id",
            user_id,
            |r| {
                Ok(ExportSession {
                    id: r.try_get("id")?,
                    label: r.try_get("label")?,
                    created_at: r.try_get("created_at")?,
                    last_seen_at: r.try_get("last_seen_at")?,
                    expires_at: r.try_get("expires_at")?,
                })
            },
        )
        .await
    }

    /// Every access token of the user (no token hash).
    ///
    /// # Errors
    /// Database failures.
    pub async fn export_access_tokens(
        &self,
        user_id: &str,
    ) -> Result<Vec<ExportAccessToken>, DbError> {
        self.export_rows(
            "SELECT id, name, created_at, last_used_at, expires_at FROM access_tokens \
             WHERE user_id = $1 ORDER BY created_at, id",
            user_id,
            |r| {
                Ok(ExportAccessToken {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    created_at: r.try_get("created_at")?,
                    last_used_at: r.try_get("last_used_at")?,
                    expires_at: r.try_get("expires_at")?,
                })
            },
        )
        .await
    }

    /// Every IP event of the user.
    ///
    /// # Errors
    /// Database failures.
    pub async fn export_ip_events(&self, user_id: &str) -> Result<Vec<ExportIpEvent>, DbError> {
        self.export_rows(
            "SELECT id, kind, ip, network, created_at FROM ip_events \
             WHERE user_id = $1 ORDER BY created_at, id",
            user_id,
            |r| {
                Ok(ExportIpEvent {
                    id: r.try_get("id")?,
                    kind: r.try_get("kind")?,
                    ip: r.try_get("ip")?,
                    network: r.try_get("network")?,
                    created_at: r.try_get("created_at")?,
                })
            },
        )
        .await
    }

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
                Ok(ExportCreditEntry {
                    id: r.try_get("id")?,
                    kind: r.try_get("kind")?,
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

    /// Every upload of the user.
    ///
    /// # Errors
    /// Database failures.
    pub async fn export_uploads(&self, user_id: &str) -> Result<Vec<UploadRow>, DbError> {
        let sql = format!(
            "SELECT {} FROM uploads WHERE user_id = $1 ORDER BY created_at, id",
            crate::uploads::UPLOAD_COLUMNS
        );
        self.export_rows(&sql, user_id, crate::uploads::upload_from_row)
            .await
    }

    /// Every generation of the user (the export leaves out the request hash).
    ///
    /// # Errors
    /// Database failures.
    pub async fn export_generations(&self, user_id: &str) -> Result<Vec<GenerationRow>, DbError> {
        let sql = format!(
            "SELECT {} FROM generations g WHERE g.user_id = $1 ORDER BY g.created_at, g.id",
            crate::generations::GENERATION_COLUMNS
        );
        self.export_rows(&sql, user_id, crate::generations::generation_from_row)
            .await
    }

    /// The reference uploads of every generation of the user.
    ///
    /// # Errors
    /// Database failures.
    pub async fn export_generation_references(
        &self,
        user_id: &str,
    ) -> Result<Vec<ExportReference>, DbError> {
        self.export_rows(
            "SELECT r.generation_id, r.upload_id, r.position FROM generation_references r \
             JOIN generations g ON g.id = r.generation_id WHERE g.user_id = $1 \
             ORDER BY r.generation_id, r.position",
            user_id,
            |r| {
                Ok(ExportReference {
                    generation_id: r.try_get("generation_id")?,
                    upload_id: r.try_get("upload_id")?,
                    position: r.try_get("position")?,
                })
            },
        )
        .await
    }

    /// The images of every generation of the user.
    ///
    /// # Errors
    /// Database failures.
    pub async fn export_generation_images(
        &self,
        user_id: &str,
    ) -> Result<Vec<GenerationImageRow>, DbError> {
        let sql = format!(
            "SELECT {} FROM generation_images i JOIN generations g ON g.id = i.generation_id \
             WHERE g.user_id = $1 ORDER BY i.generation_id, i.position",
            crate::generations::IMAGE_COLUMNS
        );
        self.export_rows(&sql, user_id, crate::generations::image_from_row)
            .await
    }

    /// What each AI Edit of the user changed.
    ///
    /// # Errors
    /// Database failures.
    pub async fn export_generation_edits(
        &self,
        user_id: &str,
    ) -> Result<Vec<GenerationEditRow>, DbError> {
        self.export_rows(
            "SELECT e.generation_id, e.source_kind, e.source_id FROM generation_edits e \
             JOIN generations g ON g.id = e.generation_id WHERE g.user_id = $1 \
             ORDER BY e.generation_id",
            user_id,
            crate::assistant::edit_from_row,
        )
        .await
    }

    /// Every favorite of the user, with the item's prompt.
    ///
    /// # Errors
    /// Database failures.
    pub async fn export_favorites(&self, user_id: &str) -> Result<Vec<ExportFavorite>, DbError> {
        self.export_rows(
            "SELECT f.item_id, g.prompt, f.created_at FROM favorites f \
             LEFT JOIN gallery_items g ON g.id = f.item_id WHERE f.user_id = $1 \
             ORDER BY f.created_at, f.item_id",
            user_id,
            |r| {
                Ok(ExportFavorite {
                    item_id: r.try_get("item_id")?,
                    prompt: r.try_get("prompt")?,
                    created_at: r.try_get("created_at")?,
                })
            },
        )
        .await
    }

    /// Every board of the user (whether shared, never the token).
    ///
    /// # Errors
    /// Database failures.
    pub async fn export_boards(&self, user_id: &str) -> Result<Vec<ExportBoard>, DbError> {
        self.export_rows(
            "SELECT id, name, description, \
             CAST(CASE WHEN share_token IS NULL THEN 0 ELSE 1 END AS BIGINT) AS shared, created_at, updated_at \
             FROM boards WHERE user_id = $1 ORDER BY created_at, id",
            user_id,
            |r| {
                Ok(ExportBoard {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    description: r.try_get("description")?,
                    shared: int_flag(r, "shared")?,
                    created_at: r.try_get("created_at")?,
                    updated_at: r.try_get("updated_at")?,
                })
            },
        )
        .await
    }

    /// Every entry on the user's boards.
    ///
    /// # Errors
    /// Database failures.
    pub async fn export_board_items(&self, user_id: &str) -> Result<Vec<ExportBoardItem>, DbError> {
        self.export_rows(
            "SELECT i.id, i.board_id, i.item_id, i.generation_id, i.shared, i.added_at \
             FROM board_items i JOIN boards b ON b.id = i.board_id WHERE b.user_id = $1 \
             ORDER BY i.board_id, i.added_at, i.id",
            user_id,
            |r| {
                Ok(ExportBoardItem {
                    id: r.try_get("id")?,
                    board_id: r.try_get("board_id")?,
                    item_id: r.try_get("item_id")?,
                    generation_id: r.try_get("generation_id")?,
                    shared: int_flag(r, "shared")?,
                    added_at: r.try_get("added_at")?,
                })
            },
        )
        .await
    }

    /// Records a background export.
    ///
    /// # Errors
    /// Database failures (a foreign-key error when the user is gone).
    pub async fn insert_export(&self, e: &ExportRow) -> Result<(), DbError> {
        let sql = format!("INSERT INTO exports ({EXPORT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&e.id)
            .bind(&e.user_id)
            .bind(&e.status)
            .bind(e.byte_size)
            .bind(e.created_at)
            .bind(e.expires_at)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// One export of the user; `None` when absent or someone else's.
    ///
    /// # Errors
    /// Database failures.
    pub async fn export_of_user(
        &self,
        user_id: &str,
        id: &str,
    ) -> Result<Option<ExportRow>, DbError> {
        let sql = format!("SELECT {EXPORT_COLUMNS} FROM exports WHERE id = $1 AND user_id = $2");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(user_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(export_from_row).transpose()?)
    }

    /// One export by id.
    ///
    /// # Errors
    /// Database failures.
    pub async fn export_by_id(&self, id: &str) -> Result<Option<ExportRow>, DbError> {
        let sql = format!("SELECT {EXPORT_COLUMNS} FROM exports WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(export_from_row).transpose()?)
    }

    /// The user's exports, newest first.
    ///
    /// # Errors
    /// Database failures.
    pub async fn exports_of_user(&self, user_id: &str) -> Result<Vec<ExportRow>, DbError> {
        let sql = format!(
            "SELECT {EXPORT_COLUMNS} FROM exports WHERE user_id = $1 \
             ORDER BY created_at DESC, id DESC"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(user_id)
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(export_from_row).collect::<Result<_, _>>()?)
    }

    /// Sets an export's status, its size once ready, and when it expires.
    ///
    /// # Errors
    /// Database failures.
    pub async fn finish_export(
        &self,
        id: &str,
        status: &str,
        byte_size: Option<i64>,
        expires_at: UnixMillis,
    ) -> Result<bool, DbError> {
        let done = sqlx::query(
            "UPDATE exports SET status = $2, byte_size = $3, expires_at = $4 WHERE id = $1",
        )
        .bind(id)
        .bind(status)
        .bind(byte_size)
        .bind(expires_at)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Exports that expired at `now`: `(id, user_id)`, at most `limit`.
    ///
    /// # Errors
    /// Database failures.
    pub async fn expired_exports(
        &self,
        now: UnixMillis,
        limit: i64,
    ) -> Result<Vec<(String, String)>, DbError> {
        let rows = sqlx::query(
            "SELECT id, user_id FROM exports WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("user_id")?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(DbError::from)
    }

    /// Deletes an export row.
    ///
    /// # Errors
    /// Database failures.
    pub async fn delete_export(&self, id: &str) -> Result<bool, DbError> {
        let done = sqlx::query("DELETE FROM exports WHERE id = $1")
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }
}

/// A 0/1 column (an integer on both backends).
fn int_flag(r: &AnyRow, column: &str) -> Result<bool, sqlx::Error> {
    Ok(r.try_get::<i64, _>(column)? != 0)
}
