//! The `gonogo` binary: parses arguments, reads files, prints what gonogo-core returns.

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use gonogo_core::report::{self, Source, Style};
use gonogo_core::{PastReview, ReviewError};
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod capture_cmd;
mod serve_cmd;
mod watch_cmd;

#[derive(Parser)]
#[command(
    name = "gonogo",
    version,
    about = "Deployment readiness reviews you can check, gate on, watch and run the meeting on.",
    long_about = "gonogo holds a release's readiness review (review.yaml) against the go / no-go meeting's rules:\n\
                  named rollback triggers, a single accepted on-call owner, dashboards verified live, every\n\
                  checklist item ready or covered by a decision condition.",
    after_help = "Start with:\n  gonogo init --service reports --version v2.14.0 > review.yaml\n  gonogo check review.yaml"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a review against the meeting's rules and print the verdict.
    #[command(after_help = "Exit codes: 0 go or go_with_conditions, 1 no_go, 2 the file is not a valid review.\n\n\
        Examples:\n  gonogo check review.yaml\n  gonogo check review.yaml --format json | jq .verdict\n  \
        gonogo check review.yaml --require-decision --history reviews/   # a pipeline gate")]
    Check {
        /// The review file (`-` reads standard input).
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Also require a recorded decision whose outcome is `go` (exit 1 otherwise).
        #[arg(long)]
        require_decision: bool,
        /// A folder of the service's earlier review files, for `on-call-not-rotated`.
        #[arg(long, value_name = "DIR")]
        history: Option<PathBuf>,
        /// Colour: auto (only on a terminal, and not when NO_COLOR is set), always, never.
        #[arg(long, value_enum, default_value_t = Color::Auto)]
        color: Color,
    },
    /// Render the meeting document (the seed's sections, verdict banner, open blockers).
    #[command(after_help = "Examples:\n  gonogo render review.yaml --format markdown > REVIEW.md\n  \
        gonogo render review.yaml --format html > review.html   # one self-contained file that prints well")]
    Render {
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = DocFormat::Markdown)]
        format: DocFormat,
        /// A folder of earlier reviews, as for `check`.
        #[arg(long, value_name = "DIR")]
        history: Option<PathBuf>,
    },
    /// Print a commented review.yaml skeleton to fill in.
    #[command(after_help = "Example:\n  gonogo init --service reports --version v2.14.0 > review.yaml")]
    Init {
        #[arg(long, default_value = "my-service")]
        service: String,
        #[arg(long, default_value = "v0.1.0")]
        version: String,
        /// Write to this file instead of standard output (refuses to overwrite).
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Print the JSON Schema of the review file (for editors).
    #[command(after_help = "Example:\n  gonogo schema > gonogo.schema.json\n  \
        # then, in VS Code's YAML extension: # yaml-language-server: $schema=gonogo.schema.json")]
    Schema,
    /// Export triggers as Prometheus alerting rules or an Argo Rollouts AnalysisTemplate, or
    /// follow-ups as an iCalendar file.
    #[command(
        after_help = "Examples:\n  gonogo export review.yaml --to prometheus-rules > rules.yml && promtool check rules rules.yml\n  \
        gonogo export review.yaml --to argo-analysis > analysis.yaml\n  gonogo export review.yaml --to ics > review.ics"
    )]
    Export {
        file: PathBuf,
        #[arg(long, value_enum)]
        to: ExportTo,
    },
    /// Watch the rollback triggers during the deploy window and run the rollback actions the
    /// moment one fires.
    #[command(after_help = "Exit codes: 0 the window ended clean, 3 rolled back, 4 the window ended but the source \
        failed during it, 2 error.\n\nSource credentials come from the environment: GONOGO_PROMETHEUS_TOKEN (bearer), \
        or GONOGO_PROMETHEUS_USER and GONOGO_PROMETHEUS_PASSWORD (basic).\n\n\
        With --scrape, gonogo reads the targets' /metrics itself every --interval and evaluates the triggers right \
        after each scrape (no Prometheus needed); `alert:` triggers then need --alerts.\n\n\
        Examples:\n  gonogo watch review.yaml --prometheus http://prometheus:9090 --events events.jsonl --state watch.state\n  \
        gonogo watch review.yaml --prometheus http://127.0.0.1:9090 --until 30m --dry-run\n  \
        gonogo watch review.yaml --scrape http://10.0.0.5:8080/metrics --alerts http://alertmanager:9093 --listen 127.0.0.1:9091")]
    Watch {
        file: PathBuf,
        /// The Prometheus-compatible API to query (Prometheus, Thanos, Mimir, VictoriaMetrics).
        #[arg(long, value_name = "URL", required_unless_present = "scrape", conflicts_with = "scrape")]
        prometheus: Option<String>,
        /// Scrape this /metrics endpoint itself (repeatable) and evaluate the triggers in gonogo.
        #[arg(long, value_name = "URL")]
        scrape: Vec<String>,
        /// With --scrape: where `alert:` triggers are read (a Prometheus or Alertmanager API).
        #[arg(long, value_name = "URL")]
        alerts: Option<String>,
        /// With --scrape and no --alerts: watch without the `alert:` triggers.
        #[arg(long)]
        ignore_alert_triggers: bool,
        /// With --scrape: the `job` label of the scraped series (default: the review's service).
        #[arg(long, value_name = "NAME")]
        job: Option<String>,
        /// With --scrape: the most series the embedded store holds; a scrape beyond it fails.
        #[arg(long, default_value_t = 100_000)]
        max_series: usize,
        /// With --scrape: serve the embedded store's /api/v1/query and /api/v1/query_range here.
        #[arg(long, value_name = "ADDR")]
        listen: Option<std::net::SocketAddr>,
        /// How often every trigger is evaluated (with --scrape: how often the targets are scraped).
        #[arg(long, default_value = "1s", value_parser = watch_cmd::parse_duration)]
        interval: std::time::Duration,
        /// Watch this long instead of until the on-call window ends.
        #[arg(long, value_parser = watch_cmd::parse_duration)]
        until: Option<std::time::Duration>,
        /// Evaluate and report, but run no action.
        #[arg(long)]
        dry_run: bool,
        /// Append every event to this file as JSON lines.
        #[arg(long, value_name = "FILE")]
        events: Option<PathBuf>,
        /// Record what fired and which actions ran here, so that a restarted watch repeats none.
        #[arg(long, value_name = "FILE")]
        state: Option<PathBuf>,
        /// Where `gonogo trigger fire` reaches this watch.
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
        control: std::net::SocketAddr,
        /// Print only the final summary (for CI).
        #[arg(long)]
        quiet: bool,
        /// Timeout of each query.
        #[arg(long, default_value = "5s", value_parser = watch_cmd::parse_duration)]
        timeout: std::time::Duration,
    },
    /// Prove against the metrics source that the monitoring is live: every query has data at
    /// every step of the last minutes, every alert the review relies on is a loaded rule.
    #[command(
        after_help = "Exit codes: 0 all live, 1 something is not live, 2 error (bad file, source unreachable).\n\n\
        Example:\n  gonogo verify review.yaml --prometheus http://prometheus:9090"
    )]
    Verify {
        file: PathBuf,
        #[arg(long, value_name = "URL")]
        prometheus: String,
        /// How far back every step must have data.
        #[arg(long, default_value = "5m", value_parser = watch_cmd::parse_duration)]
        window: std::time::Duration,
        /// The resolution of that check.
        #[arg(long, default_value = "15s", value_parser = watch_cmd::parse_duration)]
        step: std::time::Duration,
        #[arg(long, default_value = "10s", value_parser = watch_cmd::parse_duration)]
        timeout: std::time::Duration,
    },
    /// Report a manual trigger to a running watch.
    #[command(subcommand)]
    Trigger(TriggerCmd),
    /// Serve the page the meeting runs on, and its API.
    #[command(
        after_help = "The database: --db, else GONOGO_DATABASE_URL, else sqlite://gonogo.db (created on first start).\n\
        Bound to a loopback address with no token created, the server is open for one person; otherwise every write needs\n\
        a token (`gonogo token create`).\n\nExamples:\n  gonogo serve --demo                       # the seed's review in a fresh SQLite file\n  \
        gonogo serve --db postgres://gonogo@db/gonogo --listen 0.0.0.0:8080"
    )]
    Serve {
        /// sqlite://FILE or postgres://…
        #[arg(long, value_name = "URL", env = "GONOGO_DATABASE_URL", default_value = "sqlite://gonogo.db")]
        db: String,
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// Load the seed's example review into a fresh SQLite file and print the address to open.
        #[arg(long)]
        demo: bool,
        /// Largest request body in bytes (413 beyond).
        #[arg(long, default_value_t = 4 * 1024 * 1024)]
        max_body: usize,
    },
    /// API tokens for `gonogo serve`.
    #[command(subcommand)]
    Token(TokenCmd),
    /// Draft the meeting's decisions, action items, open questions and checklist updates from its
    /// transcript (WebVTT, SRT or `[HH:MM:SS] Name: text`), each with the words it rests on.
    #[command(
        after_help = "Owners are resolved through the review's meeting.attendees, due dates through the meeting's \
        date and time zone (stated in the transcript or meeting.date). --review takes any review file, complete or not.\n\n\
        Exit codes: 0, 2 (the transcript or review cannot be read; the message names the line).\n\n\
        Examples:\n  gonogo capture meeting.vtt --review review.yaml\n  \
        gonogo capture meeting.vtt --review review.yaml --format human\n  \
        gonogo capture meeting.srt --review review.yaml --apply      # merge into review.yaml; conflicts are listed\n  \
        live-captions | gonogo capture --follow --review review.yaml  # JSON lines {at, speaker, text} in, items out"
    )]
    Capture {
        /// The transcript file (not with --follow).
        transcript: Option<PathBuf>,
        /// The review whose attendees, checklist and deploy window the meeting is about.
        #[arg(long, value_name = "FILE")]
        review: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = capture_cmd::CaptureFormat::Json)]
        format: capture_cmd::CaptureFormat,
        /// Write the captured items into the --review file: blank values filled, a person's values kept.
        #[arg(long)]
        apply: bool,
        /// Read utterances as JSON lines `{"at", "speaker", "text"}` from standard input and print
        /// each item as soon as it is certain.
        #[arg(long)]
        follow: bool,
    },
    /// Evaluate PromQL with the embedded engine over an OpenMetrics file with timestamps.
    #[command(subcommand)]
    Promql(PromqlCmd),
}

