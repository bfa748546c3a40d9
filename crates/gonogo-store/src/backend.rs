//! The two backends. Their SQL is the same but for placeholders (`$1` in PostgreSQL, `?1` in
//! SQLite), so one macro writes both implementations; each keeps its own migrations.

use crate::*;
use sqlx::Row;
use std::str::FromStr;

/// SQLite: one file, WAL, created on first start.
#[derive(Clone)]
pub struct Sqlite(pub sqlx::SqlitePool);

/// PostgreSQL: several replicas on one database.
#[derive(Clone)]
pub struct Postgres(pub sqlx::PgPool);

impl Sqlite {
    /// `sqlite://gonogo.db` (created if missing) or `sqlite::memory:`.
    pub async fn connect(url: &str) -> Result<Sqlite> {
        let opts = sqlx::sqlite::SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Db(format!("{url}: {e}")))?
            .create_if_missing(true)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
            .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
            .busy_timeout(std::time::Duration::from_secs(10))
            .foreign_keys(true);
        let pool = sqlx::sqlite::SqlitePoolOptions::new().max_connections(8).connect_with(opts).await?;
        Ok(Sqlite(pool))
    }
}

impl Postgres {
    pub async fn connect(url: &str) -> Result<Postgres> {
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(std::time::Duration::from_secs(10))
            .connect(url)
            .await?;
        Ok(Postgres(pool))
    }
}

// The SQL below is fixed text written here; only the placeholder style is rewritten.
fn sqlite_sql(sql: &'static str) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(sql.replace('$', "?"))
}

fn pg_sql(sql: &'static str) -> &'static str {
    sql
}

const SQLITE_MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/sqlite/0001_init.sql")),
    (2, include_str!("../migrations/sqlite/0002_captures.sql")),
];
const PG_MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/postgres/0001_init.sql")),
    (2, include_str!("../migrations/postgres/0002_captures.sql")),
];

macro_rules! capture_columns {
    () => {
        "id, kind, item, state, created_at, actor, settled_at, settled_by"
    };
}

macro_rules! capture_row {
    ($r:expr) => {
        CaptureRow {
            id: $r.get(0),
            kind: $r.get(1),
            item: json($r.get(2)).unwrap_or(serde_json::Value::Null),
            state: $r.get(3),
            created_at: $r.get(4),
            actor: $r.get(5),
            settled_at: $r.get(6),
            settled_by: $r.get(7),
        }
    };
}

fn json(text: Option<String>) -> Option<serde_json::Value> {
    text.and_then(|t| serde_json::from_str(&t).ok())
}

