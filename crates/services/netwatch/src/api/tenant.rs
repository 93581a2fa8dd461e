//! GDPR: `GET /tenant/export` (admins, 1 per hour) → a ZIP of machine-readable JSON (alerts,
//! proof trails, devices, licences, whitelist, rules, suppressions, settings, audit log) with a
//! SHA-256 manifest (Art. 15, 20); `DELETE /tenant` `{"confirm": "<tenant name>"}` (admins)
//! erases every netwatch row of the tenant (Art. 17, 28(3)(g)) — the audit log keeps the record
//! of the erasure itself.

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use documents::archive::ArchiveBuilder;
use platform::audit::AuditEvent;
use platform::http::fields::Field;
use platform::http::ApiError;
use platform::{ServiceName, ServiceState};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::auth::Admin;
use crate::store::NetwatchStore;
use crate::ErrorBody;

/// Rows read per query while exporting.
const PAGE: i64 = 2_000;

fn io(e: std::io::Error) -> ApiError {
    anyhow::anyhow!("writing the export: {e}").into()
}

/// Writes `items` as one element each of a JSON array being streamed.
fn push_items<T: Serialize>(
    file: &mut documents::archive::FileWriter<'_>,
    first: &mut bool,
    items: impl Iterator<Item = T>,
) -> Result<(), ApiError> {
    let mut chunk = Vec::with_capacity(1 << 16);
    for item in items {
        chunk.extend_from_slice(if *first { b"[\n" } else { b",\n" });
        *first = false;
        serde_json::to_writer(&mut chunk, &item).map_err(|e| anyhow::anyhow!(e))?;
    }
    file.write(&chunk).map_err(io)
}

fn close_array(file: &mut documents::archive::FileWriter<'_>, first: bool) -> Result<(), ApiError> {
    file.write(if first { b"[]\n" } else { b"\n]\n" })
        .map_err(io)
}

fn pretty<T: Serialize>(value: &T) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec_pretty(value).map_err(|e| anyhow::anyhow!(e).into())
}

