//! The offline `local` provider.

use std::time::Instant;

use atelier_core::Aspect;
use atelier_providers::{
    EditOp, GenerateRequest, ImageProvider, LocalProvider, ProviderError, ReferenceImage,
    apply_instruction, probe,
};
use bytes::Bytes;

use crate::support::grey_variance;

fn request(prompt: &str, aspect: Aspect, count: u32, seed: Option<u64>) -> GenerateRequest {
    let mut req = GenerateRequest::new("demo", prompt, aspect);
    req.count = count;
    req.seed = seed;
    req
}

#[tokio::test]
async fn same_prompt_seed_and_aspect_give_identical_bytes() {
    let provider = LocalProvider::with_long_edge(96);
    let req = request("a misty forest at dawn", Aspect::Portrait3x4, 1, Some(42));
    let first = provider.generate(&req).await.unwrap();
    let second = provider.generate(&req).await.unwrap();
    assert_eq!(first, second);
    let other_seed = provider
        .generate(&request(
            "a misty forest at dawn",
            Aspect::Portrait3x4,
            1,
            Some(43),
        ))
        .await
        .unwrap();
    assert_ne!(first[0].bytes, other_seed[0].bytes);
    let other_prompt = provider
        .generate(&request(
            "a city at night",
            Aspect::Portrait3x4,
            1,
            Some(42),
        ))
        .await
        .unwrap();
    assert_ne!(first[0].bytes, other_prompt[0].bytes);
    assert_eq!(provider.kind(), "local");
}

#[tokio::test]
async fn works_behind_the_trait_object() {
    let provider: Box<dyn ImageProvider> = Box::new(LocalProvider::with_long_edge(32));
    assert!(provider.is_demo());
    let images = provider
        .generate(&request("a boat", Aspect::Square, 1, None))
        .await
        .unwrap();
    assert_eq!(images.len(), 1);
}

#[tokio::test]
async fn dimensions_follow_every_aspect() {
    let provider = LocalProvider::with_long_edge(128);
    for aspect in Aspect::ALL {
        let images = provider
            .generate(&request("ocean waves", aspect, 1, Some(1)))
            .await
            .unwrap();
        let image = &images[0];
        assert_eq!(
            (image.width, image.height),
            aspect.dimensions(128),
            "{aspect}"
        );
        let info = probe(&image.bytes).unwrap();
        assert_eq!((info.width, info.height), (image.width, image.height));
        assert_eq!(image.content_type, "image/png");
    }
}

#[tokio::test]
async fn count_images_have_distinct_content() {
    let provider = LocalProvider::with_long_edge(64);
    let images = provider
        .generate(&request(
            "abstract shapes in gold",
            Aspect::Square,
            4,
            Some(7),
        ))
        .await
        .unwrap();
    assert_eq!(images.len(), 4);
    for (i, a) in images.iter().enumerate() {
        for b in &images[i + 1..] {
            assert_ne!(a.bytes, b.bytes);
        }
    }
    // Image i uses seed + i: the second image of seed 7 is the first of seed 8.
    let shifted = provider
        .generate(&request(
            "abstract shapes in gold",
            Aspect::Square,
            1,
            Some(8),
        ))
        .await
        .unwrap();
    assert_eq!(images[1], shifted[0]);
    let none = provider
        .generate(&request("anything", Aspect::Square, 0, None))
        .await
        .unwrap();
    assert!(none.is_empty());
}

#[tokio::test]
async fn images_are_pictures_not_flat_colours() {
    let provider = LocalProvider::with_long_edge(256);
    for (prompt, seed) in [
        ("a sunset over the sea", 1),
        ("snowy mountains", 2),
        ("a flat grey wall", 3),
        ("", 4),
    ] {
        let images = provider
            .generate(&request(prompt, Aspect::Landscape3x2, 1, Some(seed)))
            .await
            .unwrap();
        let variance = grey_variance(&images[0].bytes);
        assert!(variance > 50.0, "{prompt:?}: grey variance {variance}");
    }
}

#[tokio::test]
async fn an_edit_changes_the_reference_image() {
    let provider = LocalProvider::with_long_edge(96);
    let source = provider
        .generate(&request("a harbour at dusk", Aspect::Square, 1, Some(3)))
        .await
        .unwrap();
    let mut req = request(
        "black and white, then crop to 16:9",
        Aspect::Square,
        4,
        None,
    );
    req.edit = true;
    req.references.push(ReferenceImage {
        bytes: source[0].bytes.clone(),
        content_type: "image/png".into(),
    });
    let images = provider.generate(&req).await.unwrap();
    assert_eq!(images.len(), 1, "an edit makes one image");
    assert_eq!((images[0].width, images[0].height), (96, 54));
    let decoded = image::load_from_memory(&images[0].bytes).unwrap().to_rgb8();
    assert!(
        decoded
            .pixels()
            .all(|p| p.0[0] == p.0[1] && p.0[1] == p.0[2])
    );
    assert!(grey_variance(&images[0].bytes) > 10.0, "still a picture");

    let (_, ops) = apply_instruction(&source[0].bytes, "旋转90度，水平翻转").unwrap();
    assert_eq!(
        ops,
        vec![EditOp::Rotate { degrees: 90 }, EditOp::FlipHorizontal]
    );

    req.prompt = "add a dragon".into();
    let err = provider.generate(&req).await.unwrap_err();
    assert!(matches!(err, ProviderError::Rejected(_)), "{err:?}");
    assert!(
        err.user_message().contains("crop"),
        "{}",
        err.user_message()
    );

    req.prompt = "blur".into();
    req.references[0].bytes = Bytes::from_static(b"not an image at all");
    let err = provider.generate(&req).await.unwrap_err();
    assert!(!err.is_retryable(), "{err:?}");
}

#[tokio::test]
async fn time_one_1024_square_render() {
    let provider = LocalProvider::new();
    let req = request(
        "a lighthouse on a cliff at sunset",
        Aspect::Square,
        1,
        Some(5),
    );
    let started = Instant::now();
    let images = provider.generate(&req).await.unwrap();
    let elapsed = started.elapsed();
    assert_eq!((images[0].width, images[0].height), (1024, 1024));
    println!(
        "local provider: one 1024×1024 PNG ({} KB) in {} ms",
        images[0].bytes.len() / 1024,
        elapsed.as_millis()
    );
}
