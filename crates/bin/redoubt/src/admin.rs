//! `redoubt admin …` and `redoubt verify …`: bootstrap and integrity commands. Each prints one
//! JSON object on stdout and records what it changed in the tenant's audit log.

use anyhow::Context;
use platform::audit::AuditEvent;
use platform::identity::AccountError;
use platform::{Platform, ServiceName};
use serde_json::{json, Value};

use crate::cli::{AdminCommand, VerifyCommand};

/// A command's JSON answer and whether it succeeded (the process exit status).
pub struct Outcome {
    pub output: Value,
    pub success: bool,
}

fn ok(output: Value) -> anyhow::Result<Outcome> {
    Ok(Outcome {
        output,
        success: true,
    })
}

fn account_error(e: AccountError) -> anyhow::Error {
    match e {
        AccountError::Invalid(m) | AccountError::Conflict(m) => anyhow::anyhow!(m),
        AccountError::Other(e) => e,
    }
}

async fn audit(
    platform: &Platform,
    tenant_id: uuid::Uuid,
    service: ServiceName,
    action: &str,
    target: String,
    details: Value,
) -> anyhow::Result<()> {
    let event = AuditEvent {
        service,
        actor: "cli".into(),
        action: action.into(),
        target,
        details,
    };
    platform.audit().append(tenant_id, event).await.map(|_| ())
}

async fn named_tenant(
    platform: &Platform,
    name: &str,
) -> anyhow::Result<platform::identity::Tenant> {
    platform
        .accounts()
        .tenant_by_name(name)
        .await
        .map_err(account_error)?
        .with_context(|| {
            format!("no tenant named `{name}` (create it with `redoubt admin create-tenant`)")
        })
}

pub async fn run_admin(platform: &Platform, command: AdminCommand) -> anyhow::Result<Outcome> {
    let accounts = platform.accounts();
    match command {
        AdminCommand::CreateTenant { name } => {
            let (tenant, _) = accounts.ensure_tenant(&name).await.map_err(account_error)?;
            ok(json!({ "tenant_id": tenant.id }))
        }
        AdminCommand::CreateUser {
            tenant,
            email,
            password,
            role,
            service,
            display_name,
        } => {
            let (tenant, _) = accounts
                .ensure_tenant(&tenant)
                .await
                .map_err(account_error)?;
            let user = accounts
                .create_user(
                    tenant.id,
                    &email,
                    display_name.as_deref(),
                    &password,
                    service,
                    &role,
                )
                .await
                .map_err(account_error)?;
            let details = json!({ "email": user.email, "service": service, "role": role });
            audit(
                platform,
                tenant.id,
                service,
                "user.create",
                format!("user:{}", user.id),
                details,
            )
            .await?;
            ok(json!({ "tenant_id": tenant.id, "user_id": user.id }))
        }
        AdminCommand::CreateApiKey {
            tenant,
            service,
            name,
        } => {
            let tenant = named_tenant(platform, &tenant).await?;
            let issued = platform
                .api_keys()
                .create(tenant.id, service, &name, None)
                .await?;
            let details =
                json!({ "service": service, "name": issued.name, "prefix": issued.prefix });
            audit(
                platform,
                tenant.id,
                service,
                "api_key.create",
                format!("api_key:{}", issued.id),
                details,
            )
            .await?;
            ok(json!({ "id": issued.id, "key": issued.key, "prefix": issued.prefix }))
        }
        AdminCommand::CreateLicense {
            tenant,
            plan,
            expires_at,
        } => {
            let plan = <netwatch::model::Plan as platform::http::fields::Vocabulary>::parse(&plan)
                .context("plan must be one of free, starter, professional, business, enterprise")?;
            let tenant = named_tenant(platform, &tenant).await?;
            let issued =
                netwatch::licenses::create_license(platform, tenant.id, plan, expires_at).await?;
            let details = json!({ "license_id": issued["license_id"], "plan": issued["plan"], "expires_at": issued["expires_at"] });
            audit(
                platform,
                tenant.id,
                ServiceName::Netwatch,
                "license.create",
                format!(
                    "license:{}",
                    issued["license_id"].as_str().unwrap_or_default()
                ),
                details,
            )
            .await?;
            ok(issued)
        }
        AdminCommand::RevokeLicense { tenant, license_id } => {
            let tenant = named_tenant(platform, &tenant).await?;
            let revoked =
                netwatch::licenses::revoke_license(platform, tenant.id, license_id).await?;
            anyhow::ensure!(
                revoked,
                "tenant {} has no licence {license_id}",
                tenant.name
            );
            audit(
                platform,
                tenant.id,
                ServiceName::Netwatch,
                "license.revoke",
                format!("license:{license_id}"),
                json!({}),
            )
            .await?;
            ok(json!({ "revoked": true, "license_id": license_id }))
        }
        AdminCommand::SetUserStatus { email, status } => {
            let user = accounts
                .user_by_email(&email)
                .await
                .map_err(account_error)?
                .context("no user with that email")?;
            accounts
                .set_user_status(&email, &status)
                .await
                .map_err(account_error)?;
            // Recorded in netwatch's log: the lock is that contract's (others see a 401).
            audit(
                platform,
                user.tenant_id,
                ServiceName::Netwatch,
                "user.status",
                format!("user:{}", user.id),
                json!({ "from": user.status, "to": status, "via": "cli" }),
            )
            .await?;
            ok(json!({ "email": user.email, "status": status }))
        }
        AdminCommand::IssueToken { email, service } => {
            let user = accounts
                .user_by_email(&email)
                .await
                .map_err(account_error)?
                .context("no user with that email")?;
            let role = accounts
                .role_of(user.tenant_id, user.id, service)
                .await
                .map_err(account_error)?
                .with_context(|| format!("{email} has no active role in {service}"))?;
            let token = platform
                .jwt()
                .issue(service, user.id, &user.email, user.tenant_id, &role);
            audit(
                platform,
                user.tenant_id,
                service,
                "auth.token_issued",
                format!("user:{}", user.id),
                json!({ "via": "cli" }),
            )
            .await?;
            ok(json!({ "token": token, "expires_in": platform.jwt().ttl_secs() }))
        }
    }
}