#[derive(Subcommand)]
enum PromqlCmd {
    /// An instant query; prints the Prometheus API's `data` object.
    #[command(after_help = "The data file is OpenMetrics with a timestamp (seconds) on every sample, as \
        `promtool tsdb create-blocks-from openmetrics` reads it.\n\nExample:\n  \
        gonogo promql query --data metrics.om --time 2024-12-13T12:05:00Z 'sum(rate(http_requests_total[5m]))'")]
    Query {
        /// The OpenMetrics file.
        #[arg(long, value_name = "FILE")]
        data: PathBuf,
        /// The evaluation time: RFC 3339 or Unix seconds.
        #[arg(long, value_name = "T")]
        time: String,
        /// The PromQL expression.
        expr: String,
    },
    /// Serve the file through the Prometheus query API (`/api/v1/query`, `/api/v1/query_range`),
    /// for a dashboard or `gonogo verify` to read recorded data.
    #[command(after_help = "Example:\n  gonogo promql serve --data metrics.om --listen 127.0.0.1:9091")]
    Serve {
        #[arg(long, value_name = "FILE")]
        data: PathBuf,
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9091")]
        listen: std::net::SocketAddr,
    },
    /// A range query; prints the Prometheus API's `data` object (a matrix).
    #[command(
        after_help = "Example:\n  gonogo promql query-range --data metrics.om --start 1734091200 --end 1734091500 \
        --step 15s 'histogram_quantile(0.95, sum by (le) (rate(report_generation_seconds_bucket[5m])))'"
    )]
    QueryRange {
        #[arg(long, value_name = "FILE")]
        data: PathBuf,
        /// RFC 3339 or Unix seconds.
        #[arg(long, value_name = "T")]
        start: String,
        /// RFC 3339 or Unix seconds.
        #[arg(long, value_name = "T")]
        end: String,
        /// A duration (`15s`) or seconds.
        #[arg(long, value_name = "STEP")]
        step: String,
        expr: String,
    },
}

