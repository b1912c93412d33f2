//! The OpenAPI document as a promise to client authors (issue 16): unique, meaningful operation
//! ids; a description for every answer and a schema for every body; the credentials of every
//! operation, checked against what the routes really do; one `Error` schema for every error; the
//! whole document pinned by a snapshot. And `/api/docs`, the reference rendered from it.

use atelier_testkit::{Auth, TestApp};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::Value;
use std::collections::{BTreeSet, HashSet};

/// Names that say nothing on their own in a generated client (`client.list()`).
const BARE_VERBS: &[&str] = &[
    "add", "create", "delete", "edit", "fetch", "get", "index", "list", "new", "patch", "post",
    "put", "read", "remove", "search", "show", "update",
];

const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch"];

fn document() -> Value {
    serde_json::to_value(atelier_web::api_doc()).unwrap()
}

/// One operation of the document.
struct Op<'a> {
    path: &'a str,
    method: &'a str,
    op: &'a Value,
}

impl Op<'_> {
    fn id(&self) -> &str {
        self.op["operationId"].as_str().unwrap_or("")
    }

    fn responses(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.op["responses"].as_object().into_iter().flatten()
    }

    /// The schemes of its security requirements; `None` when it has none, an empty set when it
    /// is public (`[{}]`).
    fn schemes(&self) -> Option<BTreeSet<&str>> {
        let requirements = self.op["security"].as_array()?;
        Some(
            requirements
                .iter()
                .flat_map(|r| r.as_object().into_iter().flatten().map(|(k, _)| k.as_str()))
                .collect(),
        )
    }

    fn is_public(&self) -> bool {
        self.op["security"].as_array().is_some_and(|rs| {
            rs.iter()
                .any(|r| r.as_object().is_some_and(|o| o.is_empty()))
        })
    }

    /// The path with every `{param}` filled in.
    fn concrete_path(&self) -> String {
        let mut path = self.path.to_owned();
        while let (Some(open), Some(close)) = (path.find('{'), path.find('}')) {
            path.replace_range(open..=close, "no-such-id");
        }
        path
    }
}

fn operations(doc: &Value) -> Vec<Op<'_>> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if METHODS.contains(&method.as_str()) {
                ops.push(Op { path, method, op });
            }
        }
    }
    assert!(
        ops.len() > 40,
        "the document lists the API ({} operations)",
        ops.len()
    );
    ops
}

#[test]
fn openapi_document_is_version_3_1() {
    let doc = document();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    assert!(!doc["info"]["title"].as_str().unwrap().is_empty());
    assert!(!doc["info"]["version"].as_str().unwrap().is_empty());
}

#[test]
fn openapi_operation_ids_are_unique_camel_case_and_meaningful() {
    let doc = document();
    let mut seen = HashSet::new();
    for op in operations(&doc) {
        let id = op.id();
        assert!(seen.insert(id.to_owned()), "operationId {id:?} repeats");
        assert!(
            !BARE_VERBS.contains(&id),
            "operationId {id:?} of {} {} is a bare verb",
            op.method,
            op.path
        );
        let camel = id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && id.chars().all(|c| c.is_ascii_alphanumeric())
            && id.chars().any(|c| c.is_ascii_uppercase());
        assert!(camel, "operationId {id:?} is not camelCase verbNoun");
    }
}

#[test]
fn openapi_every_response_is_described_and_every_body_has_a_schema() {
    let doc = document();
    for op in operations(&doc) {
        assert!(
            !op.op["summary"].as_str().unwrap_or("").is_empty(),
            "{} has no summary",
            op.id()
        );
        for (status, response) in op.responses() {
            let description = response["description"].as_str().unwrap_or("");
            assert!(
                !description.trim().is_empty(),
                "{} {status}: no description",
                op.id()
            );
            let content = response["content"].as_object();
            if status == "204" {
                assert!(content.is_none(), "{} 204 has a body", op.id());
                continue;
            }
            if status.starts_with('2') {
                let content = content.unwrap_or_else(|| panic!("{} {status}: no content", op.id()));
                assert!(!content.is_empty(), "{} {status}: empty content", op.id());
                for (media, body) in content {
                    assert!(
                        body["schema"].is_object(),
                        "{} {status} {media}: no schema",
                        op.id()
                    );
                }
            }
        }
        if let Some(body) = op.op.get("requestBody") {
            for (media, c) in body["content"].as_object().unwrap() {
                assert!(
                    c["schema"].is_object(),
                    "{} request {media}: no schema",
                    op.id()
                );
            }
        }
    }
}

