//! Tenants, users and their per-service roles: the repository over the shared identity tables.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::identity::password;
use crate::on_db;
use crate::store::{self, Db};
use crate::ServiceName;

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Tenant {
    pub id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct User {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
}

/// A user with their role in one service, as member lists show them.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Member {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub role: String,
    /// Who invited them (guard's invitations; the column is guard's migration).
    #[sqlx(default)]
    pub invited_by: Option<String>,
}

/// Which members to list.
#[derive(Debug, Clone)]
pub struct MemberQuery {
    pub tenant_id: Uuid,
    pub role: Option<String>,
    pub status: Option<String>,
    /// created_at, -created_at, email, -email.
    pub sort: String,
    pub page: crate::http::pagination::Page,
}

/// A user as login sees it: the stored hash and the role held in one service.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LoginCandidate {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub status: String,
    pub password_hash: String,
    pub role: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<sqlx::Error> for AccountError {
    fn from(e: sqlx::Error) -> Self {
        AccountError::Other(e.into())
    }
}

/// Normalises an email for storage and lookup; refuses what cannot be an address.
pub fn normalize_email(email: &str) -> Result<String, AccountError> {
    let email = email.trim().to_ascii_lowercase();
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
        && !email.chars().any(|c| c.is_whitespace());
    if valid {
        Ok(email)
    } else {
        Err(AccountError::Invalid(format!(
            "invalid email address `{email}`"
        )))
    }
}

#[derive(Clone)]
pub struct Accounts {
    pub(super) db: Db,
}

impl Accounts {
    pub fn new(db: Db) -> Accounts {
        Accounts { db }
    }

    pub async fn tenant_by_name(&self, name: &str) -> Result<Option<Tenant>, AccountError> {
        let sql = "SELECT id, name, created_at FROM tenants WHERE name = $1";
        Ok(on_db!(&self.db, |p| sqlx::query_as::<_, Tenant>(sql)
            .bind(name)
            .fetch_optional(p)
            .await)?)
    }

    pub async fn tenant_by_id(&self, id: Uuid) -> Result<Option<Tenant>, AccountError> {
        let sql = "SELECT id, name, created_at FROM tenants WHERE id = $1";
        Ok(on_db!(&self.db, |p| sqlx::query_as::<_, Tenant>(sql)
            .bind(id)
            .fetch_optional(p)
            .await)?)
    }

