//! The creative part of the export: uploads, generations (without their request hashes), the
//! references and images of each, and what each AI Edit changed. Rows are read with their own
//! modules' column lists and mappings.

use crate::{DbError, Store};
use sqlx::Row as _;

use crate::assistant::GenerationEditRow;
use crate::generations::{GenerationImageRow, GenerationRow};
use crate::uploads::UploadRow;

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

impl Store {
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
}
