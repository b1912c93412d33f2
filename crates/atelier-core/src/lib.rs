//! Domain types of Atelier that every other crate shares: identifiers, the clock, the languages,
//! secrets that hide themselves from `Debug`, and the instance's settings with the policy's periods
//! as defaults.
//!
//! This crate performs no I/O and knows nothing of HTTP or SQL, so that the rules it holds can be
//! tested on their own and reused by every adapter.

pub mod aspect;
pub mod clock;
pub mod email;
pub mod id;
pub mod lang;
pub mod net;
pub mod role;
pub mod secret;
pub mod settings;
pub mod time;

pub use aspect::Aspect;
pub use clock::{Clock, ManualClock, SystemClock, UnixMillis};
pub use email::{Email, EmailError};
pub use id::{random_digits, random_token};
pub use lang::Lang;
pub use role::Role;
pub use secret::Secret;
pub use settings::{Settings, SettingsError};
