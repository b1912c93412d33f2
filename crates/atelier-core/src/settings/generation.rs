//! What one user may ask of the image models: generation limits (`[generation]`), reference
//! uploads (`[uploads]`) and credits (`[credits]`).

use super::{SettingsError, invalid};
use serde::Deserialize;

/// Generation limits.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct GenerationSettings {
    /// Generations of one user queued or running at once.
    pub max_running_per_user: u32,
    /// Images per generation.
    pub max_count: u32,
}

impl Default for GenerationSettings {
    fn default() -> Self {
        Self {
            max_running_per_user: 2,
            max_count: 4,
        }
    }
}

impl GenerationSettings {
    /// 1 to 10 images per generation, and at least one generation running per user.
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        if self.max_count == 0 || self.max_count > 10 {
            return Err(invalid("generation.max_count", "must be 1 to 10"));
        }
        if self.max_running_per_user == 0 {
            return Err(invalid(
                "generation.max_running_per_user",
                "must be at least 1",
            ));
        }
        Ok(())
    }
}

/// Reference uploads.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct UploadSettings {
    /// Largest accepted file in bytes.
    pub max_bytes: usize,
    /// Largest accepted width × height.
    pub max_pixels: u64,
}

impl Default for UploadSettings {
    fn default() -> Self {
        Self {
            max_bytes: 20 * 1024 * 1024,
            max_pixels: 40_000_000,
        }
    }
}

impl UploadSettings {
    /// At least 1 KiB and one pixel. Cross-section: an upload arrives in a request body, so it can
    /// be no larger than `http.body_limit_bytes`, which the caller passes in.
    pub(super) fn validate(&self, body_limit_bytes: usize) -> Result<(), SettingsError> {
        if self.max_bytes < 1024 || self.max_bytes > body_limit_bytes {
            return Err(invalid(
                "uploads.max_bytes",
                "must be at least 1024 and at most http.body_limit_bytes",
            ));
        }
        if self.max_pixels < 1 {
            return Err(invalid("uploads.max_pixels", "must be at least 1"));
        }
        Ok(())
    }
}

/// Credits. Any grant is valid, so there is nothing to validate.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct CreditSettings {
    /// Credits every new account receives; 0, or 100 with `--demo`, when unset.
    pub signup_grant: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_uploads_name_their_key() {
        let generation = GenerationSettings {
            max_count: 11,
            ..GenerationSettings::default()
        };
        assert_eq!(
            generation.validate().unwrap_err().key,
            "generation.max_count"
        );
        let uploads = UploadSettings::default();
        assert!(uploads.validate(uploads.max_bytes).is_ok());
        assert_eq!(
            uploads.validate(uploads.max_bytes - 1).unwrap_err().key,
            "uploads.max_bytes"
        );
    }
}