macro_rules! impl_store {
    ($ty:ident, $sql:ident, $migrations:ident, $begin_exclusive:expr, $publish:ident, $subscribe:ident) => {
        impl Store for $ty {
            async fn migrate(&self) -> Result<()> {
                let mut conn = self.0.acquire().await?;
                let mut tx = $begin_exclusive(&mut conn).await?;
                sqlx::raw_sql("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)")
                    .execute(&mut *tx)
                    .await?;
                let done: Vec<i64> = sqlx::query($sql("SELECT version FROM schema_migrations"))
                    .fetch_all(&mut *tx)
                    .await?
                    .iter()
                    .map(|r| r.get::<i64, _>(0))
                    .collect();
                for (version, sql) in $migrations {
                    if done.contains(version) {
                        continue;
                    }
                    sqlx::raw_sql(*sql).execute(&mut *tx).await?;
                    sqlx::query($sql("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)"))
                        .bind(*version)
                        .bind(now())
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn create_review(&self, c: Change, decision: Option<DecisionRecord>) -> Result<StoredReview> {
                let id = new_id();
                let at = now();
                let mut tx = self.0.begin().await?;
                sqlx::query($sql("INSERT INTO reviews (id, service, version, revision, document, primary_oncall, review_time, created_at, updated_at) VALUES ($1, $2, $3, 1, $4, $5, $6, $7, $7)"))
                    .bind(&id)
                    .bind(&c.meta.service)
                    .bind(&c.meta.version)
                    .bind(&c.document)
                    .bind(&c.meta.primary_oncall)
                    .bind(&c.meta.review_time)
                    .bind(&at)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query($sql("INSERT INTO revisions (review_id, revision, document, at, actor) VALUES ($1, 1, $2, $3, $4)"))
                    .bind(&id)
                    .bind(&c.document)
                    .bind(&at)
                    .bind(&c.actor)
                    .execute(&mut *tx)
                    .await?;
                insert_audit!($sql, &mut *tx, &id, &at, &c);
                if let Some(d) = decision {
                    insert_decision!($sql, &mut *tx, &id, &at, &d);
                }
                tx.commit().await?;
                Ok(StoredReview { id, revision: 1, document: c.document, created_at: at.clone(), updated_at: at })
            }

            async fn get_review(&self, id: &str) -> Result<StoredReview> {
                let row = sqlx::query($sql("SELECT id, revision, document, created_at, updated_at FROM reviews WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(&self.0)
                    .await?
                    .ok_or_else(|| StoreError::NotFound(id.to_string()))?;
                Ok(StoredReview {
                    id: row.get(0),
                    revision: row.get(1),
                    document: row.get(2),
                    created_at: row.get(3),
                    updated_at: row.get(4),
                })
            }

            async fn list_reviews(&self, service: Option<&str>) -> Result<Vec<Summary>> {
                let rows = match service {
                    Some(s) => sqlx::query($sql("SELECT id, service, version, revision, created_at, updated_at FROM reviews WHERE service = $1 ORDER BY created_at DESC, id"))
                        .bind(s)
                        .fetch_all(&self.0)
                        .await?,
                    None => sqlx::query($sql("SELECT id, service, version, revision, created_at, updated_at FROM reviews ORDER BY created_at DESC, id"))
                        .fetch_all(&self.0)
                        .await?,
                };
                Ok(rows
                    .iter()
                    .map(|r| Summary {
                        id: r.get(0),
                        service: r.get(1),
                        version: r.get(2),
                        revision: r.get(3),
                        created_at: r.get(4),
                        updated_at: r.get(5),
                    })
                    .collect())
            }

            async fn update_review(&self, id: &str, expected: i64, c: Change, decision: Option<DecisionRecord>) -> Result<StoredReview> {
                let at = now();
                let mut tx = self.0.begin().await?;
                let done = sqlx::query($sql("UPDATE reviews SET revision = revision + 1, document = $1, service = $2, version = $3, primary_oncall = $4, review_time = $5, updated_at = $6 WHERE id = $7 AND revision = $8"))
                    .bind(&c.document)
                    .bind(&c.meta.service)
                    .bind(&c.meta.version)
                    .bind(&c.meta.primary_oncall)
                    .bind(&c.meta.review_time)
                    .bind(&at)
                    .bind(id)
                    .bind(expected)
                    .execute(&mut *tx)
                    .await?;
                if done.rows_affected() == 0 {
                    let current: Option<i64> = sqlx::query($sql("SELECT revision FROM reviews WHERE id = $1"))
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?
                        .map(|r| r.get(0));
                    return Err(match current {
                        None => StoreError::NotFound(id.to_string()),
                        Some(current) => StoreError::Conflict { expected, current },
                    });
                }
                let revision = expected + 1;
                sqlx::query($sql("INSERT INTO revisions (review_id, revision, document, at, actor) VALUES ($1, $2, $3, $4, $5)"))
                    .bind(id)
                    .bind(revision)
                    .bind(&c.document)
                    .bind(&at)
                    .bind(&c.actor)
                    .execute(&mut *tx)
                    .await?;
                if let Some(d) = decision {
                    sqlx::query($sql("UPDATE decisions SET superseded_at = $1 WHERE review_id = $2 AND superseded_at IS NULL"))
                        .bind(&at)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    insert_decision!($sql, &mut *tx, id, &at, &d);
                }
                insert_audit!($sql, &mut *tx, id, &at, &c);
                let created: String = sqlx::query($sql("SELECT created_at FROM reviews WHERE id = $1"))
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?
                    .get(0);
                tx.commit().await?;
                Ok(StoredReview { id: id.to_string(), revision, document: c.document, created_at: created, updated_at: at })
            }

            async fn add_audit(&self, id: &str, c: Change) -> Result<()> {
                let at = now();
                let mut tx = self.0.begin().await?;
                insert_audit!($sql, &mut *tx, id, &at, &c);
                tx.commit().await?;
                Ok(())
            }

            async fn audit(&self, id: &str) -> Result<Vec<AuditEntry>> {
                let rows = sqlx::query($sql("SELECT at, actor, change, before, after FROM audit WHERE review_id = $1 ORDER BY id"))
                    .bind(id)
                    .fetch_all(&self.0)
                    .await?;
                Ok(rows
                    .iter()
                    .map(|r| AuditEntry {
                        at: r.get(0),
                        actor: r.get(1),
                        change: r.get(2),
                        before: json(r.get(3)),
                        after: json(r.get(4)),
                    })
                    .collect())
            }

            async fn on_call_history(&self, service: &str, except: &str) -> Result<Vec<PastOnCall>> {
                let rows = sqlx::query($sql("SELECT id, version, primary_oncall, review_time FROM reviews WHERE service = $1 AND id <> $2"))
                    .bind(service)
                    .bind(except)
                    .fetch_all(&self.0)
                    .await?;
                Ok(rows
                    .iter()
                    .map(|r| PastOnCall { id: r.get(0), version: r.get(1), primary_oncall: r.get(2), review_time: r.get(3) })
                    .collect())
            }

            async fn add_captures(&self, id: &str, items: Vec<(String, serde_json::Value)>, c: Change) -> Result<Vec<CaptureRow>> {
                let at = now();
                let mut tx = self.0.begin().await?;
                let exists: Option<String> = sqlx::query($sql("SELECT id FROM reviews WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?
                    .map(|r| r.get(0));
                if exists.is_none() {
                    return Err(StoreError::NotFound(id.to_string()));
                }
                let known: Vec<(String, String)> = sqlx::query($sql("SELECT kind, item FROM captures WHERE review_id = $1"))
                    .bind(id)
                    .fetch_all(&mut *tx)
                    .await?
                    .iter()
                    .map(|r| (r.get(0), r.get(1)))
                    .collect();
                let mut added = Vec::new();
                for (kind, item) in items {
                    let text = item.to_string();
                    if known.iter().any(|(k, i)| *k == kind && *i == text) || added.iter().any(|(k, i): &(String, String)| *k == kind && *i == text) {
                        continue;
                    }
                    sqlx::query($sql("INSERT INTO captures (review_id, kind, item, state, created_at, actor) VALUES ($1, $2, $3, 'pending', $4, $5)"))
                        .bind(id)
                        .bind(&kind)
                        .bind(&text)
                        .bind(&at)
                        .bind(&c.actor)
                        .execute(&mut *tx)
                        .await?;
                    added.push((kind, text));
                }
                insert_audit!($sql, &mut *tx, id, &at, &c);
                let q = concat!("SELECT ", capture_columns!(), " FROM captures WHERE review_id = $1 AND created_at = $2 ORDER BY id");
                let rows = sqlx::query($sql(q)).bind(id).bind(&at).fetch_all(&mut *tx).await?;
                tx.commit().await?;
                Ok(rows.iter().map(|r| capture_row!(r)).collect())
            }

            async fn captures(&self, id: &str) -> Result<Vec<CaptureRow>> {
                let q = concat!("SELECT ", capture_columns!(), " FROM captures WHERE review_id = $1 ORDER BY id");
                let rows = sqlx::query($sql(q)).bind(id).fetch_all(&self.0).await?;
                Ok(rows.iter().map(|r| capture_row!(r)).collect())
            }

            async fn settle_capture(&self, id: &str, capture: i64, state: &str, c: Change) -> Result<Option<CaptureRow>> {
                let at = now();
                let mut tx = self.0.begin().await?;
                let done = sqlx::query($sql("UPDATE captures SET state = $1, settled_at = $2, settled_by = $3 WHERE review_id = $4 AND id = $5 AND state = 'pending'"))
                    .bind(state)
                    .bind(&at)
                    .bind(&c.actor)
                    .bind(id)
                    .bind(capture)
                    .execute(&mut *tx)
                    .await?;
                if done.rows_affected() == 0 {
                    return Ok(None);
                }
                insert_audit!($sql, &mut *tx, id, &at, &c);
                let q = concat!("SELECT ", capture_columns!(), " FROM captures WHERE id = $1");
                let row = sqlx::query($sql(q)).bind(capture).fetch_one(&mut *tx).await?;
                tx.commit().await?;
                Ok(Some(capture_row!(row)))
            }

            async fn create_token(&self, name: &str, role: Role) -> Result<String> {
                let secret = new_token_secret();
                sqlx::query($sql("INSERT INTO tokens (id, name, role, hash, created_at) VALUES ($1, $2, $3, $4, $5)"))
                    .bind(new_id())
                    .bind(name)
                    .bind(role.as_str())
                    .bind(hash_token(&secret))
                    .bind(now())
                    .execute(&self.0)
                    .await?;
                Ok(secret)
            }

            async fn token(&self, secret: &str) -> Result<Option<Token>> {
                let row = sqlx::query($sql("SELECT name, role FROM tokens WHERE hash = $1"))
                    .bind(hash_token(secret))
                    .fetch_optional(&self.0)
                    .await?;
                Ok(row.and_then(|r| {
                    let role: String = r.get(1);
                    Role::parse(&role).map(|role| Token { name: r.get(0), role })
                }))
            }

            async fn publish(&self, payload: &str) -> Result<bool> {
                $publish(self, payload).await
            }

            async fn subscribe(&self, tx: tokio::sync::broadcast::Sender<String>) -> Result<bool> {
                $subscribe(self, tx).await
            }

            async fn token_count(&self) -> Result<i64> {
                Ok(sqlx::query($sql("SELECT COUNT(*) FROM tokens")).fetch_one(&self.0).await?.get::<i64, _>(0))
            }
        }
    };
}

macro_rules! insert_decision {
    ($sql:ident, $ex:expr, $id:expr, $at:expr, $d:expr) => {
        sqlx::query($sql("INSERT INTO decisions (review_id, at, by_actor, outcome, body) VALUES ($1, $2, $3, $4, $5)"))
            .bind($id)
            .bind($at)
            .bind(&$d.by)
            .bind(&$d.outcome)
            .bind($d.body.to_string())
            .execute($ex)
            .await?;
    };
}

macro_rules! insert_audit {
    ($sql:ident, $ex:expr, $id:expr, $at:expr, $c:expr) => {
        sqlx::query($sql(
            "INSERT INTO audit (review_id, at, actor, change, before, after) VALUES ($1, $2, $3, $4, $5, $6)",
        ))
        .bind($id)
        .bind($at)
        .bind(&$c.actor)
        .bind(&$c.change)
        .bind($c.before.as_ref().map(|v| v.to_string()))
        .bind($c.after.as_ref().map(|v| v.to_string()))
        .execute($ex)
        .await?;
    };
}

/// SQLite takes the write lock at BEGIN, so two processes migrating at once take turns.
async fn sqlite_begin(
    conn: &mut sqlx::pool::PoolConnection<sqlx::Sqlite>,
) -> Result<sqlx::Transaction<'_, sqlx::Sqlite>> {
    use sqlx::Connection;
    Ok(conn.begin_with("BEGIN IMMEDIATE").await?)
}

/// PostgreSQL: an advisory lock held by the migrating transaction; other replicas wait for it.
async fn pg_begin(
    conn: &mut sqlx::pool::PoolConnection<sqlx::Postgres>,
) -> Result<sqlx::Transaction<'_, sqlx::Postgres>> {
    use sqlx::Connection;
    let mut tx = conn.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock(7214031)").execute(&mut *tx).await?;
    Ok(tx)
}

impl_store!(Sqlite, sqlite_sql, SQLITE_MIGRATIONS, sqlite_begin, sqlite_publish, sqlite_subscribe);
impl_store!(Postgres, pg_sql, PG_MIGRATIONS, pg_begin, pg_publish, pg_subscribe);

async fn sqlite_publish(_: &Sqlite, _: &str) -> Result<bool> {
    Ok(false)
}

async fn sqlite_subscribe(_: &Sqlite, _: tokio::sync::broadcast::Sender<String>) -> Result<bool> {
    Ok(false)
}

async fn pg_publish(s: &Postgres, payload: &str) -> Result<bool> {
    sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(payload).execute(&s.0).await?;
    Ok(true)
}

/// Listens on the channel for as long as the process lives, reconnecting after a failure
/// (sqlx's listener re-subscribes by itself).
async fn pg_subscribe(s: &Postgres, tx: tokio::sync::broadcast::Sender<String>) -> Result<bool> {
    let mut listener = sqlx::postgres::PgListener::connect_with(&s.0).await?;
    listener.listen(CHANNEL).await?;
    tokio::spawn(async move {
        loop {
            match listener.recv().await {
                Ok(n) => {
                    let _ = tx.send(n.payload().to_string());
                }
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(200)).await,
            }
        }
    });
    Ok(true)
}
