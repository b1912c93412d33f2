//! Where images are kept, served from and fetched from: the blob store (`storage_url`, with the
//! options of `s3://` stores under `[s3]`), a CDN in front of the instance (`[cdn]`) and downloads
//! from addresses that files and posts name (`[fetch]`).

use super::{SettingsError, invalid};
use crate::Secret;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use url::Url;

/// `storage_url`, or `file://<data_dir>/blobs` (made absolute) when unset; one of the schemes the
/// media crate opens, with a bucket for `s3://`.
pub(super) fn storage_url(
    storage_url: Option<&str>,
    data_dir: &Path,
) -> Result<Url, SettingsError> {
    let url = match storage_url {
        Some(s) => Url::parse(s).map_err(|e| invalid("storage_url", format!("not a URL: {e}")))?,
        None => {
            let abs = absolute(data_dir).join("blobs");
            Url::from_directory_path(&abs)
                .map_err(|()| invalid("data_dir", "cannot be turned into a file:// URL"))?
        }
    };
    match url.scheme() {
        "file" | "memory" => {}
        "s3" => {
            if url.host_str().unwrap_or_default().is_empty() {
                return Err(invalid(
                    "storage_url",
                    "s3:// needs a bucket: s3://bucket/prefix",
                ));
            }
        }
        other => {
            return Err(invalid(
                "storage_url",
                format!("unknown scheme `{other}` (use file://, s3:// or memory://)"),
            ));
        }
    }
    Ok(url)
}

fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        // Current directory is read once at start-up; fall back to the relative path.
        std::env::current_dir().map_or_else(|_| path.to_path_buf(), |cwd| cwd.join(path))
    }
}

/// Options for `s3://` storage; anything unset falls back to the usual `AWS_*` variables.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct S3Settings {
    /// Endpoint of an S3-compatible service (MinIO, R2, …); AWS when unset.
    pub endpoint: Option<String>,
    /// Region; `AWS_REGION` or `us-east-1` when unset.
    pub region: Option<String>,
    /// Allow a plain-HTTP endpoint (for a store on the same host or private network).
    pub allow_http: bool,
    /// Access key id; `AWS_ACCESS_KEY_ID` when unset.
    pub access_key_id: Option<Secret<String>>,
    /// Secret access key; `AWS_SECRET_ACCESS_KEY` when unset.
    pub secret_access_key: Option<Secret<String>>,
}

impl S3Settings {
    /// An endpoint, when set, is a URL.
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        if let Some(endpoint) = &self.endpoint {
            Url::parse(endpoint).map_err(|e| invalid("s3.endpoint", format!("not a URL: {e}")))?;
        }
        Ok(())
    }
}

/// A CDN in front of the instance: when set, every deleted image's URLs are purged from it (C6).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CdnSettings {
    /// Cloudflare zone id.
    pub cloudflare_zone_id: Option<String>,
    /// Cloudflare API token with the Cache Purge permission.
    pub cloudflare_api_token: Option<Secret<String>>,
    /// Cloudflare's API base URL.
    pub cloudflare_base_url: String,
}

impl Default for CdnSettings {
    fn default() -> Self {
        Self {
            cloudflare_zone_id: None,
            cloudflare_api_token: None,
            cloudflare_base_url: "https://api.cloudflare.com".to_owned(),
        }
    }
}

impl CdnSettings {
    /// Zone and token together or not at all (one without the other could purge nothing), and a
    /// base URL that parses.
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        if self.cloudflare_zone_id.is_some() != self.cloudflare_api_token.is_some() {
            return Err(invalid(
                "cdn.cloudflare_api_token",
                "set both cdn.cloudflare_zone_id and cdn.cloudflare_api_token, or neither",
            ));
        }
        Url::parse(&self.cloudflare_base_url)
            .map_err(|e| invalid("cdn.cloudflare_base_url", format!("not a URL: {e}")))?;
        Ok(())
    }
}

/// Downloads from addresses that a file, a post or a command names (gallery images, `atelier
/// import URL`): only public addresses, within limits of size and time.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FetchSettings {
    /// Lets downloads reach loopback and private addresses: for tests against local servers
    /// only (`atelier doctor` flags it). Base URLs the operator configures for a service are
    /// used as configured either way.
    pub allow_private_addresses: bool,
    /// The largest file `atelier import URL` downloads.
    pub import_max_bytes: u64,
    /// How long `atelier import URL` may take to download its file.
    pub import_timeout_secs: u64,
}

impl Default for FetchSettings {
    fn default() -> Self {
        Self {
            allow_private_addresses: false,
            import_max_bytes: 512 * 1024 * 1024,
            import_timeout_secs: 600,
        }
    }
}

impl FetchSettings {
    /// An import may take at least a second and a byte.
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        if self.import_timeout_secs == 0 {
            return Err(invalid("fetch.import_timeout_secs", "must be at least 1"));
        }
        if self.import_max_bytes == 0 {
            return Err(invalid("fetch.import_max_bytes", "must be at least 1"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::{RawSettings, Settings};

    /// The storage cases of the former `wrong_values_name_their_key` (the others are in
    /// `location`).
    #[test]
    fn wrong_storage_urls_name_their_key() {
        let cases: Vec<(RawSettings, &str)> = vec![
            (
                RawSettings {
                    storage_url: Some("gs://b".into()),
                    ..RawSettings::default()
                },
                "storage_url",
            ),
            (
                RawSettings {
                    storage_url: Some("s3://".into()),
                    ..RawSettings::default()
                },
                "storage_url",
            ),
        ];
        for (raw, key) in cases {
            assert_eq!(Settings::resolve(raw).unwrap_err().key, key);
        }
    }

    #[test]
    fn blobs_default_to_a_folder_under_data_dir() {
        let url = storage_url(None, Path::new("./data")).unwrap();
        assert_eq!(url.scheme(), "file");
        assert!(url.path().ends_with("/data/blobs/"), "{url}");
        let url = storage_url(Some("s3://bucket/prefix"), Path::new("./data")).unwrap();
        assert_eq!(url.host_str(), Some("bucket"));
    }

    #[test]
    fn cdn_needs_zone_and_token_together_and_fetch_limits_are_positive() {
        let cdn = CdnSettings {
            cloudflare_zone_id: Some("zone".into()),
            ..CdnSettings::default()
        };
        assert_eq!(cdn.validate().unwrap_err().key, "cdn.cloudflare_api_token");
        let fetch = FetchSettings {
            import_max_bytes: 0,
            ..FetchSettings::default()
        };
        assert_eq!(fetch.validate().unwrap_err().key, "fetch.import_max_bytes");
        let s3 = S3Settings {
            endpoint: Some("not a url".into()),
            ..S3Settings::default()
        };
        assert_eq!(s3.validate().unwrap_err().key, "s3.endpoint");
    }
}
