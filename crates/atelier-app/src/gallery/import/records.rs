//! Reading an import file: its records, and the checks that turn each into the row to upsert.

use crate::gallery::images::guess_aspect;
use atelier_core::Aspect;
use atelier_db::gallery::{GalleryImageInput, GalleryItemInput};
use serde::Deserialize;
use std::io::BufRead;

/// Longest prompt accepted (the longest real prompt in the sample data has 16,011 characters).
pub const MAX_PROMPT_CHARS: usize = 32_000;
/// Most images per post.
pub const MAX_IMAGES_PER_ITEM: usize = 8;

/// One post as written in an import file. Unknown fields are ignored.
#[derive(Debug, Clone, Deserialize)]
pub struct ImportRecord {
    /// The post's id at its source (string or number).
    #[serde(deserialize_with = "string_or_number")]
    pub id: String,
    /// The prompt.
    pub prompt: String,
    /// Author handle.
    #[serde(default, deserialize_with = "null_as_default")]
    pub author: String,
    /// Author display name.
    #[serde(default, deserialize_with = "null_as_default")]
    pub author_name: String,
    /// Author profile URL.
    #[serde(default)]
    pub author_url: Option<String>,
    /// Likes at the source.
    #[serde(default, deserialize_with = "null_as_default")]
    pub likes: i64,
    /// Views at the source.
    #[serde(default, deserialize_with = "null_as_default")]
    pub views: i64,
    /// The first image's URL.
    #[serde(default)]
    pub image: Option<String>,
    /// Every image's URL.
    #[serde(default, deserialize_with = "null_as_default")]
    pub images: Vec<String>,
    /// Model name.
    #[serde(default, deserialize_with = "null_as_default")]
    pub model: String,
    /// Categories.
    #[serde(default, deserialize_with = "null_as_default")]
    pub categories: Vec<String>,
    /// Publication date (`YYYY-MM-DD`, RFC 3339, or epoch seconds/milliseconds).
    #[serde(default, deserialize_with = "optional_string_or_number")]
    pub date: Option<String>,
    /// The post's URL.
    #[serde(default)]
    pub source_url: Option<String>,
    /// Source name; `x` when `source_url` is on x.com or twitter.com, else `import`.
    #[serde(default)]
    pub source: Option<String>,
    /// Aspect ratio such as `3:4`; guessed from the prompt and categories when absent.
    #[serde(default)]
    pub aspect: Option<String>,
}

fn string_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Ok(s),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!(
            "expected a string or number id, got {other}"
        ))),
    }
}

/// A field written as `null` means the same as a missing one.
fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A date written as text or as epoch seconds or milliseconds; `null` is no date.
fn optional_string_or_number<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<String>, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::String(s) => Ok(Some(s)),
        serde_json::Value::Number(n) => Ok(Some(n.to_string())),
        other => Err(serde::de::Error::custom(format!(
            "expected a date as text or a number, got {other}"
        ))),
    }
}

/// A record of an import file, or why it could not be read; numbered from 1 (line number for
/// JSON lines, record number for a JSON array).
pub type NumberedRecord = (usize, Result<ImportRecord, String>);

/// Reads an import file: a JSON array, or one JSON object per line (blank lines skipped).
///
/// # Errors
/// When the file cannot be read, or is a JSON array that does not parse as a whole.
pub fn read_records<'a>(
    mut reader: impl BufRead + Send + 'a,
) -> Result<Box<dyn Iterator<Item = NumberedRecord> + Send + 'a>, String> {
    // A byte-order mark, as some editors write, is not part of the JSON.
    if reader
        .fill_buf()
        .map_err(|e| e.to_string())?
        .starts_with(b"\xEF\xBB\xBF")
    {
        reader.consume(3);
    }
    let first = loop {
        let buf = reader.fill_buf().map_err(|e| e.to_string())?;
        match buf.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(i) => {
                let b = buf[i];
                reader.consume(i);
                break Some(b);
            }
            None if buf.is_empty() => break None,
            None => {
                let n = buf.len();
                reader.consume(n);
            }
        }
    };
    match first {
        None => Ok(Box::new(std::iter::empty())),
        Some(b'[') => {
            let values: Vec<serde_json::Value> = serde_json::from_reader(reader)
                .map_err(|e| format!("the JSON array does not parse: {e}"))?;
            Ok(Box::new(values.into_iter().enumerate().map(|(i, v)| {
                (i + 1, record_from(serde_path_to_error::deserialize(v)))
            })))
        }
        Some(_) => Ok(Box::new(reader.lines().enumerate().filter_map(
            |(i, line)| match line {
                Ok(l) if l.trim().is_empty() => None,
                Ok(l) => Some((
                    i + 1,
                    record_from(serde_path_to_error::deserialize(
                        &mut serde_json::Deserializer::from_str(&l),
                    )),
                )),
                Err(e) => Some((i + 1, Err(format!("unreadable line: {e}")))),
            },
        ))),
    }
}

