//! Assembling the router and serving it with graceful shutdown.

use crate::middleware::{self, SecurityHeaders};
use crate::{ApiError, routes};
use atelier_app::App;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The use cases.
    pub app: App,
    openapi: Arc<String>,
}

/// The whole router of an instance.
pub fn router(app: App) -> Router {
    let settings = app.settings().clone();
    let (api, openapi) = routes::api_v1().split_for_parts();
    let openapi = openapi.to_pretty_json().unwrap_or_else(|_| "{}".to_owned());
    let state = AppState {
        app,
        openapi: Arc::new(openapi),
    };
    let timeout = Duration::from_secs(settings.http.request_timeout_secs);
    let security = SecurityHeaders {
        hsts: settings.is_https(),
    };
    Router::new()
        .route("/healthz", get(routes::healthz))
        .route("/api/openapi.json", get(openapi_json))
        .merge(api)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(settings.http.json_limit_bytes))
        .layer(axum::middleware::from_fn_with_state(
            timeout,
            middleware::timeout,
        ))
        .layer(CompressionLayer::new())
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
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move { shutdown.cancelled().await })
    .await
}

async fn openapi_json(axum::extract::State(state): axum::extract::State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        state.openapi.as_str().to_owned(),
    )
        .into_response()
}

/// JSON under `/api/`, a page elsewhere.
async fn not_found(uri: Uri) -> Response {
    if is_api(&uri) {
        ApiError::not_found().into_response()
    } else {
        (
            StatusCode::NOT_FOUND,
            Html(
                "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Not found · Atelier</title>\
                 <h1>Not found</h1><p>There is nothing at this address. <a href=\"/\">Back to the gallery</a></p></html>",
            ),
        )
            .into_response()
    }
}

async fn method_not_allowed() -> Response {
    ApiError::method_not_allowed().into_response()
}

fn is_api(uri: &Uri) -> bool {
    uri.path() == "/api" || uri.path().starts_with("/api/")
}
