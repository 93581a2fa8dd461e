//! `/api/projects/:id/env`: a project's environment variables for its runs — POSIX names, at
//! most 50, values 1–4096 characters; secrets sealed with the master key, listed as `********`,
//! and `********` sent back on update keeps the stored secret.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use platform::http::{ApiError, AppJson};
use platform::ServiceState;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::ToSchema;

use crate::api::projects::project_of;
use crate::api::{id_or_400, iso};
use crate::auth::Caller;
use crate::model::rows::EnvVarRow;
use crate::store::{is_duplicate, EnvVarUpdate, TestopsStore};
use crate::ErrorBody;

/// What a secret's value is shown as, and the value that keeps it on update.
pub const SECRET_MASK: &str = "********";
const MAX_VARS: usize = 50;
const MAX_VALUE: usize = 4096;
/// Names the runner sets itself, and prefixes kept for the platform.
const RESERVED: &[&str] = &["TASK_ID", "RESULTS_DIR"];
const RESERVED_PREFIXES: &[&str] = &["PLATFORM_", "REDOUBT_"];

fn is_posix_name(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && key.len() <= 128
}

fn check_key(key: &str) -> Result<(), ApiError> {
    if !is_posix_name(key) {
        return Err(ApiError::bad_request(
            "key must match ^[A-Za-z_][A-Za-z0-9_]*$ (at most 128 characters)",
        )
        .with_title("Invalid key"));
    }
    let upper = key.to_ascii_uppercase();
    if RESERVED.contains(&upper.as_str()) || RESERVED_PREFIXES.iter().any(|p| upper.starts_with(p))
    {
        return Err(ApiError::bad_request(format!(
            "{key} is set by the runner or reserved (TASK_ID, RESULTS_DIR, PLATFORM_*, REDOUBT_*)"
        ))
        .with_title("Forbidden environment variable names"));
    }
    Ok(())
}

