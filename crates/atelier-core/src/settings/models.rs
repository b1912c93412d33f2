//! The image models users can choose (`[[models]]`) and the AI providers that serve them
//! (`[providers.openai]`, `[providers.replicate]`).
//!
//! A model names its provider; that provider's credentials live in another section, so the check
//! that they are there is cross-section and sits in [`validate_models`], which [`super::Settings`]
//! calls with both sections.

use super::{SettingsError, invalid};
use crate::{Aspect, Secret};
use serde::Deserialize;
use std::collections::HashSet;
use url::Url;

/// Which provider serves a model.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    /// The offline demo generator.
    Local,
    /// An OpenAI-compatible images API.
    Openai,
    /// Replicate predictions.
    Replicate,
}

impl ProviderKind {
    /// The name shown to users (U4: inputs go to this provider).
    #[must_use]
    pub const fn display_name(self) -> &'static str {
        match self {
            Self::Local => "Atelier (offline, on this server)",
            Self::Openai => "OpenAI",
            Self::Replicate => "Replicate",
        }
    }

    /// The config name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Local => "local",
            Self::Openai => "openai",
            Self::Replicate => "replicate",
        }
    }
}

/// One image model users can choose.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ModelSettings {
    /// Stable id used by clients (`model` in requests).
    pub id: String,
    /// Name shown in the studio.
    pub name: String,
    /// The provider.
    pub provider: ProviderKind,
    /// The provider's own model name (`gpt-image-1`, `black-forest-labs/flux-schnell`); the id
    /// when unset.
    #[serde(default)]
    pub provider_model: Option<String>,
    /// Credits per delivered image.
    #[serde(default = "one")]
    pub credits_per_image: u32,
    /// Aspect ratios offered (`1:1`, `3:4`, …); the first is the default. All when empty.
    #[serde(default)]
    pub aspects: Vec<String>,
    /// Reference images accepted per generation (0: none).
    #[serde(default)]
    pub max_reference_images: u32,
    /// The model chosen when a request names none.
    #[serde(default)]
    pub default: bool,
    /// A short description.
    #[serde(default)]
    pub description: Option<String>,
}

const fn one() -> u32 {
    1
}

impl ModelSettings {
    /// The offline model `--demo` adds.
    #[must_use]
    pub fn local_demo() -> Self {
        Self {
            id: "local".to_owned(),
            name: "Atelier Local (demo)".to_owned(),
            provider: ProviderKind::Local,
            provider_model: None,
            credits_per_image: 1,
            aspects: Vec::new(),
            max_reference_images: 4,
            default: false,
            description: Some(
                "Offline demo generator: draws landscapes from your prompt on this server."
                    .to_owned(),
            ),
        }
    }

    /// The provider's model name.
    #[must_use]
    pub fn provider_model(&self) -> &str {
        self.provider_model.as_deref().unwrap_or(&self.id)
    }

    /// The aspects offered, parsed; every aspect when none is configured.
    #[must_use]
    pub fn aspects(&self) -> Vec<Aspect> {
        let parsed: Vec<Aspect> = self
            .aspects
            .iter()
            .filter_map(|a| Aspect::parse(a))
            .collect();
        if parsed.is_empty() {
            Aspect::ALL.to_vec()
        } else {
            parsed
        }
    }

    /// An id clients can send (letters, digits and `-_.:/`, at most 64) and aspects that parse.
    fn validate(&self) -> Result<(), SettingsError> {
        if self.id.is_empty()
            || self.id.len() > 64
            || !self
                .id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.:/".contains(&b))
        {
            return Err(invalid(
                "models.id",
                format!(
                    "`{}` is not a model id (letters, digits and -_.:/)",
                    self.id
                ),
            ));
        }
        if let Some(bad) = self.aspects.iter().find(|a| Aspect::parse(a).is_none()) {
            return Err(invalid(
                "models.aspects",
                format!("`{bad}` is not an aspect ratio"),
            ));
        }
        Ok(())
    }
}

/// Checks the `[[models]]` list: each model's own keys, ids that appear once, at most one default,
/// and, cross-section, that each model's provider has its credentials under `providers`.
///
/// The checks run model by model, in that order, so the first wrong model is the one reported.
pub(super) fn validate_models(
    models: &[ModelSettings],
    providers: &ProviderSettings,
) -> Result<(), SettingsError> {
    let mut seen = HashSet::new();
    for model in models {
        // A repeated id passed the id check at its first appearance, so checking repeats first
        // reports the same error as checking the id first.
        if !seen.insert(model.id.as_str()) {
            return Err(invalid(
                "models.id",
                format!("`{}` appears twice", model.id),
            ));
        }
        model.validate()?;
        providers.require_credentials_for(model)?;
    }
    if models.iter().filter(|m| m.default).count() > 1 {
        return Err(invalid(
            "models.default",
            "only one model can be the default",
        ));
    }
    Ok(())
}

