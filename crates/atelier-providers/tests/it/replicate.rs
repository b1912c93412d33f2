//! The Replicate provider against a fake predictions API.

use std::time::Duration;

use atelier_core::Aspect;
use atelier_providers::{
    GenerateRequest, ImageProvider, ProviderError, ReferenceImage, ReplicateConfig,
    ReplicateProvider,
};
use axum::http::Method;
use bytes::Bytes;
use serde_json::{Value, json};

use crate::support::{Call, Fake, Reply, b64, fake, for_fake, png};

const TOKEN: &str = "r8_test_token_abcdef0123";
const MODEL: &str = "black-forest-labs/flux-schnell";
const CREATE: &str = "/v1/models/black-forest-labs/flux-schnell/predictions";
const GET: &str = "/v1/predictions/p1";
const CANCEL: &str = "/v1/predictions/p1/cancel";

fn config(fake: &Fake) -> ReplicateConfig {
    let mut config = for_fake!(fake, ReplicateConfig::new(TOKEN));
    config.poll_interval = Duration::from_millis(10);
    config.max_wait = Duration::from_secs(5);
    config
}

fn provider(fake: &Fake) -> ReplicateProvider {
    ReplicateProvider::new(config(fake)).unwrap()
}

fn request(count: u32) -> GenerateRequest {
    let mut req = GenerateRequest::new(
        MODEL,
        "a lantern festival over a river",
        Aspect::Landscape16x9,
    );
    req.count = count;
    req.seed = Some(1234);
    req
}

/// A prediction in `status` whose URLs point back at the fake server.
fn prediction(call: &Call, status: &str, output: Value, error: Value) -> Value {
    json!({
        "id": "p1",
        "model": MODEL,
        "status": status,
        "output": output,
        "error": error,
        "urls": {
            "get": format!("{}{GET}", call.base),
            "cancel": format!("{}{CANCEL}", call.base),
            "stream": format!("{}/stream/p1", call.base),
        }
    })
}

fn outputs(call: &Call, n: usize) -> Value {
    json!(
        (0..n)
            .map(|i| format!("{}/files/out-{i}.webp", call.base))
            .collect::<Vec<_>>()
    )
}

/// Serves the numbered output files as PNGs of 64×36.
fn output_file(call: &Call) -> Option<Reply> {
    let name = call.path.strip_prefix("/files/out-")?;
    let seed: u64 = name.split('.').next()?.parse().ok()?;
    Some(Reply::raw(200, "image/png", png(64, 36, seed)))
}

#[tokio::test]
async fn prefer_wait_answered_with_success_downloads_outputs() {
    let server = fake(|call| {
        output_file(call).unwrap_or_else(|| {
            Reply::json(
                201,
                &prediction(call, "succeeded", outputs(call, 2), Value::Null),
            )
        })
    })
    .await;
    let images = provider(&server).generate(&request(2)).await.unwrap();
    assert_eq!(images.len(), 2);
    assert_eq!((images[0].width, images[0].height), (64, 36));
    assert_eq!(
        images[0].content_type, "image/png",
        "read from the bytes, not the URL"
    );
    assert_eq!(images[1].bytes, Bytes::from(png(64, 36, 1)));

    let creates = server.calls_to(Method::POST, CREATE);
    assert_eq!(creates.len(), 1);
    let create = &creates[0];
    assert!(create.header("prefer").unwrap().starts_with("wait"));
    assert_eq!(
        create.header("authorization"),
        Some(&*format!("Bearer {TOKEN}"))
    );
    assert_eq!(
        create.json(),
        json!({"input": {
            "prompt": "a lantern festival over a river",
            "aspect_ratio": "16:9",
            "num_outputs": 2,
            "seed": 1234,
        }})
    );
    let downloads: Vec<Call> = server
        .calls()
        .into_iter()
        .filter(|c| c.path.starts_with("/files/"))
        .collect();
    assert_eq!(downloads.len(), 2);
    assert!(
        downloads
            .iter()
            .all(|c| c.header("authorization").is_none())
    );
    assert!(
        server.calls_to(Method::GET, GET).is_empty(),
        "no polling needed"
    );
}

