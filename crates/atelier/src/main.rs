//! `atelier`: the one binary. Parses the command line, loads the settings, and hands over to a
//! command; all real work lives in the library crates.

mod admin;
mod config;
mod doctor;
mod import;
mod serve;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// A self-hostable AI image gallery and studio.
#[derive(Debug, Parser)]
#[command(name = "atelier", version, about)]
struct Cli {
    /// Settings file (default: ./atelier.toml when present).
    #[arg(long, global = true, env = "ATELIER_CONFIG", value_name = "PATH")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Apply migrations, then run the web server and the background workers.
    Serve {
        /// Demo mode: seed a demo gallery, enable the offline `local` provider and file mail.
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Add gallery items from a JSON array or JSON lines, in a file or at an http(s) URL (see
    /// docs/import.md).
    Import {
        /// The file to read, or the `http(s)://` URL to download it from.
        #[arg(value_name = "FILE_OR_URL")]
        source: String,
        /// Draw images that cannot be downloaded right away with the offline generator.
        #[arg(long)]
        render_missing: bool,
    },
    /// Run every retention job once and print what it removed.
    Purge,
    /// Check the instance's privacy promises and print a report; exit 1 when one fails.
    Doctor,
    /// Print the OpenAPI 3.1 document of the API (JSON) to standard output, for generating
    /// clients offline: no settings, database or network needed.
    Openapi,
    /// Operator commands.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Give a user the role `admin` or `support`.
    Grant {
        /// The user's email address.
        email: String,
        /// `admin` or `support`.
        role: String,
    },
    /// Enter an account deletion request that came by mail (D3): deleted after the grace period.
    Delete {
        /// The user's email address.
        email: String,
    },
    /// List pending account deletion requests with their 30-day deadline.
    Deletions,
    /// Tell every account by mail that the privacy policy changed (service mail).
    PolicyNotice,
    /// Send news by mail to users who opted in, each with a one-click unsubscribe.
    Announce {
        /// The subject line.
        #[arg(long)]
        title: String,
        /// A plain-text file; blank lines part paragraphs.
        #[arg(long)]
        body_file: std::path::PathBuf,
    },
    /// Take a gallery item down at its creator's request (C7): its images go, the CDN is purged,
    /// and a tombstone keeps any import from bringing it back.
    Takedown {
        /// The item's gallery id, or its source post's URL.
        target: String,
        /// Take down every item of the item's author, and keep their later posts out too.
        #[arg(long)]
        author: bool,
        /// Why (kept in the audit log).
        #[arg(long)]
        reason: String,
    },
    /// Add credits to a user's balance (or remove them with a negative N).
    Credits {
        /// The user's email address.
        email: String,
        /// Credits to add; negative to remove.
        #[arg(allow_negative_numbers = true)]
        amount: i64,
        /// Why (kept in the ledger the user reads).
        #[arg(long)]
        reason: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if matches!(cli.command, Command::Openapi) {
        return print_openapi();
    }
    let mut settings = match config::load(cli.config.as_deref()) {
        Ok(settings) => settings,
        Err(e) => {
            report(&format!("{e:#}"));
            return ExitCode::from(2);
        }
    };
    if let Err(e) = atelier_web::telemetry::init_configured(&settings.log) {
        report(&format!("cannot start logging: {e}"));
        return ExitCode::FAILURE;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            report(&format!("cannot start the runtime: {e}"));
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Serve { demo } => {
                settings.demo = demo;
                if demo {
                    // CONTRACT.md: --demo sends mail to the file transport, so sign-in works offline.
                    settings.mail.transport = atelier_core::settings::MailTransport::File;
                }
                serve::run(settings).await
            }
            Command::Migrate => serve::migrate(settings).await,
            Command::Import {
                source,
                render_missing,
            } => import::run(settings, &source, render_missing).await,
            Command::Purge => admin::purge(settings).await,
            Command::Doctor => match doctor::run(settings).await {
                Ok(true) => Ok(()),
                Ok(false) => Err(anyhow::Error::new(doctor::Failed)),
                Err(e) => Err(e),
            },
            // Answered before the settings were loaded.
            Command::Openapi => Ok(()),
            Command::Admin {
                command: AdminCommand::Delete { email },
            } => admin::delete(settings, &email).await,
            Command::Admin {
                command: AdminCommand::Deletions,
            } => admin::deletions(settings).await,
            Command::Admin {
                command: AdminCommand::PolicyNotice,
            } => admin::policy_notice(settings).await,
            Command::Admin {
                command: AdminCommand::Announce { title, body_file },
            } => admin::announce(settings, &title, &body_file).await,
            Command::Admin {
                command: AdminCommand::Grant { email, role },
            } => admin::grant(settings, &email, &role).await,
            Command::Admin {
                command:
                    AdminCommand::Credits {
                        email,
                        amount,
                        reason,
                    },
            } => admin::credits(settings, &email, amount, &reason).await,
            Command::Admin {
                command:
                    AdminCommand::Takedown {
                        target,
                        author,
                        reason,
                    },
            } => admin::takedown(settings, &target, author, &reason).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The report said which promise failed.
        Err(e) if e.is::<doctor::Failed>() => ExitCode::from(1),
        Err(e) => {
            report(&format!("{e:#}"));
            ExitCode::FAILURE
        }
    }
}

/// `atelier openapi`: the document that `GET /api/openapi.json` serves, built without settings.
fn print_openapi() -> ExitCode {
    use std::io::Write;
    let written = atelier_web::api_doc()
        .to_pretty_json()
        .map_err(|e| e.to_string())
        .and_then(|json| writeln!(std::io::stdout().lock(), "{json}").map_err(|e| e.to_string()));
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            report(&format!("cannot print the OpenAPI document: {e}"));
            ExitCode::FAILURE
        }
    }
}

/// Prints a fatal error for the operator (before or instead of the service log).
#[allow(clippy::print_stderr)]
fn report(message: &str) {
    eprintln!("error: {message}");
}