#[derive(Subcommand)]
enum TokenCmd {
    /// Create a token; it is printed once (only its hash is stored).
    #[command(after_help = "Example:\n  gonogo token create --name @elena --role approver --db sqlite://gonogo.db")]
    Create {
        /// Who uses it; recorded as the actor of every change made with it.
        #[arg(long)]
        name: String,
        /// viewer (read), editor (edit), approver (edit and record decisions).
        #[arg(long, value_parser = ["viewer", "editor", "approver"])]
        role: String,
        #[arg(long, value_name = "URL", env = "GONOGO_DATABASE_URL", default_value = "sqlite://gonogo.db")]
        db: String,
    },
}

#[derive(Subcommand)]
enum TriggerCmd {
    /// Fire a manual trigger: the watch runs the rollback at once.
    #[command(
        after_help = "Example:\n  gonogo trigger fire \"Data integrity issue reported\" --watch http://127.0.0.1:7070/3f9c…   # the address the watch printed"
    )]
    Fire {
        /// The trigger's name, as in the review.
        name: String,
        /// The watch's control address, as it printed it at start (it ends in a secret part).
        #[arg(long, value_name = "URL")]
        watch: String,
        /// Who reports it (default: $USER).
        #[arg(long)]
        by: Option<String>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
    Sarif,
    Markdown,
}

