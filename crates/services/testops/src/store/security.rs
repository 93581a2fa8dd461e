//! `testops_login_failures` (the contract's lockout: 5 failed logins of an email within 15
//! minutes lock it for 15 minutes) and `testops_revoked_tokens` (logout, seen by every node).

use anyhow::Context;
use chrono::{DateTime, Utc};
use platform::on_db;
use uuid::Uuid;

use super::TestopsStore;

impl TestopsStore {
    /// The times of the email's failed logins since `since`, newest first.
    pub async fn login_failures(
        &self,
        email: &str,
        since: DateTime<Utc>,
    ) -> anyhow::Result<Vec<DateTime<Utc>>> {
        let sql = "SELECT failed_at FROM testops_login_failures WHERE email = $1 AND failed_at > $2 ORDER BY failed_at DESC";
        let rows: Vec<(DateTime<Utc>,)> = on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(email)
            .bind(since)
            .fetch_all(p)
            .await)
        .context("reading login failures")?;
        Ok(rows.into_iter().map(|(t,)| t).collect())
    }

    /// Records a failure, dropping the email's failures older than `forget_before`.
    pub async fn record_login_failure(
        &self,
        email: &str,
        forget_before: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let forget = "DELETE FROM testops_login_failures WHERE email = $1 AND failed_at <= $2";
        let insert = "INSERT INTO testops_login_failures (email, failed_at) VALUES ($1, $2)";
        on_db!(&self.db, |p| async {
            let mut tx = p.begin().await?;
            sqlx::query(forget)
                .bind(email)
                .bind(forget_before)
                .execute(&mut *tx)
                .await?;
            sqlx::query(insert)
                .bind(email)
                .bind(platform::store::now())
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        }
        .await)
        .context("recording a login failure")
    }

    pub async fn clear_login_failures(&self, email: &str) -> anyhow::Result<()> {
        let sql = "DELETE FROM testops_login_failures WHERE email = $1";
        on_db!(&self.db, |p| sqlx::query(sql)
            .bind(email)
            .execute(p)
            .await
            .map(|_| ()))
        .context("clearing login failures")
    }

    /// Revokes the token `jti` of the user until it would have expired anyway.
    pub async fn revoke_token(
        &self,
        jti: &str,
        user_id: Uuid,
        expires_at: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let prune = "DELETE FROM testops_revoked_tokens WHERE expires_at < $1";
        let sql =
            "INSERT INTO testops_revoked_tokens (jti, user_id, expires_at) VALUES ($1, $2, $3) \
                   ON CONFLICT (jti) DO NOTHING";
        on_db!(&self.db, |p| async {
            let mut tx = p.begin().await?;
            sqlx::query(prune)
                .bind(platform::store::now())
                .execute(&mut *tx)
                .await?;
            sqlx::query(sql)
                .bind(jti)
                .bind(user_id)
                .bind(expires_at)
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        }
        .await)
        .context("revoking the token")
    }

    pub async fn is_revoked(&self, jti: &str) -> anyhow::Result<bool> {
        let sql = "SELECT COUNT(*) FROM testops_revoked_tokens WHERE jti = $1";
        let (n,): (i64,) = on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(jti)
            .fetch_one(p)
            .await)
        .context("checking the token")?;
        Ok(n > 0)
    }
}