#[tokio::test]
async fn processing_predictions_are_polled_until_they_succeed() {
    let server = fake(|call| {
        if let Some(file) = output_file(call) {
            return file;
        }
        match (call.method.as_str(), call.path.as_str()) {
            ("POST", CREATE) => {
                Reply::json(201, &prediction(call, "starting", Value::Null, Value::Null))
            }
            ("GET", GET) if call.path_index < 2 => Reply::json(
                200,
                &prediction(call, "processing", Value::Null, Value::Null),
            ),
            ("GET", GET) => Reply::json(
                200,
                &prediction(
                    call,
                    "succeeded",
                    json!(format!("{}/files/out-7.png", call.base)),
                    Value::Null,
                ),
            ),
            _ => Reply::raw(404, "text/plain", "not found"),
        }
    })
    .await;
    let images = provider(&server).generate(&request(1)).await.unwrap();
    assert_eq!(images.len(), 1);
    assert_eq!(images[0].bytes, Bytes::from(png(64, 36, 7)));
    let polls = server.calls_to(Method::GET, GET);
    assert_eq!(polls.len(), 3);
    assert!(
        polls
            .iter()
            .all(|c| c.header("authorization") == Some(&*format!("Bearer {TOKEN}")))
    );
}

#[tokio::test]
async fn failed_predictions_are_rejected_with_their_error() {
    let server = fake(|call| match (call.method.as_str(), call.path.as_str()) {
        ("POST", CREATE) => Reply::json(201, &prediction(call, "processing", Value::Null, Value::Null)),
        _ => Reply::json(
            200,
            &prediction(
                call,
                "failed",
                Value::Null,
                json!("Prompt contains words that are not allowed.\nTraceback (most recent call last): ..."),
            ),
        ),
    })
    .await;
    let err = provider(&server).generate(&request(1)).await.unwrap_err();
    assert!(
        matches!(err, ProviderError::Rejected(ref m) if m == "Prompt contains words that are not allowed."),
        "{err:?}"
    );
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn transient_failures_are_unavailable() {
    let server = fake(|call| {
        Reply::json(
            201,
            &prediction(
                call,
                "failed",
                Value::Null,
                json!("CUDA error: out of memory"),
            ),
        )
    })
    .await;
    let err = provider(&server).generate(&request(1)).await.unwrap_err();
    assert!(matches!(err, ProviderError::Unavailable(_)), "{err:?}");
}

#[tokio::test]
async fn predictions_that_never_finish_time_out_and_are_cancelled() {
    let server = fake(|call| match (call.method.as_str(), call.path.as_str()) {
        ("POST", CANCEL) => {
            Reply::json(200, &prediction(call, "canceled", Value::Null, Value::Null))
        }
        _ => Reply::json(
            200,
            &prediction(call, "processing", Value::Null, Value::Null),
        ),
    })
    .await;
    let mut config = config(&server);
    config.max_wait = Duration::from_millis(300);
    config.poll_interval = Duration::from_millis(20);
    let err = ReplicateProvider::new(config)
        .unwrap()
        .generate(&request(1))
        .await
        .unwrap_err();
    assert!(matches!(err, ProviderError::Timeout), "{err:?}");
    let cancels = server.calls_to(Method::POST, CANCEL);
    assert_eq!(cancels.len(), 1);
    assert_eq!(
        cancels[0].header("authorization"),
        Some(&*format!("Bearer {TOKEN}"))
    );
    assert!(server.calls_to(Method::GET, GET).len() >= 3);
}

#[tokio::test]
async fn outputs_over_the_size_limit_are_refused() {
    let server = fake(|call| {
        output_file(call).unwrap_or_else(|| {
            Reply::json(
                201,
                &prediction(call, "succeeded", outputs(call, 1), Value::Null),
            )
        })
    })
    .await;
    let mut config = config(&server);
    config.max_output_bytes = 1000;
    assert!(png(64, 36, 0).len() > 1000);
    let err = ReplicateProvider::new(config)
        .unwrap()
        .generate(&request(1))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ProviderError::Rejected(ref m) if m.contains("larger than")),
        "{err:?}"
    );
}