#[test]
fn openapi_error_responses_all_use_the_error_schema() {
    let doc = document();
    for op in operations(&doc) {
        for (status, response) in op.responses() {
            if status.starts_with('4') || status.starts_with('5') {
                let content = response["content"].as_object();
                let content = content.unwrap_or_else(|| panic!("{} {status}: no body", op.id()));
                assert_eq!(content.len(), 1, "{} {status}: one media type", op.id());
                assert_eq!(
                    response["content"]["application/json"]["schema"]["$ref"],
                    "#/components/schemas/Error",
                    "{} {status}",
                    op.id()
                );
            }
        }
    }
    // The component keeps the wire shape {"error": {"code", "message"}}.
    let schemas = &doc["components"]["schemas"];
    assert!(
        schemas.get("ErrorBody").is_none(),
        "one name for the error schema"
    );
    let error = &schemas["Error"];
    assert_eq!(error["required"], serde_json::json!(["error"]));
    let detail = error["properties"]["error"]["$ref"].as_str().unwrap();
    let detail = &schemas[detail.trim_start_matches("#/components/schemas/")];
    for field in ["code", "message"] {
        assert_eq!(detail["properties"][field]["type"], "string", "{field}");
        assert!(
            detail["required"]
                .as_array()
                .unwrap()
                .contains(&Value::from(field))
        );
    }
}

#[test]
fn openapi_every_operation_declares_its_credentials() {
    let doc = document();
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["access_token"]["type"], "http");
    assert_eq!(schemes["access_token"]["scheme"], "bearer");
    assert_eq!(schemes["session_cookie"]["type"], "apiKey");
    assert_eq!(schemes["session_cookie"]["in"], "cookie");
    assert_eq!(schemes["session_cookie"]["name"], "atelier_session");
    assert!(
        schemes["session_cookie"]["description"]
            .as_str()
            .unwrap()
            .contains("__Host-atelier_session")
    );
    let declared: BTreeSet<&str> = schemes
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for op in operations(&doc) {
        let used = op
            .schemes()
            .unwrap_or_else(|| panic!("{} declares no security", op.id()));
        assert!(
            used.is_subset(&declared),
            "{}: unknown scheme in {used:?}",
            op.id()
        );
        if op.is_public() {
            continue;
        }
        assert_eq!(
            used,
            declared,
            "{}: a signed-in route takes the token and the cookie",
            op.id()
        );
        assert!(
            op.op["responses"]["401"].is_object(),
            "{}: a signed-in route answers 401",
            op.id()
        );
        if !matches!(op.method, "get" | "head" | "options") {
            assert!(
                op.op["responses"]["403"].is_object(),
                "{}: a change answers 403 `csrf_rejected`",
                op.id()
            );
        }
    }
}

#[test]
fn openapi_path_parameters_match_the_path_templates() {
    let doc = document();
    for op in operations(&doc) {
        let in_template: BTreeSet<&str> = op
            .path
            .split('{')
            .skip(1)
            .filter_map(|s| s.split_once('}').map(|(name, _)| name))
            .collect();
        let declared: BTreeSet<&str> = op.op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["in"] == "path")
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(in_template, declared, "{} {}", op.method, op.path);
    }
}

