//! What the operator's metrics read at each scrape (#20): requests per state, the queue, the outbox.

use app::domain::request::Status;
use app::ports::{Operations, OperationsSnapshot, PoolUse, StoreError};
use async_trait::async_trait;

use super::{Backend, Sql, SqlStore, code};

#[async_trait]
impl<DB: Backend> Operations for SqlStore<DB> {
    #[tracing::instrument(skip_all)]
    async fn operations(&self) -> Result<OperationsSnapshot, StoreError> {
        // Exact counts per state: one pass over `requests_by_status` (a million requests: tens of ms, once
        // a scrape).
        let mut per_state = self
            .read::<(String, i64)>(Sql::new("SELECT status, COUNT(*) FROM requests GROUP BY status"))
            .await?
            .into_iter()
            .map(|(status, n)| Ok((code(&status, Status::from_code)?, n)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        for &s in Status::ALL.iter() {
            if !per_state.iter().any(|(x, _)| *x == s) {
                per_state.push((s, 0));
            }
        }
        per_state.sort_by_key(|(s, _)| Status::ALL.iter().position(|x| x == s));
        let (waiting, oldest_waiting_since) = self
            .read_one::<(i64, Option<i64>)>(Sql::new(
                "SELECT COUNT(*), MIN(queue_at) FROM requests WHERE status = 'received' AND holder_id IS NULL",
            ))
            .await?;
        let (outbox_pending, outbox_oldest_pending_since) = self
            .read_one::<(i64, Option<i64>)>(Sql::new(
                "SELECT COUNT(*), MIN(created_at) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL",
            ))
            .await?;
        let (outbox_failed,) =
            self.read_one::<(i64,)>(Sql::new("SELECT COUNT(*) FROM outbox WHERE failed_at IS NOT NULL")).await?;
        Ok(OperationsSnapshot {
            per_state,
            waiting,
            oldest_waiting_since,
            outbox_pending,
            outbox_oldest_pending_since,
            outbox_failed,
        })
    }

    fn pool_use(&self) -> PoolUse {
        PoolUse { open: self.pool.size(), idle: self.pool.num_idle() as u32 }
    }
}
