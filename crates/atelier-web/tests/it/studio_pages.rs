//! The studio and the generation records as pages (G1, G3, G6, G9, U1, U4, R7, C8): sign-in
//! first, the models with the demo label, the provider notice and the price before the click,
//! Post/Redirect/Get with a form key that charges once, the record refreshing itself until its
//! images come, owner-only pages, deletion behind a confirmation, the list with its pages,
//! uploads without JavaScript, Chinese pages, CSRF and refusals that keep the input.

use atelier_media::image::fixtures;
use atelier_testkit::{MultipartForm, SignedInUser, TestApp, TestResponse, fakes, sample_posts};
use axum::http::{Method, StatusCode};
use url::form_urlencoded;

/// Starts a generation through the studio form; returns the record's path.
async fn start(t: &TestApp, u: &SignedInUser, fields: &[(&str, &str)]) -> String {
    t.post_form("/studio", fields, u).await.see_other()
}

/// The studio form with a file, as a browser without JavaScript posts it to `/studio/upload`.
async fn post_upload(
    t: &TestApp,
    u: &SignedInUser,
    fields: &[(&str, &str)],
    file: &[u8],
) -> TestResponse {
    let form = fields
        .iter()
        .fold(MultipartForm::new(), |form, (name, value)| {
            form.text(name, value)
        })
        .file("file", "ref.png", "image/png", file);
    t.post_multipart("/studio/upload", form, &u.browser()).await
}

