//! The AI assistant (G4, C9, R4, D6, U4): prompt enhancement, image-to-prompt and AI Edit.
//!
//! - Enhance and describe go to the configured [`AssistantProvider`]: `local` (offline: the
//!   gallery's vocabulary for enhance, the image's measured properties for describe) or an
//!   OpenAI-compatible chat-completions API. Each may cost credits (`assistant.*_credits`), held
//!   before the call and captured only when it succeeds.
//! - AI Edit is a generation whose prompt is the instruction and whose one reference is the image
//!   to change, sent through the image provider's edit path: it is charged, listed and deleted
//!   like any generation.
//! - Every call leaves one row in `assistant_logs` (C9) — the user's to read, export and delete
//!   (D6), used for nothing else, and purged after `retention.assistant_log_days` (R4).

use crate::generation::NewGeneration;
use crate::{App, AppError};
use atelier_core::clock::DAY_MS;
use atelier_core::id::new_id;
use atelier_core::settings::{AssistantProviderKind, Settings};
use atelier_db::assistant::{AssistantLogRow, GenerationEditRow};
use atelier_db::generations::GenerationRow;
use atelier_providers::{
    AssistantProvider, DescribeRequest, EnhanceRequest, LocalAssistant, OpenAiAssistant,
    OpenAiAssistantConfig, ProviderError, ReferenceImage,
};
use atelier_search::{SearchQuery, Sort};
use serde::Deserialize;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Longest edit instruction, in characters.
pub const MAX_INSTRUCTION_CHARS: usize = 1000;
/// Gallery prompts an enhancement draws on.
const EXAMPLES: usize = 12;

/// Builds the configured assistant.
///
/// # Errors
/// A message naming the setting that cannot be used.
pub fn assistant_from_settings(settings: &Settings) -> Result<Arc<dyn AssistantProvider>, String> {
    let a = &settings.assistant;
    match a.provider {
        AssistantProviderKind::Local => Ok(Arc::new(LocalAssistant::new())),
        AssistantProviderKind::Openai => {
            let p = &settings.providers.openai;
            let key = p
                .api_key
                .as_ref()
                .ok_or("assistant.provider = openai needs providers.openai.api_key")?;
            let mut config = OpenAiAssistantConfig::new(key.expose().clone());
            config.base_url = url::Url::parse(&p.base_url)
                .map_err(|e| format!("providers.openai.base_url: {e}"))?;
            config.timeout = Duration::from_secs(p.timeout_secs.max(1));
            config.model.clone_from(&a.model);
            if let Some(text) = &a.enhance_instructions {
                config.enhance_instructions.clone_from(text);
            }
            if let Some(text) = &a.describe_instructions {
                config.describe_instructions.clone_from(text);
            }
            let provider = OpenAiAssistant::new(config).map_err(|e| format!("assistant: {e}"))?;
            Ok(Arc::new(provider))
        }
    }
}

/// An AI Edit request as a client sends it: exactly one source image.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditRequest {
    /// One of the user's uploads.
    pub upload_id: Option<String>,
    /// One of the user's generated images.
    pub generation_image_id: Option<String>,
    /// What to change.
    pub instruction: String,
    /// The image model; `assistant.edit_model` or the default model when absent.
    pub model: Option<String>,
}

/// Which assistant feature a call used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feature {
    /// Prompt enhancement.
    Enhance,
    /// Image-to-prompt.
    Describe,
    /// AI Edit.
    Edit,
}

impl Feature {
    /// `enhance`, `describe` or `edit`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Enhance => "enhance",
            Self::Describe => "describe",
            Self::Edit => "edit",
        }
    }
}

/// What one call did, for its log row.
pub(crate) struct CallRecord<'a> {
    pub user_id: &'a str,
    pub feature: Feature,
    pub input: String,
    pub instruction: Option<String>,
    pub provider: &'a str,
    pub model: &'a str,
    pub started: Instant,
    pub outcome: Result<String, String>,
}

impl From<ProviderError> for AppError {
    fn from(err: ProviderError) -> Self {
        Self::Provider {
            message: err.user_message(),
            retryable: err.is_retryable(),
        }
    }
}

impl App {
    /// The assistant answering enhance and describe.
    #[must_use]
    pub fn assistant(&self) -> &Arc<dyn AssistantProvider> {
        &self.inner.assistant
    }

