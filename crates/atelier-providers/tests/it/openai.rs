//! The OpenAI-compatible provider against a fake images API.

use std::time::Duration;

use atelier_core::Aspect;
use atelier_providers::{
    GenerateRequest, ImageProvider, OpenAiConfig, OpenAiProvider, ProviderError, ReferenceImage,
};
use axum::http::Method;
use bytes::Bytes;
use serde_json::{Value, json};

use crate::support::{
    Fake, OPENAI_KEY, Reply, b64, error_body, fake, for_fake, jpeg, parse_multipart, png,
};

const GENERATIONS: &str = "/v1/images/generations";
const EDITS: &str = "/v1/images/edits";

fn config(fake: &Fake) -> OpenAiConfig {
    for_fake!(fake, OpenAiConfig::new(OPENAI_KEY))
}

fn provider(fake: &Fake) -> OpenAiProvider {
    OpenAiProvider::new(config(fake)).unwrap()
}

fn request(model: &str, aspect: Aspect, count: u32) -> GenerateRequest {
    let mut req = GenerateRequest::new(model, "a red fox in the snow", aspect);
    req.count = count;
    req
}

fn images_answer(images: &[Vec<u8>]) -> Reply {
    let data: Vec<Value> = images.iter().map(|i| json!({"b64_json": b64(i)})).collect();
    Reply::json(200, &json!({"created": 1_700_000_000, "data": data}))
}

#[tokio::test]
async fn generation_sends_the_request_and_reads_b64_images() {
    let server = fake(|_| images_answer(&[png(48, 32, 1), png(48, 32, 2)])).await;
    let images = provider(&server)
        .generate(&request("gpt-image-1", Aspect::Landscape16x9, 2))
        .await
        .unwrap();

    assert_eq!(images.len(), 2);
    // Sizes come from the image headers, not from the requested size.
    assert_eq!((images[0].width, images[0].height), (48, 32));
    assert_eq!(images[0].content_type, "image/png");
    assert_eq!(images[0].bytes, Bytes::from(png(48, 32, 1)));
    assert_ne!(images[0].bytes, images[1].bytes);

    let calls = server.calls();
    assert_eq!(calls.len(), 1);
    let call = &calls[0];
    assert_eq!(
        (call.method.clone(), call.path.as_str()),
        (Method::POST, GENERATIONS)
    );
    assert_eq!(
        call.header("authorization"),
        Some(&*format!("Bearer {OPENAI_KEY}"))
    );
    assert_eq!(
        call.json(),
        json!({"model": "gpt-image-1", "prompt": "a red fox in the snow", "n": 2, "size": "1536x1024"})
    );
}

#[tokio::test]
async fn size_mapping_and_response_format_by_model() {
    let server = fake(|_| images_answer(&[png(16, 16, 1)])).await;
    let p = provider(&server);
    p.generate(&request("gpt-image-1", Aspect::Portrait9x16, 1))
        .await
        .unwrap();
    p.generate(&request("gpt-image-1", Aspect::Square, 1))
        .await
        .unwrap();
    p.generate(&request("dall-e-3", Aspect::Landscape3x2, 4))
        .await
        .unwrap();
    let bodies: Vec<Value> = server.calls().iter().map(|c| c.json()).collect();
    assert_eq!(bodies[0]["size"], "1024x1536");
    assert_eq!(bodies[1]["size"], "1024x1024");
    assert!(bodies[1].get("response_format").is_none());
    assert_eq!(bodies[2]["size"], "1792x1024");
    assert_eq!(bodies[2]["response_format"], "b64_json");
    assert_eq!(bodies[2]["n"], 1, "dall-e-3 makes one image per request");
}

