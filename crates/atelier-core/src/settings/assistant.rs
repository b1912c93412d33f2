//! The AI assistant (`[assistant]`, G4): prompt enhancement, image-to-prompt and AI Edit.

use super::models::ProviderSettings;
use super::{SettingsError, invalid};
use serde::Deserialize;

/// Which assistant answers enhance and describe.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum AssistantProviderKind {
    /// Offline: the gallery's vocabulary for enhance, image analysis for describe.
    #[default]
    Local,
    /// An OpenAI-compatible chat-completions API (`providers.openai`).
    Openai,
}

impl AssistantProviderKind {
    /// `local` or `openai`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Local => "local",
            Self::Openai => "openai",
        }
    }
}

/// The AI assistant (G4): prompt enhancement, image-to-prompt and AI Edit.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct AssistantSettings {
    /// `local` (offline, the default) or `openai` (uses `providers.openai`'s key and URL).
    pub provider: AssistantProviderKind,
    /// The chat model for `openai`.
    pub model: String,
    /// Instructions for enhance; the built-in ones when unset.
    pub enhance_instructions: Option<String>,
    /// Instructions for describe; the built-in ones when unset.
    pub describe_instructions: Option<String>,
    /// Credits one enhance costs (default free).
    pub enhance_credits: u32,
    /// Credits one describe costs (default free).
    pub describe_credits: u32,
    /// The model AI Edit uses (its price per image applies); the default model when unset.
    pub edit_model: Option<String>,
}

impl Default for AssistantSettings {
    fn default() -> Self {
        Self {
            provider: AssistantProviderKind::Local,
            model: "gpt-4o-mini".to_owned(),
            enhance_instructions: None,
            describe_instructions: None,
            enhance_credits: 0,
            describe_credits: 0,
            edit_model: None,
        }
    }
}

impl AssistantSettings {
    /// Cross-section (`assistant` and `providers`): the `openai` assistant borrows
    /// `providers.openai`'s key, so that key must be set. The assistant's own keys need no check:
    /// any text or credit price will do.
    pub(super) fn require_credentials(
        &self,
        providers: &ProviderSettings,
    ) -> Result<(), SettingsError> {
        if self.provider == AssistantProviderKind::Openai && providers.openai.api_key.is_none() {
            return Err(invalid(
                "assistant.provider",
                "`openai` needs providers.openai.api_key",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_openai_assistant_needs_the_openai_key() {
        let providers = ProviderSettings::default();
        assert!(
            AssistantSettings::default()
                .require_credentials(&providers)
                .is_ok()
        );
        let openai = AssistantSettings {
            provider: AssistantProviderKind::Openai,
            ..AssistantSettings::default()
        };
        assert_eq!(
            openai.require_credentials(&providers).unwrap_err().key,
            "assistant.provider"
        );
    }
}