    /// Rewrites a short prompt into a rich one (`POST /api/v1/assistant/enhance`), drawing on the
    /// most relevant well-liked gallery prompts; the user's subject stays first.
    ///
    /// # Errors
    /// [`AppError::Invalid`] for an empty or too long prompt, [`AppError::InsufficientCredits`]
    /// when enhancing has a price, [`AppError::Provider`] when the assistant fails.
    pub async fn enhance_prompt(
        &self,
        user_id: &str,
        prompt: &str,
        language: &str,
    ) -> Result<String, AppError> {
        let prompt = valid_prompt(prompt)?;
        let examples = self.prompt_examples(&prompt).await;
        let request = EnhanceRequest {
            prompt: prompt.clone(),
            language: language.to_owned(),
            examples,
        };
        let price = self.settings().assistant.enhance_credits;
        let assistant = Arc::clone(self.assistant());
        self.paid_call(
            user_id,
            Feature::Enhance,
            price,
            prompt,
            None,
            || async move { assistant.enhance(&request).await },
        )
        .await
    }

    /// Describes one of the user's uploads as a prompt (`POST /api/v1/assistant/describe`).
    ///
    /// # Errors
    /// [`AppError::NotFound`] for an upload that is not the user's, as
    /// [`App::enhance_prompt`] otherwise.
    pub async fn describe_upload(
        &self,
        user_id: &str,
        upload_id: &str,
        language: &str,
    ) -> Result<String, AppError> {
        let (bytes, content_type) = self
            .upload_image(user_id, upload_id, crate::uploads::UploadVariant::Original)
            .await?;
        let request = DescribeRequest {
            image: ReferenceImage {
                bytes,
                content_type,
            },
            language: language.to_owned(),
        };
        let price = self.settings().assistant.describe_credits;
        let assistant = Arc::clone(self.assistant());
        self.paid_call(
            user_id,
            Feature::Describe,
            price,
            format!("upload:{upload_id}"),
            None,
            || async move { assistant.describe(&request).await },
        )
        .await
    }

    /// Holds the price, makes the call, logs it, and captures the price only on success.
    async fn paid_call<F, Fut>(
        &self,
        user_id: &str,
        feature: Feature,
        price: u32,
        input: String,
        instruction: Option<String>,
        call: F,
    ) -> Result<String, AppError>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<String, ProviderError>>,
    {
        let call_id = new_id();
        let price = i64::from(price);
        let hold = if price > 0 {
            let reason = format!("{}: {}", crate::ledger::ASSISTANT_REASON, feature.as_str());
            Some(self.hold_credits(user_id, price, &reason, &call_id).await?)
        } else {
            None
        };
        let started = Instant::now();
        let result = call().await;
        let assistant = self.assistant();
        self.log_assistant_call(CallRecord {
            user_id,
            feature,
            input,
            instruction,
            provider: assistant.kind(),
            model: assistant.model(),
            started,
            outcome: match &result {
                Ok(text) => Ok(text.clone()),
                Err(e) => Err(e.user_message()),
            },
        })
        .await;
        if let Some(hold) = hold {
            let captured = if result.is_ok() { price } else { 0 };
            let reason = if result.is_ok() { "Answered" } else { "Failed" };
            self.settle_credits(&hold, captured, reason).await?;
        }
        if let Err(e) = &result {
            tracing::warn!(
                feature = feature.as_str(),
                code = e.code(),
                "assistant call failed"
            );
        }
        Ok(result?)
    }

    /// Writes one call's log row (C9). A failure to log is reported, never hidden from the
    /// operator, but does not undo the call.
    pub(crate) async fn log_assistant_call(&self, call: CallRecord<'_>) {
        let (status, output, error) = match call.outcome {
            Ok(text) => ("succeeded", Some(text), None),
            Err(reason) => ("failed", None, Some(reason)),
        };
        let row = AssistantLogRow {
            id: new_id(),
            user_id: call.user_id.to_owned(),
            feature: call.feature.as_str().to_owned(),
            input: call.input,
            instruction: call.instruction,
            output,
            provider: call.provider.to_owned(),
            model: call.model.to_owned(),
            duration_ms: i64::try_from(call.started.elapsed().as_millis()).unwrap_or(i64::MAX),
            status: status.to_owned(),
            error,
            created_at: self.now_ms(),
        };
        if let Err(e) = self.store().insert_assistant_log(&row).await {
            tracing::error!(error = %e, "could not write an assistant log row");
        }
    }

