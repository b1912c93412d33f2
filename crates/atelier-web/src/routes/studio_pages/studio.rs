//! The studio (G3, U1, U4): the form that starts a generation. It shows the price and the
//! provider that receives the prompt before the click; it carries a random key rendered with the
//! form, so a double click or a reload charges once; and it takes reference uploads without
//! JavaScript (the same form posted as multipart to `/studio/upload`, then back here).

use super::{plural, see_other, sign_in_first, viewer};
use crate::ApiError;
use crate::auth::MaybeUser;
use crate::i18n::{Lang, Messages};
use crate::routes::pages::{ASSET_VERSION, Viewer, here, personal_page, render};
use crate::server::AppState;
use askama::Template;
use atelier_app::AppError;
use atelier_app::accounts::Principal;
use atelier_app::generation::{MAX_PROMPT_CHARS, NewGeneration};
use atelier_core::settings::{ModelSettings, ProviderKind};
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{OriginalUri, RawForm, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use bytes::{Bytes, BytesMut};
use url::form_urlencoded;

/// Uploads offered as references (the newest; ticked ones are always shown).
const UPLOADS_SHOWN: usize = 30;

/// What the form holds, as posted or as the query prefills it (`ref` repeats).
#[derive(Debug, Default, Clone)]
struct StudioInput {
    prompt: String,
    model: String,
    aspect: String,
    count: String,
    seed: String,
    refs: Vec<String>,
    /// The random key rendered with the form.
    key: String,
    /// Just back from an upload.
    uploaded: bool,
}

impl StudioInput {
    fn from_urlencoded(bytes: &[u8]) -> Self {
        let mut input = Self::default();
        for (name, value) in form_urlencoded::parse(bytes) {
            input.set(&name, value.into_owned());
        }
        input
    }

    fn set(&mut self, name: &str, value: String) {
        match name {
            "prompt" => self.prompt = value,
            "model" => self.model = value,
            "aspect" => self.aspect = value,
            "count" => self.count = value,
            "seed" => self.seed = value,
            "ref" if !value.is_empty() && !self.refs.contains(&value) => self.refs.push(value),
            "key" => self.key = value,
            "uploaded" => self.uploaded = !value.is_empty(),
            _ => {}
        }
    }

    /// The query that prefills the studio with this input.
    fn query(&self) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (name, value) in [
            ("prompt", &self.prompt),
            ("model", &self.model),
            ("aspect", &self.aspect),
            ("count", &self.count),
            ("seed", &self.seed),
        ] {
            if !value.trim().is_empty() {
                query.append_pair(name, value);
            }
        }
        for id in &self.refs {
            query.append_pair("ref", id);
        }
        query.finish()
    }

    /// The request for the use case, or the message for a count or seed that does not read.
    fn request(&self, m: &Messages, max_count: u32) -> Result<NewGeneration, String> {
        let count = match self.count.trim() {
            "" => None,
            n => Some(
                n.parse::<u32>()
                    .map_err(|_| m.err_count.replace("{max}", &max_count.to_string()))?,
            ),
        };
        let seed = match self.seed.trim() {
            "" => None,
            s => Some(
                s.parse::<u64>()
                    .ok()
                    .filter(|s| i64::try_from(*s).is_ok())
                    .ok_or_else(|| m.err_seed.to_owned())?,
            ),
        };
        let model = Some(self.model.trim().to_owned()).filter(|s| !s.is_empty());
        let aspect = Some(self.aspect.trim().to_owned()).filter(|s| !s.is_empty());
        Ok(NewGeneration {
            prompt: self.prompt.clone(),
            model,
            aspect,
            count,
            seed,
            reference_upload_ids: Some(self.refs.clone()),
        })
    }

    /// The Idempotency-Key of this submission (U1): the form's random key with a fingerprint of
    /// what it asks for. The same form sent twice (a double click, a reload) is one generation;
    /// a form changed after going back is a new one rather than a refusal.
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
        for part in [
            &self.prompt,
            &self.model,
            &self.aspect,
            &self.count,
            &self.seed,
            &self.refs.join(","),
        ] {
            for byte in part.bytes().chain([0]) {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        }
        Some(format!("studio-{key}-{hash:016x}"))
    }
}

