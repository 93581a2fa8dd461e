//! Rate limits are exact: N allowed, N+1 refused, headers counting down, reset honoured; the
//! same on the in-memory store and on a real Redis shared by several nodes.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use platform::ServiceName;
use serde_json::json;

use crate::helpers::*;

/// Only guard: every limit here is guard's.
fn guard_only(opts: AppOptions) -> AppOptions {
    opts.services(&[ServiceName::Guard])
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn header_u64(response: &TestResponse, name: &str) -> u64 {
    response
        .header(name)
        .parse()
        .unwrap_or_else(|_| panic!("{name} is a number: {:?}", response.headers))
}

async fn login(app: &TestApp, email: &str) -> TestResponse {
    app.client(ServiceName::Guard)
        .post(
            "/api/v1/auth/login",
            json!({ "email": email, "password": PASSWORD }),
        )
        .await
}

async fn login_limit_is_exact(opts: AppOptions) {
    let app = spawn_with(guard_only(opts)).await;
    let (tenant, _) = app
        .user("acme", "alice@acme.fr", ServiceName::Guard, "admin")
        .await;
    for i in 0..5u64 {
        let response = login(&app, "alice@acme.fr").await;
        assert_eq!(response.status, 200, "request {}", i + 1);
        assert_eq!(header_u64(&response, "x-ratelimit-limit"), 5);
        assert_eq!(header_u64(&response, "x-ratelimit-remaining"), 4 - i);
        let reset = header_u64(&response, "x-ratelimit-reset");
        assert!(
            reset >= now_secs() && reset <= now_secs() + 61,
            "reset {reset} is a Unix time within the minute"
        );
    }
    let refused = login(&app, "alice@acme.fr").await;
    assert_eq!(refused.status, 429);
    assert_eq!(header_u64(&refused, "x-ratelimit-remaining"), 0);
    let retry_after = header_u64(&refused, "retry-after");
    assert!(
        (11..=13).contains(&retry_after),
        "one cell is 12 s; got {retry_after}"
    );
    // The refused request never reached the handler: five logins audited, not six.
    let (_, total) = app.platform.audit().page(tenant, 10, 0).await.unwrap();
    assert_eq!(total, 5);
    app.stop().await;
}

#[tokio::test]
async fn login_limit_is_exact_in_memory() {
    login_limit_is_exact(AppOptions::contract_limits()).await;
}

#[tokio::test]
async fn login_limit_is_exact_in_redis() {
    login_limit_is_exact(AppOptions {
        redis: true,
        ..AppOptions::contract_limits()
    })
    .await;
}

async fn reset_is_honoured(opts: AppOptions) {
    let app = spawn_with(guard_only(opts).limit("guard.login", 2, 2)).await;
    app.user("acme", "alice@acme.fr", ServiceName::Guard, "admin")
        .await;
    let mut reset = 0;
    for want in [200, 200, 429] {
        let response = login(&app, "alice@acme.fr").await;
        assert_eq!(response.status, want);
        if want == 200 {
            reset = header_u64(&response, "x-ratelimit-reset");
        }
    }
    // Wait until the advertised reset: the whole budget is back.
    let wait_ms = (reset * 1000).saturating_sub(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64,
    );
    tokio::time::sleep(Duration::from_millis(wait_ms + 50)).await;
    for (attempt, want) in [200, 200, 429].into_iter().enumerate() {
        let status = login(&app, "alice@acme.fr").await.status;
        assert_eq!(status, want, "after the reset, login {}", attempt + 1);
    }
    app.stop().await;
}

#[tokio::test]
async fn reset_is_honoured_in_memory() {
    reset_is_honoured(AppOptions::contract_limits()).await;
}

#[tokio::test]
async fn reset_is_honoured_in_redis() {
    reset_is_honoured(AppOptions {
        redis: true,
        ..AppOptions::contract_limits()
    })
    .await;
}

#[tokio::test]
async fn tenant_budgets_are_shared_within_a_tenant_and_separate_across_tenants() {
    let app = spawn_with(guard_only(AppOptions::default()).limit("guard.api", 3, 60)).await;
    let (a, a1) = app
        .user("tenant-a", "one@a.example", ServiceName::Guard, "admin")
        .await;
    let (_, a2) = app
        .user("tenant-a", "two@a.example", ServiceName::Guard, "admin")
        .await;
    let (b, b1) = app
        .user("tenant-b", "one@b.example", ServiceName::Guard, "admin")
        .await;
    let (ta1, ta2, tb1) = (
        app.token(ServiceName::Guard, a1, a, "admin"),
        app.token(ServiceName::Guard, a2, a, "admin"),
        app.token(ServiceName::Guard, b1, b, "admin"),
    );
    // In this order: A's budget of 3 is shared by its two users; B's is its own.
    let mut statuses = vec![];
    for token in [&ta1, &ta2, &ta1, &tb1, &ta2] {
        statuses.push(app.guard(token).get("/api/v1/audit-log").await.status);
    }
    assert_eq!(statuses, [200, 200, 200, 200, 429]);
    app.stop().await;
}

#[tokio::test]
async fn nodes_sharing_redis_share_one_budget() {
    let namespace = format!("redoubt-test-{}", uuid::Uuid::new_v4().simple());
    let opts = || {
        guard_only(AppOptions {
            redis: true,
            namespace: Some(namespace.clone()),
            ..AppOptions::contract_limits()
        })
        .limit("guard.login", 4, 60)
    };
    let first = spawn_with(opts()).await;
    first
        .user("acme", "alice@acme.fr", ServiceName::Guard, "admin")
        .await;
    let second = spawn_with(AppOptions {
        reuse: Some((first.database_url.clone(), first.data_dir.clone())),
        ..opts()
    })
    .await;
    let mut remaining = vec![];
    for node in [&first, &second, &first, &second] {
        let response = login(node, "alice@acme.fr").await;
        assert_eq!(response.status, 200);
        remaining.push(header_u64(&response, "x-ratelimit-remaining"));
    }
    assert_eq!(remaining, [3, 2, 1, 0]);
    for (node, app) in [("first", &first), ("second", &second)] {
        let status = login(app, "alice@acme.fr").await.status;
        assert_eq!(status, 429, "the {node} node, past the shared budget");
    }
    second.stop().await;
    first.stop().await;
}

/// The guard.login rejection counter, as guard's metrics endpoint reports it.
async fn login_rejections(app: &TestApp) -> u64 {
    let text = app.get_text(ServiceName::Guard, "/api/v1/metrics").await;
    text.lines()
        .find(|l| l.starts_with("rate_limit_rejections_total") && l.contains("guard.login"))
        .map(|l| l.rsplit(' ').next().unwrap().parse().unwrap())
        .unwrap_or(0)
}

#[tokio::test]
async fn rejections_are_counted_in_metrics() {
    let app =
        spawn_with(guard_only(AppOptions::contract_limits()).limit("guard.login", 1, 60)).await;
    // The recorder is process-wide: count the change, not the total.
    let before = login_rejections(&app).await;
    login(&app, "x@acme.fr").await;
    assert_eq!(login(&app, "x@acme.fr").await.status, 429);
    assert_eq!(login_rejections(&app).await, before + 1);
    app.stop().await;
}