    /// Public gallery prompts like `prompt`, the most liked first: what the offline enhancer
    /// draws its vocabulary from (and the online one its inspiration). Never fails: without an
    /// index or a match, there are simply no examples.
    async fn prompt_examples(&self, prompt: &str) -> Vec<String> {
        let Ok(index) = self.search() else {
            return Vec::new();
        };
        let index = index.clone();
        let queries = example_queries(prompt);
        let found = tokio::task::spawn_blocking(move || {
            let mut ids: Vec<String> = Vec::new();
            for text in queries {
                let query = SearchQuery {
                    text,
                    sort: Sort::Relevance,
                    limit: 24,
                    ..SearchQuery::default()
                };
                if let Ok(page) = index.search(&query) {
                    for hit in page.hits {
                        if !ids.contains(&hit.id) {
                            ids.push(hit.id);
                        }
                    }
                }
                if ids.len() >= 24 {
                    break;
                }
            }
            ids
        })
        .await
        .unwrap_or_default();
        let Ok(items) = self.store().gallery_items(&found).await else {
            return Vec::new();
        };
        // Relevance order first, then likes decide among the relevant ones.
        let mut ranked: Vec<(usize, i64, String)> = items
            .into_iter()
            .filter_map(|item| {
                let rank = found.iter().position(|id| *id == item.id)?;
                Some((rank, item.likes, item.prompt))
            })
            .collect();
        ranked.sort_by_key(|(rank, _, _)| *rank);
        ranked.truncate(EXAMPLES * 2);
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked
            .into_iter()
            .take(EXAMPLES)
            .map(|(_, _, prompt)| prompt)
            .collect()
    }

    /// Starts an AI Edit (`POST /api/v1/assistant/edit`): a generation of one image whose prompt
    /// is the instruction and whose input is one of the user's uploads or generated images.
    ///
    /// # Errors
    /// [`AppError::Invalid`] (`invalid_source`, `invalid_instruction`, `edit_unsupported`, and
    /// those of [`App::create_generation`]), [`AppError::NotFound`] for an image that is not the
    /// user's, [`AppError::InsufficientCredits`].
    pub async fn edit_image(
        &self,
        user_id: &str,
        req: EditRequest,
        idempotency_key: Option<&str>,
    ) -> Result<GenerationRow, AppError> {
        let instruction = req.instruction.trim().to_owned();
        if instruction.is_empty() || instruction.chars().count() > MAX_INSTRUCTION_CHARS {
            return Err(AppError::invalid(
                crate::Refusal::InvalidInstruction,
                format!("Write an instruction of 1 to {MAX_INSTRUCTION_CHARS} characters."),
            ));
        }
        let (kind, source_id, width, height) = match (
            non_empty(req.upload_id.as_deref()),
            non_empty(req.generation_image_id.as_deref()),
        ) {
            (Some(id), None) => {
                let row = self.upload(user_id, id).await?;
                ("upload", id, row.width, row.height)
            }
            (None, Some(id)) => {
                let image = self.own_generated_image(user_id, id).await?;
                ("image", id, image.width, image.height)
            }
            _ => {
                return Err(AppError::invalid(
                    crate::Refusal::InvalidSource,
                    "Name exactly one image: upload_id or generation_image_id.",
                ));
            }
        };
        let model_id = non_empty(req.model.as_deref())
            .map(str::to_owned)
            .or_else(|| self.settings().assistant.edit_model.clone());
        let model = self.model(model_id.as_deref())?;
        if model.provider != atelier_core::settings::ProviderKind::Local
            && model.max_reference_images == 0
        {
            return Err(AppError::invalid(
                crate::Refusal::EditUnsupported,
                format!("{} cannot edit images.", model.name),
            ));
        }
        let aspects = model.aspects();
        let target = atelier_core::Aspect::nearest(
            u32::try_from(width).unwrap_or(1),
            u32::try_from(height).unwrap_or(1),
        );
        let aspect = if aspects.contains(&target) {
            target
        } else {
            aspects
                .first()
                .copied()
                .unwrap_or(atelier_core::Aspect::Square)
        };
        let generation = NewGeneration {
            prompt: instruction,
            model: Some(model.id.clone()),
            aspect: Some(aspect.as_str().to_owned()),
            count: Some(1),
            seed: None,
            reference_upload_ids: None,
        };
        let edit = GenerationEditRow {
            generation_id: String::new(),
            source_kind: kind.to_owned(),
            source_id: source_id.to_owned(),
        };
        self.start_generation(user_id, generation, idempotency_key, Some(edit))
            .await
    }

