//! Configuration, from flags and environment variables (`server --help` lists every setting).

use std::net::SocketAddr;
use std::path::PathBuf;

use app::brand::HexColor;
use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug, Clone)]
#[command(name = "server", version, about = "Social Care 3: the care portal's web server")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub config: Config,
}

#[derive(Subcommand, Debug, Clone)]
pub enum Command {
    /// Serve the portal (what happens when no command is given).
    Serve,
    /// Create the first admin of the care pool. The password is asked at the terminal, or read from the
    /// first line of standard input when that is not a terminal (for scripts).
    CreateAdmin {
        /// The admin's email address (their login).
        #[arg(long)]
        email: String,
        /// The name shown to the rest of the pool.
        #[arg(long)]
        name: String,
    },
    /// A consistent copy of the running SQLite database (the portal keeps serving), checked before it is
    /// kept. On PostgreSQL, use pg_dump (README, "Backups").
    Backup {
        /// The new file (it must not exist).
        #[arg(long)]
        to: PathBuf,
    },
    /// Replaces the SQLite database with a backup, after checking it; refused while any server has the
    /// database open. The database it replaces is kept beside it (`….before-restore-{time}`).
    Restore {
        /// The backup to restore.
        #[arg(long)]
        from: PathBuf,
    },
    /// Checks the settings and that the database answers, then exits: 0 when the portal can start.
    CheckConfig,
    /// Benchmarks only (BENCHMARKS.md): add a realistic population to the database (customers, staff,
    /// requests in every state with their timelines, one 200-message conversation); every account's
    /// password is the first line of standard input. Prints the logins and references the harness needs.
    #[cfg(feature = "bench")]
    BenchSeed {
        /// How many requests to add.
        #[arg(long)]
        requests: i64,
        /// How many posts to add to the wall (every tenth with 5 comments).
        #[arg(long, default_value_t = 0)]
        posts: i64,
        /// How many comments the newest post gets (the long-discussion benchmark).
        #[arg(long, default_value_t = 0)]
        comments: i64,
    },
    /// Benchmarks only: serve the bare axum handler (`GET /` answers "ok") on --bind, the yardstick the
    /// benchmark compares every figure with.
    #[cfg(feature = "bench")]
    Bare,
}

#[derive(Args, Debug, Clone)]
pub struct Config {
    /// Address and port to listen on.
    #[arg(long, env = "SC3_BIND", default_value = "127.0.0.1:3000")]
    pub bind: SocketAddr,

    /// Database: `sqlite://path/to/file.db` (the embedded default, created on first start) or
    /// `postgres://user:password@host/db` (several app servers can share one).
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/social-care-3.db")]
    pub database_url: DatabaseUrl,

    /// Largest number of database connections this process opens.
    #[arg(long, env = "SC3_DB_MAX_CONNECTIONS", default_value_t = 16)]
    pub db_max_connections: u32,

    /// The page's name, shown under the cover and in every title.
    #[arg(long, env = "SC3_BRAND_NAME", default_value = "Social Care 3")]
    pub brand_name: String,

    /// Main brand colour (#rrggbb).
    #[arg(long, env = "SC3_BRAND_PRIMARY", default_value = "#e4003a")]
    pub brand_primary: HexColor,

    /// Second colour of the cover banner (#rrggbb).
    #[arg(long, env = "SC3_BRAND_ACCENT", default_value = "#ff7a00")]
    pub brand_accent: HexColor,

    /// An SVG, PNG, JPEG or WebP file to use as the round avatar instead of the built-in mark.
    #[arg(long, env = "SC3_BRAND_LOGO")]
    pub brand_logo: Option<PathBuf>,

    /// Customer-service phone number (traditional channel).
    #[arg(long, env = "SC3_CALL_CENTRE", default_value = "133", value_parser = parse_phone)]
    pub call_centre: String,

    /// Shop finder page (traditional channel).
    #[arg(long, env = "SC3_SHOPS_URL", default_value = "https://example.com/negozi", value_parser = parse_web_url)]
    pub shops_url: String,