/// Everything netwatch holds for the tenant, as a ZIP.
#[utoipa::path(get, path = "/api/v1/tenant/export", tag = "gdpr", security(("bearer" = [])),
    responses((status = 200, description = "The archive; manifest.json lists each file's SHA-256", content_type = "application/zip", body = Vec<u8>),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 423, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn export(
    State(state): State<ServiceState>,
    State(store): State<NetwatchStore>,
    user: Admin,
) -> Result<Response, ApiError> {
    let tenant_id = user.tenant_id();
    let now = chrono::Utc::now();
    let mut zip = ArchiveBuilder::new();
    let mut counts = serde_json::Map::new();

    let mut file = zip.begin("alerts.json").map_err(io)?;
    let (mut first, mut after, mut n) = (true, None, 0usize);
    loop {
        let rows = store.alerts_after(tenant_id, after, PAGE).await?;
        let Some(last) = rows.last() else { break };
        after = Some(last.id);
        n += rows.len();
        push_items(
            &mut file,
            &mut first,
            rows.into_iter().map(crate::api::alerts::export_json),
        )?;
    }
    close_array(&mut file, first)?;
    file.end();
    counts.insert("alerts".into(), n.into());

    // Trails: one object per trace, its entries in order, each with its hashes.
    let mut file = zip.begin("proof_trails.json").map_err(io)?;
    let (mut first, mut after, mut traces) = (true, None, 0usize);
    let mut current: Option<(uuid::Uuid, Vec<EntryOut>)> = None;
    loop {
        let rows = store
            .trail_entries_after(tenant_id, after, PAGE * 3)
            .await?;
        let Some(last) = rows.last() else { break };
        after = Some((last.trace_id, last.entry.seq));
        let mut done = Vec::new();
        for row in rows {
            let (trace_id, e) = (row.trace_id, row.entry);
            // `data` is stored JSON: copied as it is, not parsed and written again.
            let data = RawValue::from_string(e.data)
                .unwrap_or_else(|_| RawValue::from_string("null".into()).expect("null"));
            let entry = EntryOut {
                seq: e.seq,
                kind: e.kind,
                recorded_at: e.recorded_at,
                data,
                canonical: e.canonical,
                prev_hash: e.prev_hash,
                hash: e.hash,
            };
            match &mut current {
                Some((trace, entries)) if *trace == trace_id => entries.push(entry),
                _ => {
                    if let Some(finished) = current.replace((trace_id, vec![entry])) {
                        done.push(finished);
                    }
                }
            }
        }
        traces += done.len();
        push_items(&mut file, &mut first, done.into_iter().map(trail_json))?;
    }
    if let Some(finished) = current.take() {
        traces += 1;
        push_items(&mut file, &mut first, std::iter::once(trail_json(finished)))?;
    }
    close_array(&mut file, first)?;
    file.end();
    counts.insert("proof_trails".into(), traces.into());

    let devices = store.agents(tenant_id).await?;
    counts.insert("devices".into(), devices.len().into());
    zip.add("devices.json", &pretty(&devices)?).map_err(io)?;
    let licenses: Vec<Value> = store
        .licenses(tenant_id)
        .await?
        .into_iter()
        .map(|l| {
            json!({"id": l.id, "key_prefix": l.key_prefix, "plan": l.plan, "status": l.status,
            "expires_at": l.expires_at, "created_at": l.created_at})
        })
        .collect();
    counts.insert("licenses".into(), licenses.len().into());
    zip.add("licenses.json", &pretty(&licenses)?).map_err(io)?;
    let whitelist = store.whitelist(tenant_id).await?;
    counts.insert("whitelist".into(), whitelist.len().into());
    zip.add("whitelist.json", &pretty(&whitelist)?)
        .map_err(io)?;
    let rules: Vec<Value> = store
        .rule_overrides(tenant_id)
        .await?
        .into_iter()
        .map(|r| {
            json!({"rule_name": r.rule_name, "enabled": r.enabled,
            "thresholds": serde_json::from_str::<Value>(&r.thresholds).unwrap_or(Value::Null)})
        })
        .collect();
    zip.add("rule_overrides.json", &pretty(&rules)?)
        .map_err(io)?;
    let suppressions = store.suppressions(tenant_id).await?;
    zip.add("suppressions.json", &pretty(&suppressions)?)
        .map_err(io)?;
    let settings = store.compliance_settings(tenant_id).await?;
    let billing = store.billing(tenant_id).await?.map(|b| {
        json!({"stripe_customer_id": b.stripe_customer_id, "subscription_id": b.subscription_id, "plan": b.plan,
            "billing_cycle": b.billing_cycle, "status": b.status, "current_period_end": b.current_period_end})
    });
    zip.add(
        "settings.json",
        &pretty(&json!({"compliance": settings, "billing": billing}))?,
    )
    .map_err(io)?;

    let mut file = zip.begin("audit_log.json").map_err(io)?;
    // Pages run newest first by offset: an entry written meanwhile shifts them, so anything at
    // or above the last seq written is a repeat and skipped (nothing can be skipped over).
    let (mut first, mut offset, mut entries) = (true, 0i64, 0usize);
    let mut below = i64::MAX;
    loop {
        let (page, _) = state.platform.audit().page(tenant_id, 500, offset).await?;
        if page.is_empty() {
            break;
        }
        offset += page.len() as i64;
        let fresh: Vec<Value> = page
            .iter()
            .filter(|e| e.seq < below)
            .map(|e| json!(e))
            .collect();
        below = page.iter().map(|e| e.seq).min().unwrap_or(below).min(below);
        entries += fresh.len();
        push_items(&mut file, &mut first, fresh.into_iter())?;
    }
    close_array(&mut file, first)?;
    file.end();
    counts.insert("audit_log".into(), entries.into());

    let key = crate::trail::signer(state.platform.master_key());
    let archive = zip
        .finish(json!({"format": "redoubt-netwatch-export/1", "tenant_id": tenant_id, "generated_at": now,
            "counts": counts, "proof_trail_public_key": key.public_key(), "proof_trail_key_id": key.key_id(),
            "notes": "JSON files are UTF-8; times are RFC 3339 UTC, alert timestamps Unix seconds. Each trail's entries chain with SHA-256 over RFC 8785 canonical JSON (see docs/services.md)."}))
        .map_err(io)?;
    let sha256 = hex::encode(Sha256::digest(&archive));
    let event = AuditEvent {
        service: ServiceName::Netwatch,
        actor: user.email().to_string(),
        action: "tenant.export".into(),
        target: format!("tenant:{tenant_id}"),
        details: json!({"bytes": archive.len(), "sha256": sha256, "counts": counts}),
    };
    state.platform.audit().append(tenant_id, event).await?;
    let mut response = archive.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    let name = format!(
        "attachment; filename=\"netwatch-export-{}.zip\"",
        now.format("%Y%m%d-%H%M%S")
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&name).expect("ascii"),
    );
    Ok(response)
}

