//! Who is asking: the client's address (the socket peer, or a trusted proxy's header), the
//! signed-in user behind a session cookie or a bearer token, the cookies that carry sessions, the
//! CSRF rule for cookie-authenticated state changes, and the general per-IP rate limit.

use crate::ApiError;
use crate::state::AppState;
use atelier_app::accounts::{Client, Principal};
use atelier_core::Settings;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// The session cookie's name over plain HTTP.
pub const SESSION_COOKIE: &str = "atelier_session";
/// The session cookie's name over HTTPS: the `__Host-` prefix pins it to this host, path `/`,
/// Secure (ASVS 3.3).
pub const SESSION_COOKIE_HTTPS: &str = "__Host-atelier_session";
/// The cookie tying a magic link to the browser that asked for it.
pub const LOGIN_COOKIE: &str = "atelier_login";
/// [`LOGIN_COOKIE`] over HTTPS.
pub const LOGIN_COOKIE_HTTPS: &str = "__Host-atelier_login";

/// The client's address, worked out once per request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// Works out the client's address: the socket peer, unless the peer is a configured trusted proxy
/// and sent the configured header. For `X-Forwarded-For` the right-most address that is not itself
/// a trusted proxy is used (the left part is whatever the client claimed).
#[must_use]
pub fn client_ip(settings: &Settings, peer: Option<IpAddr>, headers: &HeaderMap) -> IpAddr {
    let peer = peer.map_or(
        IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        atelier_core::net::canonical,
    );
    let trusted = |ip: &IpAddr| settings.trusted_proxies.iter().any(|net| net.contains(ip));
    if !trusted(&peer) {
        return peer;
    }
    let values: Vec<&str> = headers
        .get_all(settings.client_ip_header.as_str())
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let addresses: Vec<IpAddr> = values
        .iter()
        .flat_map(|v| v.split(','))
        .filter_map(|s| s.trim().parse::<IpAddr>().ok())
        .map(atelier_core::net::canonical)
        .collect();
    addresses
        .iter()
        .rev()
        .find(|ip| !trusted(ip))
        .or_else(|| addresses.first())
        .copied()
        .unwrap_or(peer)
}

/// Finds the client's address, applies the general per-IP limit (429 with `Retry-After`), and
/// leaves [`ClientIp`] in the request for handlers.
pub async fn client_context(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let ip = client_ip(state.app.settings(), peer, req.headers());
    req.extensions_mut().insert(ClientIp(ip));
    let path = req.uri().path();
    // Stripe retries a webhook it could not deliver, from a few addresses: its signature, not
    // a per-IP budget, decides what it may do.
    let exempt = path == "/healthz" || path.starts_with("/assets/") || path == STRIPE_WEBHOOK_PATH;
    if !exempt && let Err(not_until) = state.ip_limiter.check_key(&ip) {
        let wait = not_until.wait_time_from(governor::clock::Clock::now(
            &governor::clock::DefaultClock::default(),
        ));
        return ApiError::rate_limited(wait.as_secs().max(1)).into_response();
    }
    next.run(req).await
}

