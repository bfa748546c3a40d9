CREATE TABLE captures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    review_id TEXT NOT NULL REFERENCES reviews (id),
    kind TEXT NOT NULL,
    item TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at TEXT NOT NULL,
    actor TEXT NOT NULL,
    settled_at TEXT,
    settled_by TEXT
);
CREATE INDEX captures_by_review ON captures (review_id, id);
