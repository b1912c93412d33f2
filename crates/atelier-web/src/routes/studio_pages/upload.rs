//! Reference uploads from the studio without JavaScript (C5, C11): the whole studio form posted
//! as multipart to `/studio/upload` (the route takes bodies up to `http.body_limit_bytes`), the
//! image stored, then back to the studio with the input kept and the new upload ticked.

use super::form::{FormRefusal, StudioInput};
use super::studio::{chosen_model, refused};
use crate::i18n::PageLang;
use crate::page::{Page, PageResult, see_other};
use crate::state::AppState;
use atelier_app::AppError;
use axum::extract::State;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::http::StatusCode;
use axum::response::Response;
use bytes::{Bytes, BytesMut};

/// `POST /studio/upload` (multipart: the studio form with its `file`): stores the reference, then
/// goes back to the studio with the input kept and the new upload ticked where the model has room.
pub async fn upload_reference(
    State(state): State<AppState>,
    page: Page,
    multipart: Result<Multipart, MultipartRejection>,
) -> PageResult {
    let principal = page.require("/studio")?;
    let lang = page.lang;
    let m = lang.messages();
    let max_bytes = state.app.settings().uploads.max_bytes;
    let too_large = || {
        FormRefusal::new(
            m.errors
                .upload_too_large
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
            FormRefusal::new(m.errors.upload_failed.to_owned(), StatusCode::BAD_REQUEST)
        }
        (None, None) => FormRefusal::new(
            m.errors.upload_missing.to_owned(),
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
            Err(e) => FormRefusal::from_app(m, e)?,
        },
    };
    refused(&state, principal, lang, &input, &refusal).await
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