/// The value of the studio form's hidden key.
fn form_key(html: &str) -> String {
    let at = html.find("name=\"key\" value=\"").expect("the form's key") + 18;
    html[at..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn g3_the_studio_and_the_records_need_a_session() {
    let t = TestApp::init().demo().build().await;
    for (path, to) in [
        ("/studio", "/login?next=/studio"),
        ("/generations", "/login?next=/generations"),
        (
            "/studio?prompt=a%20cat",
            "/login?next=%2Fstudio%3Fprompt%3Da%2520cat",
        ),
    ] {
        let r = t.get(path).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(r.header("location"), Some(to), "{path}");
    }
    let r = t.post_form("/studio", &[("prompt", "x")], None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), Some("/login?next=/studio"));
}

#[tokio::test]
async fn u4_the_studio_shows_models_the_demo_label_the_notice_and_the_price() {
    let (t, u) = TestApp::init().demo().with_user("studio@example.com").await;
    let r = t.page("/studio", &u).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let html = r.text();
    assert!(html.contains("<title>Studio · Atelier</title>"));
    assert!(html.contains("Atelier Local (demo)"));
    assert!(html.contains("class=\"badge demo\">Demo</span>"));
    assert!(html.contains("1 credit per image"));
    assert!(
        html.contains(
            "Your prompt and reference images are processed on this server; nothing leaves it."
        ),
        "U4 for the local provider"
    );
    assert!(
        html.contains("1 credit · you have 100"),
        "the price before the click"
    );
    assert!(html.contains("maxlength=\"4000\""));
    // The model's aspects, its first chosen; 1 to max_count images; the key of this form.
    assert!(html.contains("name=\"aspect\" value=\"3:4\""));
    assert!(html.contains("name=\"aspect\" value=\"1:1\" checked"));
    assert!(html.contains("data-model-aspects=\"1:1 4:5 3:4"));
    assert!(html.contains("name=\"count\" value=\"4\""));
    assert!(!html.contains("name=\"count\" value=\"5\""));
    assert_eq!(form_key(&html).len(), 22);
    // The header: the user's places and the balance.
    assert!(html.contains("href=\"/studio\""));
    assert!(html.contains("href=\"/generations\""));
    assert!(html.contains("<span data-credits>100</span> credits"));

    // Prefilled by "use again" / "use this prompt".
    let r = t
        .page(
            "/studio?prompt=a%20lighthouse%20%26%20gulls&model=local&aspect=3%3A4&count=2",
            &u,
        )
        .await;
    let html = r.text();
    assert!(html.contains(">a lighthouse &#38; gulls</textarea>"));
    assert!(html.contains("name=\"aspect\" value=\"3:4\" checked"));
    assert!(html.contains("name=\"count\" value=\"2\" checked"));
    assert!(html.contains("2 credits · you have 100"));
}

#[tokio::test]
async fn u4_a_third_party_provider_is_named_before_the_click() {
    let (t, u) = TestApp::init()
        .with_settings_toml(
            "[credits]\nsignup_grant = 10\n[providers.openai]\napi_key = \"sk-test\"\n\
             [[models]]\nid = \"gpt-image-1\"\nname = \"GPT Image\"\nprovider = \"openai\"\n\
             credits_per_image = 4\naspects = [\"1:1\", \"2:3\"]\n",
        )
        .with_user("notice@example.com")
        .await;
    let html = t.page("/studio", &u).await.text();
    assert!(html.contains(
        "Your prompt and reference images are sent to OpenAI to make the images. \
         Don&#39;t include anything confidential."
    ));
    assert!(!html.contains("class=\"badge demo\""));
    assert!(html.contains("4 credits per image"));
    assert!(html.contains("4 credits · you have 10"));
    assert!(html.contains("data-model-aspects=\"1:1 2:3\""));
    assert!(!html.contains("value=\"3:4\""), "only the model's aspects");
}

#[tokio::test]
async fn g3_u1_the_form_starts_a_generation_and_a_replayed_form_charges_once() {
    let (t, u) = TestApp::init().demo().with_user("form@example.com").await;
    let key = form_key(&t.page("/studio", &u).await.text());
    let fields = [
        ("key", key.as_str()),
        ("prompt", "a lighthouse at dusk, oil painting"),
        ("model", "local"),
        ("aspect", "3:4"),
        ("count", "2"),
        ("seed", "7"),
    ];
    let location = start(&t, &u, &fields).await;
    assert!(location.starts_with("/generations/"), "{location}");
    assert_eq!(t.balance(&u).await, 98, "held");

    // A double click or a reload sends the same form again: the same record, no new charge.
    assert_eq!(start(&t, &u, &fields).await, location);
    assert_eq!(t.balance(&u).await, 98);
    let list = t
        .call(Method::GET, "/api/v1/generations", None, &u.bearer())
        .await
        .json();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let g = &list["items"][0];
    assert_eq!(g["prompt"], "a lighthouse at dusk, oil painting");
    assert_eq!(
        (
            g["aspect"].as_str(),
            g["count"].as_i64(),
            g["seed"].as_i64()
        ),
        (Some("3:4"), Some(2), Some(7))
    );

    // The same form changed after going back is a new generation.
    let mut changed = fields;
    changed[4] = ("count", "1");
    let other = start(&t, &u, &changed).await;
    assert_ne!(other, location);
    assert_eq!(t.balance(&u).await, 97);
}

#[tokio::test]
async fn g3_the_record_refreshes_itself_while_queued_then_shows_its_images() {
    let (t, u) = TestApp::init().demo().with_user("record@example.com").await;
    let path = start(
        &t,
        &u,
        &[
            ("key", "k1"),
            ("prompt", "a red fox in the snow"),
            ("aspect", "3:4"),
            ("count", "2"),
        ],
    )
    .await;
    let id = path.rsplit('/').next().unwrap().to_owned();
    let r = t.page(&path, &u).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let html = r.text();
    assert!(html.contains("<noscript><meta http-equiv=\"refresh\" content=\"3\"></noscript>"));
    assert!(html.contains("This page updates itself."));
    assert!(html.contains(&format!("data-poll=\"/api/v1/generations/{id}\"")));
    assert!(html.contains("class=\"status queued\">Queued</span>"));
    assert_eq!(html.matches("class=\"placeholder ar-3-4\"").count(), 2);

    t.run_jobs().await;
    let html = t.page(&path, &u).await.text();
    assert!(
        !html.contains("http-equiv=\"refresh\""),
        "no refresh once it ended"
    );
    assert!(!html.contains("data-poll"));
    assert!(html.contains("class=\"status succeeded\">Done</span>"));
    assert_eq!(html.matches("<img src=\"/img/gen/").count(), 2);
    let image = html.split("<img src=\"/img/gen/").nth(1).unwrap();
    let (image_id, rest) = image.split_once('/').unwrap();
    assert!(rest.starts_with("w640\""));
    let dims = rest.split("width=\"").nth(1).unwrap();
    let w: i64 = dims.split('"').next().unwrap().parse().unwrap();
    let h: i64 = dims
        .split("height=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(w * 4, h * 3, "width and height of the 3:4 image");
    assert!(html.contains(&format!(
        "href=\"/img/gen/{image_id}/original\" download=\"atelier-"
    )));
    assert!(
        html.contains(">a red fox in the snow</p>"),
        "the prompt (C8)"
    );
    assert!(html.contains("data-copy-target=\"prompt-text\""));
    assert!(html.contains(
        "href=\"/studio?prompt=a+red+fox+in+the+snow&#38;model=local&#38;aspect=3%3A4\""
    ));
    assert!(html.contains("<dt>Credits charged</dt><dd>2</dd>"));
    assert!(html.contains("<dt>Seed</dt><dd>Random</dd>"));
    assert!(html.contains(&format!("href=\"/generations/{id}/delete\"")));
    // The thumbnail it links is the owner's.
    let thumb = t.page(&format!("/img/gen/{image_id}/w640"), &u).await;
    assert_eq!(thumb.header("content-type"), Some("image/webp"));

    // Another user sees the plain 404 page, for the record and for its deletion.
    let other = t.sign_in("other@example.com").await;
    for p in [path.clone(), format!("{path}/delete")] {
        let r = t.page(&p, &other).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{p}");
        assert!(r.text().contains("There is nothing at this address."));
        assert!(!r.text().contains("red fox"));
    }
    let r = t.post_form(&format!("{path}/delete"), &[], &other).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        t.page(&path, &u).await.status,
        StatusCode::OK,
        "still there"
    );
}

#[tokio::test]
async fn r7_deletion_says_it_is_permanent_offers_the_downloads_and_deletes() {
    let (t, u) = TestApp::init().demo().with_user("delete@example.com").await;
    let path = start(&t, &u, &[("key", "k"), ("prompt", "a quiet harbour")]).await;
    t.run_jobs().await;
    let r = t.page(&format!("{path}/delete"), &u).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let html = r.text();
    assert!(html.contains("Deletion is permanent and cannot be undone."));
    assert!(
        html.contains("The prompt, the images and the reference images used only here are removed")
    );
    assert!(html.contains("Download them first"));
    assert_eq!(html.matches("/original\" download=\"atelier-").count(), 1);
    assert!(html.contains(&format!("action=\"{path}/delete\" method=\"post\"")));
    assert!(html.contains(&format!("href=\"{path}\">Cancel</a>")));

    let r = t.post_form(&format!("{path}/delete"), &[], &u).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), Some("/generations?deleted=1"));
    assert_eq!(t.page(&path, &u).await.status, StatusCode::NOT_FOUND);
    let id = path.rsplit('/').next().unwrap();
    let api = t
        .call(
            Method::GET,
            &format!("/api/v1/generations/{id}"),
            None,
            &u.bearer(),
        )
        .await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    let list = t.page("/generations?deleted=1", &u).await.text();
    assert!(list.contains("The generation was deleted for good."));
    assert!(!list.contains("a quiet harbour"));
    // A second click reads the same.
    let again = t.post_form(&format!("{path}/delete"), &[], &u).await;
    assert_eq!(again.header("location"), Some("/generations?deleted=1"));
}

