//! Pages and forms as a browser without JavaScript asks for them: `GET` with the browser's
//! cookies, form posts (`application/x-www-form-urlencoded`) with `Sec-Fetch-Site: same-origin`
//! as browsers send them from our own pages, and the Post/Redirect/Get answer.

use crate::{SignedInUser, TestApp, TestResponse};
use axum::body::Body;
use axum::http::{Request, StatusCode};

/// Who is at the browser, as the `Cookie` header it sends: a signed-in user (`&u`: the session
/// cookie), a header of the test's own (`"lang=zh-CN"`, `&u.cookie_with_language("zh-CN")`), or
/// nobody (`None`: no `Cookie` header at all).
pub trait Visitor {
    /// The `Cookie` header's value, if one is sent.
    fn cookie(&self) -> Option<&str>;
}

impl Visitor for SignedInUser {
    fn cookie(&self) -> Option<&str> {
        Some(&self.cookie)
    }
}

impl Visitor for str {
    fn cookie(&self) -> Option<&str> {
        Some(self)
    }
}

impl Visitor for String {
    fn cookie(&self) -> Option<&str> {
        Some(self)
    }
}

impl Visitor for Option<&str> {
    fn cookie(&self) -> Option<&str> {
        *self
    }
}

impl<T: Visitor + ?Sized> Visitor for &T {
    fn cookie(&self) -> Option<&str> {
        (**self).cookie()
    }
}

impl TestApp {
    /// `GET path` as a browser with `visitor`'s cookies: `t.page("/settings", &u)`.
    pub async fn page(&self, path: &str, visitor: impl Visitor) -> TestResponse {
        let mut request = Request::get(path);
        if let Some(cookie) = visitor.cookie() {
            request = request.header("cookie", cookie);
        }
        self.request(request.body(Body::empty()).unwrap()).await
    }

    /// A form post as a browser sends it from one of our pages (`Sec-Fetch-Site: same-origin`),
    /// with `visitor`'s cookies: `t.post_form("/boards", &[("name", "Skies")], &u)`.
    pub async fn post_form(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        visitor: impl Visitor,
    ) -> TestResponse {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let mut request = Request::post(path)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin");
        if let Some(cookie) = visitor.cookie() {
            request = request.header("cookie", cookie);
        }
        self.request(request.body(Body::from(body)).unwrap()).await
    }

    /// A form post from another site (`Sec-Fetch-Site: cross-site`) with `visitor`'s cookies:
    /// what a forged form sends. `body` is the form as encoded (`"prompt=x"`).
    pub async fn post_form_cross_site(
        &self,
        path: &str,
        body: &str,
        visitor: impl Visitor,
    ) -> TestResponse {
        let mut request = Request::post(path)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "cross-site");
        if let Some(cookie) = visitor.cookie() {
            request = request.header("cookie", cookie);
        }
        self.request(request.body(Body::from(body.to_owned())).unwrap())
            .await
    }

    /// An empty `POST` with an `Origin` header and `visitor`'s cookies, and no `Sec-Fetch-Site`:
    /// what an older browser sends for a form posted from `origin`.
    pub async fn post_from_origin(
        &self,
        path: &str,
        origin: &str,
        visitor: impl Visitor,
    ) -> TestResponse {
        let mut request = Request::post(path).header("origin", origin);
        if let Some(cookie) = visitor.cookie() {
            request = request.header("cookie", cookie);
        }
        self.request(request.body(Body::empty()).unwrap()).await
    }
}

impl TestResponse {
    /// Asserts a `303 See Other` (the answer to a form that did its work) and returns where it
    /// sends the browser.
    #[track_caller]
    pub fn see_other(&self) -> String {
        assert_eq!(self.status, StatusCode::SEE_OTHER, "{}", self.text());
        self.header("location")
            .expect("a Location with the 303")
            .to_owned()
    }
}