/// Refuses sign-in and every state change from a network staff blocked (C2); reading stays open.
/// The blocks are read on each state change, so a block applies on every node at once. Stripe's
/// webhook is exempt: its signature, not its address, decides. A page gets the error page, the
/// API `403 blocked`.
pub async fn block_guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if is_safe(req.method()) || req.uri().path() == STRIPE_WEBHOOK_PATH {
        return next.run(req).await;
    }
    let Some(ClientIp(ip)) = req.extensions().get::<ClientIp>().copied() else {
        return next.run(req).await;
    };
    match state.app.block_of(ip).await {
        Ok(None) => next.run(req).await,
        Ok(Some(block)) => {
            tracing::info!(block_id = %block.id, "request from a blocked network refused");
            let error = ApiError::new(
                StatusCode::FORBIDDEN,
                "blocked",
                "Requests from your network are blocked on this instance. Write to its operator \
                 if you think this is a mistake.",
            );
            if crate::page::is_machine_path(req.uri().path()) {
                return error.into_response();
            }
            let (mut parts, _body) = req.into_parts();
            let Ok(page) = crate::page::Page::from_request_parts(&mut parts, &state).await;
            crate::page::error_page(
                &page,
                StatusCode::FORBIDDEN,
                Some(page.m.admin.blocked_title.to_owned()),
            )
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// Refuses a state change that a browser says came from another site (CSRF, ASVS 3.5), by the
/// rule of the Fetch Metadata standard that Go's `http.CrossOriginProtection` also follows:
///
/// | request | answer |
/// |---|---|
/// | `GET`, `HEAD`, `OPTIONS` | passes |
/// | `Authorization: Bearer` | passes: no browser attaches it by itself |
/// | `Sec-Fetch-Site: same-origin` or `none` (typed URL, bookmark) | passes |
/// | `Sec-Fetch-Site` with any other value (`cross-site`, `same-site`) | refused |
/// | no `Sec-Fetch-Site`, `Origin` of this instance | passes |
/// | no `Sec-Fetch-Site`, another `Origin` (or `null`) | refused |
/// | neither header | passes, cookie or not: every browser that can be attacked sends one of them, so this is a script (`curl -b`, `requests.Session`) |
pub async fn csrf_guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if is_safe(req.method()) || bearer_token(req.headers()).is_some() || cookieless_route(&req) {
        return next.run(req).await;
    }
    let headers = req.headers();
    let allowed = if let Some(site) = headers.get("sec-fetch-site") {
        matches!(site.as_bytes(), b"same-origin" | b"none")
    } else if let Some(origin) = headers.get(header::ORIGIN) {
        origin
            .to_str()
            .is_ok_and(|o| same_origin(o, state.app.settings()))
    } else {
        true
    };
    if allowed {
        next.run(req).await
    } else {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "csrf_rejected",
            "This request came from another site and was refused.",
        )
        .into_response()
    }
}

/// The path Stripe posts webhook events to.
pub const STRIPE_WEBHOOK_PATH: &str = "/api/v1/billing/stripe/webhook";

/// Routes that never read a cookie, so a forged request gains nothing: the one-click unsubscribe
/// (RFC 8058), whose signed token alone names the user and which mail providers POST to from
/// their own servers, and Stripe's webhook, which its signature alone authorizes.
fn cookieless_route(req: &Request) -> bool {
    let path = req.uri().path();
    path.starts_with("/unsubscribe/") || path == STRIPE_WEBHOOK_PATH
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn same_origin(origin: &str, settings: &Settings) -> bool {
    let ours = settings.public_url.origin().ascii_serialization();
    origin.eq_ignore_ascii_case(&ours)
}

/// The bearer token of the `Authorization` header, if any.
#[must_use]
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// A cookie's value from the request.
#[must_use]
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

/// The session cookie's name for this instance.
#[must_use]
pub fn session_cookie_name(settings: &Settings) -> &'static str {
    if settings.is_https() {
        SESSION_COOKIE_HTTPS
    } else {
        SESSION_COOKIE
    }
}

/// The login cookie's name for this instance.
#[must_use]
pub fn login_cookie_name(settings: &Settings) -> &'static str {
    if settings.is_https() {
        LOGIN_COOKIE_HTTPS
    } else {
        LOGIN_COOKIE
    }
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, path `/`, Secure over HTTPS; `max_age` 0 clears.
#[must_use]
pub fn set_cookie(settings: &Settings, name: &str, value: &str, max_age_secs: i64) -> HeaderValue {
    let secure = if settings.is_https() { "; Secure" } else { "" };
    let cookie =
        format!("{name}={value}; Path=/; Max-Age={max_age_secs}; HttpOnly; SameSite=Lax{secure}");
    HeaderValue::from_str(&cookie)
        .unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// The session cookie for a new session ending at `expires_at_ms`.
#[must_use]
pub fn session_cookie(
    settings: &Settings,
    token: &str,
    now_ms: i64,
    expires_at_ms: i64,
) -> HeaderValue {
    let max_age = ((expires_at_ms - now_ms) / 1000).max(0);
    set_cookie(settings, session_cookie_name(settings), token, max_age)
}

/// A cookie that removes the session cookie.
#[must_use]
pub fn clear_session_cookie(settings: &Settings) -> HeaderValue {
    set_cookie(settings, session_cookie_name(settings), "", 0)
}

/// The [`Client`] of a request, for the use cases.
#[must_use]
pub fn client_of(parts_ext: &axum::http::Extensions, headers: &HeaderMap) -> Client {
    Client {
        ip: parts_ext
            .get::<ClientIp>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(512).collect()),
    }
}