    /// Creates the tenant `name`, or returns it when it exists. The flag says whether it was created.
    pub async fn ensure_tenant(&self, name: &str) -> Result<(Tenant, bool), AccountError> {
        let name = name.trim();
        if name.is_empty() || name.len() > 200 {
            return Err(AccountError::Invalid(
                "tenant name must be 1 to 200 characters".into(),
            ));
        }
        if let Some(t) = self.tenant_by_name(name).await? {
            return Ok((t, false));
        }
        let tenant = Tenant {
            id: Uuid::now_v7(),
            name: name.to_string(),
            created_at: store::now(),
        };
        let sql = "INSERT INTO tenants (id, name, created_at) VALUES ($1, $2, $3)";
        let inserted = on_db!(&self.db, |p| sqlx::query(sql)
            .bind(tenant.id)
            .bind(&tenant.name)
            .bind(tenant.created_at)
            .execute(p)
            .await
            .map(|r| r.rows_affected()));
        match inserted {
            Ok(_) => Ok((tenant, true)),
            // Lost a race with a concurrent creator: the tenant exists now.
            Err(e) if store::is_unique_violation(&e) => {
                let t = self
                    .tenant_by_name(name)
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("tenant vanished"))?;
                Ok((t, false))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Creates a user with `role` in `service`. Emails are unique across the installation
    /// because login identifies users by email alone.
    pub async fn create_user(
        &self,
        tenant_id: Uuid,
        email: &str,
        display_name: Option<&str>,
        password: &str,
        service: ServiceName,
        role: &str,
    ) -> Result<User, AccountError> {
        let email = normalize_email(email)?;
        if password.chars().count() < 8 {
            return Err(AccountError::Invalid(
                "password must be at least 8 characters".into(),
            ));
        }
        if !service.roles().contains(&role) {
            return Err(AccountError::Invalid(format!(
                "role `{role}` does not exist in {service} (roles: {})",
                service.roles().join(", ")
            )));
        }
        let display_name = display_name
            .map(str::to_string)
            .unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_string());
        let hash = password::hash_password(password.to_string()).await?;
        let user = User {
            id: Uuid::now_v7(),
            tenant_id,
            email,
            display_name,
            status: "active".into(),
            created_at: store::now(),
        };
        let insert_user = "INSERT INTO users (id, tenant_id, email, display_name, password_hash, status, created_at) \
                           VALUES ($1, $2, $3, $4, $5, $6, $7)";
        let insert_role = "INSERT INTO user_roles (user_id, service, role) VALUES ($1, $2, $3)";
        let result: Result<(), sqlx::Error> = on_db!(&self.db, |p| async {
            let mut tx = p.begin().await?;
            sqlx::query(insert_user)
                .bind(user.id)
                .bind(user.tenant_id)
                .bind(&user.email)
                .bind(&user.display_name)
                .bind(&hash)
                .bind(&user.status)
                .bind(user.created_at)
                .execute(&mut *tx)
                .await?;
            sqlx::query(insert_role)
                .bind(user.id)
                .bind(service.as_str())
                .bind(role)
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        }
        .await);
        match result {
            Ok(()) => Ok(user),
            Err(e) if store::is_unique_violation(&e) => Err(AccountError::Conflict(format!(
                "a user with email `{}` already exists",
                user.email
            ))),
            Err(e) => Err(e.into()),
        }
    }

    /// Creates a `pending` user with `role` in `service`, invited by `invited_by` (an email).
    /// A pending user cannot log in until an operator sets a password and activates them.
    pub async fn invite_user(
        &self,
        tenant_id: Uuid,
        email: &str,
        display_name: Option<&str>,
        service: ServiceName,
        role: &str,
        invited_by: &str,
    ) -> Result<User, AccountError> {
        let email = normalize_email(email)?;
        if !service.roles().contains(&role) {
            return Err(AccountError::Invalid(format!(
                "role must be one of {}",
                service.roles().join(", ")
            )));
        }
        let user = User {
            id: Uuid::now_v7(),
            tenant_id,
            display_name: display_name
                .map(|d| d.trim().to_string())
                .filter(|d| !d.is_empty())
                .unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_string()),
            email,
            status: "pending".into(),
            created_at: store::now(),
        };
        let insert_user = "INSERT INTO users (id, tenant_id, email, display_name, password_hash, status, created_at, invited_by) \
                           VALUES ($1, $2, $3, $4, '', $5, $6, $7)";
        let insert_role = "INSERT INTO user_roles (user_id, service, role) VALUES ($1, $2, $3)";
        let result: Result<(), sqlx::Error> = on_db!(&self.db, |p| async {
            let mut tx = p.begin().await?;
            sqlx::query(insert_user)
                .bind(user.id)
                .bind(user.tenant_id)
                .bind(&user.email)
                .bind(&user.display_name)
                .bind(&user.status)
                .bind(user.created_at)
                .bind(invited_by)
                .execute(&mut *tx)
                .await?;
            sqlx::query(insert_role)
                .bind(user.id)
                .bind(service.as_str())
                .bind(role)
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        }
        .await);
        match result {
            Ok(()) => Ok(user),
            Err(e) if store::is_unique_violation(&e) => Err(AccountError::Conflict(format!(
                "a user with email `{}` already exists",
                user.email
            ))),
            Err(e) => Err(e.into()),
        }
    }

    /// One page of the tenant's users that hold a role in `service`, with the total.
    pub async fn list_members(
        &self,
        service: ServiceName,
        query: &MemberQuery,
    ) -> Result<(Vec<Member>, u64), AccountError> {
        let filter = crate::store::Filter::new()
            .eq("u.tenant_id", query.tenant_id)
            .eq("r.service", service.as_str())
            .eq_opt("r.role", query.role.clone())
            .eq_opt("u.status", query.status.clone());
        let order = match query.sort.as_str() {
            "email" => "u.email ASC",
            "-email" => "u.email DESC",
            "-created_at" => "u.created_at DESC, u.id DESC",
            _ => "u.created_at ASC, u.id ASC",
        };
        let from = "FROM users u JOIN user_roles r ON r.user_id = u.id";
        let select = format!(
            "SELECT u.id, u.tenant_id, u.email, u.display_name, u.status, u.created_at, r.role, u.invited_by {from}"
        );
        let (rows, total) =
            store::fetch_page(&self.db, &select, from, &filter, order, query.page).await?;
        Ok((rows, total))
    }

