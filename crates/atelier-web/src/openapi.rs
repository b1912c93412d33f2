//! The OpenAPI 3.1 document of every `/api/v1` route, generated from the handlers' annotations.

use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Atelier API",
        description = "The JSON API of an Atelier instance: gallery, accounts, generation, assistant, collections and privacy. Errors are `{\"error\": {\"code\", \"message\"}}`.",
        license(name = "AGPL-3.0-or-later")
    ),
    components(schemas(crate::error::ErrorBody, crate::error::ErrorDetail)),
    tags(
        (name = "instance", description = "About this instance"),
        (name = "gallery", description = "The public gallery of AI artwork (G1, G2)"),
        (name = "generation", description = "Reference uploads and generations (G3, C5, C11)"),
        (name = "collections", description = "Favorites and boards (G5, D2)"),
        (name = "assistant", description = "AI assistant: enhance, describe, AI Edit, call logs (G4, C9, D6)"),
        (name = "privacy", description = "What is held about you, account deletion (D3, D8)"),
        (name = "accounts", description = "Sign-in by email, sessions, access tokens, profile (C1, C3, D1, D5)")
    )
)]
struct ApiDoc;

/// The document's base, before the routes add their paths.
#[must_use]
pub fn base() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// The complete OpenAPI document.
#[must_use]
pub fn api_doc() -> utoipa::openapi::OpenApi {
    crate::routes::api_v1().split_for_parts().1
}