#[derive(Serialize)]
struct EntryOut {
    seq: i64,
    kind: String,
    recorded_at: String,
    data: Box<RawValue>,
    canonical: String,
    prev_hash: String,
    hash: String,
}

#[derive(Serialize)]
struct TrailOut {
    trace_id: uuid::Uuid,
    head_hash: Option<String>,
    entries: Vec<EntryOut>,
}

fn trail_json((trace_id, entries): (uuid::Uuid, Vec<EntryOut>)) -> TrailOut {
    TrailOut {
        trace_id,
        head_hash: entries.last().map(|e| e.hash.clone()),
        entries,
    }
}

#[derive(Deserialize, ToSchema, Default)]
pub struct EraseRequest {
    /// The tenant's name, exactly: the confirmation that this is meant.
    #[serde(default)]
    #[schema(value_type = String)]
    confirm: Field<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Erased {
    tenant_id: uuid::Uuid,
    /// Rows deleted per table.
    #[schema(value_type = Object)]
    erased: serde_json::Map<String, Value>,
    erased_at: chrono::DateTime<chrono::Utc>,
}

/// Erase all of the tenant's netwatch data (admins). Irreversible.
#[utoipa::path(delete, path = "/api/v1/tenant", tag = "gdpr", request_body = EraseRequest, security(("bearer" = [])),
    responses((status = 200, body = Erased), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 423, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn erase(
    State(state): State<ServiceState>,
    State(store): State<NetwatchStore>,
    user: Admin,
    body: axum::body::Bytes,
) -> Result<Json<Erased>, ApiError> {
    // Any body that is not the confirmation is a 400, a missing or non-JSON one included.
    let body: EraseRequest = serde_json::from_slice(&body).map_err(|_| {
        ApiError::bad_request(
            "Send {\"confirm\": \"<tenant name>\"} to erase this tenant: nothing was erased",
        )
    })?;
    let tenant = state
        .platform
        .accounts()
        .tenant_by_id(user.tenant_id())
        .await
        .map_err(anyhow::Error::from)?
        .ok_or_else(|| ApiError::not_found("Tenant not found"))?;
    let confirm = body
        .confirm
        .required("confirm", "a string (the tenant's name)")?;
    if confirm != tenant.name {
        return Err(ApiError::bad_request(
            "confirm must be this tenant's name, exactly: nothing was erased",
        ));
    }
    let erased: serde_json::Map<String, Value> = store
        .erase_tenant(tenant.id)
        .await?
        .into_iter()
        .map(|(table, n)| (table.to_string(), n.into()))
        .collect();
    let now = chrono::Utc::now();
    let event = AuditEvent {
        service: ServiceName::Netwatch,
        actor: user.email().to_string(),
        action: "tenant.erase".into(),
        target: format!("tenant:{}", tenant.id),
        details: json!({"erased": erased}),
    };
    state.platform.audit().append(tenant.id, event).await?;
    Ok(Json(Erased {
        tenant_id: tenant.id,
        erased,
        erased_at: now,
    }))
}
