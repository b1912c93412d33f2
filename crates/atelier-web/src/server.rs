//! Assembling the router and serving it with graceful shutdown.

use crate::middleware::{self, SecurityHeaders};
use crate::state::AppState;
use crate::{ApiError, routes};
use atelier_app::{App, image_urls};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::serve::ListenerExt as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate as _};

/// The whole router of an instance.
pub fn router(app: App) -> Router {
    let settings = app.settings().clone();
    let (api, openapi) = routes::api_v1_with(settings.http.body_limit_bytes).split_for_parts();
    let openapi = openapi.to_pretty_json().unwrap_or_else(|_| "{}".to_owned());
    let state = AppState {
        app,
        openapi: Arc::new(openapi),
        ip_limiter: crate::state::ip_limiter(settings.rate_limits.requests_per_ip_per_minute),
    };
    let timeout = Duration::from_secs(settings.http.request_timeout_secs);
    let security = SecurityHeaders {
        hsts: settings.is_https(),
    };
    Router::new()
        .merge(pages(&state, settings.http.body_limit_bytes))
        .route(
            image_urls::GALLERY_ROUTE,
            get(routes::images::gallery_image),
        )
        .route("/assets/{name}", get(routes::assets::asset))
        .route(image_urls::UPLOAD_ROUTE, get(routes::uploads::image))
        .route(
            image_urls::GENERATED_ROUTE,
            get(routes::generations::owner_image),
        )
        .route(
            image_urls::SIGNED_ROUTE,
            get(routes::generations::signed_image),
        )
        .route("/api/search", get(routes::meigen::search))
        .route("/api/images/{id}", get(routes::meigen::image))
        .route("/api/models", get(routes::meigen::models))
        .route("/api/generate/v2", post(routes::meigen::generate_v2))
        .route(
            "/api/generate/v2/status/{id}",
            get(routes::meigen::status_v2),
        )
        .route("/healthz", get(routes::healthz))
        .route("/api/openapi.json", get(openapi_json))
        .merge(api)
        .fallback(crate::page::not_found)
        .method_not_allowed_fallback(crate::page::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::auth::csrf_guard,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::auth::block_guard,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::auth::client_context,
        ))
        .layer(DefaultBodyLimit::max(settings.http.json_limit_bytes))
        .layer(axum::middleware::from_fn_with_state(
            timeout,
            middleware::timeout,
        ))
        // A ZIP is compressed already; streaming it through another encoder only costs CPU.
        .layer(CompressionLayer::new().compress_when(
            DefaultPredicate::new().and(NotForContentType::const_new("application/zip")),
        ))
        .layer(CatchPanicLayer::custom(
            |_: Box<dyn std::any::Any + Send>| {
                ApiError::internal("a handler panicked").into_response()
            },
        ))
        .layer(axum::middleware::from_fn_with_state(
            security,
            middleware::security_headers,
        ))
        .layer(axum::middleware::from_fn(middleware::request_log))
        .with_state(state)
}

/// Serves `router` on `listener` until `shutdown` is cancelled, then stops accepting connections
/// and lets requests in flight finish.
///
/// # Errors
/// When accepting connections fails.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    // Responses are written as headers, then the body in chunks: with Nagle's algorithm on, a
    // small last write waits for the client's delayed acknowledgement (~40 ms on Linux) before it
    // leaves. Every image paid that on every request; answers go out as soon as they are written.
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::warn!(error = %e, "could not set TCP_NODELAY");
        }
    });
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move { shutdown.cancelled().await })
    .await
}

/// Every server-rendered page. A page route that fails answers an HTML page in the visitor's
/// language ([`crate::page::html_errors`]); API routes answer JSON.
fn pages(state: &AppState, body_limit: usize) -> Router<AppState> {
    Router::new()
        .route("/", get(routes::gallery_pages::home))
        .route("/g/{id}", get(routes::gallery_pages::detail))
        .route("/lang", post(routes::gallery_pages::set_language))
        .route("/api/docs", get(routes::api_docs::page))
        .merge(account_pages())
        .merge(studio_pages(body_limit))
        .merge(collection_pages())
        .merge(privacy_pages())
        .merge(admin_pages())
        .route("/credits", get(routes::credits_pages::credits_page))
        .route(
            "/credits/buy",
            post(routes::credits_pages::buy).get(routes::credits_pages::to_credits),
        )
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::page::html_errors,
        ))
}

/// The console's pages (issue 19): staff only, every read of a user audited.
fn admin_pages() -> Router<AppState> {
    use routes::admin_pages as pages;
    Router::new()
        .route("/admin", get(pages::home))
        .route("/admin/users", get(pages::users))
        .route("/admin/users/{id}", get(pages::user))
        .route("/admin/users/{id}/credits", post(pages::adjust))
        .route("/admin/users/{id}/roles", post(pages::roles))
        .route("/admin/users/{id}/sessions/end", post(pages::end_all))
        .route("/admin/users/{id}/sessions/{sid}/end", post(pages::end_one))
        .route("/admin/audit", get(pages::audit))
        .route("/admin/deletions", get(pages::deletions))
        .route("/admin/blocks", get(pages::blocks).post(pages::block))
        .route("/admin/blocks/{id}/lift", post(pages::unblock))
        .route(
            "/admin/takedowns",
            get(pages::takedowns).post(pages::takedown),
        )
        .route("/admin/takedown-requests/{id}/answer", post(pages::answer))
        .route(
            "/takedown",
            get(pages::takedown_request_page).post(pages::request_takedown),
        )
}