fn check_value(value: &str) -> Result<(), ApiError> {
    if value.is_empty() || value.chars().count() > MAX_VALUE || value.contains('\0') {
        return Err(
            ApiError::bad_request("value must be 1 to 4096 characters").with_title("Invalid value")
        );
    }
    Ok(())
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EnvVarView {
    id: String,
    key: String,
    /// `********` for a secret.
    value: String,
    is_secret: bool,
    created_at: String,
    updated_at: String,
}

fn view(row: &EnvVarRow) -> EnvVarView {
    EnvVarView {
        id: row.id.clone(),
        key: row.key.clone(),
        value: if row.is_secret {
            SECRET_MASK.into()
        } else {
            row.value.clone()
        },
        is_secret: row.is_secret,
        created_at: iso(row.created_at),
        updated_at: iso(row.updated_at),
    }
}

#[derive(Serialize, ToSchema)]
pub struct EnvVarList {
    success: bool,
    data: Vec<EnvVarView>,
}

/// The project's variables, by name.
#[utoipa::path(get, path = "/api/projects/{projectId}/env", tag = "projects", params(("projectId" = String, Path, description = "24 hex")),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = EnvVarList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(store): State<TestopsStore>,
    caller: Caller,
    Path(project): Path<String>,
) -> Result<Json<EnvVarList>, ApiError> {
    let project = project_of(&store, &caller, &project).await?;
    let data = store
        .env_vars(caller.tenant_id, &project.id)
        .await?
        .iter()
        .map(view)
        .collect();
    Ok(Json(EnvVarList {
        success: true,
        data,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewEnvVar {
    key: Option<String>,
    value: Option<String>,
    #[serde(default)]
    is_secret: bool,
}

#[derive(Serialize, ToSchema)]
pub struct OneEnvVar {
    success: bool,
    data: EnvVarView,
}

fn duplicate(key: &str) -> ApiError {
    ApiError::conflict(format!("{key} is already defined for this project"))
        .with_title("Duplicate key")
}

/// Add a variable (admins and developers). Audited without its value.
#[utoipa::path(post, path = "/api/projects/{projectId}/env", tag = "projects", request_body = NewEnvVar, params(("projectId" = String, Path, description = "24 hex")),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 201, body = OneEnvVar), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create(
    State(state): State<ServiceState>,
    State(store): State<TestopsStore>,
    caller: Caller,
    Path(project): Path<String>,
    AppJson(req): AppJson<NewEnvVar>,
) -> Result<(StatusCode, Json<OneEnvVar>), ApiError> {
    caller.require_writer()?;
    let project = project_of(&store, &caller, &project).await?;
    let (Some(key), Some(value)) = (req.key, req.value) else {
        return Err(ApiError::bad_request("key and value are required")
            .with_title("Missing required fields"));
    };
    check_key(&key)?;
    check_value(&value)?;
    if value == SECRET_MASK {
        return Err(
            ApiError::bad_request("`********` is the mask of a secret, not a value")
                .with_title("Invalid value"),
        );
    }
    if store.env_vars(caller.tenant_id, &project.id).await?.len() >= MAX_VARS {
        return Err(
            ApiError::bad_request(format!("A project has at most {MAX_VARS} variables"))
                .with_title("Too many variables"),
        );
    }
    let now = platform::store::now();
    let row = EnvVarRow {
        id: crate::model::id::new_id(),
        project_id: project.id.clone(),
        key: key.clone(),
        value: if req.is_secret {
            platform::sealed::seal(state.platform.master_key(), &value)
        } else {
            value
        },
        is_secret: req.is_secret,
        created_at: now,
        updated_at: now,
    };
    match store.create_env_var(caller.tenant_id, &row).await {
        Ok(()) => {}
        Err(e) if is_duplicate(&e) => return Err(duplicate(&key)),
        Err(e) => return Err(ApiError::from(e.context("storing the variable"))),
    }
    caller
        .audit(
            &state.platform,
            "env_var.created",
            format!("project:{}/env:{}", project.id, key),
            json!({"isSecret": row.is_secret}),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(OneEnvVar {
            success: true,
            data: view(&row),
        }),
    ))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct EnvVarChange {
    key: Option<String>,
    /// `********` keeps a secret's stored value.
    value: Option<String>,
    is_secret: Option<bool>,
}

/// Change a variable's name, value or secrecy (admins and developers).
#[utoipa::path(put, path = "/api/projects/{projectId}/env/{varId}", tag = "projects", request_body = EnvVarChange,
    params(("projectId" = String, Path, description = "24 hex"), ("varId" = String, Path, description = "24 hex")),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = OneEnvVar), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update(
    State(state): State<ServiceState>,
    State(store): State<TestopsStore>,
    caller: Caller,
    Path((project, var)): Path<(String, String)>,
    AppJson(req): AppJson<EnvVarChange>,
) -> Result<Json<OneEnvVar>, ApiError> {
    caller.require_writer()?;
    let project = project_of(&store, &caller, &project).await?;
    let var = id_or_400(&var, "Invalid variable ID format")?;
    let not_found = || {
        ApiError::not_found("No variable with this id in this project")
            .with_title("Variable not found")
    };
    let current = store
        .env_var(caller.tenant_id, &project.id, &var)
        .await?
        .ok_or_else(not_found)?;
    let key = req.key.unwrap_or_else(|| current.key.clone());
    check_key(&key)?;
    let master = state.platform.master_key();
    let plain_current = if current.is_secret {
        platform::sealed::open(master, &current.value).ok_or_else(|| {
            ApiError::from(anyhow::anyhow!(
                "a stored secret does not open with this master key"
            ))
        })?
    } else {
        current.value.clone()
    };
    let is_secret = req.is_secret.unwrap_or(current.is_secret);
    let value = match req.value {
        Some(v) if v == SECRET_MASK && current.is_secret => plain_current,
        Some(v) => {
            check_value(&v)?;
            v
        }
        None => plain_current,
    };
    let change = EnvVarUpdate {
        key: key.clone(),
        value: if is_secret {
            platform::sealed::seal(master, &value)
        } else {
            value
        },
        is_secret,
    };
    match store
        .update_env_var(caller.tenant_id, &current.id, &change)
        .await
    {
        Ok(()) => {}
        Err(e) if is_duplicate(&e) => return Err(duplicate(&key)),
        Err(e) => return Err(ApiError::from(e.context("updating the variable"))),
    }
    let row = store
        .env_var(caller.tenant_id, &project.id, &var)
        .await?
        .ok_or_else(not_found)?;
    caller
        .audit(&state.platform, "env_var.updated", format!("project:{}/env:{}", project.id, key), json!({"isSecret": is_secret, "renamedFrom": (key != current.key).then_some(&current.key)}))
        .await?;
    Ok(Json(OneEnvVar {
        success: true,
        data: view(&row),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct Deleted {
    success: bool,
    #[schema(value_type = Option<Object>)]
    data: Value,
}

/// Delete a variable (admins and developers).
#[utoipa::path(delete, path = "/api/projects/{projectId}/env/{varId}", tag = "projects",
    params(("projectId" = String, Path, description = "24 hex"), ("varId" = String, Path, description = "24 hex")),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = Deleted), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(state): State<ServiceState>,
    State(store): State<TestopsStore>,
    caller: Caller,
    Path((project, var)): Path<(String, String)>,
) -> Result<Json<Deleted>, ApiError> {
    caller.require_writer()?;
    let project = project_of(&store, &caller, &project).await?;
    let var = id_or_400(&var, "Invalid variable ID format")?;
    let current = store.env_var(caller.tenant_id, &project.id, &var).await?;
    let Some(current) = current else {
        return Err(
            ApiError::not_found("No variable with this id in this project")
                .with_title("Variable not found"),
        );
    };
    store
        .delete_env_var(caller.tenant_id, &project.id, &var)
        .await?;
    caller
        .audit(
            &state.platform,
            "env_var.deleted",
            format!("project:{}/env:{}", project.id, current.key),
            json!({}),
        )
        .await?;
    Ok(Json(Deleted {
        success: true,
        data: Value::Null,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_posix_and_runner_names_are_reserved() {
        for good in ["API_TOKEN", "_x", "a1"] {
            assert!(check_key(good).is_ok(), "{good}");
        }
        for bad in [
            "1A",
            "A-B",
            "",
            "A B",
            "TASK_ID",
            "platform_secret",
            "REDOUBT_X",
        ] {
            assert!(check_key(bad).is_err(), "{bad}");
        }
    }
}
