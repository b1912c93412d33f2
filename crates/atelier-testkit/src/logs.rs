//! Captures the service log in memory, formatted exactly as the binary writes it (JSON lines).

use atelier_core::settings::{LogFormat, LogSettings};
use std::io::Write;
use std::sync::{Arc, Mutex};

/// A shared buffer that the global subscriber writes into.
#[derive(Debug, Clone, Default)]
pub struct LogCapture {
    buffer: Arc<Mutex<Vec<u8>>>,
}

impl LogCapture {
    /// Installs the production subscriber (JSON lines, `debug` for Atelier's own crates so that
    /// more is scanned than production writes) writing into a fresh buffer. Call once per test
    /// process (nextest runs each test in its own).
    pub fn install() -> Self {
        let capture = Self::default();
        let settings = LogSettings {
            format: LogFormat::Json,
            filter: "debug".to_owned(),
            ..LogSettings::default()
        };
        let writer = capture.clone();
        atelier_web::telemetry::init(&settings, move || writer.clone(), false)
            .expect("a global subscriber was already installed");
        capture
    }

    /// Everything logged so far.
    pub fn contents(&self) -> String {
        String::from_utf8_lossy(&self.buffer.lock().unwrap()).into_owned()
    }
}

impl Write for LogCapture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.buffer.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
