//! C10: service logs carry request ids, route templates, statuses and timings — never an email, an
//! IP address, a prompt, a token, a cookie or a query string. Proven on real log output of a real
//! server, with requests that carry all of those everywhere a request can carry them.

use atelier_testkit::{LogCapture, TestApp};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio_util::sync::CancellationToken;

const EMAIL: &str = "ada.lovelace@example.com";
const PROMPT: &str = "a lighthouse keeper's secret diary";
const TOKEN: &str = "atl_pat_7f3a9c1e55d24b8c";
const COOKIE: &str = "sess_9b1d2e7c4f";
const FORWARDED_IP: &str = "203.0.113.195";

async fn raw_request(addr: std::net::SocketAddr, request: String) -> String {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    stream.read_to_end(&mut out).await.unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn c10_request_logs_hold_no_personal_data() {
    let logs = LogCapture::install();
    let t = TestApp::new().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let shutdown = CancellationToken::new();
    let server = tokio::spawn(atelier_web::serve(
        listener,
        t.router.clone(),
        shutdown.clone(),
    ));

    let encoded_prompt = PROMPT.replace(' ', "%20").replace('\'', "%27");
    let targets = [
        format!("/api/v1/instance?email={EMAIL}&q={encoded_prompt}"),
        format!("/api/v1/gallery/{EMAIL}"),
        format!("/u/{EMAIL}/{encoded_prompt}"),
        format!("/healthz?token={TOKEN}"),
    ];
    for target in &targets {
        for method in ["GET", "POST"] {
            let body = format!("{{\"email\":\"{EMAIL}\",\"prompt\":\"{PROMPT}\"}}");
            let request = format!(
                "{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
                 Authorization: Bearer {TOKEN}\r\nCookie: atelier_session={COOKIE}\r\n\
                 X-Forwarded-For: {FORWARDED_IP}\r\nX-Request-Id: {EMAIL}\r\n\
                 User-Agent: Mozilla/5.0 ({EMAIL})\r\nReferer: https://x.example/?q={encoded_prompt}\r\n\
                 Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
            let answer = raw_request(addr, request).await;
            assert!(answer.starts_with("HTTP/1.1 "), "{answer}");
        }
    }
    shutdown.cancel();
    server.await.unwrap().unwrap();

    let out = logs.contents();
    let lines: Vec<&str> = out
        .lines()
        .filter(|l| l.contains("\"message\":\"request\""))
        .collect();
    assert_eq!(
        lines.len(),
        targets.len() * 2,
        "one request line per request:\n{out}"
    );
    for line in &lines {
        let json: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(
            json["route"].is_string() && json["status"].is_u64() && json["latency_ms"].is_number()
        );
        assert!(
            json["request_id"].is_string() || json["span"]["request_id"].is_string(),
            "{line}"
        );
    }
    assert!(
        out.contains("\"route\":\"/api/v1/instance\""),
        "route templates are logged"
    );
    for secret in [
        EMAIL,
        "ada.lovelace",
        "lighthouse",
        TOKEN,
        COOKIE,
        FORWARDED_IP,
        "127.0.0.1",
        "email=",
        "?q=",
    ] {
        assert!(
            !out.contains(secret),
            "log output contains `{secret}`:\n{out}"
        );
    }
}

/// C10 for accounts: a whole sign-in (mail job included), a security alert, token use, a profile
/// change and an email change leave no address, code, token, cookie or IP address in the log.
#[tokio::test]
async fn c10_sign_in_and_account_logs_hold_no_personal_data() {
    use atelier_testkit::Auth;
    use axum::http::Method;
    use serde_json::json;
    let logs = LogCapture::install();
    let t = TestApp::new().await;
    let u = t.sign_in(EMAIL).await;
    let code = t.mails().last().unwrap().code();
    t.call(
        Method::PATCH,
        "/api/v1/me",
        Some(&json!({ "display_name": "Ada Lovelace" })),
        &u.browser(),
    )
    .await;
    t.call(
        Method::POST,
        "/api/v1/me/email",
        Some(&json!({ "new_email": "ada.new@example.org" })),
        &u.bearer(),
    )
    .await;
    let change = t.last_mail_to("ada.new@example.org").await.code();
    t.call(
        Method::POST,
        "/api/v1/me/email/verify",
        Some(&json!({ "code": change })),
        &u.bearer(),
    )
    .await;
    t.call(
        Method::GET,
        "/api/v1/me",
        None,
        &Auth::Bearer("atl_not_a_real_token".into()),
    )
    .await;
    t.run_jobs().await;
    let out = logs.contents();
    assert!(
        out.contains("mail sent"),
        "the mail job logs its work by id:\n{out}"
    );
    let session = u.cookie.trim_start_matches("atelier_session=");
    for secret in [
        EMAIL,
        "ada.lovelace",
        "ada.new",
        "Ada Lovelace",
        code.as_str(),
        change.as_str(),
        u.token.as_str(),
        session,
        "atl_not_a_real_token",
        "203.0.113.10",
        "203.0.113.0",
    ] {
        assert!(
            !out.contains(secret),
            "log output contains `{secret}`:\n{out}"
        );
    }
}

/// C10 for generation: prompts, upload names and image ids in URLs stay out of the log.
#[tokio::test]
async fn c10_generation_logs_hold_no_prompts() {
    use axum::http::Method;
    use serde_json::json;
    let logs = LogCapture::install();
    let t = TestApp::init().demo().build().await;
    let u = t.sign_in(EMAIL).await;
    let r = t
        .call(
            Method::POST,
            "/api/v1/generations",
            Some(&json!({ "prompt": PROMPT, "count": 1 })),
            &u.bearer(),
        )
        .await;
    let id = r.json()["id"].as_str().unwrap().to_owned();
    t.run_jobs().await;
    let g = t.generation(&u, &id).await;
    assert_eq!(g["status"], "succeeded");
    let url = g["images"][0]["url"].as_str().unwrap().to_owned();
    t.call(Method::GET, &url, None, &u.bearer()).await;
    t.call(
        Method::DELETE,
        &format!("/api/v1/generations/{id}"),
        None,
        &u.bearer(),
    )
    .await;
    let out = logs.contents();
    assert!(out.contains("generation finished"), "{out}");
    for secret in [PROMPT, "lighthouse", EMAIL, u.token.as_str()] {
        assert!(
            !out.contains(secret),
            "log output contains `{secret}`:\n{out}"
        );
    }
}

/// C10, the whole journey: sign in, upload, generate, enhance, describe, edit, favorite, export
/// and delete the account — the log holds none of the user's address, IP, prompts, instruction,
/// file names, tokens or cookies, from requests, jobs and mail alike.
#[tokio::test]
async fn c10_a_whole_user_journey_leaves_no_personal_data_in_the_log() {
    use atelier_media::image::fixtures;
    use axum::body::Body;
    use axum::http::{Method, Request, StatusCode};
    use serde_json::json;
    const ENHANCE: &str = "a moonlit orchard of silver pears";
    const INSTRUCTION: &str = "turn it sepia please";
    const FILE_NAME: &str = "grandmother-portrait.jpg";
    let logs = LogCapture::install();
    let t = TestApp::init().demo().with_sample_posts(2).build().await;
    let u = t.sign_in(EMAIL).await;

    const B: &str = "b0undary";
    let mut body = format!(
        "--{B}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{FILE_NAME}\"\r\nContent-Type: image/jpeg\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&fixtures::jpeg(&fixtures::gradient(40, 30)));
    body.extend_from_slice(format!("\r\n--{B}--\r\n").as_bytes());
    let r = t
        .request(
            Request::builder()
                .method(Method::POST)
                .uri("/api/v1/uploads")
                .header("authorization", format!("Bearer {}", u.token))
                .header("content-type", format!("multipart/form-data; boundary={B}"))
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let upload = r.json()["id"].as_str().unwrap().to_owned();
    let call = |method: Method, path: String, body: Option<serde_json::Value>| {
        let t = &t;
        let auth = u.bearer();
        async move { t.call(method, &path, body.as_ref(), &auth).await }
    };
    let r = call(
        Method::POST,
        "/api/v1/generations".into(),
        Some(json!({ "prompt": PROMPT, "reference_upload_ids": [upload] })),
    )
    .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    let r = call(
        Method::POST,
        "/api/v1/assistant/enhance".into(),
        Some(json!({ "prompt": ENHANCE })),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let enhanced = r.json()["prompt"].as_str().unwrap().to_owned();
    let r = call(
        Method::POST,
        "/api/v1/assistant/describe".into(),
        Some(json!({ "upload_id": upload })),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let described = r.json()["prompt"].as_str().unwrap().to_owned();
    let r = call(
        Method::POST,
        "/api/v1/assistant/edit".into(),
        Some(json!({ "upload_id": upload, "instruction": INSTRUCTION })),
    )
    .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    t.run_jobs().await;
    let item = t.get("/api/v1/gallery?limit=1").await.json()["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = call(Method::PUT, format!("/api/v1/favorites/{item}"), None).await;
    assert!(r.status.is_success());
    let r = call(Method::GET, "/api/v1/me/export".into(), None).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = call(Method::POST, "/api/v1/me/deletion".into(), None).await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    t.clock.advance_ms(8 * atelier_core::clock::DAY_MS);
    t.app.run_all_retention().await.unwrap();
    t.run_jobs().await;
    assert!(
        t.mails()
            .iter()
            .any(|m| m.subject.contains("has been deleted"))
    );

    let out = logs.contents();
    assert!(
        out.contains("account deleted"),
        "the deletion is logged, by no name:\n{out}"
    );
    let session = u.cookie.trim_start_matches("atelier_session=");
    for secret in [
        EMAIL,
        "ada.lovelace",
        PROMPT,
        "lighthouse",
        ENHANCE,
        "silver pears",
        enhanced.as_str(),
        described.as_str(),
        INSTRUCTION,
        FILE_NAME,
        "grandmother",
        u.token.as_str(),
        session,
        u.id.as_str(),
        "203.0.113.10",
        "203.0.113.0",
    ] {
        assert!(
            !out.contains(secret),
            "log output contains `{secret}`:\n{out}"
        );
    }
}