    /// Web self-care page (traditional channel).
    #[arg(long, env = "SC3_SELF_CARE_URL", default_value = "https://example.com/area-clienti", value_parser = parse_web_url)]
    pub self_care_url: String,

    /// The company's legal details for the footer, e.g. `Operatore S.p.A. · P. IVA 01234567890 · Via Roma 1,
    /// Milano`.
    #[arg(long, env = "SC3_COMPANY_DETAILS")]
    pub company_details: Option<String>,

    /// Mark cookies `Secure` (set it whenever the portal is served over HTTPS); also turns on HSTS.
    #[arg(long, env = "SC3_SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,

    /// The portal's public address, used to build the links in emails.
    #[arg(long, env = "SC3_PUBLIC_URL", default_value = "http://127.0.0.1:3000", value_parser = parse_web_url)]
    pub public_url: String,

    /// Sessions end after this many minutes without a request.
    #[arg(long, env = "SC3_SESSION_IDLE_MINUTES", default_value_t = 120)]
    pub session_idle_minutes: i64,

    /// Behind a reverse proxy: the header it puts the client's address in (e.g. `X-Forwarded-For`; the
    /// last address in it is used). Without it the connection's address is the client's. Set it only
    /// when every request comes through that proxy, or clients could pick their own address.
    #[arg(long, env = "SC3_TRUSTED_PROXY_HEADER")]
    pub trusted_proxy_header: Option<String>,

    /// Serve Prometheus metrics at `/metrics` on this separate address (e.g. a private interface), and
    /// only there. Without it (and without a token) there is no `/metrics`.
    #[arg(long, env = "SC3_METRICS_BIND")]
    pub metrics_bind: Option<std::net::SocketAddr>,

    /// Serve `/metrics` on the portal's own address too, to whoever sends `Authorization: Bearer TOKEN`
    /// (on the separate address too, when both are set). Prefer the variable.
    #[arg(long, env = "SC3_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,

    /// Logins per client address (COUNT/SECONDS; IPv6 per /64). Loose: behind a mobile operator's
    /// carrier-grade NAT many customers share one address; the per-account limit is the strict one.
    #[arg(long, env = "SC3_LIMIT_LOGIN_IP", default_value = "30/300")]
    pub limit_login_ip: crate::limits::Rate,

    /// Logins per account (email address), from browsers the account does not know.
    #[arg(long, env = "SC3_LIMIT_LOGIN_EMAIL", default_value = "5/300")]
    pub limit_login_email: crate::limits::Rate,

    /// Registrations per client address (IPv6 per /64).
    #[arg(long, env = "SC3_LIMIT_REGISTER_IP", default_value = "20/1800")]
    pub limit_register_ip: crate::limits::Rate,

    /// Password-reset requests per client address (IPv6 per /64).
    #[arg(long, env = "SC3_LIMIT_RESET_IP", default_value = "20/1800")]
    pub limit_reset_ip: crate::limits::Rate,

    /// Password-reset requests per email address.
    #[arg(long, env = "SC3_LIMIT_RESET_EMAIL", default_value = "5/1800")]
    pub limit_reset_email: crate::limits::Rate,

    /// New assistance requests per account.
    #[arg(long, env = "SC3_LIMIT_NEW_REQUEST", default_value = "10/3600")]
    pub limit_new_request: crate::limits::Rate,

    /// Comments and replies on the wall, per account (edits count too).
    #[arg(long, env = "SC3_LIMIT_COMMENT", default_value = "10/300")]
    pub limit_comment: crate::limits::Rate,

    /// New confirmation links asked for, per account (the outbox also sends at most 3 a day to an address).
    #[arg(long, env = "SC3_LIMIT_RESEND", default_value = "3/3600")]
    pub limit_resend: crate::limits::Rate,

    /// Accounts whose email is never confirmed are deleted after this many days.
    #[arg(long, env = "SC3_RETAIN_UNCONFIRMED_DAYS", default_value_t = 7, value_parser = clap::value_parser!(i64).range(1..))]
    pub retain_unconfirmed_days: i64,

    /// Files a message may carry (#19).
    #[arg(long, env = "SC3_ATTACHMENT_MAX_FILES", default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=20))]
    pub attachment_max_files: u16,

