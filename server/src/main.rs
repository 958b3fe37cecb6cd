//! `server`: serves the portal. Every setting is a flag or an environment variable (`server --help`).

use clap::Parser;

/// mimalloc: rendering a page allocates many small strings and nodes; with glibc's malloc the allocator
/// took about 40% of the server's CPU under load (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
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
        #[cfg(feature = "bench")]
        Command::BenchSeed { requests } => {
            let password = server::admin::read_password()?;
            let seeded = server::bench::seed(&cli.config, requests, &password).await?;
            println!("customer={}", seeded.customer_email);
            println!("staff={}", seeded.staff_email);
            println!("conversation={}", seeded.conversation_reference);
            println!("requests={}", seeded.requests);
            println!("events={}", seeded.events);
            println!("seconds={:.1}", seeded.seconds);
            Ok(())
        }
        #[cfg(feature = "bench")]
        Command::Bare => server::bench::bare(cli.config.bind).await,
    }
}
