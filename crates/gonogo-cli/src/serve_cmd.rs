//! `gonogo serve` and `gonogo token create`: picks the backend from the URL and launches.

use anyhow::{Context, Result, anyhow, bail};
use gonogo_store::{Postgres, Role, Sqlite, Store};
use std::net::SocketAddr;

const DEMO: &str = include_str!("../../../examples/reports-v2.14.0.yaml");

enum Db {
    Sqlite(Sqlite),
    Postgres(Postgres),
}

async fn connect(url: &str) -> Result<Db> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Db::Postgres(Postgres::connect(url).await.map_err(|e| anyhow!("{e}")).context("connecting to PostgreSQL")?))
    } else if url.starts_with("sqlite:") {
        Ok(Db::Sqlite(Sqlite::connect(url).await.map_err(|e| anyhow!("{e}")).context("opening SQLite")?))
    } else {
        bail!("--db `{url}` is neither sqlite://FILE nor postgres://…")
    }
}

pub fn serve(db: &str, listen: SocketAddr, demo: bool, max_body: usize) -> Result<u8> {
    let rt = crate::watch_cmd::runtime()?;
    rt.block_on(async {
        let url = if demo && db == "sqlite://gonogo.db" {
            let path = std::env::temp_dir().join(format!("gonogo-demo-{}.db", std::process::id()));
            let _ = std::fs::remove_file(&path);
            format!("sqlite://{}", path.display())
        } else {
            db.to_string()
        };
        match connect(&url).await? {
            Db::Sqlite(s) => launch(s, &url, listen, demo, max_body).await,
            Db::Postgres(p) => launch(p, &url, listen, demo, max_body).await,
        }
    })
}

async fn launch<S: Store>(store: S, url: &str, listen: SocketAddr, demo: bool, max_body: usize) -> Result<u8> {
    let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("listening on {listen}"))?;
    let addr = listener.local_addr()?;
    store.migrate().await.map_err(|e| anyhow!("migrating {}: {e}", url.split('@').next_back().unwrap_or(url)))?;
    let open = gonogo_server::open_mode(&store, addr).await.map_err(|e| anyhow!(e))?;
    let app =
        gonogo_server::app(store.clone(), gonogo_server::Config { open, max_body }).await.map_err(|e| anyhow!(e))?;
    let mut first = None;
    if demo {
        let review = gonogo_core::parse_str(DEMO).map_err(|e| anyhow!("{e}"))?;
        let (node, _) = gonogo_core::yaml::parse(DEMO);
        let value = node.as_ref().map(gonogo_core::yaml::to_json).unwrap_or_default();
        let change = gonogo_store::Change {
            document: gonogo_core::yaml::emit(&value),
            meta: gonogo_server::meta(&review),
            actor: "demo".into(),
            change: "create".into(),
            before: None,
            after: Some(value),
        };
        first = Some(store.create_review(change, None).await.map_err(|e| anyhow!("{e}"))?.id);
    }
    let shown = url.split('@').next_back().unwrap_or(url);
    eprintln!("gonogo serve: http://{addr}/ (database {shown})");
    if let Some(id) = first {
        println!("open http://{addr}/reviews/{id}");
    }
    if open {
        eprintln!(
            "gonogo serve: open mode — loopback address and no token: anyone on this machine can edit and decide. `gonogo token create` ends it."
        );
    } else if !addr.ip().is_loopback() {
        eprintln!("gonogo serve: every write needs a token (`gonogo token create --name NAME --role editor --db …`)");
    }
    let demo_file = (demo && url.starts_with("sqlite://")).then(|| url.trim_start_matches("sqlite://").to_string());
    let cleanup = move || {
        if let Some(f) = &demo_file {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{f}{suffix}"));
            }
        }
    };
    let on_exit = cleanup.clone();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            stop_signal().await;
            // Open pages hold their event streams for ever: give requests in flight two
            // seconds, then go.
            tokio::spawn(async move {
                tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                on_exit();
                std::process::exit(0);
            });
        })
        .await?;
    cleanup();
    Ok(0)
}

/// Ctrl-C, or SIGTERM from a service manager.
async fn stop_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term => {}
    }
}

pub fn token_create(db: &str, name: &str, role: &str) -> Result<u8> {
    if name.trim().is_empty() {
        bail!("--name names who uses the token (it is the actor of their changes): it cannot be blank");
    }
    let path = db.strip_prefix("sqlite://").or_else(|| db.strip_prefix("sqlite:"));
    if path.is_some_and(|p| p.is_empty() || p.starts_with(":memory:")) {
        bail!(
            "--db {db}: a token in a database that is gone when this command ends is of no use; name the server's database"
        );
    }
    let role = Role::parse(role).ok_or_else(|| anyhow!("--role is viewer, editor or approver"))?;
    let rt = crate::watch_cmd::runtime()?;
    let secret = rt.block_on(async {
        match connect(db).await? {
            Db::Sqlite(s) => create(s, name, role).await,
            Db::Postgres(p) => create(p, name, role).await,
        }
    })?;
    println!("{secret}");
    eprintln!("token for {name} ({}): shown once, keep it secret", role.as_str());
    Ok(0)
}

async fn create<S: Store>(store: S, name: &str, role: Role) -> Result<String> {
    store.migrate().await.map_err(|e| anyhow!("{e}"))?;
    store.create_token(name, role).await.map_err(|e| anyhow!("{e}"))
}