#[tokio::test]
async fn g6_my_generations_lists_newest_first_and_pages_with_the_cursor() {
    let (t, u) = TestApp::init()
        .demo()
        .with_settings_toml("[generation]\nmax_running_per_user = 50\n")
        .with_user("list@example.com")
        .await;
    let empty = t.page("/generations", &u).await;
    assert_eq!(empty.header("cache-control"), Some("no-store"));
    let html = empty.text();
    assert!(html.contains("<title>My generations · Atelier</title>"));
    assert!(html.contains("You haven&#39;t made any images yet."));
    assert!(html.contains("href=\"/studio\">Open the studio</a>"));

    for i in 0..26 {
        t.clock.advance_ms(1000);
        start(
            &t,
            &u,
            &[
                ("key", &format!("k{i}")),
                ("prompt", &format!("prompt number {i}")),
            ],
        )
        .await;
        if i == 0 {
            t.run_jobs().await;
        }
    }
    let r = t.page("/generations", &u).await;
    let html = r.text();
    assert_eq!(html.matches("class=\"record-card\"").count(), 24);
    let first = html.find("prompt number 25").unwrap();
    let second = html.find("prompt number 24").unwrap();
    assert!(first < second, "newest first");
    assert!(!html.contains("prompt number 1<"));
    assert!(html.contains("class=\"status queued\">Queued</span>"));
    let next = html
        .split("class=\"next-page\" href=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .replace("&#38;", "&");
    assert!(next.starts_with("/generations?cursor="), "{next}");
    assert!(!html.contains("Back to the newest"));

    let html = t.page(&next, &u).await.text();
    assert_eq!(html.matches("class=\"record-card\"").count(), 2);
    assert!(html.contains("prompt number 1<") && html.contains("prompt number 0<"));
    assert!(html.contains("class=\"status succeeded\">Done</span>"));
    assert!(
        html.contains("<img src=\"/img/gen/"),
        "the first image as the card's picture"
    );
    assert!(html.contains("1 image"));
    assert!(!html.contains("Older generations"));
    assert!(html.contains("Back to the newest"));

    // A cursor that does not read starts from the newest instead of failing.
    let r = t.page("/generations?cursor=nonsense", &u).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.text().matches("class=\"record-card\"").count(), 24);
}