/// A parsed record, or what is wrong with it, naming the field when one is to blame
/// (`` `likes`: invalid type: string "1.2k", expected i64 ``).
fn record_from(
    parsed: Result<ImportRecord, serde_path_to_error::Error<serde_json::Error>>,
) -> Result<ImportRecord, String> {
    parsed.map_err(|e| {
        let path = e.path().to_string();
        if path == "." {
            e.into_inner().to_string()
        } else {
            format!("`{path}`: {}", e.into_inner())
        }
    })
}

/// Checks a record and turns it into the row to upsert.
///
/// # Errors
/// A message saying what is wrong with the record.
pub fn to_item(record: &ImportRecord, now: i64) -> Result<GalleryItemInput, String> {
    let id = record.id.trim();
    if id.is_empty() || id.len() > 128 {
        return Err("`id` must be 1 to 128 characters".to_owned());
    }
    let prompt = record.prompt.trim();
    if prompt.is_empty() {
        return Err("`prompt` is empty".to_owned());
    }
    if prompt.chars().count() > MAX_PROMPT_CHARS {
        return Err(format!(
            "`prompt` is longer than {MAX_PROMPT_CHARS} characters"
        ));
    }
    let web_url = |u: &Option<String>| -> Result<Option<String>, String> {
        match u.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => match url::Url::parse(s) {
                Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => {
                    Ok(Some(parsed.to_string()))
                }
                _ => Err(format!("`{s}` is not an http(s) URL")),
            },
        }
    };
    let source_url = web_url(&record.source_url)?;
    let on_x = source_url
        .as_deref()
        .and_then(|u| url::Url::parse(u).ok())
        .is_some_and(|u| {
            matches!(
                u.host_str(),
                Some(
                    "x.com"
                        | "www.x.com"
                        | "twitter.com"
                        | "www.twitter.com"
                        | "mobile.twitter.com"
                )
            )
        });
    let source = match record
        .source
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => clean_token(s, 32),
        None if on_x => "x".to_owned(),
        None => "import".to_owned(),
    };
    let handle = record.author.trim().trim_start_matches('@');
    let handle = clean_token(handle, 64);
    let author_url = match web_url(&record.author_url)? {
        Some(u) => Some(u),
        None if source == "x" && !handle.is_empty() => Some(format!("https://x.com/{handle}")),
        None => None,
    };
    let mut urls: Vec<String> = record.images.clone();
    if urls.is_empty() {
        urls.extend(record.image.clone());
    }
    urls.truncate(MAX_IMAGES_PER_ITEM);
    let categories: Vec<String> = record
        .categories
        .iter()
        .map(|c| c.trim().chars().take(64).collect::<String>())
        .filter(|c| !c.is_empty())
        .take(16)
        .collect();
    let aspect = match record.aspect.as_deref() {
        Some(a) => {
            Aspect::parse(a).ok_or_else(|| format!("`{a}` is not an aspect ratio such as 3:4"))?
        }
        None => guess_aspect(prompt, &categories),
    };
    let (width, height) = aspect.dimensions(crate::gallery::images::RENDER_LONG_EDGE);
    let mut images = Vec::new();
    for u in urls.iter().map(|u| Some(u.clone())) {
        images.push(GalleryImageInput {
            width: i64::from(width),
            height: i64::from(height),
            remote_url: web_url(&u)?,
        });
    }
    if images.is_empty() {
        images.push(GalleryImageInput {
            width: i64::from(width),
            height: i64::from(height),
            remote_url: None,
        });
    }
    let posted_at = match record.date.as_deref() {
        Some(d) => {
            atelier_core::time::parse_datetime(d).ok_or_else(|| format!("`{d}` is not a date"))?
        }
        None => now,
    };
    Ok(GalleryItemInput {
        source,
        source_post_id: id.to_owned(),
        source_url,
        prompt: prompt.to_owned(),
        model: clean_token(&record.model.to_lowercase(), 64),
        aspect: aspect.as_str().to_owned(),
        categories,
        author_handle: handle,
        author_name: record.author_name.trim().chars().take(100).collect(),
        author_url,
        likes: record.likes.max(0),
        views: record.views.max(0),
        posted_at,
        images,
    })
}

