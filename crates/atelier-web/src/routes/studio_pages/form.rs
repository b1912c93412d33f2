//! The studio form's input (G3, U1): read from a form body or a query (where `ref` repeats),
//! written back to a query, turned into the use case's request with the Idempotency-Key of this
//! submission; and the refusals the form shows in words.

use crate::ApiError;
use crate::i18n::Messages;
use atelier_app::AppError;
use atelier_app::generation::NewGeneration;
use axum::http::StatusCode;
use url::form_urlencoded;

/// What the form holds, as posted or as the query prefills it (`ref` repeats).
#[derive(Debug, Default, Clone)]
pub(super) struct StudioInput {
    pub(super) prompt: String,
    pub(super) model: String,
    pub(super) aspect: String,
    pub(super) count: String,
    pub(super) seed: String,
    pub(super) refs: Vec<String>,
    /// The random key rendered with the form.
    pub(super) key: String,
    /// Just back from an upload.
    pub(super) uploaded: bool,
}

impl StudioInput {
    pub(super) fn from_urlencoded(bytes: &[u8]) -> Self {
        let mut input = Self::default();
        for (name, value) in form_urlencoded::parse(bytes) {
            input.set(&name, value.into_owned());
        }
        input
    }

    pub(super) fn set(&mut self, name: &str, value: String) {
        match name {
            "prompt" => self.prompt = value,
            "model" => self.model = value,
            "aspect" => self.aspect = value,
            "count" => self.count = value,
            "seed" => self.seed = value,
            "ref" if !value.is_empty() && !self.refs.contains(&value) => self.refs.push(value),
            "key" => self.key = value,
            "uploaded" => self.uploaded = !value.is_empty(),
            _ => {}
        }
    }

    /// The query that prefills the studio with this input.
    pub(super) fn query(&self) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (name, value) in [
            ("prompt", &self.prompt),
            ("model", &self.model),
            ("aspect", &self.aspect),
            ("count", &self.count),
            ("seed", &self.seed),
        ] {
            if !value.trim().is_empty() {
                query.append_pair(name, value);
            }
        }
        for id in &self.refs {
            query.append_pair("ref", id);
        }
        query.finish()
    }

    /// The request for the use case, or the message for a count or seed that does not read.
    pub(super) fn request(&self, m: &Messages, max_count: u32) -> Result<NewGeneration, String> {
        let count = match self.count.trim() {
            "" => None,
            n => Some(
                n.parse::<u32>()
                    .map_err(|_| m.errors.count.replace("{max}", &max_count.to_string()))?,
            ),
        };
        let seed = match self.seed.trim() {
            "" => None,
            s => Some(
                s.parse::<u64>()
                    .ok()
                    .filter(|s| i64::try_from(*s).is_ok())
                    .ok_or_else(|| m.errors.seed.to_owned())?,
            ),
        };
        let model = Some(self.model.trim().to_owned()).filter(|s| !s.is_empty());
        let aspect = Some(self.aspect.trim().to_owned()).filter(|s| !s.is_empty());
        Ok(NewGeneration {
            prompt: self.prompt.clone(),
            model,
            aspect,
            count,
            seed,
            reference_upload_ids: Some(self.refs.clone()),
        })
    }

    /// The Idempotency-Key of this submission (U1): the form's random key with a fingerprint of
    /// what it asks for. The same form sent twice (a double click, a reload) is one generation;
    /// a form changed after going back is a new one rather than a refusal.
    pub(super) fn idempotency_key(&self) -> Option<String> {
        let key: String = self
            .key
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(64)
            .collect();
        if key.is_empty() {
            return None;
        }
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for part in [
            &self.prompt,
            &self.model,
            &self.aspect,
            &self.count,
            &self.seed,
            &self.refs.join(","),
        ] {
            for byte in part.bytes().chain([0]) {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        }
        Some(format!("studio-{key}-{hash:016x}"))
    }
}

/// A refusal shown above the form, with its status.
#[derive(Debug)]
pub(super) struct FormRefusal {
    pub(super) message: String,
    pub(super) status: StatusCode,
    pub(super) retry_after_secs: Option<u64>,
}

impl FormRefusal {
    pub(super) fn new(message: String, status: StatusCode) -> Self {
        Self {
            message,
            status,
            retry_after_secs: None,
        }
    }

    /// The words for a refusal the user can act on; anything else goes to the error mapping.
    pub(super) fn from_app(m: &Messages, err: AppError) -> Result<Self, ApiError> {
        let unprocessable =
            |message: &str| Self::new(message.to_owned(), StatusCode::UNPROCESSABLE_ENTITY);
        Ok(match err {
            AppError::Invalid { refusal, message } => {
                unprocessable(&crate::refusals::form_message(m, refusal).unwrap_or(message))
            }
            AppError::InsufficientCredits { needed, balance } => Self::new(
                m.errors
                    .not_enough_credits
                    .replace("{needed}", &needed.to_string())
                    .replace("{balance}", &balance.to_string()),
                StatusCode::PAYMENT_REQUIRED,
            ),
            AppError::RateLimited { retry_after_secs } => Self {
                message: m.errors.too_many_running.to_owned(),
                status: StatusCode::TOO_MANY_REQUESTS,
                retry_after_secs: Some(retry_after_secs),
            },
            other => return Err(other.into()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, PageLang};

    #[test]
    fn the_form_reads_repeated_references_and_keeps_its_query() {
        let input = StudioInput::from_urlencoded(
            b"prompt=a+cat%20%26+dog&model=local&aspect=3%3A4&count=2&seed=&ref=u1&ref=u2&ref=u1&key=k",
        );
        assert_eq!(input.prompt, "a cat & dog");
        assert_eq!(input.refs, ["u1", "u2"]);
        assert_eq!(
            input.query(),
            "prompt=a+cat+%26+dog&model=local&aspect=3%3A4&count=2&ref=u1&ref=u2"
        );
    }

    #[test]
    fn u1_the_same_form_is_the_same_key_and_a_changed_form_another() {
        let a = StudioInput::from_urlencoded(b"prompt=x&count=1&key=abc");
        let b = StudioInput::from_urlencoded(b"prompt=x&count=1&key=abc");
        let c = StudioInput::from_urlencoded(b"prompt=x&count=2&key=abc");
        assert_eq!(a.idempotency_key(), b.idempotency_key());
        assert_ne!(a.idempotency_key(), c.idempotency_key());
        assert!(a.idempotency_key().unwrap().starts_with("studio-abc-"));
        assert_eq!(StudioInput::default().idempotency_key(), None);
    }

    #[test]
    fn counts_and_seeds_that_do_not_read_are_refused_in_words() {
        let m = Lang::En.messages();
        let bad_seed = StudioInput::from_urlencoded(b"prompt=x&seed=-1");
        assert_eq!(bad_seed.request(m, 4).unwrap_err(), m.errors.seed);
        let bad_count = StudioInput::from_urlencoded(b"prompt=x&count=many");
        assert_eq!(
            bad_count.request(m, 4).unwrap_err(),
            "Ask for 1 to 4 images."
        );
        let fine = StudioInput::from_urlencoded(b"prompt=x&count=3&seed=42")
            .request(m, 4)
            .unwrap();
        assert_eq!((fine.count, fine.seed), (Some(3), Some(42)));
    }
}
