//! Rows for the self-service export (D4): every row held about one user, table by table, read
//! only, and the `exports` rows of exports prepared in the background. Assistant logs, consents
//! and deletion requests are read with their own modules' queries.
//!
//! No secret ever leaves through here: session and access-token hashes, one-time codes, board
//! share tokens, wrapped data keys and request hashes are not selected at all. Pending mail
//! (`mail_outbox`) and sign-in challenges are transient delivery state and are not exported.
//!
//! One module per part of the export: the account with its sign-ins, the credit ledger, uploads
//! and generations, favorites and boards, and the prepared archives themselves.

mod account;
mod archives;
mod collections;
mod credits;
mod generations;

pub use account::{ExportAccessToken, ExportAccount, ExportIpEvent, ExportSession};
pub use archives::ExportRow;
pub use collections::{ExportBoard, ExportBoardItem, ExportFavorite};
pub use credits::ExportCreditEntry;
pub use generations::ExportReference;

use crate::{DbError, Store};
use sqlx::any::AnyRow;

impl Store {
    /// The rows of `sql` (whose one parameter is the user), each mapped by `map`.
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
}
