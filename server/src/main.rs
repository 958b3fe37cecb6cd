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
        Command::Backup { to } => {
            let r = server::backup::backup_to(&cli.config, &to).await?;
            println!(
                "Backup written to {} ({} bytes, {} requests, {:.1} s); it passed the integrity check.",
                r.path.display(),
                r.bytes,
                r.requests,
                r.seconds
            );
            Ok(())
        }
        Command::Restore { from } => {
            let r = server::backup::restore_from(&cli.config, &from).await?;
            println!("Restored {} ({} requests). Start the server again.", from.display(), r.requests);
            if let Some(previous) = r.previous {
                println!("The database it replaced is kept as {}.", previous.display());
            }
            Ok(())
        }
        Command::CheckConfig => {
            for line in server::check_config(&cli.config).await? {
                println!("{line}");
            }
            Ok(())
        }
        #[cfg(feature = "bench")]
        Command::BenchSeed { requests, posts, comments } => {
            let password = server::admin::read_password()?;
            let seeded = server::bench::seed(&cli.config, requests, &password).await?;
            if posts > 0 {
                let wall = server::bench::seed_wall(&cli.config, &seeded, posts, comments).await?;
                println!("busy_post={}", wall.busy_post);
                println!("quiet_post={}", wall.quiet_post);
                println!("middle_comment={}", wall.middle_comment);
                println!("posts={}", wall.posts);
                println!("comments={}", wall.comments);
            }
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