    /// Active users of the tenant.
    pub async fn active_user_count(&self, tenant_id: Uuid) -> Result<i64, AccountError> {
        let sql = "SELECT COUNT(*) FROM users WHERE tenant_id = $1 AND status = 'active'";
        let (n,): (i64,) = on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(tenant_id)
            .fetch_one(p)
            .await)?;
        Ok(n)
    }

    /// Active users of the tenant who hold a role in `service`.
    pub async fn service_user_count(
        &self,
        tenant_id: Uuid,
        service: ServiceName,
    ) -> Result<i64, AccountError> {
        let sql = "SELECT COUNT(*) FROM users u JOIN user_roles r ON r.user_id = u.id \
                   WHERE u.tenant_id = $1 AND r.service = $2 AND u.status = 'active'";
        let (n,): (i64,) = on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(tenant_id)
            .bind(service.as_str())
            .fetch_one(p)
            .await)?;
        Ok(n)
    }

    /// The user's status (`active`, `locked`, `disabled`, `pending`), if they are in the tenant.
    pub async fn user_status(
        &self,
        tenant_id: Uuid,
        user_id: Uuid,
    ) -> Result<Option<String>, AccountError> {
        let sql = "SELECT status FROM users WHERE id = $1 AND tenant_id = $2";
        let row: Option<(String,)> = on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(user_id)
            .bind(tenant_id)
            .fetch_optional(p)
            .await)?;
        Ok(row.map(|(s,)| s))
    }

    /// Sets a user's status: `active`, `locked` (sign-in and every request answer 423 where
    /// the service's contract has a lock) or `disabled`. False when no such user.
    pub async fn set_user_status(&self, email: &str, status: &str) -> Result<bool, AccountError> {
        if !matches!(status, "active" | "locked" | "disabled") {
            return Err(AccountError::Invalid(
                "status must be active, locked or disabled".into(),
            ));
        }
        let email = normalize_email(email)?;
        let sql = "UPDATE users SET status = $1 WHERE email = $2";
        let n = on_db!(&self.db, |p| sqlx::query(sql)
            .bind(status)
            .bind(&email)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(n > 0)
    }

    /// Renames the tenant; names are unique across the installation.
    pub async fn rename_tenant(&self, tenant_id: Uuid, name: &str) -> Result<(), AccountError> {
        let sql = "UPDATE tenants SET name = $1 WHERE id = $2";
        let result = on_db!(&self.db, |p| sqlx::query(sql)
            .bind(name)
            .bind(tenant_id)
            .execute(p)
            .await
            .map(|_| ()));
        match result {
            Ok(()) => Ok(()),
            Err(e) if store::is_unique_violation(&e) => Err(AccountError::Conflict(format!(
                "a tenant named `{name}` already exists"
            ))),
            Err(e) => Err(e.into()),
        }
    }

    /// Grants (or changes) the user's role in `service`.
    pub async fn set_role(
        &self,
        user_id: Uuid,
        service: ServiceName,
        role: &str,
    ) -> Result<(), AccountError> {
        if !service.roles().contains(&role) {
            return Err(AccountError::Invalid(format!(
                "role `{role}` does not exist in {service}"
            )));
        }
        let sql = "INSERT INTO user_roles (user_id, service, role) VALUES ($1, $2, $3) \
                   ON CONFLICT (user_id, service) DO UPDATE SET role = excluded.role";
        on_db!(&self.db, |p| sqlx::query(sql)
            .bind(user_id)
            .bind(service.as_str())
            .bind(role)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn user_by_email(&self, email: &str) -> Result<Option<User>, AccountError> {
        let Ok(email) = normalize_email(email) else {
            return Ok(None);
        };
        let sql = "SELECT id, tenant_id, email, display_name, status, created_at FROM users WHERE email = $1";
        Ok(on_db!(&self.db, |p| sqlx::query_as::<_, User>(sql)
            .bind(&email)
            .fetch_optional(p)
            .await)?)
    }

    /// The user with this email, with their password hash and their role in `service` (if any).
    pub async fn login_candidate(
        &self,
        email: &str,
        service: ServiceName,
    ) -> Result<Option<LoginCandidate>, AccountError> {
        let Ok(email) = normalize_email(email) else {
            return Ok(None);
        };
        let sql =
            "SELECT u.id, u.tenant_id, u.email, u.display_name, u.status, u.password_hash, r.role \
                   FROM users u LEFT JOIN user_roles r ON r.user_id = u.id AND r.service = $2 \
                   WHERE u.email = $1";
        Ok(on_db!(&self.db, |p| sqlx::query_as::<_, LoginCandidate>(
            sql
        )
        .bind(&email)
        .bind(service.as_str())
        .fetch_optional(p)
        .await)?)
    }

    /// The role the user holds in `service`, scoped to their tenant.
    pub async fn role_of(
        &self,
        tenant_id: Uuid,
        user_id: Uuid,
        service: ServiceName,
    ) -> Result<Option<String>, AccountError> {
        let sql = "SELECT r.role FROM user_roles r JOIN users u ON u.id = r.user_id \
                   WHERE r.user_id = $1 AND u.tenant_id = $2 AND r.service = $3 AND u.status = 'active'";
        let row: Option<(String,)> = on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(user_id)
            .bind(tenant_id)
            .bind(service.as_str())
            .fetch_optional(p)
            .await)?;
        Ok(row.map(|(r,)| r))
    }
}

#[cfg(test)]
mod tests {
    use super::normalize_email;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(normalize_email(" Alice@Acme.FR ").unwrap(), "alice@acme.fr");
        for bad in [
            "",
            "alice",
            "@acme.fr",
            "alice@",
            "alice@acme",
            "a b@acme.fr",
            "alice@.fr",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad} should be refused");
        }
    }
}
