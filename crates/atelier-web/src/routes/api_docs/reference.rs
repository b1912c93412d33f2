//! The view of an OpenAPI document that the API reference page shows: operations grouped by tag,
//! their parameters, bodies, answers and credentials, and every component schema with its
//! properties. Built from the document's JSON, so it shows exactly what `/api/openapi.json` says;
//! a `$ref` becomes a link to the schema's anchor.

use serde_json::{Map, Value};

/// A piece of text where `` `code` `` spans are marked (descriptions are written in Markdown, of
/// which the page shows paragraphs and code spans).
#[derive(Debug, Clone, Default)]
pub struct Prose {
    /// Paragraphs, each a run of spans.
    pub paragraphs: Vec<Vec<Span>>,
}

/// Text, or code.
#[derive(Debug, Clone)]
pub struct Span {
    /// The characters.
    pub text: String,
    /// Whether they were between backticks.
    pub code: bool,
}

impl Prose {
    /// Splits Markdown-ish text into paragraphs (blank lines) and code spans (backticks).
    #[must_use]
    pub fn parse(text: &str) -> Self {
        let paragraphs = text
            .split("\n\n")
            .map(|p| p.split('\n').map(str::trim).collect::<Vec<_>>().join(" "))
            .filter(|p| !p.trim().is_empty())
            .map(|p| {
                p.split('`')
                    .enumerate()
                    .filter(|(_, t)| !t.is_empty())
                    .map(|(i, t)| Span {
                        text: t.to_owned(),
                        code: i % 2 == 1,
                    })
                    .collect()
            })
            .collect();
        Self { paragraphs }
    }
}

/// A type as a run of words and links: `array of <a>GalleryItemJson</a>`.
#[derive(Debug, Clone, Default)]
pub struct TypeView {
    /// The words, some of them links.
    pub parts: Vec<TypePart>,
}

/// One word of a [`TypeView`].
#[derive(Debug, Clone)]
pub struct TypePart {
    /// Shown text.
    pub text: String,
    /// `#schema-Name` for a reference to a component schema.
    pub href: Option<String>,
}

impl TypeView {
    fn word(&mut self, text: impl Into<String>) {
        self.parts.push(TypePart {
            text: text.into(),
            href: None,
        });
    }

    /// The type of a JSON schema, in words.
    #[must_use]
    pub fn of(schema: &Value) -> Self {
        let mut view = Self::default();
        view.describe(schema);
        if view.parts.is_empty() {
            view.word("any");
        }
        view
    }