/// A refusal shown above the form, with its status.
#[derive(Debug)]
struct Refusal {
    message: String,
    status: StatusCode,
    retry_after_secs: Option<u64>,
}

impl Refusal {
    fn new(message: String, status: StatusCode) -> Self {
        Self {
            message,
            status,
            retry_after_secs: None,
        }
    }

    /// The words for a refusal the user can act on; anything else goes to the error mapping.
    fn from_app(
        m: &Messages,
        err: AppError,
        model: Option<&ModelSettings>,
        max_count: u32,
    ) -> Result<Self, ApiError> {
        let unprocessable =
            |message: &str| Self::new(message.to_owned(), StatusCode::UNPROCESSABLE_ENTITY);
        Ok(match err {
            AppError::Invalid { code, message } => match code {
                "invalid_prompt" => unprocessable(m.err_prompt),
                "unknown_model" | "no_models" => unprocessable(m.err_unknown_model),
                "unsupported_aspect" => unprocessable(m.err_aspect),
                "invalid_count" => {
                    unprocessable(&m.err_count.replace("{max}", &max_count.to_string()))
                }
                "too_many_references" => unprocessable(&m.err_too_many_refs.replace(
                    "{n}",
                    &model.map_or(0, |m| m.max_reference_images).to_string(),
                )),
                "duplicate_reference" => unprocessable(m.err_duplicate_ref),
                "unknown_upload" => unprocessable(m.err_unknown_upload),
                "idempotency_key_reused" => unprocessable(m.err_form_reused),
                "unsupported_image" => unprocessable(m.err_upload_unsupported),
                "malformed_image" => unprocessable(m.err_upload_malformed),
                "too_many_pixels" => unprocessable(m.err_upload_pixels),
                _ => unprocessable(&message),
            },
            AppError::InsufficientCredits { needed, balance } => Self::new(
                m.err_not_enough_credits
                    .replace("{needed}", &needed.to_string())
                    .replace("{balance}", &balance.to_string()),
                StatusCode::PAYMENT_REQUIRED,
            ),
            AppError::RateLimited { retry_after_secs } => Self {
                message: m.err_too_many_running.to_owned(),
                status: StatusCode::TOO_MANY_REQUESTS,
                retry_after_secs: Some(retry_after_secs),
            },
            other => return Err(other.into()),
        })
    }
}

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
}

/// The U4 notice for a model's provider.
fn provider_notice(m: &Messages, model: &ModelSettings) -> String {
    if model.provider == ProviderKind::Local {
        m.notice_local.to_owned()
    } else {
        m.notice_provider
            .replace("{provider}", model.provider.display_name())
    }
}

/// "{total} credits · you have {balance}".
fn price_text(m: &Messages, total: i64, balance: i64) -> String {
    let template = if total == 1 {
        m.price_one
    } else {
        m.price_many
    };
    template
        .replace("{total}", &total.to_string())
        .replace("{balance}", &balance.to_string())
}

fn refs_hint(m: &Messages, max: u32) -> String {
    if max == 0 {
        m.refs_none_model.to_owned()
    } else {
        m.refs_hint.replace("{n}", &max.to_string())
    }
}

