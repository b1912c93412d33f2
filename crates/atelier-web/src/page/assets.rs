//! The stylesheet, the script and the icon every page links, compiled into the binary, and the
//! content hash their URLs carry (`?v=`).

use std::sync::LazyLock;

/// The stylesheet.
pub const APP_CSS: &str = include_str!("../../assets/app.css");
/// The progressive-enhancement script.
pub const APP_JS: &str = include_str!("../../assets/app.js");
/// The icon.
pub const FAVICON: &str = include_str!("../../assets/favicon.svg");

/// Cache-busting version of the assets: a hash of their content.
pub static ASSET_VERSION: LazyLock<String> = LazyLock::new(|| {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in APP_CSS.bytes().chain(APP_JS.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:08x}", hash >> 32)
});