#[tokio::test]
async fn edits_send_references_as_repeated_image_parts() {
    let server = fake(|_| images_answer(&[png(32, 32, 3)])).await;
    let first = png(24, 24, 11);
    let second = jpeg(20, 30);
    let mut req = request("gpt-image-1", Aspect::Portrait2x3, 1);
    req.references = vec![
        ReferenceImage {
            bytes: Bytes::from(first.clone()),
            content_type: "image/png".into(),
        },
        ReferenceImage {
            bytes: Bytes::from(second.clone()),
            // A wrong label: the type is read from the bytes.
            content_type: "image/png".into(),
        },
    ];
    let images = provider(&server).generate(&req).await.unwrap();
    assert_eq!(images.len(), 1);

    let calls = server.calls_to(Method::POST, EDITS);
    assert_eq!(calls.len(), 1);
    let call = &calls[0];
    assert_eq!(
        call.header("authorization"),
        Some(&*format!("Bearer {OPENAI_KEY}"))
    );
    let parts = parse_multipart(call.header("content-type").unwrap(), &call.body);
    let text = |name: &str| {
        let part = parts.iter().find(|p| p.name == name).unwrap();
        String::from_utf8(part.data.clone()).unwrap()
    };
    assert_eq!(text("model"), "gpt-image-1");
    assert_eq!(text("prompt"), "a red fox in the snow");
    assert_eq!(text("n"), "1");
    assert_eq!(text("size"), "1024x1536");
    let image_parts: Vec<_> = parts.iter().filter(|p| p.name == "image[]").collect();
    assert_eq!(image_parts.len(), 2);
    assert_eq!(image_parts[0].data, first);
    assert_eq!(image_parts[0].content_type.as_deref(), Some("image/png"));
    assert_eq!(image_parts[0].filename.as_deref(), Some("reference-1.png"));
    assert_eq!(image_parts[1].data, second);
    assert_eq!(image_parts[1].content_type.as_deref(), Some("image/jpeg"));
    assert_eq!(image_parts[1].filename.as_deref(), Some("reference-2.jpg"));
}

#[tokio::test]
async fn an_edit_goes_to_the_edits_path() {
    let server = fake(|_| images_answer(&[png(32, 32, 3)])).await;
    let source = png(24, 24, 11);
    let mut req = request("gpt-image-1", Aspect::Square, 1);
    req.prompt = "make it black and white".into();
    req.edit = true;
    req.references = vec![ReferenceImage {
        bytes: Bytes::from(source.clone()),
        content_type: "image/png".into(),
    }];
    let images = provider(&server).generate(&req).await.unwrap();
    assert_eq!(images.len(), 1);
    let calls = server.calls_to(Method::POST, EDITS);
    assert_eq!(calls.len(), 1);
    let parts = parse_multipart(calls[0].header("content-type").unwrap(), &calls[0].body);
    let prompt = parts.iter().find(|p| p.name == "prompt").unwrap();
    assert_eq!(prompt.data, b"make it black and white");
    let image = parts.iter().find(|p| p.name == "image[]").unwrap();
    assert_eq!(image.data, source);

    // An edit without its image is refused before sending.
    req.references.clear();
    let err = provider(&server).generate(&req).await.unwrap_err();
    assert!(matches!(err, ProviderError::Rejected(_)), "{err:?}");
    assert_eq!(server.calls().len(), 1);
}

#[tokio::test]
async fn references_that_are_not_images_are_rejected_before_sending() {
    let server = fake(|_| images_answer(&[png(16, 16, 1)])).await;
    let mut req = request("gpt-image-1", Aspect::Square, 1);
    req.references = vec![ReferenceImage {
        bytes: Bytes::from_static(b"%PDF-1.7"),
        content_type: "image/png".into(),
    }];
    let err = provider(&server).generate(&req).await.unwrap_err();
    assert!(
        matches!(err, ProviderError::Rejected(ref m) if m.contains("reference image 1")),
        "{err:?}"
    );
    assert!(server.calls().is_empty());
}

#[tokio::test]
async fn rate_limits_are_retried_after_the_asked_wait() {
    for (header, value) in [
        ("retry-after", "0"),
        ("retry-after-ms", "10"),
        ("x-ratelimit-reset-requests", "20ms"),
    ] {
        let server = fake(move |call| {
            if call.index == 0 {
                Reply::json(
                    429,
                    &error_body(
                        "Rate limit reached for images",
                        "requests",
                        json!("rate_limit_exceeded"),
                    ),
                )
                .header(header, value)
            } else {
                images_answer(&[png(16, 16, 1)])
            }
        })
        .await;
        let images = provider(&server)
            .generate(&request("gpt-image-1", Aspect::Square, 1))
            .await
            .unwrap();
        assert_eq!(images.len(), 1, "{header}");
        assert_eq!(server.calls().len(), 2, "{header}");
    }
}

