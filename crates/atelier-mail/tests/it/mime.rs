//! Just enough of a MIME reader to check what the transports wrote: headers (unfolded,
//! encoded-words decoded) and the decoded bodies of a multipart message's parts.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// A parsed message or part.
#[derive(Debug)]
pub struct Part {
    /// Header fields in order, names as written.
    pub headers: Vec<(String, String)>,
    /// The body, transfer-decoded.
    pub body: Vec<u8>,
    /// The parts of a multipart body.
    pub parts: Vec<Part>,
}

impl Part {
    /// The first header called `name` (any case), encoded-words decoded.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| decode_words(v))
    }

    /// How many headers are called `name`.
    pub fn count(&self, name: &str) -> usize {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .count()
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }
}

/// Parses raw RFC 5322 bytes (CRLF line endings required).
pub fn parse(raw: &[u8]) -> Part {
    let raw = std::str::from_utf8(raw).expect("a 7-bit/UTF-8 message");
    let (head, body) = raw
        .split_once("\r\n\r\n")
        .expect("a blank line after the headers");
    assert!(
        !head.replace("\r\n", "").contains('\n'),
        "bare LF in the headers"
    );
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.split("\r\n") {
        if line.starts_with([' ', '\t']) {
            let last = headers.last_mut().expect("a folded line after a header");
            last.1.push_str(line);
        } else {
            let (name, value) = line.split_once(':').expect("a header line");
            headers.push((name.to_owned(), value.trim().to_owned()));
        }
    }
    let mut part = Part {
        headers,
        body: Vec::new(),
        parts: Vec::new(),
    };
    let content_type = part.header("Content-Type").unwrap_or_default();
    if content_type.starts_with("multipart/") {
        let boundary = content_type
            .split(';')
            .find_map(|p| p.trim().strip_prefix("boundary="))
            .expect("a boundary")
            .trim_matches('"')
            .to_owned();
        let delimiter = format!("--{boundary}");
        for chunk in body.split(&delimiter).skip(1) {
            if chunk.starts_with("--") {
                break;
            }
            let chunk = chunk.strip_prefix("\r\n").unwrap_or(chunk);
            let chunk = chunk.strip_suffix("\r\n").unwrap_or(chunk);
            part.parts.push(parse(chunk.as_bytes()));
        }
    } else {
        let encoding = part
            .header("Content-Transfer-Encoding")
            .unwrap_or_default()
            .to_ascii_lowercase();
        part.body = match encoding.as_str() {
            "base64" => STANDARD
                .decode(body.replace("\r\n", "").trim())
                .expect("valid base64"),
            "quoted-printable" => decode_qp(body),
            _ => body.as_bytes().to_vec(),
        };
    }
    part
}

fn decode_qp(body: &str) -> Vec<u8> {
    let body = body.replace("=\r\n", "");
    let bytes = body.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).expect("a QP escape"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// Decodes RFC 2047 encoded-words (`=?utf-8?b?...?=` and `=?utf-8?q?...?=`).
pub fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    let mut last_was_word = false;
    while let Some(start) = rest.find("=?") {
        let before = &rest[..start];
        // Whitespace between two encoded-words is dropped.
        if !(last_was_word && before.trim().is_empty()) {
            out.push_str(before);
        }
        let after = &rest[start + 2..];
        let mut fields = after.splitn(3, '?');
        let (Some(_charset), Some(enc), Some(tail)) = (fields.next(), fields.next(), fields.next())
        else {
            out.push_str(&rest[start..]);
            return out;
        };
        let Some(end) = tail.find("?=") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let text = &tail[..end];
        let bytes = if enc.eq_ignore_ascii_case("b") {
            STANDARD.decode(text).expect("base64 encoded-word")
        } else {
            decode_qp(&text.replace('_', " "))
        };
        out.push_str(&String::from_utf8(bytes).unwrap());
        rest = &tail[end + 2..];
        last_was_word = true;
    }
    out.push_str(rest);
    out
}