    fn describe(&mut self, schema: &Value) {
        if let Some(name) = schema["$ref"].as_str().and_then(schema_name) {
            self.parts.push(TypePart {
                text: name.to_owned(),
                href: Some(schema_anchor(name)),
            });
            return;
        }
        for key in ["oneOf", "anyOf", "allOf"] {
            if let Some(variants) = schema[key].as_array() {
                let joiner = if key == "allOf" { " and " } else { " or " };
                for (i, variant) in variants.iter().enumerate() {
                    if i > 0 {
                        self.word(joiner);
                    }
                    self.describe(variant);
                }
                return;
            }
        }
        let types: Vec<&str> = match &schema["type"] {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        for (i, t) in types.iter().enumerate() {
            if i > 0 {
                self.word(" or ");
            }
            self.describe_type(t, schema);
        }
        if let Some(values) = schema["enum"].as_array() {
            let listed: Vec<String> = values
                .iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                .collect();
            self.word(format!(" (one of: {})", listed.join(", ")));
        }
    }

    fn describe_type(&mut self, t: &str, schema: &Value) {
        match t {
            "null" => self.word("null"),
            "array" => {
                self.word("array of ");
                let items = &schema["items"];
                if items.is_null() {
                    self.word("any");
                } else {
                    self.describe(items);
                }
            }
            "string" if schema["contentMediaType"].is_string() => {
                let media = schema["contentMediaType"].as_str().unwrap_or_default();
                self.word(format!("bytes ({media})"));
            }
            _ => {
                let format = schema["format"].as_str().filter(|f| !f.is_empty());
                match format {
                    Some(f) => self.word(format!("{t} ({f})")),
                    None => self.word(t),
                }
            }
        }
    }
}

/// `Error` from `#/components/schemas/Error`.
fn schema_name(reference: &str) -> Option<&str> {
    reference.strip_prefix("#/components/schemas/")
}

/// The page anchor of a component schema.
#[must_use]
pub fn schema_anchor(name: &str) -> String {
    format!("#schema-{name}")
}

/// One parameter of an operation.
#[derive(Debug, Clone)]
pub struct ParamView {
    /// Its name.
    pub name: String,
    /// `path`, `query`, `header` or `cookie`.
    pub location: String,
    /// Whether it must be given.
    pub required: bool,
    /// Its type.
    pub ty: TypeView,
    /// What it means.
    pub description: Prose,
}

/// A request or response body.
#[derive(Debug, Clone)]
pub struct BodyView {
    /// `application/json`, `multipart/form-data`, …
    pub content_type: String,
    /// Its schema.
    pub ty: TypeView,
}

/// One possible answer of an operation.
#[derive(Debug, Clone)]
pub struct ResponseView {
    /// `200`, `404`, …
    pub status: String,
    /// `ok`, `client` or `server`, for the colour.
    pub class: &'static str,
    /// What it means.
    pub description: Prose,
    /// The body, if the answer has one.
    pub body: Option<BodyView>,
}

/// A security scheme as the page names it.
#[derive(Debug, Clone)]
pub struct AuthView {
    /// The scheme's key (`access_token`).
    pub key: String,
    /// Its short label (`Bearer token`).
    pub label: String,
    /// What the scheme says about itself.
    pub description: Prose,
}

/// One operation.
#[derive(Debug, Clone)]
pub struct OperationView {
    /// The `operationId`, also the anchor.
    pub id: String,
    /// `GET`, `POST`, …
    pub method: String,
    /// `get`, `post`, … for the badge's colour.
    pub method_class: String,
    /// The path in segments (`/boards`, `/{id}`), so that a narrow screen breaks it at a slash.
    pub path_parts: Vec<String>,
    /// The segments after the `/api/v1` every operation shares, for the contents.
    pub short_path_parts: Vec<String>,
    /// The first line of its description.
    pub summary: String,
    /// The rest.
    pub description: Prose,
    /// Whether it works without credentials.
    pub public: bool,
    /// The schemes it accepts (any one of them).
    pub auth: Vec<AuthView>,
    /// Its parameters.
    pub params: Vec<ParamView>,
    /// The request body.
    pub request: Option<BodyView>,
    /// Whether the request body must be sent.
    pub request_required: bool,
    /// What the request body is.
    pub request_description: Prose,
    /// The answers, by status.
    pub responses: Vec<ResponseView>,
}

/// A tag with its operations.
#[derive(Debug, Clone)]
pub struct TagView {
    /// The tag's name, also its anchor (`tag-<name>`).
    pub name: String,
    /// What the tag covers.
    pub description: Prose,
    /// Its operations, in the document's path order.
    pub operations: Vec<OperationView>,
}

/// One property of a schema.
#[derive(Debug, Clone)]
pub struct PropertyView {
    /// The field's name.
    pub name: String,
    /// Its type.
    pub ty: TypeView,
    /// Whether it is always present (or must be sent).
    pub required: bool,
    /// What it means.
    pub description: Prose,
}

/// A component schema.
#[derive(Debug, Clone)]
pub struct SchemaView {
    /// The schema's name, also its anchor (`schema-<name>`).
    pub name: String,
    /// What it is.
    pub description: Prose,
    /// Its type, for a schema that is not an object.
    pub ty: Option<TypeView>,
    /// Its properties, for an object.
    pub properties: Vec<PropertyView>,
}

/// The whole reference.
#[derive(Debug, Clone, Default)]
pub struct Reference {
    /// The API's title.
    pub title: String,
    /// Its version.
    pub version: String,
    /// The document's introduction.
    pub description: Prose,
    /// The ways to be signed in.
    pub auth: Vec<AuthView>,
    /// The operations, grouped by tag in the document's tag order.
    pub tags: Vec<TagView>,
    /// Every component schema, by name.
    pub schemas: Vec<SchemaView>,
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

impl Reference {
    /// The reference of an OpenAPI document (as JSON).
    #[must_use]
    pub fn from_document(doc: &Value) -> Self {
        let auth = security_schemes(doc);
        let mut tags: Vec<TagView> = doc["tags"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| {
                Some(TagView {
                    name: t["name"].as_str()?.to_owned(),
                    description: Prose::parse(t["description"].as_str().unwrap_or_default()),
                    operations: Vec::new(),
                })
            })
            .collect();
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            for method in METHODS {
                let Some(op) = item.get(method).filter(|op| op.is_object()) else {
                    continue;
                };
                let view = operation(path, method, item, op, &auth);
                let tag = op["tags"][0].as_str().unwrap_or("other");
                if !tags.iter().any(|t| t.name == tag) {
                    tags.push(TagView {
                        name: tag.to_owned(),
                        description: Prose::default(),
                        operations: Vec::new(),
                    });
                }
                if let Some(t) = tags.iter_mut().find(|t| t.name == tag) {
                    t.operations.push(view);
                }
            }
        }
        tags.retain(|t| !t.operations.is_empty());
        let schemas = doc["components"]["schemas"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(name, schema)| schema_view(name, schema))
            .collect();
        Self {
            title: doc["info"]["title"].as_str().unwrap_or("API").to_owned(),
            version: doc["info"]["version"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            description: Prose::parse(doc["info"]["description"].as_str().unwrap_or_default()),
            auth,
            tags,
            schemas,
        }
    }

    /// Every operation, in page order.
    pub fn operations(&self) -> impl Iterator<Item = &OperationView> {
        self.tags.iter().flat_map(|t| t.operations.iter())
    }

