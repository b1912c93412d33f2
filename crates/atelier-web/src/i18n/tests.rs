//! The choice of a page's language (G9).

use super::*;
use axum::http::HeaderValue;

fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.append(*k, HeaderValue::from_static(v));
    }
    h
}

#[test]
fn g9_language_from_cookie_then_accept_language() {
    assert_eq!(Lang::from_headers(&headers(&[])), Lang::En);
    assert_eq!(
        Lang::from_headers(&headers(&[("accept-language", "zh-CN,zh;q=0.9,en;q=0.8")])),
        Lang::ZhCn
    );
    assert_eq!(
        Lang::from_headers(&headers(&[(
            "accept-language",
            "fr-FR, en;q=0.5, zh;q=0.7"
        )])),
        Lang::ZhCn
    );
    assert_eq!(
        Lang::from_headers(&headers(&[("accept-language", "de")])),
        Lang::En
    );
    assert_eq!(
        Lang::from_headers(&headers(&[
            ("accept-language", "zh-CN"),
            ("cookie", "a=b; lang=en")
        ])),
        Lang::En
    );
    assert_eq!(
        Lang::from_headers(&headers(&[("cookie", "lang=zh-CN")])),
        Lang::ZhCn
    );
}
