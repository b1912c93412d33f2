//! The studio (G3, U1, U4): the form that starts a generation. It shows the price and the
//! provider that receives the prompt before the click, and carries a random key rendered with the
//! form, so a double click or a reload charges once.

use super::form::{FormRefusal, StudioInput};
use super::plural;
use crate::ApiError;
use crate::i18n::{Lang, Messages, PageLang};
use crate::page::{
    ASSET_VERSION, Page, PageResult, SignedInPage, Viewer, personal_page, render, see_other,
};
use crate::state::AppState;
use askama::Template;
use atelier_app::accounts::Principal;
use atelier_app::generation::MAX_PROMPT_CHARS;
use atelier_app::image_urls;
use atelier_core::settings::{ModelSettings, ProviderKind};
use axum::extract::{OriginalUri, RawForm, State};
use axum::http::{HeaderValue, StatusCode, header};

/// Uploads offered as references (the newest; ticked ones are always shown).
const UPLOADS_SHOWN: usize = 30;

/// A model as a choice of the form; its `data-*` let the script update the page when it is picked.
struct ModelOption {
    id: String,
    name: String,
    demo: bool,
    per_image: String,
    price: u32,
    /// Its aspects, space-separated.
    aspects: String,
    max_refs: u32,
    refs_hint: String,
    notice: String,
    description: String,
    checked: bool,
}

struct AspectOption {
    value: &'static str,
    class: String,
    checked: bool,
}

struct UploadOption {
    id: String,
    /// The thumbnail's path.
    src: String,
    width: i64,
    height: i64,
    checked: bool,
}

#[derive(Template)]
#[template(path = "studio.html")]
struct StudioPage<'a> {
    m: &'static Messages,
    lang: Lang,
    asset_version: &'a str,
    here: String,
    q: String,
    user: Option<Viewer>,
    models: Vec<ModelOption>,
    aspects: Vec<AspectOption>,
    counts: Vec<(u32, bool)>,
    prompt: String,
    max_prompt: usize,
    seed: String,
    key: String,
    uploads: Vec<UploadOption>,
    refs_hint: String,
    upload_hint: String,
    upload_too_large: String,
    upload_max_bytes: usize,
    price: String,
    balance: i64,
    total: i64,
    error: Option<String>,
    flash: Option<&'static str>,
    notice: String,
    /// U4 for enhance and describe: who answers them.
    assist_notice: &'static str,
    /// What enhance and describe cost, when they cost anything.
    assist_costs: Vec<String>,
    suggestion: SuggestionView,
}

/// The assistant's suggestion beside the prompt as written (G4).
#[derive(Default)]
struct SuggestionView {
    shown: bool,
    original: String,
    suggested: String,
    /// The studio with the suggestion as its prompt and the other choices kept.
    use_href: String,
    /// The studio as it was.
    keep_href: String,
}

/// What the assistant did to the studio's input.
pub(super) enum Assisted {
    /// Enhance: the suggested prompt, shown beside the one written.
    Suggestion(String),
    /// Describe: the prompt now describes an upload.
    Described,
}

/// U4 for the assistant's provider (`local` or `openai`).
pub(super) fn assistant_notice(m: &Messages, kind: &str) -> &'static str {
    if kind == "local" {
        m.assistant.notice_local
    } else {
        m.assistant.notice_openai
    }
}

/// The U4 notice for a model's provider.
fn provider_notice(m: &Messages, model: &ModelSettings) -> String {
    if model.provider == ProviderKind::Local {
        m.studio.notice_local.to_owned()
    } else {
        m.studio
            .notice_provider
            .replace("{provider}", model.provider.display_name())
    }
}

/// "{total} credits · you have {balance}".
fn price_text(m: &Messages, total: i64, balance: i64) -> String {
    let template = if total == 1 {
        m.studio.price_one
    } else {
        m.studio.price_many
    };
    template
        .replace("{total}", &total.to_string())
        .replace("{balance}", &balance.to_string())
}

fn refs_hint(m: &Messages, max: u32) -> String {
    if max == 0 {
        m.studio.refs_none_model.to_owned()
    } else {
        m.studio.refs_hint.replace("{n}", &max.to_string())
    }
}