#[derive(Clone, Copy, ValueEnum)]
enum DocFormat {
    Markdown,
    Html,
}

#[derive(Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportTo {
    PrometheusRules,
    ArgoAnalysis,
    Ics,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Reads a review file whole, refusing oversized ones before reading them.
fn read_file(path: &Path) -> Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .take(gonogo_core::MAX_FILE_BYTES as u64 + 1)
            .read_to_end(&mut buf)
            .context("reading standard input")?;
        return Ok(buf);
    }
    let meta = std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?;
    if meta.is_dir() {
        bail!("{} is a folder, not a review file", path.display());
    }
    if meta.len() > gonogo_core::MAX_FILE_BYTES as u64 {
        bail!("{}: the file is {} bytes; gonogo reads review files up to 16 MiB", path.display(), meta.len());
    }
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

fn display_name(path: &Path) -> String {
    if path.as_os_str() == "-" { "<stdin>".into() } else { path.display().to_string() }
}

/// Prints why the file is not a review and returns exit code 2.
fn invalid(name: &str, bytes: &[u8], err: &ReviewError, json: bool) -> u8 {
    let diags = err.diagnostics();
    if json {
        println!("{}", report::json_errors(name, &diags));
    } else {
        let text = String::from_utf8_lossy(bytes);
        let src = Source::new(name, &text);
        eprint!("{}", report::human_errors(&diags, &src, stderr_style(Color::Auto)));
    }
    2
}

fn stderr_style(c: Color) -> Style {
    style_for(c, std::io::stderr().is_terminal())
}

