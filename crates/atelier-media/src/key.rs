//! Typed storage keys. The layout groups blobs by owner so that everything of one user sits under
//! one prefix (`users/<user id>/…`) and everything of the public gallery under `gallery/…`.

use std::fmt;

/// A validated path inside the blob store.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlobKey(String);

impl BlobKey {
    /// Prefix of every gallery blob.
    pub const GALLERY_PREFIX: &'static str = "gallery";
    /// Prefix of every user's blobs.
    pub const USERS_PREFIX: &'static str = "users";
    /// Prefix of the storage health probe.
    pub const SYSTEM_PREFIX: &'static str = "system";

    /// The original image `index` of gallery item `item_id`.
    #[must_use]
    pub fn gallery_original(item_id: &str, index: u32) -> Self {
        Self(format!("gallery/{}/{index}/original", segment(item_id)))
    }

    /// The thumbnail of width `width` of image `index` of gallery item `item_id`.
    #[must_use]
    pub fn gallery_thumb(item_id: &str, index: u32, width: u32) -> Self {
        Self(format!("gallery/{}/{index}/w{width}", segment(item_id)))
    }

    /// A user's uploaded reference image (the cleaned original).
    #[must_use]
    pub fn upload(user_id: &str, upload_id: &str) -> Self {
        Self::upload_variant(user_id, upload_id, "original")
    }

    /// A variant of an upload: `original` or a preview width such as `w320`.
    #[must_use]
    pub fn upload_variant(user_id: &str, upload_id: &str, variant: &str) -> Self {
        Self(format!(
            "users/{}/uploads/{}/{}",
            segment(user_id),
            segment(upload_id),
            segment(variant)
        ))
    }

    /// The prefix holding every variant of one upload.
    #[must_use]
    pub fn upload_prefix(user_id: &str, upload_id: &str) -> Self {
        Self(format!(
            "users/{}/uploads/{}",
            segment(user_id),
            segment(upload_id)
        ))
    }

    /// The prefix holding every variant of one generated image.
    #[must_use]
    pub fn generated_prefix(user_id: &str, image_id: &str) -> Self {
        Self(format!(
            "users/{}/images/{}",
            segment(user_id),
            segment(image_id)
        ))
    }

    /// A generated image (`variant` is `original` or a thumbnail width such as `w320`).
    #[must_use]
    pub fn generated(user_id: &str, image_id: &str, variant: &str) -> Self {
        Self(format!(
            "users/{}/images/{}/{}",
            segment(user_id),
            segment(image_id),
            segment(variant)
        ))
    }

    /// The prefix holding every user's blobs.
    #[must_use]
    pub fn users_root() -> Self {
        Self(Self::USERS_PREFIX.to_owned())
    }

    /// The prefix holding every blob of one user.
    #[must_use]
    pub fn user_prefix(user_id: &str) -> Self {
        Self(format!("users/{}", segment(user_id)))
    }

    /// The prefix holding every blob of one gallery item.
    #[must_use]
    pub fn gallery_item_prefix(item_id: &str) -> Self {
        Self(format!("gallery/{}", segment(item_id)))
    }

    /// The object written and read back by health checks.
    #[must_use]
    pub fn health_probe() -> Self {
        Self("system/healthz".to_owned())
    }

    /// Rebuilds a key from a path found by listing the store; `None` for paths outside the layout.
    #[must_use]
    pub fn from_listed(path: &str) -> Option<Self> {
        let first = path.split('/').next()?;
        let known = [
            Self::GALLERY_PREFIX,
            Self::USERS_PREFIX,
            Self::SYSTEM_PREFIX,
        ];
        (known.contains(&first)
            && path
                .split('/')
                .all(|s| !s.is_empty() && s != ".." && s != "."))
        .then(|| Self(path.to_owned()))
    }

    /// The path as stored.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BlobKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Keeps an id usable as one path segment whatever it holds: only `A-Z a-z 0-9 - _` survive, every
/// other character becomes `_`, and an empty id becomes `_`. Ids are URL-safe base64 already, so
/// this only ever replaces characters that should never be there. Every [`BlobKey`] uses it for the
/// ids it holds; the export uses it for the file names in its ZIP and for its own blob's key.
#[must_use]
pub fn segment(id: &str) -> String {
    let cleaned: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if cleaned.is_empty() {
        "_".to_owned()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_group_blobs_by_owner() {
        assert_eq!(
            BlobKey::upload("u1", "up1").as_str(),
            "users/u1/uploads/up1/original"
        );
        assert_eq!(
            BlobKey::generated("u1", "i1", "w320").as_str(),
            "users/u1/images/i1/w320"
        );
        assert!(
            BlobKey::upload("u1", "x")
                .as_str()
                .starts_with(BlobKey::user_prefix("u1").as_str())
        );
        assert_eq!(
            BlobKey::gallery_thumb("g", 0, 640).as_str(),
            "gallery/g/0/w640"
        );
    }

    #[test]
    fn ids_cannot_escape_their_segment() {
        assert_eq!(
            BlobKey::upload("../etc", "a/b").as_str(),
            "users/___etc/uploads/a_b/original"
        );
        assert_eq!(
            BlobKey::upload("", "x").as_str(),
            "users/_/uploads/x/original"
        );
    }

    #[test]
    fn listed_paths_outside_the_layout_are_ignored() {
        assert!(BlobKey::from_listed("users/u/uploads/x").is_some());
        assert!(BlobKey::from_listed("tmp/whatever").is_none());
        assert!(BlobKey::from_listed("users/../x").is_none());
    }
}