#[tokio::test]
async fn g9_the_pages_speak_chinese() {
    let (t, u) = TestApp::init().demo().with_user("zh@example.com").await;
    let cookie = u.cookie_with_language("zh-CN");
    let html = t.page("/studio", &cookie).await.text();
    assert!(html.contains("<html lang=\"zh-CN\">"));
    assert!(html.contains("<title>创作室 · Atelier</title>"));
    assert!(html.contains("你的提示词和参考图片在本服务器上处理，不会离开本服务器。"));
    assert!(html.contains("1 积分 · 你有 100 积分"));
    assert!(html.contains("class=\"badge demo\">演示</span>"));
    assert!(html.contains(">我的生成</a>"));

    let path = start(&t, &u, &[("key", "k"), ("prompt", "一只橘猫")]).await;
    let html = t.page(&path, &cookie).await.text();
    assert!(html.contains("排队中") && html.contains("此页面会自动更新。"));
    assert!(html.contains("lang=\"zh\">一只橘猫</p>"));
    let html = t.page(&format!("{path}/delete"), &cookie).await.text();
    assert!(html.contains("删除是永久性的，无法撤销。"));
    let html = t.page("/generations", &cookie).await.text();
    assert!(html.contains("<title>我的生成 · Atelier</title>"));
    let r = t.post_form("/studio", &[("prompt", "")], &cookie).await;
    assert!(r.text().contains("请输入 1 到 4000 个字符的提示词。"));
}

#[tokio::test]
async fn a_cross_site_form_post_is_refused() {
    let (t, u) = TestApp::init().demo().with_user("csrf@example.com").await;
    for path in ["/studio", "/studio/upload"] {
        let r = t.post_form_cross_site(path, "prompt=pwned&key=x", &u).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
    }
    let path = start(&t, &u, &[("key", "k"), ("prompt", "mine")]).await;
    let r = t
        .post_from_origin(&format!("{path}/delete"), "https://evil.example", &u)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(t.balance(&u).await, 99, "only the one generation");
}

#[tokio::test]
async fn refusals_show_the_form_again_with_the_input_kept() {
    let (t, u) = TestApp::init()
        .demo()
        .with_settings_toml("[credits]\nsignup_grant = 3\n")
        .with_user("refused@example.com")
        .await;
    let prompt = "a <b>bold</b> cat, 4k";
    let r = t
        .post_form(
            "/studio",
            &[
                ("key", "k"),
                ("prompt", prompt),
                ("aspect", "7:3"),
                ("count", "2"),
            ],
            &u,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let html = r.text();
    assert!(html.contains("role=\"alert\">This model does not offer that aspect ratio."));
    assert!(
        html.contains(">a &#60;b&#62;bold&#60;/b&#62; cat, 4k</textarea>"),
        "the prompt kept"
    );
    assert!(html.contains("name=\"count\" value=\"2\" checked"));
    assert!(html.contains("name=\"key\" value=\"k\""), "the same form");

    let r = t
        .post_form("/studio", &[("key", "k"), ("prompt", "  ")], &u)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .contains("Write a prompt of 1 to 4,000 characters.")
    );

    let r = t
        .post_form(
            "/studio",
            &[("key", "k"), ("prompt", "x"), ("seed", "-3")],
            &u,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("A seed is a whole number"));
    assert!(r.text().contains("value=\"-3\""));

    let r = t
        .post_form(
            "/studio",
            &[("key", "k"), ("prompt", prompt), ("count", "4")],
            &u,
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYMENT_REQUIRED);
    let html = r.text();
    assert!(html.contains("Not enough credits: this needs 4 and you have 3."));
    assert!(html.contains("class=\"price short\""));
    assert!(html.contains(">a &#60;b&#62;bold&#60;/b&#62; cat, 4k</textarea>"));

    let r = t
        .post_form(
            "/studio",
            &[("key", "k"), ("prompt", "x"), ("ref", "not-mine")],
            &u,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .contains("A reference image is no longer among your uploads.")
    );
    assert_eq!(t.balance(&u).await, 3, "nothing charged");
}

