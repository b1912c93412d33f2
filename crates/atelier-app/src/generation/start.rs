//! Starting a generation: the request is checked, the credits held and the job queued; an
//! idempotency key returns the first answer to the same request.

use super::MAX_PROMPT_CHARS;
use super::job::GenerationJob;
use crate::{App, AppError, JobKind};
use atelier_core::Aspect;
use atelier_core::id::new_id;
use atelier_db::DbError;
use atelier_db::generations::GenerationRow;
use atelier_jobs::EnqueueOptions;
use serde::Deserialize;
use sha2::{Digest as _, Sha256};

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

impl App {
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
                &format!(
                    "{}: {count} × {}",
                    crate::ledger::GENERATION_REASON,
                    model.name
                ),
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
