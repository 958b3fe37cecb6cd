//! `server`: serves the portal. Every setting is a flag or an environment variable (`server --help`).

use clap::Parser;
use server::config::{Cli, Command};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    server::telemetry::init(cli.config.log_format);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => server::serve(cli.config).await,
        Command::CreateAdmin { email, name } => {
            let password = server::admin::read_password()?;
            let id = server::admin::create_admin(&cli.config, &email, &name, &password).await?;
            println!("Admin {email} created (account {id}). Log in at /accedi, then open /admin.");
            Ok(())
        }
    }
}
