//! The job that runs a generation: the provider call, the encrypted images and their thumbnails,
//! and the hold settled once.

use super::{GENERATED_THUMB_WIDTHS, ImageVariant};
use crate::{App, AppError};
use atelier_core::Aspect;
use atelier_db::generations::{GenerationImageRow, GenerationRow};
use atelier_jobs::{JobContext, JobError};
use atelier_media::BlobKey;
use atelier_media::image::{self as img, ImageLimits};
use atelier_providers::{GenerateRequest, ReferenceImage};
use serde::{Deserialize, Serialize};

/// The job's payload.
#[derive(Debug, Serialize, Deserialize)]
pub struct GenerationJob {
    /// Generation id.
    pub id: String,
}

impl App {
    /// Runs a generation (the job): calls the provider, stores each image encrypted with its
    /// thumbnails, then settles the hold once — captured per delivered image, the rest released.
    ///
    /// # Errors
    /// A retryable [`JobError`] while attempts remain for a passing provider failure.
    pub async fn run_generation(&self, ctx: &JobContext) -> Result<(), JobError> {
        let job: GenerationJob = ctx.payload()?;
        let store = self.store();
        let Some(row) = store
            .generation_by_id(&job.id)
            .await
            .map_err(JobError::retry)?
        else {
            return Ok(()); // deleted meanwhile (its hold was settled then)
        };
        if matches!(row.status.as_str(), "succeeded" | "failed") {
            // Ended before a crash could record it: make sure the hold is settled.
            self.settle_generation(&row, row.credits_charged)
                .await
                .map_err(JobError::retry)?;
            return Ok(());
        }
        store
            .mark_generation_running(&row.id, self.now_ms())
            .await
            .map_err(JobError::retry)?;
        let last_attempt = ctx.attempt >= ctx.max_attempts;
        match self.generate_images(&row).await {
            Ok(delivered) => {
                let charged = row.price_per_image * delivered;
                self.settle_generation(&row, charged)
                    .await
                    .map_err(JobError::retry)?;
                let error = (delivered == 0).then_some("The provider delivered no image.");
                store
                    .finish_generation(&row.id, delivered > 0, error, charged, self.now_ms())
                    .await
                    .map_err(JobError::retry)?;
                tracing::info!(generation_id = %row.id, delivered, "generation finished");
                Ok(())
            }
            Err(GenerateFailure::Passing(reason, after)) if !last_attempt => Err(match after {
                Some(after) => JobError::RetryAfter(reason, after),
                None => JobError::Retry(reason),
            }),
            Err(GenerateFailure::Passing(reason, _) | GenerateFailure::Final(reason)) => {
                self.settle_generation(&row, 0)
                    .await
                    .map_err(JobError::retry)?;
                store
                    .finish_generation(&row.id, false, Some(&reason), 0, self.now_ms())
                    .await
                    .map_err(JobError::retry)?;
                tracing::info!(generation_id = %row.id, "generation failed");
                Ok(())
            }
        }
    }

    async fn settle_generation(&self, row: &GenerationRow, captured: i64) -> Result<(), AppError> {
        if let Some(hold) = &row.hold_id {
            let reason = if captured > 0 {
                "Images delivered"
            } else {
                "Nothing delivered"
            };
            self.settle_credits(hold, captured, reason).await?;
        }
        Ok(())
    }

