//! The durable job queue, driven through the platform on the test's database: exclusive claims,
//! retries with backoff, fatal failures, maximum run time, cancellation, and the requeue of jobs
//! whose worker died.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use platform::jobs::{
    self, CancelOutcome, EnqueueOptions, Job, JobError, JobHandler, JobRunner, VerifyAuditChainJob,
};
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

use crate::helpers::guard::spawn_guard;
use crate::helpers::{spawn_platform, TestApp};

#[derive(Clone, Copy)]
enum Behaviour {
    Succeed,
    FailFirstAttempt,
    Fatal,
    Sleep(u64),
}

struct TestHandler {
    queue: &'static str,
    behaviour: Behaviour,
    runs: Arc<AtomicUsize>,
}

impl JobHandler for TestHandler {
    fn queue(&self) -> &'static str {
        self.queue
    }
    fn run(&self, job: Job) -> BoxFuture<'static, Result<Value, JobError>> {
        let run = self.runs.fetch_add(1, Ordering::SeqCst) + 1;
        let behaviour = self.behaviour;
        Box::pin(async move {
            match behaviour {
                Behaviour::Succeed => Ok(json!({ "echo": job.payload_json(), "run": run })),
                Behaviour::FailFirstAttempt if job.attempts == 1 => {
                    Err(JobError::Retry("transient".into()))
                }
                Behaviour::FailFirstAttempt => Ok(json!({ "attempt": job.attempts })),
                Behaviour::Fatal => Err(JobError::Fatal("cannot ever work".into())),
                Behaviour::Sleep(secs) => {
                    tokio::time::sleep(Duration::from_secs(secs)).await;
                    Ok(json!("slept"))
                }
            }
        })
    }
}

fn runner(
    app: &TestApp,
    queue: &'static str,
    behaviour: Behaviour,
) -> (Arc<AtomicUsize>, CancellationToken) {
    let runs = Arc::new(AtomicUsize::new(0));
    let mut settings = app.platform.settings().jobs.clone();
    settings.stale_after_secs = 3;
    let stop = CancellationToken::new();
    JobRunner::new(app.platform.jobs().clone(), settings)
        .register(Arc::new(TestHandler {
            queue,
            behaviour,
            runs: runs.clone(),
        }))
        .spawn(stop.clone(), Duration::from_secs(1));
    (runs, stop)
}