    /// Largest file accepted, in MB (images are re-encoded smaller before they are stored).
    #[arg(long, env = "SC3_ATTACHMENT_MAX_MB", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=50))]
    pub attachment_max_mb: u64,

    /// Attachments stored for one customer, in MB.
    #[arg(long, env = "SC3_ATTACHMENT_CUSTOMER_QUOTA_MB", default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..))]
    pub attachment_customer_quota_mb: u64,

    /// Attachments stored in all, in MB.
    #[arg(long, env = "SC3_ATTACHMENT_TOTAL_QUOTA_MB", default_value_t = 20480, value_parser = clap::value_parser!(u64).range(1..))]
    pub attachment_total_quota_mb: u64,

    /// Closed requests are anonymised this many days after closing (24 months).
    #[arg(long, env = "SC3_RETAIN_CLOSED_REQUESTS_DAYS", default_value_t = 730, value_parser = clap::value_parser!(i64).range(1..))]
    pub retain_closed_requests_days: i64,

    /// Delivered emails' bodies are emptied this many days after sending.
    #[arg(long, env = "SC3_RETAIN_EMAIL_BODIES_DAYS", default_value_t = 30, value_parser = clap::value_parser!(i64).range(1..))]
    pub retain_email_bodies_days: i64,

    /// Audit lines lose their details after this many days (24 months).
    #[arg(long, env = "SC3_RETAIN_AUDIT_DETAILS_DAYS", default_value_t = 730, value_parser = clap::value_parser!(i64).range(1..))]
    pub retain_audit_details_days: i64,

    /// Customers without a login for this many days are warned by email (36 months)…
    #[arg(long, env = "SC3_IDLE_DAYS", default_value_t = 1095, value_parser = clap::value_parser!(i64).range(1..))]
    pub idle_days: i64,

    /// …and erased this many days after the warning unless they log in.
    #[arg(long, env = "SC3_IDLE_GRACE_DAYS", default_value_t = 30, value_parser = clap::value_parser!(i64).range(1..))]
    pub idle_grace_days: i64,

    /// Downloads of one's own data (the privacy export), per account.
    #[arg(long, env = "SC3_LIMIT_EXPORT", default_value = "5/3600")]
    pub limit_export: crate::limits::Rate,

    /// Every request, per client address (the global ceiling).
    #[arg(long, env = "SC3_LIMIT_GLOBAL_IP", default_value = "1200/60")]
    pub limit_global_ip: crate::limits::Rate,

    /// Sender of the portal's emails, e.g. `Social Care 3 <care@example.com>`.
    #[arg(long, env = "SC3_MAIL_FROM", default_value = "Social Care 3 <no-reply@example.com>")]
    pub mail_from: String,

    /// Without --smtp-host, emails are written as .eml files in this folder.
    #[arg(long, env = "SC3_MAIL_DIR", default_value = "data/mail")]
    pub mail_dir: PathBuf,

    /// SMTP server; when set, emails are sent through it.
    #[arg(long, env = "SC3_SMTP_HOST")]
    pub smtp_host: Option<String>,

    /// SMTP port.
    #[arg(long, env = "SC3_SMTP_PORT", default_value_t = 587)]
    pub smtp_port: u16,

    /// SMTP user name.
    #[arg(long, env = "SC3_SMTP_USERNAME")]
    pub smtp_username: Option<String>,

    /// SMTP password (prefer the environment variable to the flag).
    #[arg(long, env = "SC3_SMTP_PASSWORD", hide_env_values = true)]
    pub smtp_password: Option<Secret>,

    /// SMTP encryption: `starttls` (port 587), `tls` (port 465) or `none` (local relays only).
    #[arg(long, env = "SC3_SMTP_TLS", value_enum, default_value_t = SmtpTls::Starttls)]
    pub smtp_tls: SmtpTls,

    /// SQLite only: a folder for periodic backups (`social-care-3-{UTC time}.db`, checked before they are
    /// kept). Off without it.
    #[arg(long, env = "SC3_BACKUP_DIR")]
    pub backup_dir: Option<PathBuf>,

