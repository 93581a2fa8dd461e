//! Jobs the platform itself defines.

use futures::future::BoxFuture;
use serde_json::Value;
use uuid::Uuid;

use super::runner::{JobError, JobHandler};
use super::Job;
use crate::audit::AuditLog;

/// `audit.verify`: re-verifies one tenant's audit chain and stores the report as the result.
/// Payload: `{"tenant_id": "<uuid>"}`.
pub struct VerifyAuditChainJob {
    pub audit: AuditLog,
}

impl VerifyAuditChainJob {
    pub const QUEUE: &'static str = "audit.verify";
}

impl JobHandler for VerifyAuditChainJob {
    fn queue(&self) -> &'static str {
        Self::QUEUE
    }

    fn run(&self, job: Job) -> BoxFuture<'static, Result<Value, JobError>> {
        let audit = self.audit.clone();
        Box::pin(async move {
            let tenant = job.payload_json()["tenant_id"]
                .as_str()
                .and_then(|s| Uuid::parse_str(s).ok())
                .ok_or_else(|| JobError::Fatal("payload needs a tenant_id".into()))?;
            let report = audit
                .verify(tenant)
                .await
                .map_err(|e| JobError::Retry(e.to_string()))?;
            if !report.valid {
                tracing::error!(tenant = %tenant, ?report, "audit chain verification failed");
            }
            serde_json::to_value(report).map_err(|e| JobError::Fatal(e.to_string()))
        })
    }
}
