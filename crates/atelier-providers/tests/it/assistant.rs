//! The AI assistant: the OpenAI chat assistant against a fake chat completions API, and the
//! offline assistant behind the trait.

use std::time::Duration;

use atelier_providers::{
    AssistantProvider, DescribeRequest, EnhanceRequest, LocalAssistant, OpenAiAssistant,
    OpenAiAssistantConfig, ProviderError, ReferenceImage,
};
use axum::http::Method;
use bytes::Bytes;
use serde_json::{Value, json};

use crate::support::{Fake, OPENAI_KEY, Reply, b64, error_body, fake, for_fake, jpeg, png};

const CHAT: &str = "/v1/chat/completions";

fn config(fake: &Fake) -> OpenAiAssistantConfig {
    for_fake!(fake, OpenAiAssistantConfig::new(OPENAI_KEY))
}

fn assistant(fake: &Fake) -> OpenAiAssistant {
    OpenAiAssistant::new(config(fake)).unwrap()
}

fn chat_answer(content: &str) -> Reply {
    Reply::json(
        200,
        &json!({
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 1_700_000_000,
            "model": "gpt-4o-mini",
            "choices": [{
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": null},
                "finish_reason": "stop"
            }],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20}
        }),
    )
}

fn enhance_request() -> EnhanceRequest {
    EnhanceRequest {
        prompt: "a red fox".into(),
        language: "en".into(),
        examples: vec![
            "a fox in snow, watercolor, soft light".into(),
            "an owl at dusk, oil painting".into(),
        ],
    }
}