#[tokio::test]
async fn rate_limits_that_persist_end_as_rate_limited() {
    let server = fake(|_| Reply::json(429, &json!({})).header("retry-after", "0")).await;
    let err = provider(&server)
        .generate(&request("gpt-image-1", Aspect::Square, 1))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ProviderError::RateLimited { retry_after: Some(d) } if d.is_zero()),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert_eq!(server.calls().len(), 3, "first attempt and max_retries = 2");

    // A wait longer than max_retry_wait is handed back at once, for the job to schedule.
    let server = fake(|_| Reply::json(429, &json!({})).header("retry-after", "3600")).await;
    let err = provider(&server)
        .generate(&request("gpt-image-1", Aspect::Square, 1))
        .await
        .unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(server.calls().len(), 1);
}

#[tokio::test]
async fn insufficient_quota_is_not_retried() {
    let server = fake(|_| {
        Reply::json(
            429,
            &error_body(
                "You exceeded your current quota, please check your plan and billing details.",
                "insufficient_quota",
                json!("insufficient_quota"),
            ),
        )
        .header("retry-after", "0")
    })
    .await;
    let err = provider(&server)
        .generate(&request("gpt-image-1", Aspect::Square, 1))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ProviderError::QuotaExceeded(ref m) if m.contains("exceeded your current quota")),
        "{err:?}"
    );
    assert!(!err.is_retryable());
    assert_eq!(server.calls().len(), 1);
}

#[tokio::test]
async fn server_errors_are_retried_then_unavailable() {
    let server = fake(|_| {
        Reply::json(
            500,
            &error_body("The server had an error", "server_error", Value::Null),
        )
    })
    .await;
    let err = provider(&server)
        .generate(&request("gpt-image-1", Aspect::Square, 1))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ProviderError::Unavailable(ref m) if m.contains("500")),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert_eq!(server.calls().len(), 3, "max_retries + 1");
}

#[tokio::test]
async fn a_server_error_then_success_recovers() {
    let server = fake(|call| {
        if call.index == 0 {
            Reply::raw(502, "text/html", "<html>Bad gateway</html>")
        } else {
            images_answer(&[png(16, 16, 1)])
        }
    })
    .await;
    let images = provider(&server)
        .generate(&request("gpt-image-1", Aspect::Square, 1))
        .await
        .unwrap();
    assert_eq!(images.len(), 1);
    assert_eq!(server.calls().len(), 2);
}

#[tokio::test]
async fn content_policy_is_rejected_with_the_providers_message() {
    let message = "Your request was rejected as a result of our safety system.";
    let server = fake(move |_| {
        Reply::json(
            400,
            &error_body(
                message,
                "invalid_request_error",
                json!("moderation_blocked"),
            ),
        )
    })
    .await;
    let err = provider(&server)
        .generate(&request("gpt-image-1", Aspect::Square, 1))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ProviderError::Rejected(ref m) if m == message),
        "{err:?}"
    );
    assert!(!err.is_retryable());
    assert_eq!(
        err.user_message(),
        format!("The image service declined this request: {message}")
    );
    assert_eq!(server.calls().len(), 1);
}

#[tokio::test]
async fn a_refused_key_is_unauthorized() {
    let server = fake(|_| {
        Reply::json(
            401,
            &error_body(
                "Incorrect API key provided: sk-test-****cdef.",
                "invalid_request_error",
                json!("invalid_api_key"),
            ),
        )
    })
    .await;
    let err = provider(&server)
        .generate(&request("gpt-image-1", Aspect::Square, 1))
        .await
        .unwrap_err();
    assert!(matches!(err, ProviderError::Unauthorized), "{err:?}");
    assert!(!err.is_retryable());
    assert_eq!(server.calls().len(), 1);
}

#[tokio::test]
async fn a_slow_server_times_out_without_retrying() {
    let server = fake(|_| images_answer(&[png(16, 16, 1)]).delay(Duration::from_secs(3))).await;
    let mut config = config(&server);
    config.timeout = Duration::from_millis(200);
    let err = OpenAiProvider::new(config)
        .unwrap()
        .generate(&request("gpt-image-1", Aspect::Square, 1))
        .await
        .unwrap_err();
    assert!(matches!(err, ProviderError::Timeout), "{err:?}");
    assert!(err.is_retryable());
    assert_eq!(server.calls().len(), 1);
}

