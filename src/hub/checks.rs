//! Checks run on the picked files before anything is sent, each saying what it found: the
//! parameter count against the task's limit, LoRA adapters, a missing config, the task's
//! phase, very large files.

use crate::flock::format::{grouped, human_count};

/// A file to upload, as the checks see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Picked {
    /// Path in the repo.
    pub path: String,
    /// Bytes.
    pub size: u64,
}

/// How a check came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Fine.
    Pass,
    /// Worth a look; the upload may go on.
    Warn,
    /// Will cost the submission: fix before uploading.
    Fail,
}

impl Level {
    /// Its word, as the page shows it.
    pub fn word(self) -> &'static str {
        match self {
            Level::Pass => "Pass",
            Level::Warn => "Warning",
            Level::Fail => "Fail",
        }
    }
}

/// What a check looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// The picked files as a whole.
    Files,
    /// Full model or adapter.
    ModelKind,
    /// Parameter count against the task's limit.
    Parameters,
    /// The task is open for submissions.
    Task,
    /// Files big enough to take long.
    LargeFiles,
    /// The token may write to the namespace.
    Token,
    /// The repo exists and validators can download it (before submitting).
    Repo,
    /// The revision is on the repo (before submitting).
    Revision,
    /// The `base_model` chat template (before submitting).
    Template,
}

impl Check {
    /// Its name, as the page shows it.
    pub fn title(self) -> &'static str {
        match self {
            Check::Files => "Files",
            Check::ModelKind => "Model kind",
            Check::Parameters => "Parameters",
            Check::Task => "Task",
            Check::LargeFiles => "Large files",
            Check::Token => "Token",
            Check::Repo => "Repository",
            Check::Revision => "Revision",
            Check::Template => "Template",
        }
    }
}

/// One check's result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// How it came out.
    pub level: Level,
    /// What was checked.
    pub check: Check,
    /// What was found.
    pub detail: String,
}

impl Finding {
    /// Whether it stops the upload. A closed task does not: the model can still go to the Hub,
    /// only the submission has to wait for another task.
    pub fn blocks_upload(&self) -> bool {
        self.level == Level::Fail && self.check != Check::Task
    }
}

/// Files above this size are flagged (single PUT limit on S3 is 5 GB; uploads this big take long).
pub const LARGE_FILE: u64 = 5_000_000_000;

/// What is known about the target task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskFacts {
    /// Task id.
    pub id: u64,
    /// Largest model allowed.
    pub max_params: Option<u64>,
    /// Whether submissions are open now.
    pub open: bool,
}

/// A model of `count` parameters against `task`'s limit (the pre-upload checks and the
/// checks before submitting say the same).
pub fn parameters_finding(count: u64, task: Option<&TaskFacts>) -> Finding {
    let limit = task.and_then(|t| t.max_params.map(|m| (t.id, m)));
    match limit {
        Some((id, max)) if count > max => Finding {
            level: Level::Fail,
            check: Check::Parameters,
            detail: format!("{} parameters ({}) is over task {id}'s limit of {} ({}): validators would score it as failed.", grouped(count), human_count(count), grouped(max), human_count(max)),
        },
        Some((id, max)) => Finding {
            level: Level::Pass,
            check: Check::Parameters,
            detail: format!("{} parameters ({}), within task {id}'s limit of {}.", grouped(count), human_count(count), human_count(max)),
        },
        None => Finding { level: Level::Pass, check: Check::Parameters, detail: format!("{} parameters ({}).", grouped(count), human_count(count)) },
    }
}