async fn wait_for(app: &TestApp, id: uuid::Uuid, status: &str, within: Duration) -> Job {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let job = app
            .platform
            .jobs()
            .get(id)
            .await
            .unwrap()
            .expect("job exists");
        if job.status == status {
            return job;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "job {id} still {} (wanted {status}): {job:?}",
            job.status
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn concurrent_claims_take_each_job_exactly_once() {
    let app = spawn_platform().await;
    let jobs = app.platform.jobs();
    let mut ids = vec![];
    for i in 0..30 {
        ids.push(
            jobs.enqueue("test.claim", &json!({ "i": i }), EnqueueOptions::default())
                .await
                .unwrap(),
        );
    }
    let mut claimers = vec![];
    for w in 0..4 {
        let jobs = jobs.clone();
        claimers.push(tokio::spawn(async move {
            let mut mine = vec![];
            while let Some(job) = jobs
                .claim(&format!("worker-{w}"), &["test.claim"])
                .await
                .unwrap()
            {
                assert_eq!(job.status, jobs::RUNNING);
                assert_eq!(job.attempts, 1);
                mine.push(job.id);
            }
            mine
        }));
    }
    let mut claimed = vec![];
    for c in claimers {
        claimed.extend(c.await.unwrap());
    }
    claimed.sort();
    ids.sort();
    assert_eq!(claimed, ids, "every job claimed once, none twice");
    app.stop().await;
}

#[tokio::test]
async fn a_failed_attempt_is_retried_after_backoff_then_succeeds() {
    let app = spawn_platform().await;
    let id = app
        .platform
        .jobs()
        .enqueue("test.flaky", &json!({}), EnqueueOptions::default())
        .await
        .unwrap();
    let (runs, stop) = runner(&app, "test.flaky", Behaviour::FailFirstAttempt);
    let waiting = wait_for_attempt(&app, id).await;
    assert_eq!(waiting.last_error.as_deref(), Some("transient"));
    let delay = waiting.run_at - waiting.updated_at;
    assert!(
        delay >= chrono::Duration::milliseconds(1900)
            && delay <= chrono::Duration::milliseconds(2100),
        "first backoff is 2 s, got {delay}"
    );
    let done = wait_for(&app, id, jobs::SUCCEEDED, Duration::from_secs(10)).await;
    assert_eq!(done.attempts, 2);
    assert_eq!(done.result_json(), Some(json!({ "attempt": 2 })));
    assert_eq!(runs.load(Ordering::SeqCst), 2);
    stop.cancel();
    app.stop().await;
}

async fn wait_for_attempt(app: &TestApp, id: uuid::Uuid) -> Job {
    for _ in 0..50 {
        let job = app.platform.jobs().get(id).await.unwrap().unwrap();
        if job.attempts >= 1 && job.status == jobs::QUEUED {
            return job;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("job {id} was never attempted");
}

#[tokio::test]
async fn fatal_errors_and_overlong_runs_fail_without_retry() {
    let app = spawn_platform().await;
    let jobs = app.platform.jobs();
    let fatal = jobs
        .enqueue("test.fatal", &json!({}), EnqueueOptions::default())
        .await
        .unwrap();
    let slow = jobs
        .enqueue(
            "test.slow",
            &json!({}),
            EnqueueOptions {
                max_run_seconds: Some(1),
                ..EnqueueOptions::default()
            },
        )
        .await
        .unwrap();
    let (_, stop_fatal) = runner(&app, "test.fatal", Behaviour::Fatal);
    let (_, stop_slow) = runner(&app, "test.slow", Behaviour::Sleep(30));
    let failed = wait_for(&app, fatal, jobs::FAILED, Duration::from_secs(5)).await;
    assert_eq!(
        (failed.attempts, failed.last_error.as_deref()),
        (1, Some("cannot ever work"))
    );
    let timed_out = wait_for(&app, slow, jobs::FAILED, Duration::from_secs(6)).await;
    assert_eq!(
        timed_out.last_error.as_deref(),
        Some("exceeded the maximum run time of 1 s")
    );
    assert!(timed_out.finished_at.is_some());
    stop_fatal.cancel();
    stop_slow.cancel();
    app.stop().await;
}

#[tokio::test]
async fn cancelling_a_waiting_job_and_a_running_one() {
    let app = spawn_platform().await;
    let jobs = app.platform.jobs();
    let later = chrono::Utc::now() + chrono::Duration::hours(1);
    let waiting = jobs
        .enqueue(
            "test.cancel",
            &json!({}),
            EnqueueOptions {
                run_at: Some(later),
                ..EnqueueOptions::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        jobs.cancel(waiting).await.unwrap(),
        CancelOutcome::Cancelled
    );
    assert_eq!(
        jobs.get(waiting).await.unwrap().unwrap().status,
        jobs::CANCELLED
    );

    let running = jobs
        .enqueue("test.cancel", &json!({}), EnqueueOptions::default())
        .await
        .unwrap();
    let (runs, stop) = runner(&app, "test.cancel", Behaviour::Sleep(30));
    wait_for(&app, running, jobs::RUNNING, Duration::from_secs(5)).await;
    assert_eq!(
        jobs.cancel(running).await.unwrap(),
        CancelOutcome::Requested
    );
    let cancelled = wait_for(&app, running, jobs::CANCELLED, Duration::from_secs(5)).await;
    assert!(cancelled.finished_at.is_some());
    assert_eq!(
        runs.load(Ordering::SeqCst),
        1,
        "the cancelled waiting job never ran"
    );
    assert_eq!(
        jobs.cancel(running).await.unwrap(),
        CancelOutcome::AlreadyFinished
    );
    assert_eq!(
        jobs.cancel(uuid::Uuid::new_v4()).await.unwrap(),
        CancelOutcome::NotFound
    );
    stop.cancel();
    app.stop().await;
}

#[tokio::test]
async fn a_job_whose_worker_died_is_requeued_and_run() {
    let app = spawn_platform().await;
    let jobs = app.platform.jobs();
    let id = jobs
        .enqueue("test.orphan", &json!({ "n": 1 }), EnqueueOptions::default())
        .await
        .unwrap();
    // A worker claims it and dies: no heartbeat, no outcome.
    let claimed = jobs
        .claim("dead-worker", &["test.orphan"])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(claimed.id, id);
    let (runs, stop) = runner(&app, "test.orphan", Behaviour::Succeed);
    let done = wait_for(&app, id, jobs::SUCCEEDED, Duration::from_secs(10)).await;
    assert_eq!(done.attempts, 2);
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    assert!(
        !jobs
            .complete(id, "dead-worker", &json!("late"))
            .await
            .unwrap(),
        "the dead worker's claim is void"
    );
    stop.cancel();
    app.stop().await;
}

#[tokio::test]
async fn the_builtin_audit_verification_job_runs_on_the_server() {
    let app = spawn_guard().await;
    let (tenant, _) = app
        .user(
            "acme",
            "alice@acme.fr",
            platform::ServiceName::Guard,
            "admin",
        )
        .await;
    app.guard_login("alice@acme.fr").await;
    let id = app
        .platform
        .jobs()
        .enqueue(
            VerifyAuditChainJob::QUEUE,
            &json!({ "tenant_id": tenant }),
            EnqueueOptions::default(),
        )
        .await
        .unwrap();
    let done = wait_for(&app, id, jobs::SUCCEEDED, Duration::from_secs(5)).await;
    let result = done.result_json().unwrap();
    assert_eq!(
        (result["valid"].as_bool(), result["entries"].as_u64()),
        (Some(true), Some(1))
    );
    app.stop().await;
}
