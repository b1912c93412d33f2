//! The configured image providers, built once from the settings.

use atelier_core::Settings;
use atelier_core::settings::ProviderKind;
use atelier_providers::{
    ImageProvider, LocalProvider, OpenAiConfig, OpenAiProvider, ReplicateConfig, ReplicateProvider,
};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// Providers by kind; only those with credentials (and `local`, always).
#[derive(Debug, Clone, Default)]
pub struct Providers {
    by_kind: HashMap<&'static str, Arc<dyn ImageProvider>>,
}

impl Providers {
    /// Builds every provider the settings have credentials for.
    ///
    /// # Errors
    /// A message naming the provider whose settings cannot be used.
    pub fn from_settings(settings: &Settings) -> Result<Self, String> {
        let mut by_kind: HashMap<&'static str, Arc<dyn ImageProvider>> = HashMap::new();
        by_kind.insert(ProviderKind::Local.as_str(), Arc::new(LocalProvider::new()));
        let p = &settings.providers;
        if let Some(key) = &p.openai.api_key {
            let mut config = OpenAiConfig::new(key.expose().clone());
            config.base_url = url::Url::parse(&p.openai.base_url)
                .map_err(|e| format!("providers.openai.base_url: {e}"))?;
            config.timeout = Duration::from_secs(p.openai.timeout_secs.max(1));
            let provider =
                OpenAiProvider::new(config).map_err(|e| format!("providers.openai: {e}"))?;
            by_kind.insert(ProviderKind::Openai.as_str(), Arc::new(provider));
        }
        if let Some(token) = &p.replicate.api_token {
            let mut config = ReplicateConfig::new(token.expose().clone());
            config.base_url = url::Url::parse(&p.replicate.base_url)
                .map_err(|e| format!("providers.replicate.base_url: {e}"))?;
            config.max_wait = Duration::from_secs(p.replicate.timeout_secs.max(1));
            let provider =
                ReplicateProvider::new(config).map_err(|e| format!("providers.replicate: {e}"))?;
            by_kind.insert(ProviderKind::Replicate.as_str(), Arc::new(provider));
        }
        Ok(Self { by_kind })
    }

    /// The provider of a kind.
    #[must_use]
    pub fn get(&self, kind: ProviderKind) -> Option<Arc<dyn ImageProvider>> {
        self.by_kind.get(kind.as_str()).cloned()
    }
}
