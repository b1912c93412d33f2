//! The sections about running the server process: HTTP limits (`[http]`), background job workers
//! (`[jobs]`), the service log (`[log]`) and the reverse proxies allowed to name the client's
//! address (`[proxy]`).

use super::{SettingsError, invalid};
use ipnet::IpNet;
use serde::Deserialize;
use std::net::IpAddr;
use std::path::PathBuf;

/// HTTP server limits.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct HttpSettings {
    /// Seconds a request may take before it is answered 408.
    pub request_timeout_secs: u64,
    /// Largest accepted request body in bytes (uploads included).
    pub body_limit_bytes: usize,
    /// Largest accepted JSON body in bytes.
    pub json_limit_bytes: usize,
    /// Seconds in-flight requests get to finish after a shutdown signal.
    pub shutdown_grace_secs: u64,
    /// Gallery result pages remembered per search-index generation (0: none). A page is
    /// reused only while the index is unchanged: any change to any item makes a new generation
    /// and empties the cache.
    pub gallery_cache_pages: usize,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            request_timeout_secs: 30,
            body_limit_bytes: 24 * 1024 * 1024,
            json_limit_bytes: 256 * 1024,
            shutdown_grace_secs: 20,
            gallery_cache_pages: 256,
        }
    }
}

impl HttpSettings {
    /// Bodies of at least 1 KiB, a JSON limit within the body limit, a timeout of at least a
    /// second.
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        if self.body_limit_bytes < 1024 {
            return Err(invalid("http.body_limit_bytes", "must be at least 1024"));
        }
        if self.json_limit_bytes < 1024 || self.json_limit_bytes > self.body_limit_bytes {
            return Err(invalid(
                "http.json_limit_bytes",
                "must be at least 1024 and at most http.body_limit_bytes",
            ));
        }
        if self.request_timeout_secs == 0 {
            return Err(invalid("http.request_timeout_secs", "must be at least 1"));
        }
        Ok(())
    }
}

/// Background job workers.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct JobSettings {
    /// Jobs run at once on this node.
    pub workers: usize,
    /// Milliseconds between polls of the queue when it was empty.
    pub poll_interval_ms: u64,
    /// Seconds a claimed job stays leased to its worker before another node may take it.
    pub lease_secs: u64,
}

impl Default for JobSettings {
    fn default() -> Self {
        Self {
            workers: 4,
            poll_interval_ms: 1000,
            lease_secs: 120,
        }
    }
}

impl JobSettings {
    /// At least one worker, and a lease long enough that a busy worker keeps its job.
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        if self.workers == 0 {
            return Err(invalid("jobs.workers", "must be at least 1"));
        }
        if self.lease_secs < 5 {
            return Err(invalid("jobs.lease_secs", "must be at least 5"));
        }
        Ok(())
    }
}

/// Log output format.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable on a terminal, JSON lines otherwise.
    #[default]
    Auto,
    /// Human-readable.
    Pretty,
    /// One JSON object per line.
    Json,
}

/// Service log settings. Nothing here is checked at start-up: the filter is parsed where the log is
/// set up (`atelier-web`'s telemetry), which falls back to `info`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct LogSettings {
    /// The output format.
    pub format: LogFormat,
    /// A `tracing` filter such as `info` or `atelier_web=debug,info`.
    pub filter: String,
    /// A folder for daily log files (`atelier.YYYY-MM-DD.log`); standard error when unset. The
    /// files are kept `retention.log_days` and `max_total_mb` at most (R6).
    pub dir: Option<PathBuf>,
    /// The most the log files may take together, in MiB; the oldest go first.
    pub max_total_mb: u64,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            format: LogFormat::Auto,
            filter: "info".to_owned(),
            dir: None,
            max_total_mb: 512,
        }
    }
}

/// Reverse proxies allowed to name the client's address.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct ProxySettings {
    /// Addresses or networks (`10.0.0.0/8`) of proxies whose header is believed.
    pub trusted: Vec<String>,
    /// The header such a proxy sets: `x-forwarded-for` (its last entry is used) or one with a
    /// single address, such as `x-real-ip`.
    pub client_ip_header: String,
}

impl Default for ProxySettings {
    fn default() -> Self {
        Self {
            trusted: Vec::new(),
            client_ip_header: "x-forwarded-for".to_owned(),
        }
    }
}

impl ProxySettings {
    /// `proxy.trusted` parsed: each entry a network, or a single address taken as a network of
    /// one.
    pub(super) fn trusted_networks(&self) -> Result<Vec<IpNet>, SettingsError> {
        self.trusted
            .iter()
            .map(|s| {
                s.parse::<IpNet>()
                    .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| {
                        invalid(
                            "proxy.trusted",
                            format!("`{s}` is not an address or a network such as 10.0.0.0/8"),
                        )
                    })
            })
            .collect()
    }

    /// `proxy.client_ip_header` trimmed and in lower case, as HTTP header names compare.
    pub(super) fn header_name(&self) -> Result<String, SettingsError> {
        let name = self.client_ip_header.trim().to_ascii_lowercase();
        if is_header_name(&name) {
            Ok(name)
        } else {
            Err(invalid("proxy.client_ip_header", "is not a header name"))
        }
    }
}

/// A header name is visible ASCII without separators.
fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_name_their_key() {
        let http = HttpSettings {
            json_limit_bytes: 32 * 1024 * 1024,
            ..HttpSettings::default()
        };
        assert_eq!(http.validate().unwrap_err().key, "http.json_limit_bytes");
        let jobs = JobSettings {
            lease_secs: 4,
            ..JobSettings::default()
        };
        assert_eq!(jobs.validate().unwrap_err().key, "jobs.lease_secs");
    }

    #[test]
    fn proxies_are_networks_or_single_addresses_and_the_header_is_lower_case() {
        let proxy = ProxySettings {
            trusted: vec!["10.0.0.0/8".into(), "192.0.2.7".into()],
            client_ip_header: " X-Real-IP ".into(),
        };
        let networks = proxy.trusted_networks().unwrap();
        assert_eq!(networks[1].to_string(), "192.0.2.7/32");
        assert_eq!(proxy.header_name().unwrap(), "x-real-ip");
        let bad = ProxySettings {
            trusted: vec!["the load balancer".into()],
            client_ip_header: "x forwarded".into(),
        };
        assert_eq!(bad.trusted_networks().unwrap_err().key, "proxy.trusted");
        assert_eq!(bad.header_name().unwrap_err().key, "proxy.client_ip_header");
    }
}
