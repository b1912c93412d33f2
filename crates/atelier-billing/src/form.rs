//! Stripe's request bodies: `application/x-www-form-urlencoded` with nested values written as
//! bracketed keys (`line_items[0][price_data][currency]=usd`, `metadata[purchase_id]=…`).
//!
//! A [`FormValue`] is a tree of text, maps (keys in insertion order) and lists (indexed from 0);
//! [`encode`] flattens it into `key=value` pairs and percent-encodes both sides as the
//! WHATWG `application/x-www-form-urlencoded` serializer does (spaces as `+`, brackets as `%5B`
//! and `%5D`, UTF-8 for everything else), which Stripe decodes like any form.

/// A value of a Stripe form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormValue {
    /// A leaf.
    Text(String),
    /// Named children, written `parent[name]`, in this order.
    Map(Vec<(String, FormValue)>),
    /// Indexed children, written `parent[0]`, `parent[1]` ….
    List(Vec<FormValue>),
}

impl FormValue {
    /// An empty map, to fill with [`FormValue::with`].
    #[must_use]
    pub const fn map() -> Self {
        Self::Map(Vec::new())
    }

    /// This map with `value` under `key` (a leaf, list or map). On a non-map, nothing changes.
    #[must_use]
    pub fn with(mut self, key: &str, value: impl Into<Self>) -> Self {
        if let Self::Map(entries) = &mut self {
            entries.push((key.to_owned(), value.into()));
        }
        self
    }

    /// This map with `value` under `key` when there is one.
    #[must_use]
    pub fn with_optional(self, key: &str, value: Option<impl Into<Self>>) -> Self {
        match value {
            Some(value) => self.with(key, value),
            None => self,
        }
    }

    /// The flat `(key, value)` pairs, unencoded, in order.
    #[must_use]
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        match self {
            Self::Map(entries) => {
                for (key, value) in entries {
                    flatten(key.clone(), value, &mut out);
                }
            }
            Self::List(items) => {
                for (i, value) in items.iter().enumerate() {
                    flatten(i.to_string(), value, &mut out);
                }
            }
            Self::Text(_) => {}
        }
        out
    }
}

fn flatten(prefix: String, value: &FormValue, out: &mut Vec<(String, String)>) {
    match value {
        FormValue::Text(text) => out.push((prefix, text.clone())),
        FormValue::Map(entries) => {
            for (key, child) in entries {
                flatten(format!("{prefix}[{key}]"), child, out);
            }
        }
        FormValue::List(items) => {
            for (i, child) in items.iter().enumerate() {
                flatten(format!("{prefix}[{i}]"), child, out);
            }
        }
    }
}

impl From<&str> for FormValue {
    fn from(value: &str) -> Self {
        Self::Text(value.to_owned())
    }
}

impl From<String> for FormValue {
    fn from(value: String) -> Self {
        Self::Text(value)
    }
}

impl From<&String> for FormValue {
    fn from(value: &String) -> Self {
        Self::Text(value.clone())
    }
}

impl From<u64> for FormValue {
    fn from(value: u64) -> Self {
        Self::Text(value.to_string())
    }
}

impl From<u32> for FormValue {
    fn from(value: u32) -> Self {
        Self::Text(value.to_string())
    }
}

impl From<Vec<Self>> for FormValue {
    fn from(value: Vec<Self>) -> Self {
        Self::List(value)
    }
}

/// The body of a request: `form`'s pairs, percent-encoded and joined by `&`.
#[must_use]
pub fn encode(form: &FormValue) -> String {
    let mut serializer = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in form.pairs() {
        serializer.append_pair(&key, &value);
    }
    serializer.finish()
}

/// The pairs of an encoded body, decoded (for the fake server and tests).
#[must_use]
pub fn decode(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_maps_and_lists_become_bracketed_keys_in_order() {
        let form = FormValue::map()
            .with("mode", "payment")
            .with(
                "line_items",
                vec![
                    FormValue::map()
                        .with(
                            "price_data",
                            FormValue::map()
                                .with("currency", "usd")
                                .with("unit_amount", 499u64)
                                .with("product_data", FormValue::map().with("name", "Starter")),
                        )
                        .with("quantity", 1u32),
                ],
            )
            .with("metadata", FormValue::map().with("purchase_id", "pur_1"))
            .with_optional("customer_email", None::<&str>);
        assert_eq!(
            form.pairs(),
            [
                ("mode", "payment"),
                ("line_items[0][price_data][currency]", "usd"),
                ("line_items[0][price_data][unit_amount]", "499"),
                ("line_items[0][price_data][product_data][name]", "Starter"),
                ("line_items[0][quantity]", "1"),
                ("metadata[purchase_id]", "pur_1"),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
        );
        assert_eq!(
            encode(&form),
            "mode=payment\
             &line_items%5B0%5D%5Bprice_data%5D%5Bcurrency%5D=usd\
             &line_items%5B0%5D%5Bprice_data%5D%5Bunit_amount%5D=499\
             &line_items%5B0%5D%5Bprice_data%5D%5Bproduct_data%5D%5Bname%5D=Starter\
             &line_items%5B0%5D%5Bquantity%5D=1\
             &metadata%5Bpurchase_id%5D=pur_1"
        );
    }

    #[test]
    fn values_are_percent_encoded_and_decode_back() {
        let form = FormValue::map()
            .with(
                "success_url",
                "https://art.example.com/credits?done=1&session={CHECKOUT_SESSION_ID}",
            )
            .with("name", "100 crédits + 10 % 🎨")
            .with_optional("customer_email", Some("a+b@example.com"))
            .with("list", vec![FormValue::from("x"), FormValue::from("y z")]);
        let body = encode(&form);
        assert!(!body.contains(' '), "{body}");
        assert!(
            body.contains(
                "success_url=https%3A%2F%2Fart.example.com%2Fcredits%3Fdone%3D1%26session%3D%7BCHECKOUT_SESSION_ID%7D"
            ),
            "{body}"
        );
        assert!(
            body.contains("name=100+cr%C3%A9dits+%2B+10+%25+%F0%9F%8E%A8"),
            "{body}"
        );
        assert!(
            body.contains("customer_email=a%2Bb%40example.com"),
            "{body}"
        );
        assert!(body.contains("list%5B1%5D=y+z"), "{body}");
        assert_eq!(decode(body.as_bytes()), form.pairs());
    }

    #[test]
    fn a_top_level_list_is_indexed_and_with_ignores_non_maps() {
        let list = FormValue::List(vec!["a".into(), FormValue::map().with("b", "c")]);
        assert_eq!(
            list.pairs(),
            [("0", "a"), ("1[b]", "c")].map(|(k, v)| (k.to_owned(), v.to_owned()))
        );
        assert_eq!(
            FormValue::from("leaf").with("k", "v"),
            FormValue::from("leaf")
        );
        assert!(FormValue::from("leaf").pairs().is_empty());
        assert_eq!(encode(&FormValue::map()), "");
    }
}