/// The chosen model: the one named if offered, else the default.
fn chosen_model<'m>(models: &'m [ModelSettings], id: &str) -> Option<&'m ModelSettings> {
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
            user: Some(viewer(principal, balance)),
            models: models
                .iter()
                .map(|model| ModelOption {
                    id: model.id.clone(),
                    name: model.name.clone(),
                    demo: model.provider == ProviderKind::Local,
                    per_image: plural(
                        i64::from(model.credits_per_image),
                        m.per_image_one,
                        m.per_image_many,
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
            upload_hint: m.upload_hint.replace(
                "{mb}",
                &(settings.uploads.max_bytes / (1024 * 1024)).to_string(),
            ),
            upload_too_large: m.err_upload_too_large.replace(
                "{mb}",
                &(settings.uploads.max_bytes / (1024 * 1024)).to_string(),
            ),
            upload_max_bytes: settings.uploads.max_bytes,
            price: price_text(m, total, balance),
            balance,
            total,
            error: None,
            flash: input.uploaded.then_some(m.uploaded),
            notice: chosen.map(|c| provider_notice(m, c)).unwrap_or_default(),
        })
    }

    fn respond(&self, refusal: Option<&Refusal>) -> Result<Response, ApiError> {
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
async fn refused(
    state: &AppState,
    principal: &Principal,
    lang: Lang,
    input: &StudioInput,
    refusal: &Refusal,
) -> Result<Response, ApiError> {
    let mut page = StudioPage::load(state, principal, lang, "/studio".to_owned(), input).await?;
    page.error = Some(refusal.message.clone());
    page.flash = None;
    page.respond(Some(refusal))
}

/// `GET /studio?prompt=&model=&aspect=&count=&seed=&ref=`: the form, prefilled by the query
/// ("use again", "use this prompt"). Signed out, the sign-in page first.
pub async fn studio(
    State(state): State<AppState>,
    MaybeUser(principal): MaybeUser,
    headers: HeaderMap,
    uri: OriginalUri,
) -> Result<Response, ApiError> {
    let here = here(&uri);
    let Some(principal) = principal else {
        return Ok(sign_in_first(&here));
    };
    let lang = Lang::from_headers(&headers);
    let input = StudioInput::from_urlencoded(uri.0.query().unwrap_or_default().as_bytes());
    StudioPage::load(&state, &principal, lang, here, &input)
        .await?
        .respond(None)
}

/// `POST /studio`: starts the generation and goes to its page; a refusal shows the form again
/// with the input kept (402 when the credits do not cover it).
pub async fn start_generation(
    State(state): State<AppState>,
    MaybeUser(principal): MaybeUser,
    headers: HeaderMap,
    RawForm(body): RawForm,
) -> Result<Response, ApiError> {
    let Some(principal) = principal else {
        return Ok(sign_in_first("/studio"));
    };
    let lang = Lang::from_headers(&headers);
    let m = lang.messages();
    let input = StudioInput::from_urlencoded(&body);
    let max_count = state.app.settings().generation.max_count;
    let request = match input.request(m, max_count) {
        Ok(request) => request,
        Err(message) => {
            let refusal = Refusal::new(message, StatusCode::UNPROCESSABLE_ENTITY);
            return refused(&state, &principal, lang, &input, &refusal).await;
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
            let models = state.app.models();
            let model = chosen_model(&models, input.model.trim());
            let refusal = Refusal::from_app(m, e, model, max_count)?;
            let mut input = input;
            if refusal.message == m.err_form_reused {
                input.key.clear();
            }
            refused(&state, &principal, lang, &input, &refusal).await
        }
    }
}

/// `POST /studio/upload` (multipart: the studio form with its `file`): stores the reference, then
/// goes back to the studio with the input kept and the new upload ticked where the model has room.
pub async fn upload_reference(
    State(state): State<AppState>,
    MaybeUser(principal): MaybeUser,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    let Some(principal) = principal else {
        return Ok(sign_in_first("/studio"));
    };
    let lang = Lang::from_headers(&headers);
    let m = lang.messages();
    let max_bytes = state.app.settings().uploads.max_bytes;
    let too_large = || {
        Refusal::new(
            m.err_upload_too_large
                .replace("{mb}", &(max_bytes / (1024 * 1024)).to_string()),
            StatusCode::PAYLOAD_TOO_LARGE,
        )
    };
    let mut input = StudioInput::default();
    let (file, refusal) = match multipart {
        Ok(multipart) => read_upload_form(multipart, &mut input, max_bytes).await,
        Err(_) => (None, Some(ReadFailure::Unreadable)),
    };
    let refusal = match (file, refusal) {
        (_, Some(ReadFailure::TooLarge)) => too_large(),
        (_, Some(ReadFailure::Unreadable)) => {
            Refusal::new(m.err_upload_failed.to_owned(), StatusCode::BAD_REQUEST)
        }
        (None, None) => Refusal::new(
            m.err_upload_missing.to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (Some(bytes), None) => match state.app.create_upload(&principal.user.id, bytes).await {
            Ok(row) => {
                let models = state.app.models();
                let room =
                    chosen_model(&models, input.model.trim()).map_or(0, |m| m.max_reference_images);
                if input.refs.len() < usize::try_from(room).unwrap_or(0) {
                    input.refs.insert(0, row.id);
                }
                let query = input.query();
                let sep = if query.is_empty() { "" } else { "&" };
                return Ok(see_other(&format!("/studio?{query}{sep}uploaded=1")));
            }
            Err(AppError::TooLarge(_)) => too_large(),
            Err(e) => Refusal::from_app(m, e, None, 1)?,
        },
    };
    refused(&state, &principal, lang, &input, &refusal).await
}

/// `GET /studio/upload` (a reload, a bookmark): the studio.
pub async fn to_studio() -> Response {
    see_other("/studio")
}

/// Why the upload form could not be read.
enum ReadFailure {
    TooLarge,
    Unreadable,
}

/// Reads the studio form's fields into `input` and the file (none when no file was chosen).
async fn read_upload_form(
    mut multipart: Multipart,
    input: &mut StudioInput,
    max_bytes: usize,
) -> (Option<Bytes>, Option<ReadFailure>) {
    let failure = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ReadFailure::TooLarge
        } else {
            ReadFailure::Unreadable
        }
    };
    let mut file = None;
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return (file, None),
            Err(e) => return (file, Some(failure(e))),
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let mut buf = BytesMut::new();
            loop {
                match field.chunk().await {
                    Ok(Some(chunk)) => {
                        if buf.len() + chunk.len() > max_bytes {
                            return (None, Some(ReadFailure::TooLarge));
                        }
                        buf.extend_from_slice(&chunk);
                    }
                    Ok(None) => break,
                    Err(e) => return (None, Some(failure(e))),
                }
            }
            if !buf.is_empty() {
                file = Some(buf.freeze());
            }
        } else {
            match field.text().await {
                Ok(value) => input.set(&name, value),
                Err(e) => return (file, Some(failure(e))),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_reads_repeated_references_and_keeps_its_query() {
        let input = StudioInput::from_urlencoded(
            b"prompt=a+cat%20%26+dog&model=local&aspect=3%3A4&count=2&seed=&ref=u1&ref=u2&ref=u1&key=k",
        );
        assert_eq!(input.prompt, "a cat & dog");
        assert_eq!(input.refs, ["u1", "u2"]);
        assert_eq!(
            input.query(),
            "prompt=a+cat+%26+dog&model=local&aspect=3%3A4&count=2&ref=u1&ref=u2"
        );
    }

    #[test]
    fn u1_the_same_form_is_the_same_key_and_a_changed_form_another() {
        let a = StudioInput::from_urlencoded(b"prompt=x&count=1&key=abc");
        let b = StudioInput::from_urlencoded(b"prompt=x&count=1&key=abc");
        let c = StudioInput::from_urlencoded(b"prompt=x&count=2&key=abc");
        assert_eq!(a.idempotency_key(), b.idempotency_key());
        assert_ne!(a.idempotency_key(), c.idempotency_key());
        assert!(a.idempotency_key().unwrap().starts_with("studio-abc-"));
        assert_eq!(StudioInput::default().idempotency_key(), None);
    }

    #[test]
    fn counts_and_seeds_that_do_not_read_are_refused_in_words() {
        let m = Lang::En.messages();
        let bad_seed = StudioInput::from_urlencoded(b"prompt=x&seed=-1");
        assert_eq!(bad_seed.request(m, 4).unwrap_err(), m.err_seed);
        let bad_count = StudioInput::from_urlencoded(b"prompt=x&count=many");
        assert_eq!(
            bad_count.request(m, 4).unwrap_err(),
            "Ask for 1 to 4 images."
        );
        let fine = StudioInput::from_urlencoded(b"prompt=x&count=3&seed=42")
            .request(m, 4)
            .unwrap();
        assert_eq!((fine.count, fine.seed), (Some(3), Some(42)));
    }
}