/// Keeps letters, digits and `_-.` (handles, model and source names).
fn clean_token(text: &str, max: usize) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
        .take(max)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(json: &str) -> ImportRecord {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_meigen_record_maps_to_an_x_item() {
        let r = record(
            r#"{"rank":1,"id":"2017928823497453789","prompt":" A cat --ar 16:9 ","author":"@Techie","author_name":"Techie SA",
            "likes":3567,"views":159772,"image":"https://img.example/0.jpg","images":["https://img.example/0.jpg","https://img.example/1.jpg"],
            "model":"GPTImage","categories":["UI & Graphic"],"rating":3,"score":67.7,"date":"2026-02-01",
            "source_url":"https://x.com/Techie/status/2017928823497453789"}"#,
        );
        let item = to_item(&r, 0).unwrap();
        assert_eq!(item.source, "x");
        assert_eq!(item.source_post_id, "2017928823497453789");
        assert_eq!(item.prompt, "A cat --ar 16:9");
        assert_eq!(item.author_handle, "Techie");
        assert_eq!(item.author_url.as_deref(), Some("https://x.com/Techie"));
        assert_eq!(item.model, "gptimage");
        assert_eq!(item.aspect, "16:9");
        assert_eq!(item.images.len(), 2);
        assert_eq!(item.posted_at, 1_769_904_000_000);
    }

    #[test]
    fn dates_in_every_accepted_form_and_null_fields() {
        // 2026-02-01T00:00:00Z in every form the importer accepts.
        let expected = 1_769_904_000_000;
        for date in [
            r#""2026-02-01""#,
            r#""2026-02-01T00:00:00Z""#,
            r#""2026-02-01T09:00:00+09:00""#,
            r#""2026-02-01 00:00:00""#,
            "1769904000",
            r#""1769904000""#,
            "1769904000000",
        ] {
            let r = record(&format!(r#"{{"id":"d","prompt":"x","date":{date}}}"#));
            assert_eq!(to_item(&r, 0).unwrap().posted_at, expected, "{date}");
        }
        let r = record(
            r#"{"id":"n","prompt":"x","date":null,"author":null,"author_name":null,"likes":null,
            "views":null,"images":null,"image":null,"model":null,"categories":null,"source_url":null}"#,
        );
        let item = to_item(&r, 5).unwrap();
        assert_eq!(
            (item.posted_at, item.likes, item.author_handle.as_str()),
            (5, 0, "")
        );
        assert!(
            serde_json::from_str::<ImportRecord>(r#"{"id":"x","prompt":"x","date":[1]}"#).is_err()
        );
    }

    #[test]
    fn bad_records_say_what_is_wrong() {
        assert!(
            to_item(&record(r#"{"id":"1","prompt":"  "}"#), 0)
                .unwrap_err()
                .contains("prompt")
        );
        assert!(
            to_item(&record(r#"{"id":"","prompt":"x"}"#), 0)
                .unwrap_err()
                .contains("id")
        );
        assert!(
            to_item(&record(r#"{"id":1,"prompt":"x","date":"someday"}"#), 0)
                .unwrap_err()
                .contains("date")
        );
        assert!(
            to_item(&record(r#"{"id":1,"prompt":"x","aspect":"7:3"}"#), 0)
                .unwrap_err()
                .contains("aspect")
        );
        assert!(
            to_item(
                &record(r#"{"id":1,"prompt":"x","images":["file:///etc/passwd"]}"#),
                0
            )
            .unwrap_err()
            .contains("URL")
        );
        let item = to_item(&record(r#"{"id":7,"prompt":"x"}"#), 5).unwrap();
        assert_eq!(
            (item.source.as_str(), item.posted_at, item.images.len()),
            ("import", 5, 1)
        );
    }

    #[test]
    fn json_lines_and_arrays_are_read_with_numbers() {
        let lines =
            "{\"id\":1,\"prompt\":\"a\"}\n\nnot json\n{\"id\":2}\n{\"id\":3,\"prompt\":\"c\"}\n";
        let got: Vec<(usize, bool)> = read_records(lines.as_bytes())
            .unwrap()
            .map(|(n, r)| (n, r.is_ok()))
            .collect();
        assert_eq!(got, vec![(1, true), (3, false), (4, false), (5, true)]);
        let array = "  [{\"id\":1,\"prompt\":\"a\"}, {\"prompt\":\"b\"}]";
        let got: Vec<(usize, bool)> = read_records(array.as_bytes())
            .unwrap()
            .map(|(n, r)| (n, r.is_ok()))
            .collect();
        assert_eq!(got, vec![(1, true), (2, false)]);
        assert!(read_records("[{".as_bytes()).is_err());
        assert_eq!(read_records("  \n".as_bytes()).unwrap().count(), 0);
    }
}