/// The chosen model: the one named if offered, else the default.
pub(super) fn chosen_model<'m>(models: &'m [ModelSettings], id: &str) -> Option<&'m ModelSettings> {
    models
        .iter()
        .find(|m| m.id == id)
        .or_else(|| models.first())
}

impl StudioPage<'_> {
    /// The form with `input` laid over it.
    async fn load(
        state: &AppState,
        principal: &Principal,
        lang: Lang,
        here: String,
        input: &StudioInput,
    ) -> Result<Self, ApiError> {
        let m = lang.messages();
        let settings = state.app.settings();
        let user_id = &principal.user.id;
        let balance = state.app.credit_balance(user_id).await?;
        let models = state.app.models();
        let chosen = chosen_model(&models, input.model.trim());
        let max_count = settings.generation.max_count;
        let count = input
            .count
            .trim()
            .parse::<u32>()
            .unwrap_or(1)
            .clamp(1, max_count);
        let aspects = chosen.map(ModelSettings::aspects).unwrap_or_default();
        let aspect = aspects
            .iter()
            .find(|a| Some(**a) == atelier_core::Aspect::parse(&input.aspect))
            .or_else(|| aspects.first())
            .copied();
        let uploads: Vec<UploadOption> = state
            .app
            .uploads(user_id)
            .await?
            .into_iter()
            .enumerate()
            .filter(|(i, u)| *i < UPLOADS_SHOWN || input.refs.contains(&u.id))
            .map(|(_, u)| UploadOption {
                checked: input.refs.contains(&u.id),
                src: image_urls::upload(&u.id, &image_urls::thumb(320)),
                id: u.id,
                width: u.width,
                height: u.height,
            })
            .collect();
        let price = chosen.map_or(0, |m| i64::from(m.credits_per_image));
        let total = price * i64::from(count);
        let max_refs = chosen.map_or(0, |m| m.max_reference_images);
        Ok(Self {
            m,
            lang,
            asset_version: &ASSET_VERSION,
            here,
            q: String::new(),
            user: Some(Viewer::with_credits(principal, balance)),
            models: models
                .iter()
                .map(|model| ModelOption {
                    id: model.id.clone(),
                    name: model.name.clone(),
                    demo: model.provider == ProviderKind::Local,
                    per_image: plural(
                        i64::from(model.credits_per_image),
                        m.studio.per_image_one,
                        m.studio.per_image_many,
                    ),
                    price: model.credits_per_image,
                    aspects: model
                        .aspects()
                        .iter()
                        .map(|a| a.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                    max_refs: model.max_reference_images,
                    refs_hint: refs_hint(m, model.max_reference_images),
                    notice: provider_notice(m, model),
                    description: model.description.clone().unwrap_or_default(),
                    checked: chosen.is_some_and(|c| c.id == model.id),
                })
                .collect(),
            aspects: aspects
                .iter()
                .map(|a| AspectOption {
                    value: a.as_str(),
                    class: super::aspect_class(a.as_str()),
                    checked: Some(*a) == aspect,
                })
                .collect(),
            counts: (1..=max_count).map(|n| (n, n == count)).collect(),
            prompt: input.prompt.clone(),
            max_prompt: MAX_PROMPT_CHARS,
            seed: input.seed.trim().to_owned(),
            key: if input.key.is_empty() {
                atelier_core::random_token(16)
            } else {
                input.key.clone()
            },
            uploads,
            refs_hint: refs_hint(m, max_refs),
            upload_hint: m.studio.upload_hint.replace(
                "{mb}",
                &(settings.uploads.max_bytes / (1024 * 1024)).to_string(),
            ),
            upload_too_large: m.errors.upload_too_large.replace(
                "{mb}",
                &(settings.uploads.max_bytes / (1024 * 1024)).to_string(),
            ),
            upload_max_bytes: settings.uploads.max_bytes,
            price: price_text(m, total, balance),
            balance,
            total,
            error: None,
            flash: input.uploaded.then_some(m.studio.uploaded),
            notice: chosen.map(|c| provider_notice(m, c)).unwrap_or_default(),
            assist_notice: assistant_notice(m, state.app.assistant().kind()),
            assist_costs: [
                (
                    settings.assistant.enhance_credits,
                    m.assistant.enhance_costs_one,
                    m.assistant.enhance_costs_many,
                ),
                (
                    settings.assistant.describe_credits,
                    m.assistant.describe_costs_one,
                    m.assistant.describe_costs_many,
                ),
            ]
            .into_iter()
            .filter(|(n, _, _)| *n > 0)
            .map(|(n, one, many)| plural(i64::from(n), one, many))
            .collect(),
            suggestion: SuggestionView::default(),
        })
    }

    fn respond(&self, refusal: Option<&FormRefusal>) -> PageResult {
        let mut response = personal_page(render(self)?, self.lang);
        if let Some(refusal) = refusal {
            *response.status_mut() = refusal.status;
            if let Some(secs) = refusal.retry_after_secs {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(secs));
            }
        }
        Ok(response)
    }
}

