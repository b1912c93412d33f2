//! Generation (G3, G6, C5, C6, C8, U1): a prompt, optional reference uploads, a model, an aspect,
//! a count and a seed go to the model's provider; the credits are held first and, when the job
//! ends, captured per delivered image and the rest released — exactly once, however often the job
//! runs. Images are stored encrypted with the owner's key (R1) and served only to the owner or
//! through a signed URL that expires. Deleting a record removes its prompt, its images, their
//! thumbnails and the uploads no other record of the user uses, from storage too.

mod images;
mod providers;
pub mod signing;

pub use providers::Providers;

use crate::{App, AppError, JobKind};
use atelier_core::Aspect;
use atelier_core::id::new_id;
use atelier_core::settings::{ModelSettings, ProviderKind};
use atelier_db::DbError;
use atelier_db::generations::{GenerationImageRow, GenerationRow};
use atelier_jobs::{EnqueueOptions, JobContext, JobError};
use atelier_media::BlobKey;
use atelier_media::image::{self as img, ImageLimits};
use atelier_providers::{GenerateRequest, ReferenceImage};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

/// Longest prompt, in characters.
pub const MAX_PROMPT_CHARS: usize = 4000;
/// Thumbnail widths stored for each generated image.
pub const GENERATED_THUMB_WIDTHS: [u32; 2] = [320, 640];
/// Attempts a generation job gets (provider errors that can pass are retried).
const GENERATION_ATTEMPTS: i64 = 4;

/// A generation request as a client sends it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewGeneration {
    /// The prompt.
    pub prompt: String,
    /// Model id; the default model when absent.
    pub model: Option<String>,
    /// Aspect such as `3:4`; the model's first when absent.
    pub aspect: Option<String>,
    /// Images, 1 to `generation.max_count` (default 1).
    pub count: Option<u32>,
    /// Seed for reproducible results, where the provider supports one.
    pub seed: Option<u64>,
    /// The user's own uploads to use as references.
    pub reference_upload_ids: Option<Vec<String>>,
}

/// A generation with its images and references.
#[derive(Debug, Clone)]
pub struct Generation {
    /// The record.
    pub row: GenerationRow,
    /// Delivered images.
    pub images: Vec<GenerationImageRow>,
    /// Reference upload ids, in order.
    pub reference_upload_ids: Vec<String>,
}

/// The job's payload.
#[derive(Debug, Serialize, Deserialize)]
pub struct GenerationJob {
    /// Generation id.
    pub id: String,
}

/// A variant of a generated image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageVariant {
    /// As delivered.
    Original,
    /// A WebP thumbnail of this width.
    Thumb(u32),
}

impl ImageVariant {
    /// Parses `original`, `w320` or `w640`.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        if s == "original" {
            return Some(Self::Original);
        }
        let w: u32 = s.strip_prefix('w')?.parse().ok()?;
        GENERATED_THUMB_WIDTHS
            .contains(&w)
            .then_some(Self::Thumb(w))
    }

    /// The storage and URL name.
    #[must_use]
    pub fn name(self) -> String {
        match self {
            Self::Original => "original".to_owned(),
            Self::Thumb(w) => format!("w{w}"),
        }
    }
}

impl App {
    /// The models users can choose, the default first.
    #[must_use]
    pub fn models(&self) -> Vec<ModelSettings> {
        self.settings().models()
    }

    pub(crate) fn model(&self, id: Option<&str>) -> Result<ModelSettings, AppError> {
        let models = self.models();
        match id.map(str::trim).filter(|s| !s.is_empty()) {
            Some(id) => models.into_iter().find(|m| m.id == id).ok_or_else(|| {
                AppError::invalid(
                    crate::Refusal::UnknownModel,
                    format!("There is no model `{id}` here."),
                )
            }),
            None => models.into_iter().next().ok_or_else(|| {
                AppError::invalid(
                    crate::Refusal::NoModels,
                    "This instance has no image model configured yet.",
                )
            }),
        }
    }

    /// Starts a generation (`POST /api/v1/generations`): validates, holds `count × price`
    /// credits, queues the job. With an idempotency key, the same request returns the first
    /// answer (and charges once); the same key with another request is refused.
    ///
    /// # Errors
    /// [`AppError::Invalid`] for bad input (`invalid_prompt`, `unknown_model`,
    /// `unsupported_aspect`, `invalid_count`, `too_many_references`, `unknown_upload`,
    /// `idempotency_key_reused`), [`AppError::InsufficientCredits`],
    /// [`AppError::RateLimited`] when too many of the user's generations are running.
    pub async fn create_generation(
        &self,
        user_id: &str,
        req: NewGeneration,
        idempotency_key: Option<&str>,
    ) -> Result<GenerationRow, AppError> {
        self.start_generation(user_id, req, idempotency_key, None)
            .await
    }

