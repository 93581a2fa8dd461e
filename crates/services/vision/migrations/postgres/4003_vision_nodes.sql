-- vision: the nodes analysing jobs, each with its worker count, refreshed every 30 s; the
-- cluster's capacity is the sum over the nodes seen lately.
CREATE TABLE vision_nodes (
    node_id   UUID PRIMARY KEY,
    workers   BIGINT NOT NULL,
    seen_at   TIMESTAMPTZ NOT NULL
);
