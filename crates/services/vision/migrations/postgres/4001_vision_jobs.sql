-- vision: analysis jobs (one per video or image batch) and their results. Media bytes live in
-- the media store until the job ends; a job's rows stay for polling.
CREATE TABLE vision_jobs (
    id                      TEXT PRIMARY KEY,
    tenant_id               UUID NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    kind                    TEXT NOT NULL,
    status                  TEXT NOT NULL,
    progress                DOUBLE PRECISION NOT NULL,
    features                TEXT NOT NULL,
    item_count              BIGINT NOT NULL,
    media_bytes             BIGINT NOT NULL,
    max_processing_seconds  BIGINT,
    webhook_url             TEXT,
    webhook_secret          TEXT,
    queue_job_id            UUID NOT NULL,
    error_code              TEXT,
    error_message           TEXT,
    result                  TEXT,
    media_units             DOUBLE PRECISION,
    processing_ms           BIGINT,
    created_at              TIMESTAMPTZ NOT NULL,
    started_at              TIMESTAMPTZ,
    finished_at             TIMESTAMPTZ
);
CREATE INDEX vision_jobs_tenant ON vision_jobs(tenant_id, created_at);
CREATE INDEX vision_jobs_finished ON vision_jobs(kind, status, finished_at);

-- One row per image of a batch: the caller's id and where its bytes are stored.
CREATE TABLE vision_items (
    job_id       TEXT NOT NULL REFERENCES vision_jobs(id) ON DELETE CASCADE,
    position     BIGINT NOT NULL,
    external_id  TEXT,
    media_key    TEXT,
    error_code   TEXT,
    error_message TEXT,
    PRIMARY KEY (job_id, position)
);
