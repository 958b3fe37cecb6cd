//! The numbers behind the admin dashboard, raw (the service computes percentiles and shapes).

use app::ports::{Dashboard, DashboardData, IncidentStat, Queue, StoreError};
use async_trait::async_trait;

use super::{Backend, Sql, SqlStore};

#[async_trait]
impl<DB: Backend> Dashboard for SqlStore<DB> {
    #[tracing::instrument(skip_all)]
    async fn dashboard(&self, since_ms: i64, now: i64) -> Result<DashboardData, StoreError> {
        let counts = self.state_counts().await?;
        let per_day = self
            .read::<(i64, i64)>(
                Sql::new(
                    "SELECT created_at / 86400000 AS day, COUNT(*) FROM requests WHERE created_at >= $1 \
                     GROUP BY day ORDER BY day",
                )
                .bind(since_ms),
            )
            .await?;
        let take_times = self
            .read::<(i64, i64)>(
                // The queue's fairness: requests an incident held never waited for an agent (#17).
                Sql::new(
                    "SELECT taken_at, taken_at - queue_at FROM requests WHERE taken_at >= $1 AND taken_at <= $2 \
                     AND incident_id IS NULL",
                )
                    .bind(since_ms)
                    .bind(now),
            )
            .await?;
        let outcome_times = self
            .read::<(i64, i64)>(
                Sql::new(
                    "SELECT resolved_at, resolved_at - queue_at FROM requests \
                     WHERE resolved_at >= $1 AND resolved_at <= $2",
                )
                .bind(since_ms)
                .bind(now),
            )
            .await?;
        let (oldest_waiting,) = self
            .read_one::<(Option<i64>,)>(Sql::new(
                "SELECT MIN(queue_at) FROM requests WHERE status = 'received' AND holder_id IS NULL",
            ))
            .await?;
        let (rating_sum, rating_count) = self
            .read_one::<(i64, i64)>(Sql::new(
                "SELECT COALESCE(SUM(rating), 0), COUNT(rating) FROM requests WHERE rating IS NOT NULL",
            ))
            .await?;
        let open_per_agent = self
            .read::<(String, i64)>(Sql::new(
                "SELECT u.display_name, COUNT(*) FROM requests r JOIN users u ON u.id = r.holder_id \
                 WHERE r.status IN ('in_charge', 'awaiting_customer') GROUP BY u.id, u.display_name \
                 ORDER BY u.display_name",
            ))
            .await?;
        let incidents = self
            .read::<(i64, String, i64, i64, Option<i64>, i64, i64, Option<i64>)>(
                Sql::new(
                    "SELECT i.id, i.title, i.started_at, i.created_at, i.resolved_at, i.affected, i.spared, \
                     (SELECT MIN(r.queue_at) FROM requests r WHERE r.incident_id = i.id) \
                     FROM incidents i WHERE i.resolved_at IS NULL OR i.started_at >= $1 \
                     ORDER BY i.started_at DESC LIMIT 50",
                )
                .bind(since_ms),
            )
            .await?
            .into_iter()
            .map(|(id, title, started_at, opened_at, resolved_at, affected, spared, first_report)| IncidentStat {
                id,
                title,
                started_at,
                opened_at,
                resolved_at,
                affected,
                spared,
                first_report,
            })
            .collect();
        Ok(DashboardData {
            counts,
            per_day,
            take_times,
            outcome_times,
            oldest_waiting,
            rating_sum,
            rating_count,
            open_per_agent,
            incidents,
        })
    }
}