/// Run every check. `parameters` is the sum over all `.safetensors` files (or why it could not
/// be read); `lora_tensors` whether tensor names looked like LoRA.
pub fn run(
    files: &[Picked],
    parameters: Option<Result<u64, String>>,
    lora_tensors: bool,
    task: Option<&TaskFacts>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let has = |name: &str| {
        files
            .iter()
            .any(|f| f.path == name || f.path.ends_with(&format!("/{name}")))
    };
    let adapter = has("adapter_config.json");
    if files.is_empty() {
        out.push(Finding {
            level: Level::Fail,
            check: Check::Files,
            detail: "No files picked.".into(),
        });
        return out;
    }
    let total: u64 = files.iter().map(|f| f.size).sum();
    out.push(Finding {
        level: Level::Pass,
        check: Check::Files,
        detail: format!("{} files, {} bytes in all.", files.len(), grouped(total)),
    });
    out.push(match (adapter, has("config.json")) {
        (true, _) => Finding { level: Level::Pass, check: Check::ModelKind, detail: "LoRA adapter (adapter_config.json found).".into() },
        (false, true) => Finding {
            level: Level::Pass,
            check: Check::ModelKind,
            detail: if lora_tensors { "config.json found; tensor names look like LoRA but there is no adapter_config.json.".into() } else { "Full model (config.json found).".into() },
        },
        (false, false) => Finding {
            level: Level::Warn,
            check: Check::ModelKind,
            detail: "Neither config.json nor adapter_config.json is among the files: validators may not be able to load the model.".into(),
        },
    });
    match parameters {
        None => out.push(Finding {
            level: Level::Warn,
            check: Check::Parameters,
            detail: "No .safetensors file: the parameter count cannot be checked.".into(),
        }),
        Some(Err(reason)) => out.push(Finding {
            level: Level::Fail,
            check: Check::Parameters,
            detail: reason,
        }),
        Some(Ok(count)) => out.push(parameters_finding(count, task)),
    }
    if let Some(task) = task {
        out.push(if task.open {
            Finding {
                level: Level::Pass,
                check: Check::Task,
                detail: format!("Task {} is in its submission phase.", task.id),
            }
        } else {
            Finding {
                level: Level::Fail,
                check: Check::Task,
                detail: format!("Task {} is not accepting submissions now.", task.id),
            }
        });
    }
    let large: Vec<&Picked> = files.iter().filter(|f| f.size > LARGE_FILE).collect();
    if !large.is_empty() {
        let names: Vec<String> = large
            .iter()
            .map(|f| format!("{} ({})", f.path, human_count(f.size)))
            .collect();
        out.push(Finding {
            level: Level::Warn,
            check: Check::LargeFiles,
            detail: format!(
                "Very large: {}. They are sent in parts; keep this tab open.",
                names.join(", ")
            ),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picked(names: &[(&str, u64)]) -> Vec<Picked> {
        names
            .iter()
            .map(|(p, s)| Picked {
                path: p.to_string(),
                size: *s,
            })
            .collect()
    }

    fn level(findings: &[Finding], check: Check) -> Option<Level> {
        findings.iter().find(|f| f.check == check).map(|f| f.level)
    }

    #[test]
    fn over_the_limit_fails_and_says_by_how_much() {
        let task = TaskFacts {
            id: 7,
            max_params: Some(8_000_000_000),
            open: true,
        };
        let files = picked(&[("config.json", 700), ("model.safetensors", 18_000_000_000)]);
        let findings = run(&files, Some(Ok(9_000_000_000)), false, Some(&task));
        assert_eq!(level(&findings, Check::Parameters), Some(Level::Fail));
        assert!(findings.iter().any(|f| f
            .detail
            .contains("over task 7's limit of 8,000,000,000 (8 B)")));
        assert_eq!(level(&findings, Check::LargeFiles), Some(Level::Warn));
    }

    #[test]
    fn adapters_missing_configs_and_closed_tasks_are_reported() {
        let lora = run(
            &picked(&[
                ("out/adapter_config.json", 1),
                ("out/adapter_model.safetensors", 9),
            ]),
            Some(Ok(100)),
            true,
            None,
        );
        assert!(lora.iter().any(|f| f.detail.starts_with("LoRA adapter")));
        let bare = run(
            &picked(&[("weights.bin", 9)]),
            None,
            false,
            Some(&TaskFacts {
                id: 3,
                max_params: None,
                open: false,
            }),
        );
        assert_eq!(level(&bare, Check::ModelKind), Some(Level::Warn));
        assert_eq!(level(&bare, Check::Parameters), Some(Level::Warn));
        assert_eq!(level(&bare, Check::Task), Some(Level::Fail));
        let closed = bare.iter().find(|f| f.check == Check::Task);
        assert!(
            closed.is_some_and(|f| !f.blocks_upload()),
            "a closed task does not stop an upload"
        );
        assert!(bare
            .iter()
            .filter(|f| f.check == Check::ModelKind)
            .all(|f| !f.blocks_upload()));
        assert_eq!(
            level(&run(&[], None, false, None), Check::Files),
            Some(Level::Fail)
        );
    }
}