#[tokio::test]
async fn outputs_that_are_not_images_are_malformed() {
    let server = fake(|call| {
        if call.path.starts_with("/files/") {
            Reply::raw(200, "image/png", "<html>not an image</html>")
        } else {
            Reply::json(
                201,
                &prediction(call, "succeeded", outputs(call, 1), Value::Null),
            )
        }
    })
    .await;
    let err = provider(&server).generate(&request(1)).await.unwrap_err();
    assert!(matches!(err, ProviderError::Malformed(_)), "{err:?}");
}

#[tokio::test]
async fn rate_limited_creation_is_retried() {
    let server = fake(|call| {
        if let Some(file) = output_file(call) {
            return file;
        }
        if call.index == 0 {
            Reply::json(429, &json!({"title": "Request was throttled", "detail": "Request was throttled. Expected available in 1 second.", "status": 429}))
                .header("retry-after", "0")
        } else {
            Reply::json(201, &prediction(call, "succeeded", outputs(call, 1), Value::Null))
        }
    })
    .await;
    let images = provider(&server).generate(&request(1)).await.unwrap();
    assert_eq!(images.len(), 1);
    assert_eq!(server.calls_to(Method::POST, CREATE).len(), 2);
}

#[tokio::test]
async fn versions_and_references_use_the_predictions_endpoint() {
    let server = fake(|call| {
        output_file(call).unwrap_or_else(|| {
            Reply::json(
                201,
                &prediction(call, "succeeded", outputs(call, 1), Value::Null),
            )
        })
    })
    .await;
    let reference = png(12, 12, 5);
    let mut req = request(1);
    req.model =
        "owner/model:5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa".into();
    req.seed = None;
    req.references = vec![ReferenceImage {
        bytes: Bytes::from(reference.clone()),
        content_type: "image/png".into(),
    }];
    provider(&server).generate(&req).await.unwrap();
    let creates = server.calls_to(Method::POST, "/v1/predictions");
    assert_eq!(creates.len(), 1);
    let body = creates[0].json();
    assert_eq!(
        body["version"],
        "5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa"
    );
    assert!(body["input"].get("seed").is_none());
    assert_eq!(
        body["input"]["image_input"],
        json!([format!("data:image/png;base64,{}", b64(&reference))])
    );
}

#[tokio::test]
async fn creation_errors_map_to_provider_errors() {
    let cases = [
        (
            401,
            json!({"title": "Unauthenticated", "detail": "You did not pass a valid authentication token"}),
            "unauthorized",
        ),
        (
            402,
            json!({"title": "Insufficient credit", "detail": "You have insufficient credit to run this model."}),
            "quota_exceeded",
        ),
        (
            422,
            json!({"title": "Input validation failed", "detail": "- input.aspect_ratio: must be one of the following"}),
            "rejected",
        ),
        (503, json!({"detail": "Service unavailable"}), "unavailable"),
    ];
    for (status, body, code) in cases {
        let server = fake(move |_| Reply::json(status, &body)).await;
        let err = provider(&server).generate(&request(1)).await.unwrap_err();
        assert_eq!(err.code(), code, "{status}: {err:?}");
        assert!(!format!("{err:?}{err}").contains(TOKEN));
    }
}

#[tokio::test]
async fn a_malformed_prediction_is_malformed() {
    let server =
        fake(|_| Reply::raw(201, "application/json", "{\"id\": \"p1\", \"status\": ")).await;
    let err = provider(&server).generate(&request(1)).await.unwrap_err();
    assert!(matches!(err, ProviderError::Malformed(_)), "{err:?}");
}