/// The form again, with the input kept and the refusal above it.
pub(super) async fn refused(
    state: &AppState,
    principal: &Principal,
    lang: Lang,
    input: &StudioInput,
    refusal: &FormRefusal,
) -> PageResult {
    let mut page = StudioPage::load(state, principal, lang, "/studio".to_owned(), input).await?;
    page.error = Some(refusal.message.clone());
    page.flash = None;
    page.respond(Some(refusal))
}

/// The form again with the assistant's answer: the suggestion beside the prompt (enhance), or
/// the prompt replaced by a description (describe, `input` already holding it).
pub(super) async fn assisted(
    state: &AppState,
    principal: &Principal,
    lang: Lang,
    input: &StudioInput,
    assisted: Assisted,
) -> PageResult {
    let mut page = StudioPage::load(state, principal, lang, "/studio".to_owned(), input).await?;
    match assisted {
        Assisted::Suggestion(suggested) => {
            let mut with_suggestion = input.clone();
            with_suggestion.prompt.clone_from(&suggested);
            page.suggestion = SuggestionView {
                shown: true,
                original: input.prompt.clone(),
                suggested,
                use_href: format!("/studio?{}", with_suggestion.query()),
                keep_href: format!("/studio?{}", input.query()),
            };
            page.flash = None;
        }
        Assisted::Described => page.flash = Some(page.m.assistant.described),
    }
    page.respond(None)
}

/// `GET /studio?prompt=&model=&aspect=&count=&seed=&ref=`: the form, prefilled by the query
/// ("use again", "use this prompt"). Signed out, the sign-in page first.
pub async fn studio(
    State(state): State<AppState>,
    SignedInPage {
        lang,
        m: _,
        here,
        principal,
    }: SignedInPage,
    uri: OriginalUri,
) -> PageResult {
    let input = StudioInput::from_urlencoded(uri.0.query().unwrap_or_default().as_bytes());
    StudioPage::load(&state, &principal, lang, here, &input)
        .await?
        .respond(None)
}

/// `POST /studio`: starts the generation and goes to its page; a refusal shows the form again
/// with the input kept (402 when the credits do not cover it).
pub async fn start_generation(
    State(state): State<AppState>,
    page: Page,
    RawForm(body): RawForm,
) -> PageResult {
    let principal = page.require("/studio")?;
    let lang = page.lang;
    let m = lang.messages();
    let input = StudioInput::from_urlencoded(&body);
    let max_count = state.app.settings().generation.max_count;
    let request = match input.request(m, max_count) {
        Ok(request) => request,
        Err(message) => {
            let refusal = FormRefusal::new(message, StatusCode::UNPROCESSABLE_ENTITY);
            return refused(&state, principal, lang, &input, &refusal).await;
        }
    };
    let key = input.idempotency_key();
    match state
        .app
        .create_generation(&principal.user.id, request, key.as_deref())
        .await
    {
        Ok(row) => Ok(see_other(&format!("/generations/{}", row.id))),
        Err(e) => {
            // The key belongs to a different request: the form gets a fresh one.
            let reused = matches!(
                e,
                atelier_app::AppError::Invalid {
                    refusal: atelier_app::Refusal::IdempotencyKeyReused,
                    ..
                }
            );
            let refusal = FormRefusal::from_app(m, e)?;
            let mut input = input;
            if reused {
                input.key.clear();
            }
            refused(&state, principal, lang, &input, &refusal).await
        }
    }
}
