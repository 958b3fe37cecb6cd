//! Delivery of the outbox: a background task takes due emails and sends them with lettre, over SMTP
//! when it is configured, otherwise as `.eml` files under the mail folder. Failures are retried with a
//! growing delay; after `MAX_ATTEMPTS` the email is marked failed (and stays in the table to look at).

use std::sync::Arc;
use std::time::Duration;

use app::ports::{OutboxEmail, SharedStore};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::{Config, SmtpTls};

const MAX_ATTEMPTS: i64 = 12;
/// How long a claimed email is reserved for the worker that took it.
const LEASE_MS: i64 = 60_000;

pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>),
}

pub struct Mailer {
    transport: Transport,
    from: Mailbox,
}

impl Mailer {
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        let from: Mailbox =
            config.mail_from.parse().map_err(|e| anyhow::anyhow!("--mail-from is not a valid address: {e}"))?;
        let transport = match &config.smtp_host {
            Some(host) => {
                let builder = match config.smtp_tls {
                    SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)?,
                    SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)?,
                    SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
                };
                let mut builder = builder.port(config.smtp_port);
                if let (Some(user), Some(password)) = (&config.smtp_username, &config.smtp_password) {
                    builder = builder.credentials(Credentials::new(user.clone(), password.expose().to_string()));
                }
                Transport::Smtp(builder.build())
            }
            None => {
                std::fs::create_dir_all(&config.mail_dir)?;
                Transport::Files(AsyncFileTransport::new(&config.mail_dir))
            }
        };
        Ok(Self { transport, from })
    }

    async fn send(&self, email: &OutboxEmail) -> Result<(), String> {
        let to: Mailbox = email.recipient.parse().map_err(|e| format!("bad recipient: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject.clone())
            .multipart(MultiPart::alternative_plain_html(email.body_text.clone(), email.body_html.clone()))
            .map_err(|e| format!("cannot build the message: {e}"))?;
        match &self.transport {
            Transport::Smtp(t) => t.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
            Transport::Files(t) => t.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
        }
    }
}

/// What one pass over the outbox did.
#[derive(Clone, Copy, Debug, Default)]
pub struct Delivered {
    pub sent: usize,
    pub failed: usize,
}

/// One pass over the due emails.
pub async fn deliver_due(store: &SharedStore, mailer: &Mailer) -> Delivered {
    let now = app::clock::now_ms();
    let due = match store.claim_due_emails(now, LEASE_MS, 20).await {
        Ok(due) => due,
        Err(e) => {
            tracing::error!(error = ?e, "cannot read the outbox");
            return Delivered::default();
        }
    };
    let (mut sent, mut failed) = (0, 0);
    for email in due {
        let result = mailer.send(&email).await;
        let now = app::clock::now_ms();
        let recorded = match result {
            Ok(()) => {
                sent += 1;
                tracing::info!(id = email.id, kind = %email.kind, "email sent");
                store.mark_email_sent(email.id, now).await
            }
            Err(error) => {
                failed += 1;
                // attempts already counts this one
                let retry_at = (email.attempts < MAX_ATTEMPTS).then(|| now + backoff_ms(email.attempts));
                tracing::warn!(id = email.id, attempts = email.attempts, %error, "email not sent");
                store.mark_email_failed(email.id, &error, retry_at, now).await
            }
        };
        if let Err(e) = recorded {
            tracing::error!(error = ?e, id = email.id, "cannot record the delivery");
        }
    }
    Delivered { sent, failed }
}

/// 30 s, 1 min, 2 min, … up to 6 h.
fn backoff_ms(attempts: i64) -> i64 {
    let exp = attempts.clamp(1, 20) as u32 - 1;
    (30_000_i64.saturating_mul(1_i64 << exp)).min(6 * 3_600_000)
}

/// Delivers the outbox every two seconds for as long as the server runs.
pub fn spawn_worker(store: SharedStore, mailer: Arc<Mailer>, metrics: Arc<crate::metrics::Metrics>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(2));
        loop {
            tick.tick().await;
            metrics.timer_ran(crate::metrics::Task::Outbox);
            let done = deliver_due(&store, &mailer).await;
            metrics.emails_delivered(done.sent, done.failed);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::backoff_ms;

    #[test]
    fn retries_wait_longer_each_time_up_to_six_hours() {
        assert_eq!(backoff_ms(1), 30_000);
        assert_eq!(backoff_ms(2), 60_000);
        assert_eq!(backoff_ms(12), 6 * 3_600_000);
    }
}