/// The request's [`Client`], as an extractor.
#[derive(Debug, Clone)]
pub struct ClientInfo(pub Client);

impl<S: Send + Sync> FromRequestParts<S> for ClientInfo {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(client_of(&parts.extensions, &parts.headers)))
    }
}

/// The result of looking the credential up, cached in the request.
#[derive(Debug, Clone)]
struct Resolved(Option<Principal>);

/// Looks up the request's credential once: a bearer token if the `Authorization` header is
/// there (an unknown one is an error, never a fall-back to the cookie), else the session cookie.
async fn resolve(parts: &mut Parts, state: &AppState) -> Result<Option<Principal>, ApiError> {
    if let Some(Resolved(p)) = parts.extensions.get::<Resolved>() {
        return Ok(p.clone());
    }
    let principal = if let Some(token) = bearer_token(&parts.headers) {
        let found = state.app.authenticate_access_token(token).await?;
        if found.is_none() {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_token",
                "The access token is unknown, expired or revoked.",
            ));
        }
        found
    } else if let Some(token) = cookie(&parts.headers, session_cookie_name(state.app.settings())) {
        let client = client_of(&parts.extensions, &parts.headers);
        state.app.authenticate_session(token, &client).await?
    } else {
        None
    };
    parts.extensions.insert(Resolved(principal.clone()));
    Ok(principal)
}

/// The signed-in user; 401 `unauthorized` without one.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub Principal);

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        resolve(parts, state)
            .await?
            .map(Self)
            .ok_or_else(ApiError::unauthorized)
    }
}

/// The signed-in user, if any (pages that also work signed out).
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<Principal>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // A bad bearer token on a page is treated as signed out.
        Ok(Self(resolve(parts, state).await.unwrap_or(None)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use atelier_core::settings::RawSettings;

    fn settings(trusted: &[&str]) -> Settings {
        let mut raw = RawSettings::default();
        raw.proxy.trusted = trusted.iter().map(|s| (*s).to_owned()).collect();
        Settings::resolve(raw).unwrap()
    }

    fn headers(xff: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_str(xff).unwrap());
        h
    }

    #[test]
    fn c2_peer_is_the_client_unless_a_trusted_proxy_says_otherwise() {
        let peer: IpAddr = "198.51.100.9".parse().unwrap();
        // Untrusted peer: its header is ignored.
        let s = settings(&[]);
        assert_eq!(client_ip(&s, Some(peer), &headers("203.0.113.5")), peer);
        // Trusted proxy: the right-most untrusted address wins over what the client claimed.
        let s = settings(&["198.51.100.0/24", "10.0.0.1"]);
        let ip = client_ip(&s, Some(peer), &headers("1.1.1.1, 203.0.113.5, 10.0.0.1"));
        assert_eq!(ip.to_string(), "203.0.113.5");
        // Trusted proxy without the header: the peer.
        assert_eq!(client_ip(&s, Some(peer), &HeaderMap::new()), peer);
    }

    #[test]
    fn cookies_and_bearer_are_read() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("lang=en; atelier_session=abc"),
        );
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer atl_x"),
        );
        assert_eq!(cookie(&h, "atelier_session"), Some("abc"));
        assert_eq!(cookie(&h, "missing"), None);
        assert_eq!(bearer_token(&h), Some("atl_x"));
    }
}
