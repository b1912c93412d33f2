//! AI Edit as a page (G4, U1, U4): one of the user's uploads or generated images, an instruction
//! with examples, the price and the provider that receives the image before the click, and a
//! random key rendered with the form so a double click starts one edit. The edit is a
//! generation: the form goes to its page. Another user's image is the plain 404.

use super::assist::assistant_refusal;
use super::form::FormRefusal;
use super::studio::chosen_model;
use crate::ApiError;
use crate::i18n::{Lang, Messages, PageLang};
use crate::page::{
    ASSET_VERSION, Page, PageError, PageResult, SignedInPage, Viewer, personal_page, render,
    see_other,
};
use crate::state::AppState;
use askama::Template;
use atelier_app::AppError;
use atelier_app::accounts::Principal;
use atelier_app::assistant::{EditRequest, MAX_INSTRUCTION_CHARS};
use atelier_app::image_urls;
use atelier_core::settings::ProviderKind;
use axum::extract::{OriginalUri, RawForm, State};
use axum::http::{HeaderValue, header};
use url::form_urlencoded;

/// The image an edit starts from.
struct SourceView {
    /// `upload_id` or `generation_image_id`: the form field naming it.
    field: &'static str,
    /// `upload` or `image`: the query parameter naming it.
    param: &'static str,
    id: String,
    src: String,
    width: i64,
    height: i64,
    /// Where the image was seen: the studio or its generation.
    back_href: String,
}

/// An example instruction: a link that fills the field.
struct Example {
    text: &'static str,
    href: String,
}

#[derive(Template)]
#[template(path = "edit.html")]
struct EditPage<'a> {
    m: &'static Messages,
    lang: Lang,
    asset_version: &'a str,
    here: String,
    q: String,
    user: Option<Viewer>,
    source: SourceView,
    instruction: String,
    max_instruction: usize,
    examples: Vec<Example>,
    key: String,
    model_name: String,
    demo: bool,
    price: String,
    short: bool,
    notice: String,
    error: Option<String>,
}

/// What the page and the form name: `upload`/`upload_id`, `image`/`generation_image_id`, the
/// instruction and the form's key.
#[derive(Debug, Default)]
struct EditInput {
    upload: String,
    image: String,
    instruction: String,
    key: String,
}

impl EditInput {
    fn from_urlencoded(bytes: &[u8]) -> Self {
        let mut input = Self::default();
        for (name, value) in form_urlencoded::parse(bytes) {
            let value = value.into_owned();
            match &*name {
                "upload" | "upload_id" => input.upload = value.trim().to_owned(),
                "image" | "generation_image_id" => input.image = value.trim().to_owned(),
                "instruction" => input.instruction = value,
                "key" => input.key = value,
                _ => {}
            }
        }
        input
    }