fn style_for(c: Color, tty: bool) -> Style {
    let color = match c {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    Style { color }
}

/// A warning for each valid trigger query that `watch --scrape` cannot evaluate: the verdict
/// does not change (`watch --prometheus` can watch it), but the team should know before the
/// window. Not a finding: DESIGN.md §3's rules and §4's JSON stay exactly as pinned.
fn embedded_notes(review: &gonogo_core::model::Review, file: &str) -> Vec<String> {
    let mut out = Vec::new();
    for t in review.rollback.iter().flat_map(|r| &r.triggers) {
        if let Some(gonogo_core::model::TriggerKind::Metric { query, .. }) = t.kind()
            && gonogo_core::promql::parse(&query.value).is_ok()
            && let Err(e @ gonogo_promql::eval::EvalError::Unsupported { .. }) =
                gonogo_promql::eval::check_supported(&query.value)
        {
            out.push(format!(
                "warning: {file}:{}:{}: trigger `{}`: `watch --scrape` cannot evaluate this query: {e}",
                query.at.line, query.at.column, t.name.value
            ));
        }
    }
    out
}

/// `gonogo promql query` and `query-range`: the data file into a store, the query, its `data`.
fn promql_cmd(cmd: PromqlCmd) -> Result<u8> {
    use gonogo_watch::embedded::{parse_step, parse_time};
    let data = match &cmd {
        PromqlCmd::Query { data, .. } | PromqlCmd::QueryRange { data, .. } | PromqlCmd::Serve { data, .. } => data,
    };
    let text = std::fs::read_to_string(data).with_context(|| format!("reading {}", data.display()))?;
    let mut store = gonogo_promql::store::Store::new(i64::MAX, usize::MAX);
    if let Err(e) = gonogo_promql::store::load_openmetrics(&text, &mut store) {
        eprintln!("error: {}: {e}", data.display());
        return Ok(2);
    }
    let flag = |name: &str, v: Result<i64, String>| v.map_err(|e| anyhow::anyhow!("--{name}: {e}"));
    let value = match &cmd {
        PromqlCmd::Query { time, expr, .. } => {
            let t = flag("time", parse_time(time))?;
            gonogo_promql::eval::instant(&store, expr, t)
        }
        PromqlCmd::Serve { listen, .. } => {
            let store = std::sync::Arc::new(std::sync::RwLock::new(store));
            return watch_cmd::runtime()?.block_on(async {
                let bound = gonogo_watch::embedded::serve_api(*listen, store)
                    .await
                    .with_context(|| format!("--listen {listen}"))?;
                println!(
                    "serving {} at http://{bound} (/api/v1/query, /api/v1/query_range); Ctrl-C stops",
                    data.display()
                );
                tokio::signal::ctrl_c().await.context("waiting for Ctrl-C")?;
                Ok(0)
            });
        }
        PromqlCmd::QueryRange { start, end, step, expr, .. } => {
            let (s, e, st) =
                (flag("start", parse_time(start))?, flag("end", parse_time(end))?, flag("step", parse_step(step))?);
            if e < s {
                bail!("--end is before --start");
            }
            if st <= 0 {
                bail!("--step must be positive");
            }
            if (e - s) / st > 11_000 {
                bail!("more than 11,000 steps per series: raise --step");
            }
            gonogo_promql::eval::range(&store, expr, s, e, st)
        }
    };
    match value {
        Ok(v) => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (`| head`) ends the output, not the process with a panic.
            let _ = writeln!(out, "{}", v.to_api_string());
            Ok(0)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Ok(2)
        }
    }
}

