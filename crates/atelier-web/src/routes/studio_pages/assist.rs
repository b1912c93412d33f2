//! The assistant in the studio without JavaScript (G4, U4): "Enhance prompt" posts the whole
//! form to `/studio/enhance` and the studio comes back with the suggestion beside the prompt as
//! written; "Describe" on an upload posts it to `/studio/describe` and the studio comes back with
//! the prompt describing that image. Every other choice is kept; a refusal shows in words above
//! the form. `app.js` does the same in place through the JSON API.

use super::form::{FormRefusal, StudioInput};
use super::studio::{Assisted, assisted, refused};
use crate::ApiError;
use crate::i18n::{Messages, PageLang};
use crate::page::{Page, PageResult};
use crate::state::AppState;
use atelier_app::AppError;
use axum::extract::{RawForm, State};
use axum::http::StatusCode;
use url::form_urlencoded;

/// The words for an assistant refusal the user can act on; anything else goes to the error
/// mapping.
pub(super) fn assistant_refusal(m: &Messages, err: AppError) -> Result<FormRefusal, ApiError> {
    let unprocessable =
        |message: &str| FormRefusal::new(message.to_owned(), StatusCode::UNPROCESSABLE_ENTITY);
    Ok(match err {
        AppError::NotFound => unprocessable(m.errors.unknown_upload),
        AppError::Provider { message, retryable } => FormRefusal::new(
            m.errors
                .assistant_failed
                .replace("{reason}", message.trim()),
            if retryable {
                StatusCode::SERVICE_UNAVAILABLE
            } else {
                StatusCode::BAD_GATEWAY
            },
        ),
        other => FormRefusal::from_app(m, other)?,
    })
}

/// `POST /studio/enhance` (the studio form): the studio again with the assistant's suggestion
/// beside the prompt, "use suggestion" and "keep mine".
pub async fn enhance(
    State(state): State<AppState>,
    page: Page,
    RawForm(body): RawForm,
) -> PageResult {
    let principal = page.require("/studio")?;
    let lang = page.lang;
    let input = StudioInput::from_urlencoded(&body);
    let user = &principal.user;
    match state
        .app
        .enhance_prompt(&user.id, &input.prompt, &user.language)
        .await
    {
        Ok(suggestion) => {
            assisted(
                &state,
                principal,
                lang,
                &input,
                Assisted::Suggestion(suggestion),
            )
            .await
        }
        Err(e) => {
            let refusal = assistant_refusal(lang.messages(), e)?;
            refused(&state, principal, lang, &input, &refusal).await
        }
    }
}

/// `POST /studio/describe` (the studio form with the `upload_id` of the tile's button): the
/// studio again with the prompt describing that upload.
pub async fn describe(
    State(state): State<AppState>,
    page: Page,
    RawForm(body): RawForm,
) -> PageResult {
    let principal = page.require("/studio")?;
    let lang = page.lang;
    let mut input = StudioInput::from_urlencoded(&body);
    let upload_id = form_urlencoded::parse(&body)
        .find(|(name, _)| name == "upload_id")
        .map(|(_, value)| value.trim().to_owned())
        .unwrap_or_default();
    let user = &principal.user;
    match state
        .app
        .describe_upload(&user.id, &upload_id, &user.language)
        .await
    {
        Ok(description) => {
            input.prompt = description;
            assisted(&state, principal, lang, &input, Assisted::Described).await
        }
        Err(e) => {
            let refusal = assistant_refusal(lang.messages(), e)?;
            refused(&state, principal, lang, &input, &refusal).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn assistant_refusals_are_words_with_their_status() {
        let m = Lang::En.messages();
        let r = assistant_refusal(
            m,
            AppError::Provider {
                message: "The provider timed out.".into(),
                retryable: true,
            },
        )
        .unwrap();
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            r.message,
            "The assistant could not answer: The provider timed out. Nothing was charged."
        );
        let r = assistant_refusal(
            m,
            AppError::invalid(atelier_app::Refusal::InvalidPrompt, "x"),
        )
        .unwrap();
        assert_eq!(r.message, m.errors.prompt);
        let r = assistant_refusal(
            m,
            AppError::InsufficientCredits {
                needed: 2,
                balance: 1,
            },
        )
        .unwrap();
        assert_eq!(r.status, StatusCode::PAYMENT_REQUIRED);
        assert_eq!(
            assistant_refusal(m, AppError::NotFound).unwrap().message,
            m.errors.unknown_upload
        );
    }
}