#[tokio::test]
async fn enhance_sends_instructions_examples_and_the_prompt() {
    let server =
        fake(|_| chat_answer("  \"a red fox in fresh snow, watercolor, soft light\"\n")).await;
    let a = assistant(&server);
    assert_eq!((a.kind(), a.model()), ("openai", "gpt-4o-mini"));
    let text = a.enhance(&enhance_request()).await.unwrap();
    assert_eq!(text, "a red fox in fresh snow, watercolor, soft light");

    let calls = server.calls_to(Method::POST, CHAT);
    assert_eq!(calls.len(), 1);
    let call = &calls[0];
    assert_eq!(
        call.header("authorization"),
        Some(&*format!("Bearer {OPENAI_KEY}"))
    );
    let body = call.json();
    assert_eq!(body["model"], "gpt-4o-mini");
    let messages = body["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0]["role"], "system");
    let system = messages[0]["content"].as_str().unwrap();
    assert!(system.starts_with(OpenAiAssistantConfig::DEFAULT_ENHANCE_INSTRUCTIONS));
    assert!(system.contains("in English"));
    assert!(system.contains("- a fox in snow, watercolor, soft light"));
    assert!(system.contains("- an owl at dusk, oil painting"));
    assert_eq!(messages[1], json!({"role": "user", "content": "a red fox"}));
}

#[tokio::test]
async fn describe_sends_the_image_as_a_data_uri() {
    let server = fake(|_| chat_answer("一只在雪地里的红狐狸，水彩")).await;
    let image = jpeg(40, 30);
    let req = DescribeRequest {
        image: ReferenceImage {
            bytes: Bytes::from(image.clone()),
            // A wrong label: the type is read from the bytes.
            content_type: "image/png".into(),
        },
        language: "zh-CN".into(),
    };
    let text = assistant(&server).describe(&req).await.unwrap();
    assert_eq!(text, "一只在雪地里的红狐狸，水彩");

    let body = server.calls()[0].json();
    assert_eq!(body["model"], "gpt-4o-mini");
    let messages = body["messages"].as_array().unwrap();
    assert_eq!(messages[0]["role"], "system");
    assert!(
        messages[0]["content"]
            .as_str()
            .unwrap()
            .contains("简体中文")
    );
    assert_eq!(messages[1]["role"], "user");
    let parts = messages[1]["content"].as_array().unwrap();
    assert_eq!(parts[0]["type"], "text");
    assert!(parts[0]["text"].as_str().is_some_and(|t| !t.is_empty()));
    assert_eq!(parts[1]["type"], "image_url");
    assert_eq!(
        parts[1]["image_url"]["url"],
        format!("data:image/jpeg;base64,{}", b64(&image))
    );
}

#[tokio::test]
async fn describe_refuses_what_is_not_an_image_before_sending() {
    let server = fake(|_| chat_answer("x")).await;
    let req = DescribeRequest {
        image: ReferenceImage {
            bytes: Bytes::from_static(b"%PDF-1.7"),
            content_type: "image/png".into(),
        },
        language: "en".into(),
    };
    let err = assistant(&server).describe(&req).await.unwrap_err();
    assert!(matches!(err, ProviderError::Rejected(_)), "{err:?}");
    assert!(server.calls().is_empty());
}

#[tokio::test]
async fn a_rate_limit_then_success_honours_the_wait() {
    let server = fake(|call| {
        if call.index == 0 {
            Reply::json(
                429,
                &error_body(
                    "Rate limit reached",
                    "requests",
                    json!("rate_limit_exceeded"),
                ),
            )
            .header("retry-after-ms", "30")
        } else {
            chat_answer("a red fox, watercolor")
        }
    })
    .await;
    let started = std::time::Instant::now();
    let text = assistant(&server)
        .enhance(&enhance_request())
        .await
        .unwrap();
    assert_eq!(text, "a red fox, watercolor");
    assert_eq!(server.calls().len(), 2);
    assert!(started.elapsed() >= Duration::from_millis(30));
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
    let err = assistant(&server)
        .enhance(&enhance_request())
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
async fn a_refused_key_is_unauthorized() {
    let server = fake(|_| {
        Reply::json(
            401,
            &error_body(
                &format!("Incorrect API key provided: {OPENAI_KEY}."),
                "invalid_request_error",
                json!("invalid_api_key"),
            ),
        )
    })
    .await;
    let err = assistant(&server)
        .enhance(&enhance_request())
        .await
        .unwrap_err();
    assert!(matches!(err, ProviderError::Unauthorized), "{err:?}");
    assert_eq!(server.calls().len(), 1);
}

#[tokio::test]
async fn a_bad_request_is_rejected_without_the_key() {
    let server = fake(|_| {
        Reply::json(
            400,
            &error_body(
                &format!("Invalid model for key {OPENAI_KEY}"),
                "invalid_request_error",
                json!("model_not_found"),
            ),
        )
    })
    .await;
    let err = assistant(&server)
        .enhance(&enhance_request())
        .await
        .unwrap_err();
    assert!(
        matches!(err, ProviderError::Rejected(ref m) if m.starts_with("Invalid model for key")),
        "{err:?}"
    );
    for shown in [err.to_string(), format!("{err:?}"), err.user_message()] {
        assert!(!shown.contains("0123456789abcdef"), "{shown}");
    }
    assert_eq!(server.calls().len(), 1);
}

#[tokio::test]
async fn malformed_answers_are_malformed() {
    let cases = vec![
        Reply::raw(200, "application/json", "{\"choices\": [{\"message\": "),
        Reply::raw(200, "text/html", "<html>hello</html>"),
        Reply::json(200, &json!({"choices": []})),
        Reply::json(200, &json!({"object": "chat.completion"})),
        chat_answer("   "),
        chat_answer("\"\""),
    ];
    for (i, reply) in cases.into_iter().enumerate() {
        let server = fake(move |_| reply.clone()).await;
        let err = assistant(&server)
            .enhance(&enhance_request())
            .await
            .unwrap_err();
        assert!(
            matches!(err, ProviderError::Malformed(_)),
            "case {i}: {err:?}"
        );
        assert_eq!(server.calls().len(), 1, "case {i}");
    }
}

#[tokio::test]
async fn the_local_assistant_behind_the_trait() {
    let assistant: Box<dyn AssistantProvider> = Box::new(LocalAssistant::new());
    assert_eq!((assistant.kind(), assistant.model()), ("local", "local"));
    let text = assistant.enhance(&enhance_request()).await.unwrap();
    assert!(
        text.starts_with("a red fox, watercolor, soft light"),
        "{text}"
    );
    let req = DescribeRequest {
        image: ReferenceImage {
            bytes: Bytes::from(png(320, 180, 3)),
            content_type: "image/png".into(),
        },
        language: "en".into(),
    };
    let first = assistant.describe(&req).await.unwrap();
    assert!(first.starts_with("A "), "{first}");
    assert!(first.contains("landscape-format image (16:9)"), "{first}");
    assert_eq!(assistant.describe(&req).await.unwrap(), first);
    println!("local describe: {first}");
}