    /// Calls the provider and stores what it delivered; returns how many images were stored.
    async fn generate_images(&self, row: &GenerationRow) -> Result<i64, GenerateFailure> {
        let model = self
            .models()
            .into_iter()
            .find(|m| m.id == row.model_id)
            .ok_or_else(|| GenerateFailure::Final("This model is no longer offered.".to_owned()))?;
        let provider = self.providers().get(model.provider).ok_or_else(|| {
            GenerateFailure::Final("This model's provider is not configured.".to_owned())
        })?;
        let mut references = Vec::new();
        let refs = self
            .store()
            .generation_references(std::slice::from_ref(&row.id))
            .await
            .map_err(|e| GenerateFailure::Passing(e.to_string(), None))?;
        for (_, upload_id) in refs {
            let (bytes, content_type) = self
                .upload_image(
                    &row.user_id,
                    &upload_id,
                    crate::uploads::UploadVariant::Original,
                )
                .await
                .map_err(|_| GenerateFailure::Final("A reference image is gone.".to_owned()))?;
            references.push(ReferenceImage {
                bytes,
                content_type,
            });
        }
        let edit = self
            .store()
            .generation_edit(&row.id)
            .await
            .map_err(|e| GenerateFailure::Passing(e.to_string(), None))?;
        if let Some(edit) = &edit {
            references.insert(0, self.edit_source(row, edit).await?);
        }
        let aspect = Aspect::parse(&row.aspect).unwrap_or(Aspect::Square);
        let mut request = GenerateRequest::new(model.provider_model(), row.prompt.clone(), aspect);
        request.count = u32::try_from(row.count).unwrap_or(1);
        request.seed = row.seed.and_then(|s| u64::try_from(s).ok());
        request.references = references;
        request.edit = edit.is_some();
        let started = std::time::Instant::now();
        let result = provider.generate(&request).await;
        if let Some(edit) = &edit {
            self.log_assistant_call(crate::assistant::CallRecord {
                user_id: &row.user_id,
                feature: crate::assistant::Feature::Edit,
                input: format!("{}:{}", edit.source_kind, edit.source_id),
                instruction: Some(row.prompt.clone()),
                provider: provider.kind(),
                model: model.provider_model(),
                started,
                outcome: match &result {
                    Ok(images) => Ok(format!("generation:{} ({} image(s))", row.id, images.len())),
                    Err(e) => Err(e.user_message()),
                },
            })
            .await;
        }
        let images = result.map_err(|e| {
            tracing::warn!(generation_id = %row.id, code = e.code(), "provider call failed");
            if e.is_retryable() {
                GenerateFailure::Passing(e.user_message(), e.retry_after())
            } else {
                GenerateFailure::Final(e.user_message())
            }
        })?;
        let mut stored = 0;
        for (position, image) in images.into_iter().enumerate().take(request.count as usize) {
            let position = i64::try_from(position).unwrap_or(0);
            let image_id = format!("{}{position}", row.id);
            let thumbs = {
                let bytes = image.bytes.clone();
                tokio::task::spawn_blocking(move || -> Result<Vec<(u32, Vec<u8>)>, String> {
                    let limits = ImageLimits {
                        max_bytes: 64 * 1024 * 1024,
                        max_pixels: 64_000_000,
                    };
                    let decoded = img::decode(&bytes, &limits).map_err(|e| e.to_string())?;
                    GENERATED_THUMB_WIDTHS
                        .iter()
                        .map(|w| {
                            img::thumbnail_webp(&decoded, *w)
                                .map(|t| (*w, t.bytes))
                                .map_err(|e| e.to_string())
                        })
                        .collect()
                })
                .await
                .map_err(|e| GenerateFailure::Passing(e.to_string(), None))?
            };
            let Ok(thumbs) = thumbs else {
                continue; // an image that does not decode is not delivered (nor charged)
            };
            let put = async {
                self.put_private_blob(
                    &row.user_id,
                    &BlobKey::generated(&row.user_id, &image_id, "original"),
                    &image.bytes,
                )
                .await?;
                for (w, bytes) in &thumbs {
                    self.put_private_blob(
                        &row.user_id,
                        &BlobKey::generated(&row.user_id, &image_id, &format!("w{w}")),
                        bytes,
                    )
                    .await?;
                }
                self.store()
                    .insert_generation_image(&GenerationImageRow {
                        id: image_id.clone(),
                        generation_id: row.id.clone(),
                        position,
                        width: i64::from(image.width),
                        height: i64::from(image.height),
                        content_type: image.content_type.clone(),
                        byte_size: i64::try_from(image.bytes.len()).unwrap_or(i64::MAX),
                        created_at: self.now_ms(),
                    })
                    .await?;
                Ok::<_, AppError>(())
            }
            .await;
            match put {
                Ok(()) => stored += 1,
                Err(AppError::NotFound) => {
                    // Deleted while it ran: drop what was written.
                    let _ = self
                        .blobs()
                        .delete_prefix(&BlobKey::generated_prefix(&row.user_id, &image_id))
                        .await;
                    return Ok(0);
                }
                Err(e) => return Err(GenerateFailure::Passing(e.to_string(), None)),
            }
        }
        Ok(stored)
    }

    /// The image an AI Edit changes, decrypted; a source deleted meanwhile fails the edit.
    async fn edit_source(
        &self,
        row: &GenerationRow,
        edit: &atelier_db::assistant::GenerationEditRow,
    ) -> Result<ReferenceImage, GenerateFailure> {
        let loaded = if edit.source_kind == "upload" {
            self.upload_image(
                &row.user_id,
                &edit.source_id,
                crate::uploads::UploadVariant::Original,
            )
            .await
        } else {
            self.generated_image(Some(&row.user_id), &edit.source_id, ImageVariant::Original)
                .await
        };
        match loaded {
            Ok((bytes, content_type)) => Ok(ReferenceImage {
                bytes,
                content_type,
            }),
            Err(AppError::NotFound) => Err(GenerateFailure::Final(
                "The image to edit was deleted.".to_owned(),
            )),
            Err(e) => Err(GenerateFailure::Passing(e.to_string(), None)),
        }
    }
}

/// Why generating did not succeed.
enum GenerateFailure {
    /// May pass: try again (after the given time, if any).
    Passing(String, Option<std::time::Duration>),
    /// Will not pass.
    Final(String),
}