/// Reads every review in `dir` for `on-call-not-rotated`.
fn load_history(dir: &Path) -> Result<Vec<PastReview>> {
    let mut out = Vec::new();
    let entries = std::fs::read_dir(dir).with_context(|| format!("reading history folder {}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    paths.sort();
    for p in paths {
        let bytes = read_file(&p)?;
        match gonogo_core::parse_bytes(&bytes) {
            Ok(r) => out
                .push(PastReview::of(&r, p.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default())),
            Err(e) => {
                let first = e.diagnostics().into_iter().next();
                let at = first.map(|d| format!(":{}:{}: {}", d.line, d.column, d.message)).unwrap_or_default();
                bail!("history file {}{at} is not a valid review", p.display());
            }
        }
    }
    Ok(out)
}

fn run(cli: Cli) -> Result<u8> {
    let mut stdout = std::io::stdout().lock();
    match cli.command {
        Command::Check { file, format, require_decision, history, color } => {
            let name = display_name(&file);
            let bytes = read_file(&file)?;
            let history = history.as_deref().map(load_history).transpose()?.unwrap_or_default();
            let (review, rep) = match gonogo_core::check(&bytes, &history) {
                Ok(x) => x,
                Err(e) => return Ok(invalid(&name, &bytes, &e, matches!(format, Format::Json | Format::Sarif))),
            };
            let text = String::from_utf8_lossy(&bytes);
            let out = match format {
                Format::Human => {
                    let src = Source::new(&name, &text);
                    report::human(&review, &rep, &src, style_for(color, std::io::stdout().is_terminal()))
                }
                Format::Json => rep.to_json() + "\n",
                Format::Sarif => report::sarif(&review, &rep, &name) + "\n",
                Format::Markdown => report::markdown(&review, &rep, &name),
            };
            stdout.write_all(out.as_bytes())?;
            if matches!(format, Format::Human) {
                for note in embedded_notes(&review, &name) {
                    eprintln!("{note}");
                }
            }
            let mut code = rep.verdict.exit_code() as u8;
            if require_decision && review.outcome() != Some(gonogo_core::model::Outcome::Go) {
                let got = review.outcome().map(|o| o.as_str()).unwrap_or("none");
                eprintln!("--require-decision: the recorded decision is `{got}`, not `go`");
                code = 1;
            }
            Ok(code)
        }
        Command::Render { file, format, history } => {
            let name = display_name(&file);
            let bytes = read_file(&file)?;
            let history = history.as_deref().map(load_history).transpose()?.unwrap_or_default();
            let (review, rep) = match gonogo_core::check(&bytes, &history) {
                Ok(x) => x,
                Err(e) => return Ok(invalid(&name, &bytes, &e, false)),
            };
            let out = match format {
                DocFormat::Markdown => gonogo_core::render::markdown(&review, &rep),
                DocFormat::Html => gonogo_core::render::html(&review, &rep),
            };
            stdout.write_all(out.as_bytes())?;
            Ok(0)
        }
        Command::Init { service, version, output } => {
            let text = gonogo_core::skeleton::skeleton(&service, &version);
            match output {
                None => stdout.write_all(text.as_bytes())?,
                Some(p) => {
                    let mut f =
                        std::fs::OpenOptions::new().write(true).create_new(true).open(&p).with_context(|| {
                            format!("creating {} (gonogo init never overwrites a file)", p.display())
                        })?;
                    f.write_all(text.as_bytes()).with_context(|| format!("writing {}", p.display()))?;
                    eprintln!("wrote {}; next: fill it in, then `gonogo check {}`", p.display(), p.display());
                }
            }
            Ok(0)
        }
        Command::Schema => {
            stdout.write_all(gonogo_core::schema::schema_json().as_bytes())?;
            stdout.write_all(b"\n")?;
            Ok(0)
        }
        Command::Watch {
            file,
            prometheus,
            scrape,
            alerts,
            ignore_alert_triggers,
            job,
            max_series,
            listen,
            interval,
            until,
            dry_run,
            events,
            state,
            control,
            quiet,
            timeout,
        } => {
            let name = display_name(&file);
            let bytes = read_file(&file)?;
            let review = match gonogo_core::parse_bytes(&bytes) {
                Ok(r) => r,
                Err(e) => return Ok(invalid(&name, &bytes, &e, false)),
            };
            let args = watch_cmd::WatchArgs {
                prometheus,
                scrape,
                alerts,
                ignore_alert_triggers,
                job,
                max_series,
                listen,
                interval,
                until,
                dry_run,
                events,
                state,
                control,
                quiet,
                timeout,
            };
            watch_cmd::watch(&review, args)
        }
        Command::Verify { file, prometheus, window, step, timeout } => {
            let name = display_name(&file);
            let bytes = read_file(&file)?;
            let review = match gonogo_core::parse_bytes(&bytes) {
                Ok(r) => r,
                Err(e) => return Ok(invalid(&name, &bytes, &e, false)),
            };
            watch_cmd::verify(&review, &prometheus, window, step, timeout)
        }
        Command::Trigger(TriggerCmd::Fire { name, watch, by }) => watch_cmd::fire(&name, &watch, by.as_deref()),
        Command::Serve { db, listen, demo, max_body } => serve_cmd::serve(&db, listen, demo, max_body),
        Command::Token(TokenCmd::Create { name, role, db }) => serve_cmd::token_create(&db, &name, &role),
        Command::Promql(cmd) => promql_cmd(cmd),
        Command::Capture { transcript, review, format, apply, follow } => {
            capture_cmd::run(capture_cmd::CaptureArgs { transcript, review, format, apply, follow })
        }
        Command::Export { file, to } => {
            let name = display_name(&file);
            let bytes = read_file(&file)?;
            let review = match gonogo_core::parse_bytes(&bytes) {
                Ok(r) => r,
                Err(e) => return Ok(invalid(&name, &bytes, &e, false)),
            };
            let out = match to {
                ExportTo::PrometheusRules => gonogo_core::export::prometheus_rules(&review),
                ExportTo::ArgoAnalysis => gonogo_core::export::argo_analysis(&review),
                ExportTo::Ics => gonogo_core::export::ics(&review),
            };
            match out {
                Ok(text) => {
                    stdout.write_all(text.as_bytes())?;
                    Ok(0)
                }
                Err(e) => {
                    eprintln!("error: {name}: {e}");
                    Ok(2)
                }
            }
        }
    }
}
