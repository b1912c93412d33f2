//! Local servers that speak a provider's wire format, for tests of what the app does with its
//! answers: [`serve`] puts any router on a free port; [`refusing_openai`] is OpenAI's images API
//! turning every prompt down.

use axum::Router;
use axum::http::StatusCode;

/// Serves `router` on a free port of this machine for the rest of the test; returns its base
/// URL (`http://127.0.0.1:…`).
pub async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free local port");
    let addr = listener.local_addr().expect("the bound address");
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

/// A server speaking OpenAI's images API (`POST /v1/images/generations`) whose safety system
/// refuses every prompt; returns its base URL.
pub async fn refusing_openai() -> String {
    serve(Router::new().route(
        "/v1/images/generations",
        axum::routing::post(|| async {
            (
                StatusCode::BAD_REQUEST,
                axum::Json(serde_json::json!({ "error": { "message": "Your request was rejected by the safety system.", "type": "invalid_request_error", "code": "content_policy_violation" } })),
            )
        }),
    ))
    .await
}

/// Settings (as `atelier.toml`) whose one model is `gpt-image-1` ("GPT Image", 4 credits an
/// image) from the OpenAI-compatible API at `base_url`, with the key `sk-test`.
#[must_use]
pub fn openai_model_toml(base_url: &str) -> String {
    format!(
        "[providers.openai]\napi_key = \"sk-test\"\nbase_url = \"{base_url}\"\n\
         [[models]]\nid = \"gpt-image-1\"\nname = \"GPT Image\"\nprovider = \"openai\"\ncredits_per_image = 4\n"
    )
}