    /// How many operations there are.
    #[must_use]
    pub fn operation_count(&self) -> usize {
        self.operations().count()
    }
}

fn security_schemes(doc: &Value) -> Vec<AuthView> {
    doc["components"]["securitySchemes"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(key, scheme)| {
            let label = match (scheme["type"].as_str(), scheme["scheme"].as_str()) {
                (Some("http"), Some("bearer")) => "Bearer token".to_owned(),
                (Some("http"), Some(other)) => format!("HTTP {other}"),
                (Some("apiKey"), _) => format!(
                    "{} {}",
                    match scheme["in"].as_str() {
                        Some("cookie") => "Cookie",
                        Some("header") => "Header",
                        _ => "Query parameter",
                    },
                    scheme["name"].as_str().unwrap_or_default()
                ),
                _ => key.clone(),
            };
            AuthView {
                key: key.clone(),
                label,
                description: Prose::parse(scheme["description"].as_str().unwrap_or_default()),
            }
        })
        .collect()
}

fn operation(
    path: &str,
    method: &str,
    item: &Value,
    op: &Value,
    schemes: &[AuthView],
) -> OperationView {
    let requirements: Vec<&Map<String, Value>> = op["security"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .collect();
    let public = requirements.is_empty() || requirements.iter().any(|r| r.is_empty());
    let auth = schemes
        .iter()
        .filter(|s| requirements.iter().any(|r| r.contains_key(&s.key)))
        .cloned()
        .collect();
    // Path-level parameters first, then the operation's own.
    let params = item["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(op["parameters"].as_array().into_iter().flatten())
        .map(|p| ParamView {
            name: p["name"].as_str().unwrap_or_default().to_owned(),
            location: p["in"].as_str().unwrap_or_default().to_owned(),
            required: p["required"].as_bool().unwrap_or(false),
            ty: TypeView::of(&p["schema"]),
            description: Prose::parse(p["description"].as_str().unwrap_or_default()),
        })
        .collect();
    let request_body = &op["requestBody"];
    let responses = op["responses"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(status, r)| ResponseView {
            class: match status.chars().next() {
                Some('2' | '3') => "ok",
                Some('4') => "client",
                _ => "server",
            },
            status: status.clone(),
            description: Prose::parse(r["description"].as_str().unwrap_or_default()),
            body: body(&r["content"]),
        })
        .collect();
    OperationView {
        id: op["operationId"].as_str().unwrap_or_default().to_owned(),
        method: method.to_ascii_uppercase(),
        method_class: method.to_owned(),
        path_parts: segments(path),
        short_path_parts: segments(path.strip_prefix("/api/v1").unwrap_or(path)),
        summary: op["summary"].as_str().unwrap_or_default().to_owned(),
        description: Prose::parse(op["description"].as_str().unwrap_or_default()),
        public,
        auth,
        params,
        request: body(&request_body["content"]),
        request_required: request_body["required"].as_bool().unwrap_or(false),
        request_description: Prose::parse(request_body["description"].as_str().unwrap_or_default()),
        responses,
    }
}

/// `/boards/{id}` as `["/boards", "/{id}"]`.
fn segments(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| format!("/{s}"))
        .collect()
}

/// The first media type of a `content` map, with its schema.
fn body(content: &Value) -> Option<BodyView> {
    let (content_type, media) = content.as_object()?.iter().next()?;
    Some(BodyView {
        content_type: content_type.clone(),
        ty: TypeView::of(&media["schema"]),
    })
}

fn schema_view(name: &str, schema: &Value) -> SchemaView {
    let required: Vec<&str> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let properties: Vec<PropertyView> = schema["properties"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(field, s)| PropertyView {
            name: field.clone(),
            ty: TypeView::of(s),
            required: required.contains(&field.as_str()),
            description: Prose::parse(s["description"].as_str().unwrap_or_default()),
        })
        .collect();
    SchemaView {
        name: name.to_owned(),
        description: Prose::parse(schema["description"].as_str().unwrap_or_default()),
        ty: properties.is_empty().then(|| TypeView::of(schema)),
        properties,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn words(t: &TypeView) -> String {
        t.parts.iter().map(|p| p.text.as_str()).collect()
    }

    #[test]
    fn types_read_as_words_with_links_to_schemas() {
        let t = TypeView::of(
            &json!({"type": "array", "items": {"$ref": "#/components/schemas/Board"}}),
        );
        assert_eq!(words(&t), "array of Board");
        assert_eq!(t.parts[1].href.as_deref(), Some("#schema-Board"));
        let t = TypeView::of(&json!({"type": ["string", "null"], "format": "date-time"}));
        assert_eq!(words(&t), "string (date-time) or null");
        let t = TypeView::of(
            &json!({"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Author"}]}),
        );
        assert_eq!(words(&t), "null or Author");
        assert_eq!(words(&TypeView::of(&json!({}))), "any");
    }

    #[test]
    fn prose_keeps_paragraphs_and_code_spans() {
        let p = Prose::parse("Send `Authorization: Bearer`\nhere.\n\nSecond.");
        assert_eq!(p.paragraphs.len(), 2);
        assert_eq!(p.paragraphs[0][0].text, "Send ");
        assert!(p.paragraphs[0][1].code);
        assert_eq!(p.paragraphs[0][2].text, " here.");
    }
}