#[tokio::test]
async fn openapi_security_matches_what_each_route_does() {
    let t = TestApp::new().await;
    let user = t.sign_in("ada@example.com").await;
    let doc = document();
    for op in operations(&doc) {
        let method = Method::from_bytes(op.method.to_ascii_uppercase().as_bytes()).unwrap();
        let body =
            (method != Method::GET && method != Method::DELETE).then(|| serde_json::json!({}));
        let anonymous = t
            .call(
                method.clone(),
                &op.concrete_path(),
                body.as_ref(),
                &Auth::None,
            )
            .await;
        if op.is_public() {
            assert_ne!(
                anonymous.status,
                StatusCode::UNAUTHORIZED,
                "{} is documented as public",
                op.id()
            );
            continue;
        }
        assert_eq!(
            anonymous.status,
            StatusCode::UNAUTHORIZED,
            "{} is documented as signed-in",
            op.id()
        );
        assert_eq!(anonymous.error_code(), "unauthorized");
        // Reads prove that both documented schemes are accepted (changes would change the account).
        if method == Method::GET {
            for auth in [user.bearer(), user.browser()] {
                let r = t.call(Method::GET, &op.concrete_path(), None, &auth).await;
                assert_ne!(
                    r.status,
                    StatusCode::UNAUTHORIZED,
                    "{} with {auth:?}",
                    op.id()
                );
            }
        }
    }
}

#[tokio::test]
async fn openapi_json_route_serves_the_same_document() {
    let t = TestApp::new().await;
    let r = t.get("/api/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.json(), document());
}

#[test]
fn openapi_document_snapshot() {
    insta::assert_json_snapshot!(document(), { ".info.version" => "[version]" });
}

#[tokio::test]
async fn api_docs_page_lists_every_operation_and_schema_offline() {
    let t = TestApp::new().await;
    let r = t.get("/api/docs").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    let html = r.text();
    let doc = document();
    for op in operations(&doc) {
        let anchor = format!("id=\"{}\"", op.id());
        assert!(html.contains(&anchor), "no anchor for {}", op.id());
        assert!(
            html.contains(&format!("href=\"#{}\"", op.id())),
            "{} is not in the contents",
            op.id()
        );
    }
    for name in doc["components"]["schemas"].as_object().unwrap().keys() {
        assert!(
            html.contains(&format!("id=\"schema-{name}\"")),
            "no anchor for schema {name}"
        );
    }
    assert!(
        html.contains("href=\"#schema-Error\""),
        "a $ref is a link to its schema"
    );
    assert!(html.contains("href=\"/api/openapi.json\""));
    assert!(html.contains("Authorization: Bearer"));
    assert!(html.contains("next_cursor"));
    // Nothing from elsewhere: no remote script or stylesheet, and no inline style (the CSP).
    for tag in html.split('<').skip(1) {
        let name = tag.split([' ', '>']).next().unwrap_or("");
        if matches!(name, "script" | "link" | "img" | "iframe") {
            for attr in ["src=\"", "href=\""] {
                if let Some(at) = tag.find(attr) {
                    let url = &tag[at + attr.len()..];
                    assert!(
                        url.starts_with('/') && !url.starts_with("//"),
                        "<{tag}> loads from elsewhere"
                    );
                }
            }
        }
    }
    assert!(!html.contains(" style="), "no inline style");
}

#[tokio::test]
async fn api_docs_page_keeps_the_site_layout_and_language() {
    let t = TestApp::new().await;
    let req = Request::get("/api/docs")
        .header("accept-language", "zh-CN,zh;q=0.9")
        .body(Body::empty())
        .unwrap();
    let r = t.request(req).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-language"), Some("zh-CN"));
    let html = r.text();
    assert!(html.contains("<html lang=\"zh-CN\">"));
    assert!(
        html.contains("lang=\"en\""),
        "the reference itself is marked as English"
    );
    assert!(
        html.contains("<a href=\"/api/docs\">"),
        "the footer links the reference"
    );
    // Signed in, the header shows who: the page is the site's, not a detached document.
    let user = t.sign_in("ada@example.com").await;
    let r = t
        .call(Method::GET, "/api/docs", None, &user.browser())
        .await;
    assert!(r.text().contains("action=\"/logout\""));
    assert_eq!(r.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn api_docs_link_is_in_the_footer_of_every_page() {
    let t = TestApp::new().await;
    for path in ["/", "/privacy", "/login"] {
        let html = t.get(path).await.text();
        assert!(html.contains("<a href=\"/api/docs\">"), "{path}");
        assert!(!html.contains("href=\"/api/openapi.json\""), "{path}");
    }
}