#[tokio::test]
async fn malformed_answers_are_malformed() {
    let cases: Vec<Reply> = vec![
        Reply::raw(
            200,
            "application/json",
            "{\"created\": 1, \"data\": [{\"b64_json\": ",
        ),
        Reply::raw(200, "text/html", "<html>hello</html>"),
        Reply::json(
            200,
            &json!({"created": 1, "data": [{"b64_json": b64(b"this is not an image")}]}),
        ),
        Reply::json(
            200,
            &json!({"created": 1, "data": [{"b64_json": "!!! not base64 !!!"}]}),
        ),
        Reply::json(200, &json!({"created": 1, "data": []})),
        Reply::json(200, &json!({"created": 1})),
    ];
    for (i, reply) in cases.into_iter().enumerate() {
        let server = fake(move |_| reply.clone()).await;
        let err = provider(&server)
            .generate(&request("gpt-image-1", Aspect::Square, 1))
            .await
            .unwrap_err();
        assert!(
            matches!(err, ProviderError::Malformed(_)),
            "case {i}: {err:?}"
        );
        assert!(err.is_retryable());
        assert_eq!(server.calls().len(), 1, "case {i}");
    }
}

#[tokio::test]
async fn url_answers_are_downloaded() {
    let server = fake(|call| {
        if call.path == GENERATIONS {
            Reply::json(
                200,
                &json!({"created": 1, "data": [{"url": format!("{}/files/a.png", call.base)}]}),
            )
        } else {
            Reply::raw(200, "image/png", png(40, 20, 1))
        }
    })
    .await;
    let images = provider(&server)
        .generate(&request("compatible-model", Aspect::Landscape16x9, 1))
        .await
        .unwrap();
    assert_eq!((images[0].width, images[0].height), (40, 20));
    let downloads = server.calls_to(Method::GET, "/files/a.png");
    assert_eq!(downloads.len(), 1);
    assert!(
        downloads[0].header("authorization").is_none(),
        "the key stays with the API"
    );
}

#[tokio::test]
async fn the_key_never_appears_in_errors() {
    let echo = format!("Something about key {OPENAI_KEY} went wrong");
    let replies = vec![
        Reply::json(
            400,
            &error_body(&echo, "invalid_request_error", Value::Null),
        ),
        Reply::json(
            401,
            &error_body(&echo, "invalid_request_error", json!("invalid_api_key")),
        ),
        Reply::json(
            429,
            &error_body(&echo, "insufficient_quota", json!("insufficient_quota")),
        ),
        Reply::json(429, &error_body(&echo, "requests", Value::Null)).header("retry-after", "0"),
        Reply::json(503, &error_body(&echo, "server_error", Value::Null)),
        Reply::json(404, &json!({"error": echo})),
        Reply::raw(200, "text/plain", echo.clone()),
    ];
    for (i, reply) in replies.into_iter().enumerate() {
        let server = fake(move |_| reply.clone()).await;
        let err = provider(&server)
            .generate(&request("gpt-image-1", Aspect::Square, 1))
            .await
            .unwrap_err();
        for shown in [err.to_string(), format!("{err:?}"), err.user_message()] {
            assert!(!shown.contains(OPENAI_KEY), "case {i}: {shown}");
            assert!(!shown.contains("0123456789abcdef"), "case {i}: {shown}");
        }
    }
}

#[tokio::test]
async fn an_unreachable_server_is_unavailable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let mut config = OpenAiConfig::new(OPENAI_KEY);
    config.base_url = format!("http://127.0.0.1:{port}").parse().unwrap();
    config.max_retries = 1;
    config.initial_backoff = Duration::from_millis(1);
    let err = OpenAiProvider::new(config)
        .unwrap()
        .generate(&request("gpt-image-1", Aspect::Square, 1))
        .await
        .unwrap_err();
    assert!(matches!(err, ProviderError::Unavailable(_)), "{err:?}");
    assert!(!err.to_string().contains(OPENAI_KEY));
}

#[tokio::test]
async fn never_more_images_than_asked_for() {
    let server = fake(|_| images_answer(&[png(16, 16, 1), png(16, 16, 2), png(16, 16, 3)])).await;
    let images = provider(&server)
        .generate(&request("gpt-image-1", Aspect::Square, 2))
        .await
        .unwrap();
    assert_eq!(images.len(), 2);
    let none = provider(&server)
        .generate(&request("gpt-image-1", Aspect::Square, 0))
        .await
        .unwrap();
    assert!(none.is_empty());
    assert_eq!(server.calls().len(), 1, "a count of 0 makes no call");
}
