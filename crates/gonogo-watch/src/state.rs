//! The watch's durable state (`--state FILE`): which trigger fired and which actions were
//! started and finished, so that a watch killed at any moment and started again repeats no
//! action. Written whole to a temporary file, synced, and renamed over the old one.

use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    /// `service version` of the review, so a state file is never applied to another release.
    pub review: String,
    pub fired: Option<Fired>,
    pub actions: Vec<ActionRecord>,
    #[serde(default)]
    pub post_deploy_check_done: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fired {
    pub trigger: String,
    pub at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    /// Started and not known to have finished: after a crash its outcome is unknown, and it is
    /// not run again (a rollback action run twice can do harm: redeploy twice, page twice).
    Started,
    Succeeded,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionRecord {
    pub name: String,
    pub status: ActionStatus,
    pub at: String,
}

pub struct StateFile {
    path: Option<PathBuf>,
    pub state: State,
}

impl StateFile {
    /// Loads the state for `review`, or starts a fresh one. A state of another review is an error.
    pub fn open(path: Option<&Path>, review: &str) -> Result<StateFile, String> {
        let state = match path {
            Some(p) if p.exists() => {
                let text = std::fs::read_to_string(p).map_err(|e| format!("reading state {}: {e}", p.display()))?;
                let s: State = serde_json::from_str(&text)
                    .map_err(|e| format!("state file {} is not gonogo's state: {e}", p.display()))?;
                if s.review != review {
                    return Err(format!(
                        "state file {} belongs to `{}`, not `{review}`; use another --state file",
                        p.display(),
                        s.review
                    ));
                }
                s
            }
            _ => State { review: review.to_string(), ..State::default() },
        };
        Ok(StateFile { path: path.map(Path::to_path_buf), state })
    }

    /// Writes the state durably: a crash leaves either the old or the new file, never half.
    pub fn save(&self) -> std::io::Result<()> {
        let Some(path) = &self.path else { return Ok(()) };
        let tmp = path.with_extension("tmp");
        {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&serde_json::to_vec_pretty(&self.state).map_err(std::io::Error::other)?)?;
            f.sync_all()?;
        }
        std::fs::rename(&tmp, path)?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            && let Ok(d) = std::fs::File::open(dir)
        {
            let _ = d.sync_all();
        }
        Ok(())
    }

    pub fn action(&self, name: &str) -> Option<&ActionRecord> {
        self.state.actions.iter().find(|a| a.name == name)
    }

    pub fn record(&mut self, name: &str, status: ActionStatus, at: &str) -> std::io::Result<()> {
        let rec = ActionRecord { name: name.to_string(), status, at: at.to_string() };
        match self.state.actions.iter_mut().find(|a| a.name == name) {
            Some(a) => *a = rec,
            None => self.state.actions.push(rec),
        }
        self.save()
    }
}
