//! Facets: how many items share a model, aspect or source, for the gallery's filter chips.

use crate::{DbError, Store};
use sqlx::Row as _;

/// How many items share a value, for filter chips.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facet {
    /// The value.
    pub value: String,
    /// Items with it.
    pub count: i64,
}

/// Columns that filter chips are built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FacetColumn {
    /// Model names.
    Model,
    /// Aspect ratios.
    Aspect,
    /// Sources.
    Source,
}

impl Store {
    /// Counts per model, category or aspect, most common first, for filter chips.
    ///
    /// # Errors
    /// Database errors.
    pub async fn gallery_facets(
        &self,
        column: FacetColumn,
        limit: i64,
    ) -> Result<Vec<Facet>, DbError> {
        let col = match column {
            FacetColumn::Model => "model",
            FacetColumn::Aspect => "aspect",
            FacetColumn::Source => "source",
        };
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {col} AS value, COUNT(*) AS n FROM gallery_items GROUP BY {col} ORDER BY n DESC, value LIMIT $1"
        )))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Facet {
                    value: r.try_get("value")?,
                    count: r.try_get("n")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(DbError::from)
    }
}
