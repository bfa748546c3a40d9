//! The `gonogo` binary as users and pipelines call it: exit codes, outputs, bad input.

mod capture;
mod check;
mod commands;
mod harness;
mod promql_diff;
mod scrape;
mod serve;
mod watch;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The workspace root: tests run from there so that file names in outputs are stable.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// `gonogo ARGS…` run from the workspace root, with no colour and no stdin.
pub fn gonogo(args: &[&str]) -> Output {
    gonogo_in(&root(), args, None)
}

pub fn gonogo_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gonogo"));
    cmd.args(args).current_dir(dir).env_remove("NO_COLOR").stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    let mut child = cmd.spawn().expect("gonogo runs");
    if let Some(input) = stdin {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    child.wait_with_output().unwrap()
}

pub fn code(o: &Output) -> i32 {
    o.status.code().expect("exited, not killed")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// A fresh folder for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("gonogo-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub fn fixture(name: &str) -> String {
    std::fs::read_to_string(root().join(name)).unwrap()
}
