//! Requests through the router and the answers that come back: raw requests, JSON calls as an
//! API client or a browser ([`Auth`]), `multipart/form-data` bodies ([`MultipartForm`]), and
//! [`TestResponse`] to read them.

use crate::{SignedInUser, TestApp};
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, request};
use bytes::Bytes;
use http_body_util::BodyExt as _;
use std::net::SocketAddr;
use tower::ServiceExt as _;

/// The address test requests come from unless a test says otherwise.
pub const TEST_PEER: &str = "203.0.113.10:50000";

/// How a test request proves who it is.
#[derive(Debug, Clone, Default)]
pub enum Auth {
    /// Nothing.
    #[default]
    None,
    /// A browser: the session cookie, sent with `Sec-Fetch-Site: same-origin` as browsers do.
    Cookie(String),
    /// `Authorization: Bearer`.
    Bearer(String),
}

impl Auth {
    /// Adds the headers that carry these credentials.
    fn apply(&self, builder: request::Builder) -> request::Builder {
        match self {
            Self::None => builder,
            Self::Cookie(cookie) => builder
                .header("cookie", cookie)
                .header("sec-fetch-site", "same-origin"),
            Self::Bearer(token) => builder.header("authorization", format!("Bearer {token}")),
        }
    }
}

/// A `multipart/form-data` body, as a browser's form or an API client sends files.
#[derive(Debug, Clone)]
pub struct MultipartForm {
    boundary: &'static str,
    body: Vec<u8>,
}

impl Default for MultipartForm {
    fn default() -> Self {
        Self::new()
    }
}

impl MultipartForm {
    /// An empty form.
    #[must_use]
    pub fn new() -> Self {
        Self {
            boundary: "atelier-test-boundary",
            body: Vec::new(),
        }
    }

    /// Adds a text field.
    #[must_use]
    pub fn text(mut self, name: &str, value: &str) -> Self {
        let b = self.boundary;
        self.body.extend_from_slice(
            format!("--{b}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
        self
    }

    /// Adds a file field: its name, the file's name and type as the client states them, and
    /// its bytes.
    #[must_use]
    pub fn file(mut self, name: &str, filename: &str, content_type: &str, bytes: &[u8]) -> Self {
        let b = self.boundary;
        self.body.extend_from_slice(
            format!(
                "--{b}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n\
                 Content-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        self.body.extend_from_slice(bytes);
        self.body.extend_from_slice(b"\r\n");
        self
    }

    /// The `Content-Type` header with the boundary, and the finished body.
    #[must_use]
    pub fn finish(mut self) -> (String, Vec<u8>) {
        let b = self.boundary;
        self.body
            .extend_from_slice(format!("--{b}--\r\n").as_bytes());
        (format!("multipart/form-data; boundary={b}"), self.body)
    }
}

impl TestApp {
    /// Sends a request through the router, from [`TEST_PEER`] unless the request names a peer
    /// (a `ConnectInfo` extension) itself.
    pub async fn request(&self, mut request: Request<Body>) -> TestResponse {
        if request
            .extensions()
            .get::<axum::extract::ConnectInfo<SocketAddr>>()
            .is_none()
        {
            request.extensions_mut().insert(axum::extract::ConnectInfo(
                TEST_PEER.parse::<SocketAddr>().unwrap(),
            ));
        }
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        TestResponse {
            status,
            headers,
            body,
        }
    }

    /// Sends a request from the client address `peer` (`"198.51.100.23:1000"`) instead of
    /// [`TEST_PEER`].
    pub async fn request_from(&self, peer: &str, mut request: Request<Body>) -> TestResponse {
        let peer = peer.parse::<SocketAddr>().expect("a socket address");
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(peer));
        self.request(request).await
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> TestResponse {
        self.request(Request::get(path).body(Body::empty()).unwrap())
            .await
    }

    /// A request with a JSON body.
    pub async fn send_json(
        &self,
        method: Method,
        path: &str,
        body: &serde_json::Value,
    ) -> TestResponse {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header("content-type", "application/json")
            .body(Body::from(serde_json::to_vec(body).unwrap()))
            .unwrap();
        self.request(request).await
    }

    /// A request with a raw body and content type.
    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        content_type: &str,
        body: impl Into<Body>,
    ) -> TestResponse {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header("content-type", content_type)
            .body(body.into())
            .unwrap();
        self.request(request).await
    }

    /// A request with an optional JSON body as `auth`.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
        auth: &Auth,
    ) -> TestResponse {
        let builder = auth.apply(Request::builder().method(method).uri(path));
        let request = match body {
            Some(json) => builder
                .header("content-type", "application/json")
                .body(Body::from(serde_json::to_vec(json).unwrap())),
            None => builder.body(Body::empty()),
        }
        .unwrap();
        self.request(request).await
    }

    /// A request with an optional JSON body as `u` with the bearer token, as API clients send
    /// it: `t.api(Method::POST, "/api/v1/boards", Some(json!({ "name": "Mine" })), &u)`.
    pub async fn api(
        &self,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
        u: &SignedInUser,
    ) -> TestResponse {
        self.call(method, path, body.as_ref(), &u.bearer()).await
    }

    /// `POST path` with a `multipart/form-data` body as `auth`.
    pub async fn post_multipart(
        &self,
        path: &str,
        form: MultipartForm,
        auth: &Auth,
    ) -> TestResponse {
        let (content_type, body) = form.finish();
        let request = auth
            .apply(Request::post(path))
            .header("content-type", content_type)
            .body(Body::from(body))
            .unwrap();
        self.request(request).await
    }
}

/// A finished answer.
#[derive(Debug)]
pub struct TestResponse {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// Body bytes.
    pub body: Bytes,
}

impl TestResponse {
    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The value a `Set-Cookie` header gives the cookie `name`, if any.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_owned())
    }

    /// The whole `Set-Cookie` header for the cookie `name`, attributes and all.
    ///
    /// # Panics
    /// When the answer sets no such cookie.
    pub fn set_cookie_header(&self, name: &str) -> String {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .unwrap_or_else(|| panic!("no Set-Cookie for {name}"))
            .to_owned()
    }

    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `id` of a JSON answer.
    pub fn id(&self) -> String {
        self.json()["id"]
            .as_str()
            .unwrap_or_else(|| panic!("no id in {}", self.text()))
            .to_owned()
    }

    /// Asserts the contract's error shape and returns its code.
    pub fn error_code(&self) -> String {
        let json = self.json();
        let code = json["error"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("not an error body: {json}"));
        assert!(
            json["error"]["message"].is_string(),
            "error without message: {json}"
        );
        code.to_owned()
    }
}
