//! Routes, one module per area.

pub mod account;
pub mod account_pages;
pub mod admin;
pub mod admin_pages;
pub mod api_docs;
pub mod assets;
pub mod assistant;
pub mod billing;
pub mod collection_pages;
pub mod collections;
pub mod credits_pages;
pub mod export;
pub mod gallery;
pub mod gallery_pages;
pub mod generations;
mod health;
pub mod images;
mod instance;
pub mod meigen;
pub mod privacy;
pub mod privacy_pages;
pub mod studio_pages;
pub mod uploads;

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use health::healthz;

/// The OpenAPI document of `/api/v1`, as the routes describe themselves.
#[must_use]
pub fn api_doc() -> utoipa::openapi::OpenApi {
    api_v1().split_for_parts().1
}

/// Every `/api/v1` route, with its OpenAPI description (upload bodies limited to the default).
pub fn api_v1() -> OpenApiRouter<AppState> {
    api_v1_with(atelier_core::settings::HttpSettings::default().body_limit_bytes)
}

/// Every `/api/v1` route; uploads accept bodies up to `body_limit` bytes (JSON routes keep the
/// JSON limit).
pub fn api_v1_with(body_limit: usize) -> OpenApiRouter<AppState> {
    let (schemas, paths, upload) = routes!(uploads::create, uploads::list);
    let upload = upload.layer(axum::extract::DefaultBodyLimit::max(body_limit));
    OpenApiRouter::with_openapi(crate::openapi::base())
        .routes((schemas, paths, upload))
        .routes(routes!(uploads::get, uploads::delete))
        .routes(routes!(generations::models))
        .routes(routes!(generations::create, generations::list))
        .routes(routes!(generations::get, generations::delete))
        .routes(routes!(collections::favorites))
        .routes(routes!(collections::favorite, collections::unfavorite))
        .routes(routes!(collections::create_board, collections::boards))
        .routes(routes!(
            collections::board,
            collections::update_board,
            collections::delete_board
        ))
        .routes(routes!(collections::add_item, collections::remove_item))
        .routes(routes!(
            collections::add_generation,
            collections::remove_generation
        ))
        .routes(routes!(collections::board_items))
        .routes(routes!(collections::shared_board))
        .routes(routes!(instance::instance))
        .routes(routes!(gallery::list))
        .routes(routes!(gallery::get))
        .routes(routes!(account::request_code))
        .routes(routes!(account::verify))
        .routes(routes!(account::logout))
        .routes(routes!(account::logout_all))
        .routes(routes!(account::me, account::patch_me))
        .routes(routes!(account::sessions))
        .routes(routes!(account::end_session))
        .routes(routes!(account::tokens, account::create_token))
        .routes(routes!(account::revoke_token))
        .routes(routes!(account::change_email))
        .routes(routes!(account::verify_email))
        .routes(routes!(account::credits))
        .routes(routes!(assistant::enhance))
        .routes(routes!(assistant::describe))
        .routes(routes!(assistant::edit))
        .routes(routes!(assistant::logs, assistant::delete_logs))
        .routes(routes!(privacy::overview))
        .routes(routes!(
            privacy::request_deletion,
            privacy::withdraw_deletion
        ))
        .routes(routes!(export::download))
        .routes(routes!(export::create, export::list))
        .routes(routes!(export::signed_download))
        .routes(routes!(billing::packs))
        .routes(routes!(billing::checkout))
        .routes(routes!(billing::stripe_webhook))
        .routes(routes!(billing::purchases))
        .routes(routes!(admin::users))
        .routes(routes!(admin::user))
        .routes(routes!(admin::adjust_credits))
        .routes(routes!(admin::set_roles))
        .routes(routes!(admin::end_sessions))
        .routes(routes!(admin::end_session))
        .routes(routes!(admin::audit))
        .routes(routes!(admin::deletions))
        .routes(routes!(admin::blocks::blocks, admin::blocks::create_block))
        .routes(routes!(admin::blocks::delete_block))
        .routes(routes!(admin::takedowns::takedown))
        .routes(routes!(admin::takedowns::request_takedown))
        .routes(routes!(admin::takedowns::takedown_requests))
        .routes(routes!(admin::takedowns::answer_takedown_request))
}
