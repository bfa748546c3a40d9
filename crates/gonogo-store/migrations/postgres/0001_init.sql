CREATE TABLE reviews (
    id TEXT PRIMARY KEY,
    service TEXT NOT NULL,
    version TEXT NOT NULL,
    revision BIGINT NOT NULL,
    document TEXT NOT NULL,
    primary_oncall TEXT,
    review_time TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX reviews_by_service ON reviews (service, created_at);
CREATE TABLE revisions (
    review_id TEXT NOT NULL REFERENCES reviews (id),
    revision BIGINT NOT NULL,
    document TEXT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    PRIMARY KEY (review_id, revision)
);
CREATE TABLE audit (
    id BIGSERIAL PRIMARY KEY,
    review_id TEXT NOT NULL REFERENCES reviews (id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    change TEXT NOT NULL,
    before TEXT,
    after TEXT
);
CREATE INDEX audit_by_review ON audit (review_id, id);
CREATE TABLE decisions (
    id BIGSERIAL PRIMARY KEY,
    review_id TEXT NOT NULL REFERENCES reviews (id),
    at TEXT NOT NULL,
    by_actor TEXT NOT NULL,
    outcome TEXT NOT NULL,
    body TEXT NOT NULL,
    superseded_at TEXT
);
CREATE TABLE tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