/// The sign-in and settings pages (HTML forms; a `GET` of a form's target goes back to its page).
fn account_pages() -> Router<AppState> {
    use routes::account_pages as pages;
    Router::new()
        .route("/login", get(pages::login).post(pages::send_code))
        .route("/login/code", post(pages::verify_code).get(pages::to_login))
        .route(
            "/login/link",
            get(pages::open_link).post(pages::confirm_link),
        )
        .route("/logout", post(pages::logout).get(pages::to_settings))
        .route("/settings", get(pages::settings))
        .route(
            "/settings/profile",
            post(pages::save_profile).get(pages::to_settings),
        )
        .route(
            "/settings/email",
            post(pages::change_email).get(pages::to_settings),
        )
        .route(
            "/settings/email/verify",
            post(pages::verify_email).get(pages::to_settings),
        )
        .route("/settings/sessions/{id}/end", post(pages::end_session))
        .route(
            "/settings/sessions/end-all",
            post(pages::end_all_sessions).get(pages::to_settings),
        )
        .route(
            "/settings/tokens",
            post(pages::create_token).get(pages::to_settings),
        )
        .route("/settings/tokens/{id}/revoke", post(pages::revoke_token))
        .route(
            "/settings/assistant-logs/delete",
            post(pages::delete_assistant_logs).get(pages::to_settings),
        )
}

/// The studio and the generation records (HTML forms, Post/Redirect/Get). The upload form takes
/// bodies up to `body_limit` bytes, like `POST /api/v1/uploads`.
fn studio_pages(body_limit: usize) -> Router<AppState> {
    use routes::studio_pages as pages;
    Router::new()
        .route("/studio", get(pages::studio).post(pages::start_generation))
        .route(
            "/studio/upload",
            post(pages::upload_reference)
                .get(pages::to_studio)
                .layer(DefaultBodyLimit::max(body_limit)),
        )
        .route(
            "/studio/enhance",
            post(pages::enhance).get(pages::to_studio),
        )
        .route(
            "/studio/describe",
            post(pages::describe).get(pages::to_studio),
        )
        .route("/edit", get(pages::edit_page).post(pages::start_edit))
        .route("/generations", get(pages::generations_page))
        .route("/generations/{id}", get(pages::generation_page))
        .route(
            "/generations/{id}/delete",
            get(pages::confirm_delete).post(pages::delete_generation),
        )
}

/// The privacy pages: the policy, the privacy center, and the one-click unsubscribe (which reads
/// no cookie).
fn privacy_pages() -> Router<AppState> {
    use routes::privacy;
    use routes::privacy_pages as pages;
    Router::new()
        .route("/privacy", get(pages::policy))
        .route("/settings/privacy", get(pages::center))
        .route(
            "/settings/privacy/marketing",
            post(pages::marketing).get(pages::to_center),
        )
        .route(
            "/settings/privacy/export",
            post(pages::export).get(pages::to_center),
        )
        .route(
            "/settings/privacy/delete",
            get(pages::confirm_delete).post(pages::request_deletion),
        )
        .route(
            "/settings/privacy/withdraw",
            post(pages::withdraw_deletion).get(pages::to_center),
        )
        .route(
            "/unsubscribe/{token}",
            get(privacy::unsubscribe_form).post(privacy::unsubscribe),
        )
}

/// Favorites and boards (HTML forms, Post/Redirect/Get) and the shared board page.
fn collection_pages() -> Router<AppState> {
    use routes::collection_pages as pages;
    Router::new()
        .route("/favorites", get(pages::favorites_page))
        .route("/favorites/{id}", post(pages::toggle_favorite))
        .route("/boards", get(pages::boards_page).post(pages::create_board))
        .route("/boards/add", post(pages::add_to_board))
        .route("/boards/{id}", get(pages::board_page))
        .route("/boards/{id}/edit", post(pages::edit_board))
        .route(
            "/boards/{id}/delete",
            get(pages::confirm_delete_board).post(pages::delete_board),
        )
        .route("/boards/{id}/share", post(pages::share_board))
        .route("/boards/{id}/remove", post(pages::remove_from_board))
        .route(
            "/boards/{id}/generations/{generation_id}",
            post(pages::share_generation),
        )
        .route("/b/{token}", get(pages::shared_board_page))
}

async fn openapi_json(axum::extract::State(state): axum::extract::State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        state.openapi.as_str().to_owned(),
    )
        .into_response()
}
