//! The shapes of image URLs, in one place: the router serves these patterns, pages and API
//! answers link these paths, and the CDN purge (C6) names every variant of a deleted image from
//! the same functions, so a purge can never miss a URL that is served.
//!
//! A variant is `original` or `w{width}`, a WebP thumbnail that many pixels wide (never wider
//! than the original).

use crate::generation::GENERATED_THUMB_WIDTHS;
use atelier_media::THUMB_WIDTHS;

/// The router pattern of public gallery images.
pub const GALLERY_ROUTE: &str = "/img/g/{id}/{position}/{variant}";
/// The router pattern of reference uploads, for their owner.
pub const UPLOAD_ROUTE: &str = "/img/up/{id}/{variant}";
/// The router pattern of generated images, for their owner.
pub const GENERATED_ROUTE: &str = "/img/gen/{id}/{variant}";
/// The router pattern of generated images behind a signature that expires.
pub const SIGNED_ROUTE: &str = "/img/s/{id}/{variant}";

/// The variant that is the stored image itself.
pub const ORIGINAL: &str = "original";

/// The variant of a thumbnail `width` pixels wide.
#[must_use]
pub fn thumb(width: u32) -> String {
    format!("w{width}")
}

/// A public gallery image: the item, the image's position in it, the variant.
#[must_use]
pub fn gallery(item_id: &str, position: i64, variant: &str) -> String {
    format!("/img/g/{item_id}/{position}/{variant}")
}

/// A reference upload's image (its owner only).
#[must_use]
pub fn upload(upload_id: &str, variant: &str) -> String {
    format!("/img/up/{upload_id}/{variant}")
}

/// A generated image (its owner only).
#[must_use]
pub fn generated(image_id: &str, variant: &str) -> String {
    format!("/img/gen/{image_id}/{variant}")
}

/// A generated image through a signed URL that expires at `expires` (Unix seconds).
#[must_use]
pub fn signed(image_id: &str, variant: &str, expires: i64, signature: &str) -> String {
    format!("/img/s/{image_id}/{variant}?exp={expires}&sig={signature}")
}

/// The upload id in a reference to an upload: its URL on this instance (`…/img/up/{id}/…`,
/// as MeiGen clients send back what they were given) or the bare id.
#[must_use]
pub fn upload_id_in(reference: &str) -> &str {
    reference
        .split("/img/up/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or(reference)
}

/// Every URL a gallery image is served at: for the CDN purge of a takedown.
#[must_use]
pub fn every_gallery_variant(item_id: &str, position: i64) -> Vec<String> {
    std::iter::once(ORIGINAL.to_owned())
        .chain(THUMB_WIDTHS.iter().map(|w| thumb(*w)))
        .map(|variant| gallery(item_id, position, &variant))
        .collect()
}

/// Every URL a generated image is served at for its owner: for the CDN purge of a deletion.
#[must_use]
pub fn every_generated_variant(image_id: &str) -> Vec<String> {
    std::iter::once(ORIGINAL.to_owned())
        .chain(GENERATED_THUMB_WIDTHS.iter().map(|w| thumb(*w)))
        .map(|variant| generated(image_id, &variant))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c6_a_purge_names_every_variant_that_is_served() {
        assert_eq!(
            every_gallery_variant("g1", 0),
            [
                "/img/g/g1/0/original",
                "/img/g/g1/0/w320",
                "/img/g/g1/0/w480",
                "/img/g/g1/0/w640",
                "/img/g/g1/0/w1280"
            ]
        );
        assert_eq!(
            every_generated_variant("i1"),
            [
                "/img/gen/i1/original",
                "/img/gen/i1/w320",
                "/img/gen/i1/w640"
            ]
        );
        assert_eq!(
            signed("i1", "w640", 60, "ab"),
            "/img/s/i1/w640?exp=60&sig=ab"
        );
        assert_eq!(upload("u1", &thumb(320)), "/img/up/u1/w320");
        assert_eq!(upload_id_in("https://a.example/img/up/u1/original"), "u1");
        assert_eq!(upload_id_in("u1"), "u1");
    }
}
