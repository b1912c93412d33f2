//! Holdings (D8): how many rows of each kind the instance keeps about a user, for the privacy
//! center.

use crate::{DbError, Store};

impl Store {
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
}