    /// The Idempotency-Key of this submission (U1): the form's key with a fingerprint of the
    /// image and the instruction, so the same form sent twice is one edit and a changed one
    /// another.
    fn idempotency_key(&self) -> Option<String> {
        let key: String = self
            .key
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(64)
            .collect();
        if key.is_empty() {
            return None;
        }
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for part in [&self.upload, &self.image, &self.instruction] {
            for byte in part.bytes().chain([0]) {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        }
        Some(format!("edit-{key}-{hash:016x}"))
    }
}

/// The user's image the input names; `None` when it is not theirs, not there, or not named.
async fn source(
    state: &AppState,
    principal: &Principal,
    input: &EditInput,
) -> Result<Option<SourceView>, ApiError> {
    let user_id = &principal.user.id;
    if !input.upload.is_empty() && input.image.is_empty() {
        return match state.app.upload(user_id, &input.upload).await {
            Ok(u) => Ok(Some(SourceView {
                field: "upload_id",
                param: "upload",
                src: image_urls::upload(&u.id, &image_urls::thumb(320)),
                id: u.id,
                width: u.width,
                height: u.height,
                back_href: "/studio#references".to_owned(),
            })),
            Err(AppError::NotFound) => Ok(None),
            Err(e) => Err(e.into()),
        };
    }
    if !input.image.is_empty() && input.upload.is_empty() {
        return match state.app.own_generated_image(user_id, &input.image).await {
            Ok(i) => Ok(Some(SourceView {
                field: "generation_image_id",
                param: "image",
                src: image_urls::generated(&i.id, &image_urls::thumb(640)),
                back_href: format!("/generations/{}", i.generation_id),
                id: i.id,
                width: i.width,
                height: i.height,
            })),
            Err(AppError::NotFound) => Ok(None),
            Err(e) => Err(e.into()),
        };
    }
    Ok(None)
}

impl EditPage<'_> {
    async fn load(
        state: &AppState,
        principal: &Principal,
        lang: Lang,
        here: String,
        source: SourceView,
        input: &EditInput,
    ) -> Result<Self, ApiError> {
        let m = lang.messages();
        let balance = state.app.credit_balance(&principal.user.id).await?;
        let models = state.app.models();
        let edit_model = state.app.settings().assistant.edit_model.clone();
        let model = chosen_model(&models, edit_model.as_deref().unwrap_or_default());
        let total = model.map_or(0, |m| i64::from(m.credits_per_image));
        let demo = model.is_some_and(|m| m.provider == ProviderKind::Local);
        let price = if total == 1 {
            m.studio.price_one
        } else {
            m.studio.price_many
        }
        .replace("{total}", &total.to_string())
        .replace("{balance}", &balance.to_string());
        let notice = match model {
            Some(model) if model.provider != ProviderKind::Local => m
                .assistant
                .edit_notice_provider
                .replace("{provider}", model.provider.display_name()),
            _ => m.assistant.edit_notice_local.to_owned(),
        };
        let examples = m
            .assistant
            .edit_examples
            .iter()
            .map(|text| Example {
                text,
                href: format!(
                    "/edit?{}",
                    form_urlencoded::Serializer::new(String::new())
                        .append_pair(source.param, &source.id)
                        .append_pair("instruction", text)
                        .finish()
                ),
            })
            .collect();
        Ok(Self {
            m,
            lang,
            asset_version: &ASSET_VERSION,
            here,
            q: String::new(),
            user: Some(Viewer::with_credits(principal, balance)),
            source,
            instruction: input.instruction.clone(),
            max_instruction: MAX_INSTRUCTION_CHARS,
            examples,
            key: if input.key.is_empty() {
                atelier_core::random_token(16)
            } else {
                input.key.clone()
            },
            model_name: model.map(|m| m.name.clone()).unwrap_or_default(),
            demo,
            price,
            short: total > balance,
            notice,
            error: None,
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

/// `GET /edit?upload=ID` or `/edit?image=ID` (`&instruction=` prefills): the edit form for one
/// of the user's images. Signed out, the sign-in page first.
pub async fn edit_page(
    State(state): State<AppState>,
    SignedInPage {
        lang,
        m: _,
        here,
        principal,
    }: SignedInPage,
    uri: OriginalUri,
) -> PageResult {
    let input = EditInput::from_urlencoded(uri.0.query().unwrap_or_default().as_bytes());
    let Some(source) = source(&state, &principal, &input).await? else {
        return Err(PageError::not_found());
    };
    EditPage::load(&state, &principal, lang, here, source, &input)
        .await?
        .respond(None)
}

/// `POST /edit`: starts the edit and goes to its generation's page; a refusal shows the form
/// again with the instruction kept (402 when the credits do not cover it).
pub async fn start_edit(
    State(state): State<AppState>,
    page: Page,
    RawForm(body): RawForm,
) -> PageResult {
    let input = EditInput::from_urlencoded(&body);
    let back = if input.image.is_empty() {
        format!("/edit?upload={}", encode(&input.upload))
    } else {
        format!("/edit?image={}", encode(&input.image))
    };
    let principal = page.require(&back)?;
    let Some(source) = source(&state, principal, &input).await? else {
        return Err(PageError::not_found());
    };
    let lang = page.lang;
    let request = EditRequest {
        upload_id: Some(input.upload.clone()).filter(|s| !s.is_empty()),
        generation_image_id: Some(input.image.clone()).filter(|s| !s.is_empty()),
        instruction: input.instruction.clone(),
        model: None,
    };
    let key = input.idempotency_key();
    match state
        .app
        .edit_image(&principal.user.id, request, key.as_deref())
        .await
    {
        Ok(row) => Ok(see_other(&format!("/generations/{}", row.id))),
        Err(AppError::NotFound) => Err(PageError::not_found()),
        Err(e) => {
            let m = lang.messages();
            let refusal = assistant_refusal(m, e)?;
            let mut input = input;
            if refusal.message == m.errors.form_reused {
                input.key.clear();
            }
            let here = format!("/edit?{}={}", source.param, encode(&source.id));
            let mut page = EditPage::load(&state, principal, lang, here, source, &input).await?;
            page.error = Some(refusal.message.clone());
            page.respond(Some(&refusal))
        }
    }
}

fn encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_reads_either_name_of_the_image() {
        let a = EditInput::from_urlencoded(b"upload_id=u1&instruction=black+and+white&key=k");
        let b = EditInput::from_urlencoded(b"upload=u1&instruction=black+and+white&key=k");
        assert_eq!((a.upload.as_str(), a.image.as_str()), ("u1", ""));
        assert_eq!(a.idempotency_key(), b.idempotency_key());
        let c = EditInput::from_urlencoded(b"upload=u1&instruction=sepia&key=k");
        assert_ne!(a.idempotency_key(), c.idempotency_key());
        assert!(a.idempotency_key().unwrap().starts_with("edit-k-"));
        assert_eq!(EditInput::default().idempotency_key(), None);
    }
}
