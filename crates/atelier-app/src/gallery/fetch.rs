//! Downloading what posts and files name — published images for the gallery, import files for
//! `atelier import URL` — safely: only `http`/`https`, only to public addresses (no loopback,
//! private, link-local or metadata ranges — also after redirects and DNS), with a timeout and a
//! size limit.

use bytes::{Bytes, BytesMut};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// Why a download did not happen.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// Not an http(s) URL, or it points at a non-public address.
    #[error("refused URL: {0}")]
    Refused(&'static str),
    /// Larger than allowed.
    #[error("the download is larger than {0} bytes")]
    TooLarge(usize),
    /// The server answered with an error status.
    #[error("the server answered {0}")]
    Status(u16),
    /// Network failure or timeout.
    #[error("download failed: {0}")]
    Network(String),
    /// The body is not what was asked for.
    #[error("{0}")]
    Content(String),
    /// Writing the downloaded bytes failed.
    #[error("cannot write the download: {0}")]
    Write(String),
}

/// Turns a client error into a [`FetchError`] that says whether time ran out.
fn network(e: &reqwest::Error) -> FetchError {
    if e.is_timeout() {
        FetchError::Network("timed out".to_owned())
    } else {
        FetchError::Network(format!("{e}"))
    }
}

/// Whether an address is on the public internet.
#[must_use]
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_unspecified()
                || v4.is_multicast()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1])) // shared address space
                || (o[0] == 192 && o[1] == 0 && o[2] == 0) // IETF protocol assignments
                || (o[0] == 198 && (18..20).contains(&o[1])) // benchmarking
                || o[0] >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let s = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link-local
                || (s[0] == 0x2001 && s[1] == 0x0db8)) // documentation
        }
    }
}

/// Resolves names and keeps only public addresses.
#[derive(Debug)]
struct PublicResolver;

impl Resolve for PublicResolver {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let host = format!("{}:0", name.as_str());
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host(host)
                .await?
                .filter(|a| is_public(a.ip()))
                .collect();
            if addrs.is_empty() {
                return Err("the name resolves to no public address".into());
            }
            let addrs: Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

/// An HTTP client for what posts and files name (see the module comment).
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    max_bytes: usize,
    allow_private: bool,
}

impl Fetcher {
    /// A fetcher with a per-request `timeout` and a `max_bytes` size limit. `allow_private` lifts
    /// the public-address rule (`fetch.allow_private_addresses`: tests against a server on
    /// loopback only). A connection that sends nothing for 30 seconds is given up too.
    ///
    /// # Errors
    /// When the HTTP client cannot be built.
    pub fn new(
        timeout: Duration,
        max_bytes: usize,
        allow_private: bool,
    ) -> Result<Self, FetchError> {
        let mut builder = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .read_timeout(timeout.min(Duration::from_secs(30)))
            .user_agent(concat!(
                "Atelier/",
                env!("CARGO_PKG_VERSION"),
                " (gallery importer)"
            ))
            .redirect(reqwest::redirect::Policy::custom(move |attempt| {
                if attempt.previous().len() >= 3 {
                    attempt.error("too many redirects")
                } else if !allow_private && !url_allowed(attempt.url()) {
                    attempt.error("redirect to a non-public address")
                } else {
                    attempt.follow()
                }
            }));
        if !allow_private {
            builder = builder.dns_resolver(Arc::new(PublicResolver));
        }
        let client = builder
            .build()
            .map_err(|e| FetchError::Network(e.to_string()))?;
        Ok(Self {
            client,
            max_bytes,
            allow_private,
        })
    }

    /// Downloads `url`, refusing non-public targets and bodies over the limit.
    ///
    /// # Errors
    /// See [`FetchError`].
    pub async fn fetch(&self, url: &str) -> Result<Bytes, FetchError> {
        let mut response = self.start(url).await?;
        let mut body = BytesMut::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| network(&e))? {
            if body.len() + chunk.len() > self.max_bytes {
                return Err(FetchError::TooLarge(self.max_bytes));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body.freeze())
    }

    /// Downloads `url` into `sink` as it arrives, never holding the whole body. `on_start`
    /// learns the announced length, if any; `on_chunk` sees each piece before it is written and
    /// may refuse it (a content check) with a [`FetchError::Content`]. Returns the bytes written.
    ///
    /// # Errors
    /// See [`FetchError`]; a refused piece stops the download at once.
    pub async fn download<W>(
        &self,
        url: &str,
        sink: &mut W,
        on_start: impl FnOnce(Option<u64>),
        mut on_chunk: impl FnMut(&[u8]) -> Result<(), FetchError>,
    ) -> Result<u64, FetchError>
    where
        W: tokio::io::AsyncWrite + Unpin,
    {
        use tokio::io::AsyncWriteExt as _;
        let mut response = self.start(url).await?;
        on_start(response.content_length());
        let mut written = 0u64;
        while let Some(chunk) = response.chunk().await.map_err(|e| network(&e))? {
            written += chunk.len() as u64;
            if written > self.max_bytes as u64 {
                return Err(FetchError::TooLarge(self.max_bytes));
            }
            on_chunk(&chunk)?;
            sink.write_all(&chunk)
                .await
                .map_err(|e| FetchError::Write(e.to_string()))?;
        }
        sink.flush()
            .await
            .map_err(|e| FetchError::Write(e.to_string()))?;
        Ok(written)
    }

    /// Checks `url`, sends the request and checks the answer's status and announced length.
    async fn start(&self, url: &str) -> Result<reqwest::Response, FetchError> {
        let parsed = Url::parse(url).map_err(|_| FetchError::Refused("not a URL"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(FetchError::Refused("only http and https"));
        }
        if !self.allow_private && !url_allowed(&parsed) {
            return Err(FetchError::Refused("not a public address"));
        }
        let response = self
            .client
            .get(parsed)
            .send()
            .await
            .map_err(|e| network(&e))?;
        if !response.status().is_success() {
            return Err(FetchError::Status(response.status().as_u16()));
        }
        if response
            .content_length()
            .is_some_and(|n| n > self.max_bytes as u64)
        {
            return Err(FetchError::TooLarge(self.max_bytes));
        }
        Ok(response)
    }
}

/// An IP-literal host must be public; names are checked by the resolver.
fn url_allowed(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => is_public(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => is_public(IpAddr::V6(ip)),
        Some(url::Host::Domain(d)) => {
            !d.eq_ignore_ascii_case("localhost") && !d.ends_with(".localhost")
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_pass() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fc00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "224.0.0.1",
            "255.255.255.255",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[tokio::test]
    async fn refuses_schemes_and_private_targets() {
        let f = Fetcher::new(Duration::from_secs(2), 1024, false).unwrap();
        for url in [
            "file:///etc/passwd",
            "ftp://example.com/x.png",
            "http://127.0.0.1/x.png",
            "http://[::1]/x.png",
            "http://169.254.169.254/latest/meta-data",
            "http://localhost:8080/x",
            "not a url",
        ] {
            assert!(
                matches!(f.fetch(url).await, Err(FetchError::Refused(_))),
                "{url}"
            );
        }
    }
}