    /// A user's assistant calls, newest first, a page at a time.
    ///
    /// # Errors
    /// [`AppError::BadRequest`] for a cursor that does not decode.
    pub async fn assistant_logs(
        &self,
        user_id: &str,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<(Vec<AssistantLogRow>, Option<String>), AppError> {
        let limit = i64::from(limit.clamp(1, 200));
        let before = crate::paging::decode(cursor)?;
        let mut rows = self
            .store()
            .assistant_logs_of_user(user_id, limit + 1, before)
            .await?;
        let next = crate::paging::split_page(&mut rows, limit, |r| (r.created_at, r.id.as_str()));
        Ok((rows, next))
    }

    /// Deletes all of a user's assistant calls at once (D6).
    ///
    /// # Errors
    /// A database error.
    pub async fn delete_assistant_logs(&self, user_id: &str) -> Result<u64, AppError> {
        Ok(self.store().delete_assistant_logs_of_user(user_id).await?)
    }

    /// Deletes assistant calls older than `retention.assistant_log_days` (C9, R4).
    ///
    /// # Errors
    /// A database error.
    pub async fn purge_assistant_logs(&self) -> Result<u64, AppError> {
        let days = i64::from(self.settings().retention.assistant_log_days);
        let before = self.now_ms() - days * DAY_MS;
        Ok(self.store().delete_assistant_logs_before(before).await?)
    }
}

fn non_empty(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

fn valid_prompt(prompt: &str) -> Result<String, AppError> {
    let prompt = prompt.trim();
    let max = crate::generation::MAX_PROMPT_CHARS;
    if prompt.is_empty() || prompt.chars().count() > max {
        return Err(AppError::invalid(
            crate::Refusal::InvalidPrompt,
            format!("Write a prompt of 1 to {max} characters."),
        ));
    }
    Ok(prompt.to_owned())
}

/// The searches that find a prompt's relatives: the whole prompt's main words (every word must
/// match), then each main word alone, longest first, so a long prompt still finds examples.
fn example_queries(prompt: &str) -> Vec<String> {
    const STOP: [&str; 24] = [
        "the", "and", "with", "for", "from", "that", "this", "into", "onto", "over", "under",
        "her", "his", "its", "their", "a", "an", "of", "in", "on", "at", "by", "to", "is",
    ];
    let mut words: Vec<String> = Vec::new();
    for segment in prompt.split(|c: char| {
        c.is_whitespace() || (c.is_ascii_punctuation() && c != '-') || "，。、；：！？".contains(c)
    }) {
        let word = segment.trim().to_lowercase();
        let cjk = word.chars().any(|c| c as u32 >= 0x2E80);
        let long_enough = if cjk {
            word.chars().count() >= 2
        } else {
            word.len() >= 3
        };
        if long_enough && !STOP.contains(&word.as_str()) && !words.contains(&word) {
            words.push(word);
        }
    }
    words.truncate(8);
    let mut queries = Vec::new();
    if words.len() > 1 {
        queries.push(words.iter().take(4).cloned().collect::<Vec<_>>().join(" "));
    }
    let mut by_length = words;
    by_length.sort_by(|a, b| b.chars().count().cmp(&a.chars().count()).then(a.cmp(b)));
    queries.extend(by_length);
    queries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_queries_start_with_the_main_words_then_each_alone() {
        let q = example_queries("A portrait of an old fisherman, with the sea behind");
        assert_eq!(q[0], "portrait old fisherman sea");
        assert!(q.contains(&"fisherman".to_owned()));
        assert!(!q.iter().any(|w| w == "the" || w == "with"));
        let zh = example_queries("雨中的猫，霓虹灯");
        assert!(zh.contains(&"雨中的猫".to_owned()), "{zh:?}");
        assert!(zh.contains(&"霓虹灯".to_owned()), "{zh:?}");
    }
}
