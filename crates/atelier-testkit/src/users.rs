//! Signed-in users and what they make: signing in through the API or the sign-in pages with the
//! code read from the outbox, their credit balance, uploads, finished generations and favorites.

use crate::{Auth, MultipartForm, TestApp, TestResponse};
use atelier_media::image::fixtures;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

/// A signed-in test user.
#[derive(Debug, Clone)]
pub struct SignedInUser {
    /// User id.
    pub id: String,
    /// Address.
    pub email: String,
    /// `Cookie` header value carrying the session.
    pub cookie: String,
    /// The personal access token returned by verify.
    pub token: String,
}

impl SignedInUser {
    /// The user that a successful `POST /api/v1/auth/verify` answer for `email` signed in.
    ///
    /// # Panics
    /// When the answer has no user, token or session cookie.
    #[must_use]
    pub fn from_verified(email: &str, verified: &TestResponse) -> Self {
        // Over HTTPS the session cookie carries the `__Host-` prefix.
        let (name, session) = ["atelier_session", "__Host-atelier_session"]
            .into_iter()
            .find_map(|name| verified.set_cookie(name).map(|value| (name, value)))
            .expect("a session cookie");
        let json = verified.json();
        Self {
            id: json["user"]["id"].as_str().unwrap().to_owned(),
            email: email.to_owned(),
            cookie: format!("{name}={session}"),
            token: json["token"].as_str().unwrap().to_owned(),
        }
    }

    /// As a browser with the session cookie.
    #[must_use]
    pub fn browser(&self) -> Auth {
        Auth::Cookie(self.cookie.clone())
    }

    /// As an API client with the bearer token.
    #[must_use]
    pub fn bearer(&self) -> Auth {
        Auth::Bearer(self.token.clone())
    }

    /// The session cookie together with the language switch's cookie (`"zh-CN"`), as the
    /// browser sends both once the language was chosen.
    #[must_use]
    pub fn cookie_with_language(&self, lang: &str) -> String {
        format!("{}; lang={lang}", self.cookie)
    }
}

impl TestApp {
    /// `POST /api/v1/auth/email`: asks for a sign-in code for `email`.
    pub async fn ask_code(&self, email: &str) -> TestResponse {
        self.send_json(
            Method::POST,
            "/api/v1/auth/email",
            &json!({ "email": email }),
        )
        .await
    }

    /// `POST /api/v1/auth/verify`: signs `email` in with `code`.
    pub async fn verify_code(&self, email: &str, code: &str) -> TestResponse {
        self.send_json(
            Method::POST,
            "/api/v1/auth/verify",
            &json!({ "email": email, "code": code }),
        )
        .await
    }

    /// Signs `email` in through the HTTP API, reading the code from the outbox.
    pub async fn sign_in(&self, email: &str) -> SignedInUser {
        let sent = self.ask_code(email).await;
        assert_eq!(sent.status, StatusCode::ACCEPTED, "{}", sent.text());
        let code = self.last_mail_to(email).await.code();
        let verified = self.verify_code(email, &code).await;
        assert_eq!(verified.status, StatusCode::OK, "{}", verified.text());
        SignedInUser::from_verified(email, &verified)
    }

    /// Signs `email` in through the sign-in pages (the address form, then the code form with the
    /// code read from the outbox); returns the `Cookie` header value with the session.
    pub async fn sign_in_with_form(&self, email: &str) -> String {
        let sent = self
            .post_form("/login", &[("email", email), ("next", "")], None)
            .await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.text());
        let code = self.last_mail_to(email).await.code();
        let done = self
            .post_form(
                "/login/code",
                &[("email", email), ("code", &code), ("next", "")],
                None,
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text());
        format!(
            "atelier_session={}",
            done.set_cookie("atelier_session").unwrap()
        )
    }

    /// `u`'s credit balance, as `GET /api/v1/me/credits` gives it.
    pub async fn balance(&self, u: &SignedInUser) -> i64 {
        self.api(Method::GET, "/api/v1/me/credits", None, u)
            .await
            .json()["balance"]
            .as_i64()
            .expect("a balance")
    }

    /// `POST /api/v1/uploads` with one file (multipart field `file`) as `auth`: the whole answer.
    pub async fn post_upload(
        &self,
        filename: &str,
        content_type: &str,
        bytes: &[u8],
        auth: &Auth,
    ) -> TestResponse {
        let form = MultipartForm::new().file("file", filename, content_type, bytes);
        self.post_multipart("/api/v1/uploads", form, auth).await
    }

    /// Uploads a JPEG as `u` through `POST /api/v1/uploads` (multipart field `file`), asserts
    /// 201 and returns the upload's id.
    pub async fn upload_jpeg(&self, u: &SignedInUser, jpeg: &[u8]) -> String {
        let r = self
            .post_upload("r.jpg", "image/jpeg", jpeg, &u.bearer())
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        r.json()["id"].as_str().expect("an upload id").to_owned()
    }

    /// Uploads a `width`×`height` JPEG of a colour gradient as `u` ([`Self::upload_jpeg`]).
    pub async fn upload_image(&self, u: &SignedInUser, width: u32, height: u32) -> String {
        self.upload_jpeg(u, &fixtures::jpeg(&fixtures::gradient(width, height)))
            .await
    }

    /// The generation `id` as `GET /api/v1/generations/{id}` shows it to `u`.
    pub async fn generation(&self, u: &SignedInUser, id: &str) -> Value {
        self.api(Method::GET, &format!("/api/v1/generations/{id}"), None, u)
            .await
            .json()
    }

    /// Makes a generation as `u` (`POST /api/v1/generations` with `body`, asserting 202), runs
    /// the jobs and returns the record, asserting that it succeeded.
    pub async fn generate(&self, u: &SignedInUser, body: Value) -> Value {
        let r = self
            .api(Method::POST, "/api/v1/generations", Some(body), u)
            .await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
        self.run_jobs().await;
        let g = self.generation(u, &r.id()).await;
        assert_eq!(g["status"], "succeeded", "{g}");
        g
    }

    /// Hearts the gallery item `item` as `u` (`PUT /api/v1/favorites/{item}`), asserting success.
    pub async fn favorite(&self, u: &SignedInUser, item: &str) {
        let r = self
            .api(Method::PUT, &format!("/api/v1/favorites/{item}"), None, u)
            .await;
        assert!(r.status.is_success(), "{}", r.text());
    }
}