#[tokio::test]
async fn c5_a_reference_uploads_without_javascript_and_comes_back_ticked() {
    let (t, u) = TestApp::init().demo().with_user("upload@example.com").await;
    // Noise does not compress: a PNG bigger than the JSON body limit, as photos are.
    let mut seed = 7_u32;
    let noise = image::RgbImage::from_fn(400, 300, |_, _| {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let [a, b, c, _] = seed.to_le_bytes();
        image::Rgb([a, b, c])
    });
    let png = fixtures::png(&image::DynamicImage::ImageRgb8(noise));
    assert!(png.len() > 256 * 1024, "{}", png.len());
    let r = post_upload(
        &t,
        &u,
        &[
            ("key", "k"),
            ("prompt", "in this style & more"),
            ("model", "local"),
            ("aspect", "3:4"),
        ],
        &png,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let location = r.header("location").unwrap().to_owned();
    let uploads = t
        .call(Method::GET, "/api/v1/uploads", None, &u.bearer())
        .await
        .json();
    let id = uploads["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        location,
        format!(
            "/studio?prompt=in+this+style+%26+more&model=local&aspect=3%3A4&ref={id}&uploaded=1"
        )
    );
    let html = t.page(&location, &u).await.text();
    assert!(html.contains("Your image was uploaded."));
    assert!(html.contains(">in this style &#38; more</textarea>"));
    assert!(html.contains(&format!("name=\"ref\" value=\"{id}\" checked")));
    assert!(html.contains(&format!(
        "<img src=\"/img/up/{id}/w320\" width=\"400\" height=\"300\""
    )));

    // Generating with it ticked records it as a reference.
    let path = start(
        &t,
        &u,
        &[("key", "k2"), ("prompt", "in this style"), ("ref", &id)],
    )
    .await;
    let html = t.page(&path, &u).await.text();
    assert!(html.contains(&format!("<img src=\"/img/up/{id}/w320\"")));

    // No file, or not an image: the form again with the words for it.
    let r = post_upload(&t, &u, &[("prompt", "kept")], b"").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("Choose an image file first."));
    assert!(r.text().contains(">kept</textarea>"));
    let r = post_upload(&t, &u, &[("prompt", "kept")], b"not an image at all").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("Upload a PNG, JPEG, WebP or GIF image."));
}

#[tokio::test]
async fn g1_the_gallery_detail_offers_its_prompt_to_the_studio() {
    let t = TestApp::new().await;
    t.import(&sample_posts(1)).await;
    let item = t.get("/api/v1/gallery?limit=1").await.json()["items"][0].clone();
    let html = t
        .get(&format!("/g/{}", item["id"].as_str().unwrap()))
        .await
        .text();
    let expected: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("prompt", item["prompt"].as_str().unwrap())
        .finish();
    assert!(html.contains("Use this prompt</a>"));
    let href = html
        .split("class=\"use-prompt\"><a class=\"button wide\" href=\"")
        .nth(1)
        .unwrap();
    let href = href.split('"').next().unwrap().replace("&#38;", "&");
    assert!(
        href.starts_with(&format!("/studio?{expected}&aspect=")),
        "{href}"
    );
}

#[tokio::test]
async fn g3_a_failed_generation_says_why_and_charges_nothing() {
    // A server speaking OpenAI's images API that refuses every prompt.
    let refusing = fakes::refusing_openai().await;
    let (t, u) = TestApp::init()
        .with_settings_toml("[credits]\nsignup_grant = 10\n")
        .with_settings_toml(&fakes::openai_model_toml(&refusing))
        .with_user("failed@example.com")
        .await;
    let path = start(&t, &u, &[("key", "k"), ("prompt", "something")]).await;
    t.run_jobs().await;
    let html = t.page(&path, &u).await.text();
    assert!(html.contains("class=\"status failed\">Failed</span>"));
    assert!(html.contains("<h1 class=\"failed-title\">This generation failed</h1>"));
    let reason = html
        .split("class=\"failed-reason\">")
        .nth(1)
        .unwrap()
        .split("</p>")
        .next()
        .unwrap();
    assert!(!reason.is_empty(), "a readable reason");
    assert!(html.contains("No credits were charged for it."));
    assert!(!html.contains("http-equiv=\"refresh\""));
    assert_eq!(t.balance(&u).await, 10);
    let list = t.page("/generations", &u).await.text();
    assert!(list.contains("class=\"record-placeholder failed\""));
}
