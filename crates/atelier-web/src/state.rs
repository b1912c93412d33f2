//! What every handler can reach: the use cases, the OpenAPI document and this node's limiter.
//! It depends on nothing else of the web crate's but the limiter's type, so every module can
//! take it without importing the router.

use atelier_app::App;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The use cases.
    pub app: App,
    /// The OpenAPI document, rendered once at start-up.
    pub openapi: Arc<String>,
    /// The general per-IP request limiter of this node.
    pub ip_limiter: IpLimiter,
}

/// Per-node limiter of requests per IP address.
pub type IpLimiter = Arc<DefaultKeyedRateLimiter<IpAddr>>;

/// A limiter allowing `per_minute` requests a minute per address, in bursts of up to that many.
#[must_use]
pub fn ip_limiter(per_minute: u32) -> IpLimiter {
    let n = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
    Arc::new(RateLimiter::keyed(Quota::per_minute(n)))
}
