//! The assistant as pages, without JavaScript (G4, U4, C9, D6): "Enhance prompt" brings the
//! studio back with the suggestion beside the prompt and every other choice kept; "Describe" on
//! an upload fills the prompt; AI Edit of one's own upload or generated image through its page,
//! another user's image the plain 404; the history in the settings and its deletion.

use atelier_media::image::fixtures;
use atelier_testkit::TestApp;
use axum::http::{Method, StatusCode};
use url::form_urlencoded;

/// The text between `start` and the next `end` after it.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let at = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} in the page"))
        + start.len();
    let rest = &html[at..];
    &rest[..rest.find(end).unwrap()]
}

/// The studio's prompt as the textarea holds it (HTML-escaped).
fn prompt_of(html: &str) -> &str {
    let tag = between(html, "<textarea id=\"prompt\"", "</textarea>");
    &tag[tag.find('>').unwrap() + 1..]
}

fn unescape(s: &str) -> String {
    s.replace("&#38;", "&")
        .replace("&amp;", "&")
        .replace("&#39;", "'")
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

#[tokio::test]
async fn g4_enhance_shows_the_suggestion_beside_the_prompt_and_keeps_the_choices() {
    let (t, u) = TestApp::init()
        .demo()
        .with_user("enhance@example.com")
        .await;
    let r = t.page("/studio", &u).await;
    let html = r.text();
    assert!(html.contains("formaction=\"/studio/enhance\""));
    assert!(
        html.contains("Answered on this server; nothing leaves it."),
        "U4"
    );
    assert!(!html.contains("Enhancing costs"), "free: no price");
    assert!(html.contains("data-suggestion aria-labelledby=\"suggestion-h\" hidden"));

    let r = t
        .post_form(
            "/studio/enhance",
            &[
                ("key", "k1"),
                ("prompt", "a lighthouse"),
                ("model", "local"),
                ("aspect", "3:4"),
                ("count", "2"),
                ("seed", "42"),
            ],
            &u,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let html = r.text();
    // The whole input kept: the prompt as written, the model, the aspect, the count, the seed, the key.
    assert_eq!(prompt_of(&html), "a lighthouse");
    assert!(html.contains("name=\"aspect\" value=\"3:4\" checked"));
    assert!(html.contains("name=\"count\" value=\"2\" checked"));
    assert!(html.contains("value=\"42\""));
    assert!(html.contains("name=\"key\" value=\"k1\""));
    // Both texts side by side; the suggestion keeps the subject first and adds to it.
    assert!(!html.contains("data-suggestion aria-labelledby=\"suggestion-h\" hidden"));
    assert_eq!(between(&html, "data-original>", "</p>"), "a lighthouse");
    let suggested = unescape(between(&html, "data-suggested>", "</p>"));
    assert!(
        suggested.to_lowercase().starts_with("a lighthouse"),
        "{suggested}"
    );
    assert!(suggested.len() > "a lighthouse".len(), "{suggested}");
    // "Use suggestion" is the studio with the suggestion as the prompt and the choices kept;
    // "Keep mine" the studio as it was.
    let use_href = unescape(between(&html, "href=\"", "\" data-accept"));
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("prompt", &suggested)
        .append_pair("model", "local")
        .append_pair("aspect", "3:4")
        .append_pair("count", "2")
        .append_pair("seed", "42")
        .finish();
    let at = html.find("data-accept").unwrap();
    let keep = unescape(between(&html[at..], "href=\"", "\" data-discard"));
    assert_eq!(
        keep,
        "/studio?prompt=a+lighthouse&model=local&aspect=3%3A4&count=2&seed=42"
    );
    assert!(
        use_href.ends_with(&format!("/studio?{query}")),
        "{use_href}"
    );
    let used = t.page(&format!("/studio?{query}"), &u).await.text();
    assert_eq!(unescape(prompt_of(&used)), suggested);
    assert!(used.contains("name=\"aspect\" value=\"3:4\" checked"));
    // Enhancing is free here.
    assert_eq!(t.balance(&u).await, 100);
}

#[tokio::test]
async fn g4_enhance_refusals_show_in_words_with_the_input_kept() {
    let (t, u) = TestApp::init().demo().with_user("empty@example.com").await;
    let r = t
        .post_form(
            "/studio/enhance",
            &[("prompt", "   "), ("model", "local"), ("aspect", "3:4")],
            &u,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(html.contains("role=\"alert\">Write a prompt of 1 to 4,000 characters.</p>"));
    assert!(html.contains("name=\"aspect\" value=\"3:4\" checked"));
    assert!(html.contains("data-suggestion aria-labelledby=\"suggestion-h\" hidden"));

    // Signed out: the sign-in page first; from another site: refused.
    let r = t
        .post_form("/studio/enhance", &[("prompt", "x")], None)
        .await;
    assert_eq!(r.header("location"), Some("/login?next=/studio"));
    let r = t
        .post_form_cross_site("/studio/enhance", "prompt=x", &u)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn g4_describe_fills_the_prompt_from_an_upload_and_keeps_the_choices() {
    let (t, u) = TestApp::init()
        .demo()
        .with_user("describe@example.com")
        .await;
    let id = t
        .upload_jpeg(&u, &fixtures::jpeg(&fixtures::red_blue(64, 48)))
        .await;
    let html = t.page("/studio", &u).await.text();
    assert!(html.contains(&format!(
        "name=\"upload_id\" value=\"{id}\" formaction=\"/studio/describe\""
    )));
    assert!(html.contains(&format!("href=\"/edit?upload={id}\"")));

    let r = t
        .post_form(
            "/studio/describe",
            &[
                ("key", "k2"),
                ("prompt", "old words"),
                ("model", "local"),
                ("aspect", "3:4"),
                ("ref", &id),
                ("upload_id", &id),
            ],
            &u,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let html = r.text();
    let prompt = prompt_of(&html);
    assert!(!prompt.is_empty() && prompt != "old words", "{prompt}");
    assert!(html.contains("The prompt now describes your image."));
    assert!(html.contains("name=\"aspect\" value=\"3:4\" checked"));
    assert!(html.contains(&format!("name=\"ref\" value=\"{id}\" checked")));

    // Someone else's upload is refused in words, the prompt kept.
    let other = t.sign_in("other@example.com").await;
    let r = t
        .post_form(
            "/studio/describe",
            &[("prompt", "mine"), ("upload_id", &id)],
            &other,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(html.contains("A reference image is no longer among your uploads."));
    assert_eq!(prompt_of(&html), "mine");
}

#[tokio::test]
async fn g4_u4_the_edit_page_is_the_owners_with_examples_price_and_notice() {
    let (t, u) = TestApp::init().demo().with_user("edit@example.com").await;
    let id = t
        .upload_jpeg(&u, &fixtures::jpeg(&fixtures::red_blue(64, 48)))
        .await;
    let r = t.page(&format!("/edit?upload={id}"), &u).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let html = r.text();
    assert!(html.contains("<title>Edit with AI · Atelier</title>"));
    assert!(html.contains(&format!("src=\"/img/up/{id}/w320\"")));
    assert!(html.contains(&format!("name=\"upload_id\" value=\"{id}\"")));
    assert!(html.contains("data-example=\"black and white\""));
    assert!(html.contains("data-example=\"flip horizontal\""));
    assert!(
        html.contains(&format!(
            "href=\"/edit?upload={id}&#38;instruction=crop+to+16%3A9\""
        )) || html.contains(&format!(
            "href=\"/edit?upload={id}&amp;instruction=crop+to+16%3A9\""
        ))
    );
    assert!(html.contains("1 credit · you have 100"), "the price");
    assert!(html.contains("Edited on this server by the offline demo editor; nothing leaves it."));
    assert!(html.contains("name=\"key\" value=\""));
    // An example's link prefills the instruction.
    let html = t
        .page(&format!("/edit?upload={id}&instruction=sepia"), &u)
        .await
        .text();
    assert!(html.contains(">sepia</textarea>"));
    // In Chinese.
    let r = t
        .page(
            &format!("/edit?upload={id}"),
            u.cookie_with_language("zh-CN"),
        )
        .await;
    let html = r.text();
    assert!(html.contains("AI 编辑"));
    assert!(html.contains("data-example=\"黑白\""));

    // Another user's upload, a missing one, or none named: the plain 404.
    let other = t.sign_in("nosy@example.com").await;
    for path in [
        format!("/edit?upload={id}"),
        "/edit?upload=nope".to_owned(),
        "/edit".to_owned(),
    ] {
        let r = t.page(&path, &other).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert!(r.text().contains("<html"), "the site's page");
    }
    // Signed out: the sign-in page first, back here after.
    let r = t.get(&format!("/edit?upload={id}")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.header("location"),
        Some(format!("/login?next=%2Fedit%3Fupload%3D{id}").as_str())
    );
}

#[tokio::test]
async fn g4_an_edit_starts_a_generation_whose_page_shows_the_result() {
    let (t, u) = TestApp::init().demo().with_user("edits@example.com").await;
    let id = t
        .upload_jpeg(&u, &fixtures::jpeg(&fixtures::red_blue(64, 48)))
        .await;
    // An empty instruction is refused in words, the image kept.
    let r = t
        .post_form(
            "/edit",
            &[("key", "e1"), ("upload_id", &id), ("instruction", " ")],
            &u,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(html.contains("Write what to change, in 1 to 1000 characters."));
    assert!(html.contains(&format!("name=\"upload_id\" value=\"{id}\"")));

    let fields = [
        ("key", "e2"),
        ("upload_id", id.as_str()),
        ("instruction", "black and white"),
    ];
    let r = t.post_form("/edit", &fields, &u).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let location = r.header("location").unwrap().to_owned();
    assert!(location.starts_with("/generations/"), "{location}");
    // The same form sent again is the same edit, charged once.
    let again = t.post_form("/edit", &fields, &u).await;
    assert_eq!(again.header("location"), Some(location.as_str()));
    t.run_jobs().await;
    let html = t.page(&location, &u).await.text();
    assert!(html.contains("data-status=\"succeeded\""), "{html}");
    assert!(html.contains("black and white"));
    assert_eq!(t.balance(&u).await, 99);
    // The result can be edited again from its page.
    let image = between(&html, "href=\"/edit?image=", "\"").to_owned();
    let r = t.page(&format!("/edit?image={image}"), &u).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains(&format!("name=\"generation_image_id\" value=\"{image}\"")));
    assert!(html.contains(&format!("src=\"/img/gen/{image}/w640\"")));
    assert!(
        html.contains(&format!("href=\"{location}\"")),
        "back to its record"
    );
    let r = t
        .post_form(
            "/edit",
            &[
                ("key", "e3"),
                ("generation_image_id", &image),
                ("instruction", "rotate 90°"),
            ],
            &u,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    // Another user's image: the plain 404, for the page and the form.
    let other = t.sign_in("thief@example.com").await;
    let r = t.page(&format!("/edit?image={image}"), &other).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = t
        .post_form(
            "/edit",
            &[("upload_id", &id), ("instruction", "invert")],
            &other,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(t.balance(&other).await, 100);
}

#[tokio::test]
async fn c9_d6_the_settings_list_the_history_and_delete_it() {
    let (t, u) = TestApp::init()
        .demo()
        .with_user("history@example.com")
        .await;
    let html = t.page("/settings", &u).await.text();
    assert!(html.contains("Assistant history"));
    assert!(html.contains("No assistant calls yet."));
    assert!(html.contains("They are kept 90 days"));

    let r = t
        .post_form(
            "/studio/enhance",
            &[("prompt", "a quiet harbour"), ("model", "local")],
            &u,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let html = t.page("/settings", &u).await.text();
    assert!(!html.contains("No assistant calls yet."));
    let row = between(&html, "<ul class=\"rows assistant-logs\">", "</ul>");
    assert!(row.contains("Enhance"), "{row}");
    assert!(row.contains("a quiet harbour →"), "{row}");
    assert!(row.contains("this server"), "{row}");
    assert!(row.contains(" ms</span>"), "{row}");

    let r = t
        .post_form("/settings/assistant-logs/delete", &[], &u)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let location = r.header("location").unwrap().to_owned();
    assert_eq!(location, "/settings?saved=assistant_deleted#assistant");
    let html = t.page("/settings?saved=assistant_deleted", &u).await.text();
    assert!(html.contains("Your assistant history was deleted."));
    assert!(html.contains("No assistant calls yet."));
    let logs = t
        .call(Method::GET, "/api/v1/me/assistant-logs", None, &u.bearer())
        .await
        .json();
    assert_eq!(logs["items"].as_array().unwrap().len(), 0);
    // A reload of the form's target goes back to the settings.
    let r = t.page("/settings/assistant-logs/delete", &u).await;
    assert_eq!(r.header("location"), Some("/settings"));
}

#[tokio::test]
async fn g9_the_assistant_speaks_chinese() {
    let (t, u) = TestApp::init().demo().with_user("zh@example.com").await;
    let r = t.page("/studio", u.cookie_with_language("zh-CN")).await;
    let html = r.text();
    assert!(html.contains("优化提示词"));
    assert!(html.contains("在本服务器上处理，不会离开本服务器。"));
}