    /// Minutes between two periodic backups.
    #[arg(long, env = "SC3_BACKUP_EVERY", default_value_t = 1440, value_parser = clap::value_parser!(u64).range(1..))]
    pub backup_every: u64,

    /// Periodic backups kept (the oldest beyond this number are removed).
    #[arg(long, env = "SC3_BACKUP_KEEP", default_value_t = 7, value_parser = clap::value_parser!(u64).range(1..))]
    pub backup_keep: u64,

    /// Log format.
    #[arg(long, env = "SC3_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Folder with the built site (pkg/ with CSS, JS and WASM, and the public files). cargo-leptos sets it.
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: String,

    /// Base name of the built JS/WASM/CSS files. cargo-leptos sets it.
    #[arg(long, env = "LEPTOS_OUTPUT_NAME", default_value = "social-care-3")]
    pub output_name: String,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    Starttls,
    Tls,
    None,
}

/// A secret from the configuration: never printed.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for Secret {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_string()))
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// A database URL whose password never reaches a log (`Debug` hides it).
#[derive(Clone)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn backend(&self) -> Result<Backend, String> {
        if self.0.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if self.0.starts_with("postgres://") || self.0.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err("the database URL must start with sqlite:// or postgres://".into())
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl std::str::FromStr for DatabaseUrl {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let url = DatabaseUrl(s.trim().to_string());
        url.backend()?;
        Ok(url)
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // postgres://user:secret@host/db → postgres://user:***@host/db
        let shown = match (self.0.find("://"), self.0.rfind('@')) {
            (Some(scheme_end), Some(at)) if at > scheme_end => {
                let creds = &self.0[scheme_end + 3..at];
                match creds.find(':') {
                    Some(colon) => format!("{}{}:***{}", &self.0[..scheme_end + 3], &creds[..colon], &self.0[at..]),
                    None => self.0.clone(),
                }
            }
            _ => self.0.clone(),
        };
        f.debug_tuple("DatabaseUrl").field(&shown).finish()
    }
}

fn parse_phone(s: &str) -> Result<String, String> {
    let s = s.trim();
    let ok = !s.is_empty()
        && s.len() <= 20
        && s.chars().enumerate().all(|(i, c)| c.is_ascii_digit() || (i == 0 && c == '+'));
    if ok { Ok(s.to_string()) } else { Err("a phone number is digits, optionally after a +".into()) }
}

fn parse_web_url(s: &str) -> Result<String, String> {
    let s = s.trim();
    let ok = (s.starts_with("https://") || s.starts_with("http://"))
        && s.len() <= 500
        && !s.chars().any(|c| c.is_whitespace() || c == '"' || c == '<' || c == '>');
    if ok { Ok(s.to_string()) } else { Err("a link must be an http(s):// address".into()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_password_is_hidden_in_debug_output() {
        let url: DatabaseUrl = "postgres://care:s3cret@db.local:5432/sc3".parse().unwrap();
        let shown = format!("{url:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("care:***@db.local"), "{shown}");
    }

    #[test]
    fn the_backend_is_chosen_by_the_url_scheme() {
        let sqlite: DatabaseUrl = "sqlite://data/x.db".parse().unwrap();
        let pg: DatabaseUrl = "postgresql://localhost/x".parse().unwrap();
        assert_eq!(sqlite.backend().unwrap(), Backend::Sqlite);
        assert_eq!(pg.backend().unwrap(), Backend::Postgres);
        assert!("mysql://localhost/x".parse::<DatabaseUrl>().is_err());
    }

    #[test]
    fn channel_links_must_be_web_addresses() {
        assert!(parse_web_url("https://example.com/shops").is_ok());
        assert!(parse_web_url("javascript:alert(1)").is_err());
        assert!(parse_phone("+39133").is_ok());
        assert!(parse_phone("133; DROP").is_err());
    }

    #[test]
    fn every_setting_has_a_default_so_the_server_starts_with_no_flags() {
        let cli = Cli::try_parse_from(["server"]).unwrap();
        assert_eq!(cli.config.bind.port(), 3000);
    }
}