pub async fn run_verify(platform: &Platform, command: VerifyCommand) -> anyhow::Result<Outcome> {
    match command {
        VerifyCommand::Audit { tenant } => {
            let tenant = platform
                .accounts()
                .tenant_by_name(&tenant)
                .await
                .map_err(account_error)?
                .with_context(|| format!("no tenant named `{tenant}`"))?;
            let report = platform.audit().verify(tenant.id).await?;
            let success = report.valid;
            let mut output = serde_json::to_value(&report)?;
            output["tenant_id"] = json!(tenant.id);
            Ok(Outcome { output, success })
        }
        VerifyCommand::Cdp { file } => verify_cdp_file(&file),
        VerifyCommand::Trail { file, public_key } => {
            verify_trail_file(&file, public_key.as_deref())
        }
    }
}

/// Verifies a CDP document read from `file` (`-`: stdin), with no server and no network.
pub fn verify_cdp_file(file: &std::path::Path) -> anyhow::Result<Outcome> {
    let text = if file.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin())?
    } else {
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?
    };
    let document: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", file.display()))?;
    let verification = proof::cdp::verify(&document);
    Ok(Outcome {
        success: verification.valid,
        output: serde_json::to_value(&verification)?,
    })
}

/// Verifies a netwatch proof trail read from `file` (`-`: stdin), with no server and no network.
pub fn verify_trail_file(
    file: &std::path::Path,
    public_key: Option<&str>,
) -> anyhow::Result<Outcome> {
    let text = if file.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin())?
    } else {
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?
    };
    let document: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", file.display()))?;
    let verification = proof::trail::verify(&document, public_key);
    Ok(Outcome {
        success: verification.valid,
        output: serde_json::to_value(&verification)?,
    })
}