/// AI provider credentials.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProviderSettings {
    /// OpenAI-compatible images API.
    pub openai: OpenAiSettings,
    /// Replicate.
    pub replicate: ReplicateSettings,
}

impl ProviderSettings {
    /// Base URLs that parse. Credentials are optional until a model or the assistant uses the
    /// provider.
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        for (key, url) in [
            ("providers.openai.base_url", &self.openai.base_url),
            ("providers.replicate.base_url", &self.replicate.base_url),
        ] {
            Url::parse(url).map_err(|e| invalid(key, format!("not a URL: {e}")))?;
        }
        Ok(())
    }

    /// Cross-section (`models` and `providers`): the model's provider has its key or token.
    fn require_credentials_for(&self, model: &ModelSettings) -> Result<(), SettingsError> {
        match model.provider {
            ProviderKind::Openai if self.openai.api_key.is_none() => Err(invalid(
                "providers.openai.api_key",
                format!("model `{}` uses OpenAI, which needs a key", model.id),
            )),
            ProviderKind::Replicate if self.replicate.api_token.is_none() => Err(invalid(
                "providers.replicate.api_token",
                format!("model `{}` uses Replicate, which needs a token", model.id),
            )),
            _ => Ok(()),
        }
    }
}

/// OpenAI-compatible images API.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OpenAiSettings {
    /// API key.
    pub api_key: Option<Secret<String>>,
    /// Base URL (any OpenAI-compatible server).
    pub base_url: String,
    /// Seconds a request may take.
    pub timeout_secs: u64,
}

impl Default for OpenAiSettings {
    fn default() -> Self {
        Self {
            api_key: None,
            base_url: "https://api.openai.com".to_owned(),
            timeout_secs: 180,
        }
    }
}

/// Replicate.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReplicateSettings {
    /// API token.
    pub api_token: Option<Secret<String>>,
    /// Base URL.
    pub base_url: String,
    /// Seconds a prediction may take in all.
    pub timeout_secs: u64,
}

impl Default for ReplicateSettings {
    fn default() -> Self {
        Self {
            api_token: None,
            base_url: "https://api.replicate.com".to_owned(),
            timeout_secs: 300,
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::settings::{RawSettings, Settings};

    /// A model with the given id and provider and every other key at its default.
    pub(in crate::settings) fn model(id: &str, provider: ProviderKind) -> ModelSettings {
        ModelSettings {
            id: id.into(),
            name: id.into(),
            provider,
            provider_model: None,
            credits_per_image: 1,
            aspects: Vec::new(),
            max_reference_images: 0,
            default: false,
            description: None,
        }
    }

    #[test]
    fn models_need_credentials_unique_ids_and_known_aspects() {
        let raw = RawSettings {
            models: vec![model("gpt", ProviderKind::Openai)],
            ..RawSettings::default()
        };
        assert_eq!(
            Settings::resolve(raw).unwrap_err().key,
            "providers.openai.api_key"
        );
        let raw = RawSettings {
            models: vec![
                model("a", ProviderKind::Local),
                model("a", ProviderKind::Local),
            ],
            ..RawSettings::default()
        };
        assert_eq!(Settings::resolve(raw).unwrap_err().key, "models.id");
        let mut bad = model("b", ProviderKind::Local);
        bad.aspects = vec!["7:3".into()];
        let raw = RawSettings {
            models: vec![bad],
            ..RawSettings::default()
        };
        assert_eq!(Settings::resolve(raw).unwrap_err().key, "models.aspects");
    }

    #[test]
    fn ids_are_checked_and_only_one_model_is_the_default() {
        let providers = ProviderSettings::default();
        let err = validate_models(&[model("a b", ProviderKind::Local)], &providers).unwrap_err();
        assert_eq!(err.key, "models.id");
        assert!(err.message.contains("not a model id"), "{}", err.message);
        let mut first = model("first", ProviderKind::Local);
        first.default = true;
        let mut second = model("second", ProviderKind::Local);
        second.default = true;
        let err = validate_models(&[first, second], &providers).unwrap_err();
        assert_eq!(err.key, "models.default");
        let err = validate_models(&[model("r", ProviderKind::Replicate)], &providers).unwrap_err();
        assert_eq!(err.key, "providers.replicate.api_token");
    }
}