    /// [`App::create_generation`], and for an AI Edit the image it changes.
    pub(crate) async fn start_generation(
        &self,
        user_id: &str,
        req: NewGeneration,
        idempotency_key: Option<&str>,
        edit: Option<atelier_db::assistant::GenerationEditRow>,
    ) -> Result<GenerationRow, AppError> {
        let prompt = req.prompt.trim().to_owned();
        if prompt.is_empty() || prompt.chars().count() > MAX_PROMPT_CHARS {
            return Err(AppError::invalid(
                crate::Refusal::InvalidPrompt,
                format!("Write a prompt of 1 to {MAX_PROMPT_CHARS} characters."),
            ));
        }
        let model = self.model(req.model.as_deref())?;
        let aspects = model.aspects();
        let aspect = match req
            .aspect
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(a) => Aspect::parse(a)
                .filter(|a| aspects.contains(a))
                .ok_or_else(|| {
                    AppError::invalid(
                        crate::Refusal::UnsupportedAspect,
                        format!("{} does not offer the aspect ratio `{a}`.", model.name),
                    )
                })?,
            None => aspects.first().copied().unwrap_or(Aspect::Square),
        };
        let max = self.settings().generation.max_count;
        let count = req.count.unwrap_or(1);
        if !(1..=max).contains(&count) {
            return Err(AppError::invalid(
                crate::Refusal::InvalidCount { max },
                format!("Ask for 1 to {max} images."),
            ));
        }
        let references = req.reference_upload_ids.unwrap_or_default();
        if references.len() > usize::try_from(model.max_reference_images).unwrap_or(0) {
            return Err(AppError::invalid(
                crate::Refusal::TooManyReferences {
                    max: model.max_reference_images,
                },
                format!(
                    "{} takes at most {} reference images.",
                    model.name, model.max_reference_images
                ),
            ));
        }
        let mut unique = references.clone();
        unique.sort();
        unique.dedup();
        if unique.len() != references.len() {
            return Err(AppError::invalid(
                crate::Refusal::DuplicateReference,
                "A reference image is listed twice.",
            ));
        }
        for id in &references {
            match self.store().upload(user_id, id).await {
                Ok(_) => {}
                Err(DbError::NotFound) => {
                    return Err(AppError::invalid(
                        crate::Refusal::UnknownUpload,
                        "A reference image is not one of your uploads.",
                    ));
                }
                Err(e) => return Err(e.into()),
            }
        }
        let seed = req
            .seed
            .map(|s| i64::try_from(s & 0x7fff_ffff_ffff_ffff).unwrap_or(0));
        let edit_source = edit
            .as_ref()
            .map(|e| format!("{}:{}", e.source_kind, e.source_id));
        let request_hash = hex::encode(Sha256::digest(
            serde_json::json!([
                prompt,
                model.id,
                aspect.as_str(),
                count,
                seed,
                references,
                edit_source
            ])
            .to_string()
            .as_bytes(),
        ));
        let key = idempotency_key.map(str::trim).filter(|k| !k.is_empty());
        if let Some(key) = key {
            if key.len() > 200 {
                return Err(AppError::invalid(
                    crate::Refusal::InvalidIdempotencyKey,
                    "An Idempotency-Key has at most 200 characters.",
                ));
            }
            if let Some(existing) = self.store().generation_by_key(user_id, key).await? {
                return same_request(existing, &request_hash);
            }
        }
        let running = self.store().active_generation_count(user_id).await?;
        if running >= i64::from(self.settings().generation.max_running_per_user) {
            return Err(AppError::RateLimited {
                retry_after_secs: 10,
            });
        }
        let id = new_id();
        let price = i64::from(model.credits_per_image);
        let hold_id = self
            .hold_credits(
                user_id,
                price * i64::from(count),
                &format!("Generation: {count} × {}", model.name),
                &id,
            )
            .await?;
        let now = self.now_ms();
        let row = GenerationRow {
            id: id.clone(),
            user_id: user_id.to_owned(),
            prompt,
            model_id: model.id.clone(),
            provider: model.provider.as_str().to_owned(),
            aspect: aspect.as_str().to_owned(),
            count: i64::from(count),
            seed,
            status: "queued".to_owned(),
            error: None,
            price_per_image: price,
            hold_id: Some(hold_id.clone()),
            credits_charged: 0,
            idempotency_key: key.map(str::to_owned),
            request_hash: request_hash.clone(),
            created_at: now,
            updated_at: now,
            finished_at: None,
        };
        let edit = edit.map(|e| atelier_db::assistant::GenerationEditRow {
            generation_id: id.clone(),
            ..e
        });
        match self
            .store()
            .insert_generation_with_edit(&row, &references, edit.as_ref())
            .await
        {
            Ok(()) => {}
            Err(e) => {
                self.settle_credits(&hold_id, 0, "Not started").await?;
                if let (DbError::Conflict, Some(key)) = (&e, key)
                    && let Some(existing) = self.store().generation_by_key(user_id, key).await?
                {
                    return same_request(existing, &request_hash);
                }
                return Err(e.into());
            }
        }
        self.queue()
            .enqueue(
                JobKind::RunGeneration.name(),
                &GenerationJob { id: id.clone() },
                EnqueueOptions {
                    dedup_key: Some(format!("generation:{id}")),
                    max_attempts: Some(GENERATION_ATTEMPTS),
                    ..EnqueueOptions::default()
                },
            )
            .await?;
        Ok(row)
    }

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

    /// One of the user's generations with its images; another user's is not found.
    ///
    /// # Errors
    /// [`AppError::NotFound`].
    pub async fn generation(&self, user_id: &str, id: &str) -> Result<Generation, AppError> {
        let row = self.store().generation(user_id, id).await?;
        let mut list = self.with_images(vec![row]).await?;
        list.pop().ok_or(AppError::NotFound)
    }

    /// A generation by its id alone: the id (≥ 128 random bits) is the capability, as on
    /// MeiGen's status route.
    ///
    /// # Errors
    /// [`AppError::NotFound`].
    pub async fn generation_by_capability(&self, id: &str) -> Result<Generation, AppError> {
        let row = self
            .store()
            .generation_by_id(id)
            .await?
            .ok_or(AppError::NotFound)?;
        let mut list = self.with_images(vec![row]).await?;
        list.pop().ok_or(AppError::NotFound)
    }

    /// The user's generations, newest first, a page at a time.
    ///
    /// # Errors
    /// [`AppError::BadRequest`] for a cursor that does not decode.
    pub async fn generations(
        &self,
        user_id: &str,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<(Vec<Generation>, Option<String>), AppError> {
        let limit = i64::from(limit.clamp(1, 100));
        let before = crate::paging::decode(cursor)?;
        let mut rows = self
            .store()
            .generations_of_user(user_id, limit + 1, before)
            .await?;
        let next = crate::paging::split_page(&mut rows, limit, |r| (r.created_at, r.id.as_str()));
        Ok((self.with_images(rows).await?, next))
    }

    async fn with_images(&self, rows: Vec<GenerationRow>) -> Result<Vec<Generation>, AppError> {
        let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        let images = self.store().generation_images(&ids).await?;
        let refs = self.store().generation_references(&ids).await?;
        Ok(rows
            .into_iter()
            .map(|row| Generation {
                images: images
                    .iter()
                    .filter(|i| i.generation_id == row.id)
                    .cloned()
                    .collect(),
                reference_upload_ids: refs
                    .iter()
                    .filter(|(g, _)| *g == row.id)
                    .map(|(_, u)| u.clone())
                    .collect(),
                row,
            })
            .collect())
    }

    /// Deletes a generation for good (D2, C5, C6, C8): the record with its prompt, every image
    /// and thumbnail in storage, and the reference uploads no other record of the user uses. A
    /// generation still running has its hold released.
    ///
    /// # Errors
    /// [`AppError::NotFound`] for someone else's or an unknown generation.
    pub async fn delete_generation(&self, user_id: &str, id: &str) -> Result<(), AppError> {
        let deleted = self
            .store()
            .delete_generation(user_id, id)
            .await?
            .ok_or(AppError::NotFound)?;
        if let Some(hold) = &deleted.hold_id {
            // Settles nothing if the job already did (a hold is settled once).
            self.settle_credits(hold, 0, "Deleted before it finished")
                .await?;
        }
        let mut paths = Vec::new();
        for image in &deleted.image_ids {
            self.blobs()
                .delete_prefix(&BlobKey::generated_prefix(user_id, image))
                .await?;
            paths.extend(crate::image_urls::every_generated_variant(image));
        }
        self.queue_cdn_purge(&paths).await?;
        for upload in &deleted.orphaned_upload_ids {
            self.blobs()
                .delete_prefix(&BlobKey::upload_prefix(user_id, upload))
                .await?;
        }
        Ok(())
    }

    /// The configured providers.
    #[must_use]
    pub fn providers(&self) -> &Providers {
        &self.inner.providers
    }

    /// The provider kind of a model, for the U4 notice.
    #[must_use]
    pub fn provider_name(kind: ProviderKind) -> &'static str {
        kind.display_name()
    }
}

/// Why generating did not succeed.
enum GenerateFailure {
    /// May pass: try again (after the given time, if any).
    Passing(String, Option<std::time::Duration>),
    /// Will not pass.
    Final(String),
}

fn same_request(existing: GenerationRow, request_hash: &str) -> Result<GenerationRow, AppError> {
    if existing.request_hash == request_hash {
        Ok(existing)
    } else {
        Err(AppError::invalid(
            crate::Refusal::IdempotencyKeyReused,
            "This Idempotency-Key was used for a different request.",
        ))
    }
}
