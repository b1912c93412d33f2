//! The studio and the user's generation records as pages (G3, G6, C8, U4, R7): the form that
//! starts a generation (with reference uploads, the price and the provider notice before the
//! click), a record's page with its progress and images, its deletion with a confirmation that
//! offers the downloads first, and the list of records. Plain forms with Post/Redirect/Get, so
//! everything works without JavaScript; `app.js` narrows the choices, uploads in place and
//! polls. Every page here shows personal data and is sent with `Cache-Control: no-store`.

mod assist;
mod edit;
mod form;
mod records;
mod studio;
mod upload;

pub use assist::{describe, enhance};
pub use edit::{edit_page, start_edit};
pub use records::{confirm_delete, delete_generation, generation_page, generations_page};
pub use studio::{start_generation, studio};
pub use upload::{to_studio, upload_reference};

use crate::i18n::Messages;
use atelier_core::Aspect;
use atelier_core::settings::{ModelSettings, ProviderKind};
use url::form_urlencoded;

/// `one` when `n` is 1, else `many` with `{n}` replaced.
fn plural(n: i64, one: &str, many: &str) -> String {
    if n == 1 {
        one.replace("{n}", "1")
    } else {
        many.replace("{n}", &n.to_string())
    }
}

/// A record's status in words.
fn status_label(m: &Messages, status: &str) -> &'static str {
    match status {
        "queued" => m.generations.status_queued,
        "running" => m.generations.status_running,
        "failed" => m.generations.status_failed,
        _ => m.generations.status_succeeded,
    }
}

/// Whether a record is still waiting or being made.
fn in_progress(status: &str) -> bool {
    matches!(status, "queued" | "running")
}

/// The CSS class that gives a box an aspect ratio (`ar-3-4`); no inline styles (CSP).
fn aspect_class(aspect: &str) -> String {
    let (w, h) = Aspect::parse(aspect).unwrap_or(Aspect::Square).parts();
    format!("ar-{w}-{h}")
}

/// The studio prefilled with a record's prompt, model and aspect ("use again").
fn studio_href(prompt: &str, model: &str, aspect: &str) -> String {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("prompt", prompt)
        .append_pair("model", model)
        .append_pair("aspect", aspect)
        .finish();
    format!("/studio?{query}")
}

/// A model's name and whether it is the offline demo, found by id (a model no longer offered
/// shows its id).
fn model_label(models: &[ModelSettings], id: &str) -> (String, bool) {
    models.iter().find(|m| m.id == id).map_or_else(
        || (id.to_owned(), id == "local"),
        |m| (m.name.clone(), m.provider == ProviderKind::Local),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, PageLang};

    #[test]
    fn words_for_counts_and_states() {
        let m = Lang::En.messages();
        assert_eq!(
            plural(
                1,
                m.generations.image_count_one,
                m.generations.image_count_many
            ),
            "1 image"
        );
        assert_eq!(
            plural(
                3,
                m.generations.image_count_one,
                m.generations.image_count_many
            ),
            "3 images"
        );
        assert_eq!(status_label(m, "running"), "Generating");
        assert!(in_progress("queued") && !in_progress("failed"));
        assert_eq!(aspect_class("3:4"), "ar-3-4");
        assert_eq!(aspect_class("nonsense"), "ar-1-1");
    }

    #[test]
    fn use_again_keeps_the_whole_prompt() {
        assert_eq!(
            studio_href("a & b = c?", "local", "3:4"),
            "/studio?prompt=a+%26+b+%3D+c%3F&model=local&aspect=3%3A4"
        );
    }
}
