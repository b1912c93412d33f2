//! A scriptable fake HTTP server and image helpers.

use std::io::Cursor;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use atelier_render::{RenderRequest, render_png};
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use serde_json::Value;
use url::Url;

/// One request the fake server received.
#[derive(Debug, Clone)]
pub struct Call {
    /// Position among all calls, from 0.
    pub index: usize,
    /// Position among earlier calls with the same method and path, from 0.
    pub path_index: usize,
    pub method: Method,
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// The server's base URL, without a trailing slash (`http://127.0.0.1:port`).
    pub base: String,
}

impl Call {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// What the fake server answers.
#[derive(Debug, Clone)]
pub struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Bytes,
    delay: Duration,
}

impl Reply {
    pub fn json(status: u16, value: &Value) -> Self {
        Self::raw(status, "application/json", value.to_string())
    }

    pub fn raw(status: u16, content_type: &str, body: impl Into<Bytes>) -> Self {
        Self {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.into(),
            delay: Duration::ZERO,
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

type Responder = dyn Fn(&Call) -> Reply + Send + Sync;

#[derive(Clone)]
struct FakeState {
    calls: Arc<Mutex<Vec<Call>>>,
    respond: Arc<Responder>,
    base: String,
}

/// A running fake server.
pub struct Fake {
    pub url: Url,
    calls: Arc<Mutex<Vec<Call>>>,
}

impl Fake {
    /// Every call so far.
    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    /// The calls with `method` and `path`.
    pub fn calls_to(&self, method: Method, path: &str) -> Vec<Call> {
        self.calls()
            .into_iter()
            .filter(|c| c.method == method && c.path == path)
            .collect()
    }
}

/// The API key the OpenAI-compatible clients (images and chat) send to the fake server.
pub const OPENAI_KEY: &str = "sk-test-0123456789abcdef";

/// An error body as OpenAI's APIs (images and chat completions alike) send it.
pub fn error_body(message: &str, kind: &str, code: Value) -> Value {
    serde_json::json!({"error": {"message": message, "type": kind, "param": null, "code": code}})
}

/// `config`, the settings of any of the providers' HTTP clients, pointed at the fake server
/// `fake` with waits short enough for a test: 5-second requests, 2 retries after a 1 ms first
/// back-off, at most 2 s waited in place. The clients' settings are different types with these
/// fields in common.
macro_rules! for_fake {
    ($fake:expr, $config:expr) => {{
        let mut config = $config;
        config.base_url = $fake.url.clone();
        config.timeout = std::time::Duration::from_secs(5);
        config.max_retries = 2;
        config.initial_backoff = std::time::Duration::from_millis(1);
        config.max_retry_wait = std::time::Duration::from_secs(2);
        config
    }};
}
pub(crate) use for_fake;

/// Starts a server on 127.0.0.1 answering every request with `respond(call)`.
pub async fn fake(respond: impl Fn(&Call) -> Reply + Send + Sync + 'static) -> Fake {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let calls = Arc::new(Mutex::new(Vec::new()));
    let state = FakeState {
        calls: Arc::clone(&calls),
        respond: Arc::new(respond),
        base: base.clone(),
    };
    let app = Router::new().fallback(handle).with_state(state);
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    Fake {
        url: Url::parse(&base).unwrap(),
        calls,
    }
}

async fn handle(State(state): State<FakeState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let call = {
        let mut calls = state.calls.lock().unwrap();
        let path = parts.uri.path().to_owned();
        let call = Call {
            index: calls.len(),
            path_index: calls
                .iter()
                .filter(|c| c.method == parts.method && c.path == path)
                .count(),
            method: parts.method.clone(),
            path,
            headers: parts.headers.clone(),
            body,
            base: state.base.clone(),
        };
        calls.push(call.clone());
        call
    };
    let reply = (state.respond)(&call);
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    let mut response = Response::new(Body::from(reply.body));
    *response.status_mut() = StatusCode::from_u16(reply.status).unwrap();
    for (name, value) in reply.headers {
        response.headers_mut().insert(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(&value).unwrap(),
        );
    }
    response
}

/// A real PNG of `width` × `height`.
pub fn png(width: u32, height: u32, seed: u64) -> Vec<u8> {
    render_png(&RenderRequest {
        prompt: "a test pattern of hills",
        seed,
        width,
        height,
    })
}

/// A real JPEG of `width` × `height`.
pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = image::load_from_memory(&png(width, height, 9))
        .unwrap()
        .to_rgb8();
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

pub fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// The variance of the grey levels of an encoded image (0 for a flat colour).
pub fn grey_variance(bytes: &[u8]) -> f64 {
    let img = image::load_from_memory(bytes).unwrap().to_luma8();
    let values: Vec<f64> = img.pixels().map(|p| f64::from(p.0[0])).collect();
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n
}

/// One part of a multipart/form-data body.
#[derive(Debug)]
pub struct FormPart {
    pub name: String,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub data: Vec<u8>,
}

/// Splits a multipart/form-data body (enough of RFC 7578 for these tests).
pub fn parse_multipart(content_type: &str, body: &[u8]) -> Vec<FormPart> {
    let boundary = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))
        .expect("boundary")
        .trim_matches('"');
    let delimiter = format!("--{boundary}").into_bytes();
    let mut parts = Vec::new();
    let mut sections = split(body, &delimiter).into_iter().skip(1);
    for section in sections.by_ref() {
        if section.starts_with(b"--") {
            break;
        }
        let section = section.strip_prefix(b"\r\n").unwrap_or(section);
        let header_end = find(section, b"\r\n\r\n").expect("part headers end");
        let head = String::from_utf8_lossy(&section[..header_end]).to_string();
        let mut data = section[header_end + 4..].to_vec();
        if data.ends_with(b"\r\n") {
            data.truncate(data.len() - 2);
        }
        let mut part = FormPart {
            name: String::new(),
            filename: None,
            content_type: None,
            data,
        };
        for line in head.lines() {
            let lower = line.to_ascii_lowercase();
            if lower.starts_with("content-disposition:") {
                part.name = attribute(line, "name").unwrap_or_default();
                part.filename = attribute(line, "filename");
            } else if lower.starts_with("content-type:") {
                part.content_type = Some(line["content-type:".len()..].trim().to_owned());
            }
        }
        parts.push(part);
    }
    parts
}

fn attribute(line: &str, key: &str) -> Option<String> {
    line.split(';').find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        (k == key).then(|| v.trim_matches('"').to_owned())
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn split<'a>(mut haystack: &'a [u8], delimiter: &[u8]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    while let Some(at) = find(haystack, delimiter) {
        out.push(&haystack[..at]);
        haystack = &haystack[at + delimiter.len()..];
    }
    out.push(haystack);
    out
}
