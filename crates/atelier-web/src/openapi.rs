//! The OpenAPI 3.1 document of every `/api/v1` route, generated from the handlers' annotations.
//!
//! The document is a promise to client authors, so each operation states all of it in its
//! `#[utoipa::path]`: a camelCase `operation_id` unique in the document, the credentials it takes
//! (`security(("access_token" = []), ("session_cookie" = []))` for a signed-in user, `security(())`
//! for a public route), a description for every answer and the one `Error` schema for every error
//! answer. The error answers many operations share are the unit types below, listed by name in
//! `responses(...)`. `tests/it/openapi.rs` refuses a document that breaks any of this, and
//! `scripts/test.sh` runs `openapi-spec-validator` over `atelier openapi`.

use std::collections::BTreeMap;
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{IntoResponses, Modify, OpenApi, PartialSchema, ToSchema};

/// The security scheme of a personal access token: `Authorization: Bearer <token>`.
pub const ACCESS_TOKEN: &str = "access_token";
/// The security scheme of the browser session cookie.
pub const SESSION_COOKIE: &str = "session_cookie";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Atelier API",
        description = "The JSON API of an Atelier instance: gallery, accounts, generation, assistant, collections, privacy and billing.\n\nPaths are absolute on the instance's own origin. Every error answer is `{\"error\": {\"code\", \"message\"}}` (the `Error` schema) with a stable snake_case `code`. Besides the answers each operation lists, any route may answer 408 `request_timeout`, 413 `payload_too_large`, 415 `unsupported_media_type` (a JSON body sent without `Content-Type: application/json`), 429 `rate_limited` (with `Retry-After`) or 500 `internal_error`, in the same shape. Lists answer `{items, next_cursor}`: pass `next_cursor` back as `cursor` for the next page; `null` means the last page.",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later")
    ),
    modifiers(&SecuritySchemes),
    components(schemas(crate::error::ErrorBody, crate::error::ErrorDetail)),
    tags(
        (name = "instance", description = "About this instance"),
        (name = "gallery", description = "The public gallery of AI artwork (G1, G2)"),
        (name = "generation", description = "Reference uploads and generations (G3, C5, C11)"),
        (name = "collections", description = "Favorites and boards (G5, D2)"),
        (name = "assistant", description = "AI assistant: enhance, describe, AI Edit, call logs (G4, C9, D6)"),
        (name = "privacy", description = "What is held about you, account deletion (D3, D8)"),
        (name = "billing", description = "Credit packs bought through Stripe Checkout, Stripe's webhook, your purchases (G7)"),
        (name = "admin", description = "The operator's console: users, audit log, deletion queue; `support` reads, `admin` changes, every read of a user's data audited (G8, SEC2, D3)"),
        (name = "accounts", description = "Sign-in by email, sessions, access tokens, profile, export (C1, C3, D1, D4, D5)")
    )
)]
struct ApiDoc;

/// Declares the two ways to be signed in, which operations name in their `security`.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            ACCESS_TOKEN,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("personal access token")
                    .description(Some(
                        "A personal access token, made in Settings → Access tokens (or with `POST /api/v1/me/tokens`), sent as `Authorization: Bearer <token>`. An unknown, expired or revoked token is answered 401 `invalid_token`; the session cookie is then not looked at. Token requests are exempt from the CSRF rule.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            SESSION_COOKIE,
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::SESSION_COOKIE,
                "The session cookie that signing in sets (`POST /api/v1/auth/verify` or the sign-in pages). On an instance served over HTTPS its name is `__Host-atelier_session`. A state-changing request (POST, PUT, PATCH, DELETE) with the cookie must come from this site: `Sec-Fetch-Site: same-origin` (or `none`), else an `Origin` equal to the instance's; otherwise it is answered 403 `csrf_rejected`.",
            ))),
        );
    }
}

/// The document's base, before the routes add their paths.
#[must_use]
pub fn base() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// One error answer: `description`, and the `Error` schema as JSON.
fn error_answer(status: &str, description: &str) -> BTreeMap<String, RefOr<Response>> {
    let response = ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Error")))
                .build(),
        )
        .build();
    BTreeMap::from([(status.to_owned(), RefOr::T(response))])
}

/// Defines an error answer that operations list by name in `responses(...)`.
macro_rules! error_answers {
    ($($(#[$doc:meta])* $name:ident = $status:literal, $description:literal;)*) => {$(
        $(#[$doc])*
        pub struct $name;

        impl IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                error_answer($status, $description)
            }
        }
    )*};
}

error_answers! {
    /// 400: a malformed cursor, parameter or body.
    BadRequest = "400", "A malformed body, query string or cursor (`malformed_json`, `invalid_query`, `invalid_cursor`)";
    /// 401: no usable credentials.
    Unauthorized = "401", "Not signed in: no session cookie or access token, or one that is unknown, expired or revoked (`unauthorized`, `invalid_token`)";
    /// 403: a cookie-authenticated change that a browser says came from another site.
    CsrfRejected = "403", "A cookie-authenticated change sent from another site (`csrf_rejected`); see the `session_cookie` security scheme";
    /// 403: not staff, or (a change) sent from another site.
    StaffOnly = "403", "The account is not staff (`forbidden`): the console needs the role `support` to read and `admin` to change; or a cookie-authenticated change sent from another site (`csrf_rejected`)";
    /// 404: nothing with that id, or not the caller's.
    NotFound = "404", "Nothing with that id, or it is not yours (`not_found`)";
    /// 422: a value breaks a rule.
    Invalid = "422", "A value breaks a rule; `code` says which (for example `invalid_name`) and `message` explains it";
    /// 429: too many requests.
    RateLimited = "429", "Too many requests (`rate_limited`); `Retry-After` gives the seconds to wait";
}

/// The bytes of a ZIP archive, as a response body schema.
pub struct ZipFile;

impl PartialSchema for ZipFile {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .content_media_type("application/zip")
            .description(Some("A ZIP archive"))
            .into()
    }
}

impl ToSchema for ZipFile {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_answers_refer_to_the_error_schema() {
        let answers = NotFound::responses();
        let json = serde_json::to_value(&answers).unwrap_or_default();
        assert_eq!(
            json["404"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/Error"
        );
    }

    #[test]
    fn the_base_declares_both_security_schemes() {
        let doc = base();
        let schemes = doc
            .components
            .map(|c| c.security_schemes)
            .unwrap_or_default();
        assert!(schemes.contains_key(ACCESS_TOKEN) && schemes.contains_key(SESSION_COOKIE));
    }
}
