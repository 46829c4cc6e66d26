//! Checks of a Hub repo before it is submitted to a FLock task: that validators can download
//! it (it exists and is public), that the revision is on it, that the files a validator loads
//! are there, the parameter count against the task's limit, and which FLock chat template
//! (`base_model`) its config suggests. What the page fetched comes in as [`Inspection`]; the
//! verdicts are [`super::checks::Finding`]s, like the pre-upload checks'.

use serde_json::Value;

use super::checks::{parameters_finding, Check, Finding, Level, TaskFacts};
use super::repo::RepoId;
use super::retry::Failure;

/// What the Hub's model info says (`GET api/models/{repo}` or `…/revision/{rev}`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RepoInfo {
    /// Whether only its owners can read it.
    pub private: bool,
    /// Whether downloads need an accepted access request (`gated`: `"auto"` / `"manual"`).
    pub gated: bool,
    /// The commit the answer describes.
    pub sha: Option<String>,
    /// Every file's path at that commit.
    pub files: Vec<String>,
    /// Parameters, when the Hub has summed the safetensors files (`safetensors.total`).
    pub parameters: Option<u64>,
}

/// Read a model info answer.
pub fn parse_info(body: &str) -> Result<RepoInfo, String> {
    let value: Value = serde_json::from_str(body).map_err(|e| format!("not JSON ({e})"))?;
    if !value.is_object() {
        return Err("not a JSON object".into());
    }
    let files = value
        .get("siblings")
        .and_then(Value::as_array)
        .map(|all| {
            all.iter()
                .filter_map(|s| s.get("rfilename").and_then(Value::as_str))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    Ok(RepoInfo {
        private: value
            .get("private")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        gated: matches!(
            value.get("gated"),
            Some(Value::String(_)) | Some(Value::Bool(true))
        ),
        sha: value.get("sha").and_then(Value::as_str).map(str::to_string),
        files,
        parameters: value
            .get("safetensors")
            .and_then(|s| s.get("total"))
            .and_then(Value::as_u64),
    })
}

/// Weight files a validator loads: `*.safetensors`, and PyTorch `*.bin` other than the
/// trainer's `training_args.bin`.
pub fn weight_files(files: &[String]) -> Vec<&str> {
    files
        .iter()
        .map(String::as_str)
        .filter(|f| {
            let name = f.rsplit('/').next().unwrap_or(f);
            name.ends_with(".safetensors")
                || (name.ends_with(".bin") && name != "training_args.bin")
        })
        .collect()
}

/// The safetensors files among `files`, whose headers give the parameter count.
pub fn safetensors_files(files: &[String]) -> Vec<&str> {
    files
        .iter()
        .map(String::as_str)
        .filter(|f| f.ends_with(".safetensors"))
        .collect()
}

/// The config a validator reads first: `adapter_config.json` for a LoRA adapter, else
/// `config.json` (at the repo's top).
pub fn config_file(files: &[String]) -> Option<&'static str> {
    ["adapter_config.json", "config.json"]
        .into_iter()
        .find(|name| files.iter().any(|f| f == name))
}

/// FLock's chat templates (the validators' registry; `flock-api.md` §3.5).
pub const TEMPLATES: [&str; 11] = [
    "qwen1.5", "llama3", "phi4", "phi3", "gemma", "mistral", "mixtral", "llama2", "yi", "zephyr",
    "default",
];

/// The template a config suggests, and from what: an adapter's `base_model_name_or_path`
/// (by the model family in its name), or a full model's `model_type` (Llama 2 and 3, and Phi 3
/// and 4, told apart by their vocabulary size). `None` when nothing is recognised.
pub fn suggest_template(config: &Value) -> Option<(&'static str, String)> {
    if let Some(base) = config
        .get("base_model_name_or_path")
        .and_then(Value::as_str)
    {
        let name = base.to_ascii_lowercase();
        let name = name
            .rsplit('/')
            .next()
            .unwrap_or(&name)
            .replace(['-', '_', ' '], "");
        let by_name = [
            ("qwen", "qwen1.5"),
            ("llama3", "llama3"),
            ("llama2", "llama2"),
            ("phi4", "phi4"),
            ("phi3", "phi3"),
            ("gemma", "gemma"),
            ("mixtral", "mixtral"),
            ("zephyr", "zephyr"),
            ("mistral", "mistral"),
            ("yi", "yi"),
        ];
        return by_name
            .into_iter()
            // "yi" only as a prefix: as a part of a longer name it means nothing.
            .find(|(family, _)| {
                if *family == "yi" {
                    name.starts_with(family)
                } else {
                    name.contains(family)
                }
            })
            .map(|(_, template)| (template, format!("the adapter's base model {base}")));
    }
    let kind = config.get("model_type").and_then(Value::as_str)?;
    let vocab = config.get("vocab_size").and_then(Value::as_u64);
    let template = match kind {
        k if k.starts_with("qwen") => "qwen1.5",
        "llama" if vocab.is_some_and(|v| v >= 128_000) => "llama3",
        "llama" if vocab == Some(64_000) => "yi",
        "llama" => "llama2",
        "phi3" if vocab.is_some_and(|v| v >= 100_000) => "phi4",
        "phi3" => "phi3",
        k if k.starts_with("gemma") => "gemma",
        "mixtral" => "mixtral",
        "mistral" => "mistral",
        _ => return None,
    };
    Some((template, format!("model_type “{kind}”")))
}

/// What the page learnt from the Hub about a repo and revision.
#[derive(Clone, Debug, PartialEq)]
pub struct Inspection {
    /// The repo's model info (its default branch).
    pub repo: Result<RepoInfo, Failure>,
    /// The model info at the revision to submit (`None` when the repo could not be read).
    pub at_revision: Option<Result<RepoInfo, Failure>>,
    /// The config file's text at the revision (`None` when there is none to read).
    pub config: Option<Result<String, Failure>>,
    /// Parameters summed from the safetensors headers at the revision, when the model info did
    /// not give them (`None` when not needed or no file to read).
    pub header_parameters: Option<Result<u64, String>>,
}

/// The verdicts on `repo` at `revision` for `task`, given what was fetched and the template
/// chosen in the form.
pub fn judge(
    repo: &RepoId,
    revision: &str,
    hub_base: &str,
    seen: &Inspection,
    task: Option<&TaskFacts>,
    chosen_template: &str,
) -> Vec<Finding> {
    let finding = |level, check, detail: String| Finding {
        level,
        check,
        detail,
    };
    let settings = format!("{hub_base}{repo}/settings");
    let mut out = Vec::new();
    match &seen.repo {
        Ok(info) if info.private => out.push(finding(
            Level::Fail,
            Check::Repo,
            format!("{repo} is private: validators cannot download it. Make it public in its settings ({settings})."),
        )),
        Ok(info) if info.gated => out.push(finding(
            Level::Warn,
            Check::Repo,
            format!("{repo} is gated: validators may be unable to download it without access. Its settings: {settings}."),
        )),
        Ok(_) => out.push(finding(Level::Pass, Check::Repo, format!("{repo} exists and is public."))),
        Err(Failure::Status { code: 401 | 403 | 404, .. }) => {
            out.push(finding(
                Level::Fail,
                Check::Repo,
                format!("The Hub has no {repo} that this browser can see: it does not exist, or it is private (validators cannot download a private repo; make it public in its settings, {settings})."),
            ));
            return out;
        }
        Err(other) => {
            out.push(finding(Level::Warn, Check::Repo, format!("Could not be checked: the Hub gave {other}.")));
            return out;
        }
    }
    let info = match &seen.at_revision {
        Some(Ok(info)) => {
            let sha = info.sha.as_deref().unwrap_or(revision);
            out.push(finding(
                Level::Pass,
                Check::Revision,
                format!("Commit {} is on {repo}.", &sha[..sha.len().min(12)]),
            ));
            info
        }
        Some(Err(Failure::Status { code: 404, .. })) => {
            out.push(finding(
                Level::Fail,
                Check::Revision,
                format!("{repo} has no commit {revision}: check the hash the upload returned."),
            ));
            return out;
        }
        Some(Err(other)) => {
            out.push(finding(
                Level::Warn,
                Check::Revision,
                format!("Could not be checked: the Hub gave {other}."),
            ));
            return out;
        }
        None => return out,
    };
    let config = config_file(&info.files);
    let weights = weight_files(&info.files);
    out.push(match (config, weights.is_empty()) {
        (Some(config), false) => finding(Level::Pass, Check::Files, format!("{config} and {} weight file(s) are there.", weights.len())),
        (None, _) => finding(Level::Fail, Check::Files, "Neither config.json nor adapter_config.json is at this commit: validators cannot load the model.".into()),
        (Some(config), true) => finding(Level::Fail, Check::Files, format!("{config} is there but no weights (.safetensors or .bin): validators have nothing to load.")),
    });
    let adapter = config == Some("adapter_config.json");
    let parameters = info
        .parameters
        .map(Ok)
        .or_else(|| seen.header_parameters.clone());
    out.push(match (parameters, adapter) {
        (Some(Ok(count)), true) => finding(
            Level::Pass,
            Check::Parameters,
            format!(
                "A LoRA adapter of {} parameters: the task's limit applies to its base model.",
                crate::flock::format::grouped(count)
            ),
        ),
        (Some(Ok(count)), false) => parameters_finding(count, task),
        (Some(Err(why)), _) => finding(
            Level::Warn,
            Check::Parameters,
            format!("Could not be checked: {why}"),
        ),
        (None, _) => finding(
            Level::Warn,
            Check::Parameters,
            "No .safetensors file: the parameter count cannot be checked.".into(),
        ),
    });
    match &seen.config {
        Some(Ok(text)) => {
            let parsed = serde_json::from_str::<Value>(text).ok();
            let suggestion = parsed.as_ref().and_then(suggest_template);
            let chosen = chosen_template.trim();
            out.push(match suggestion {
                Some((template, why)) if template == chosen => finding(Level::Pass, Check::Template, format!("“{template}” fits {why}.")),
                Some((template, why)) => finding(Level::Warn, Check::Template, format!("{why} suggests “{template}”, not “{chosen}” (a suggestion: the template is your choice).")),
                None if parsed.is_none() => finding(Level::Warn, Check::Template, format!("{} is not valid JSON: no template can be suggested.", config.unwrap_or("The config"))),
                None => finding(Level::Pass, Check::Template, format!("No template is suggested for this model: “{chosen}” is your choice.")),
            });
        }
        Some(Err(why)) => out.push(finding(
            Level::Warn,
            Check::Template,
            format!("The config could not be read ({why}): no template can be suggested."),
        )),
        None => {}
    }
    out
}

/// The template the checks suggest, for the form's "use it" button.
pub fn suggested(seen: &Inspection) -> Option<&'static str> {
    match &seen.config {
        Some(Ok(text)) => serde_json::from_str::<Value>(text)
            .ok()
            .as_ref()
            .and_then(suggest_template)
            .map(|(t, _)| t),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const INFO: &str = r#"{"_id":"x","id":"alice/m","sha":"0123456789abcdef0123456789abcdef01234567","private":false,"gated":false,
        "siblings":[{"rfilename":".gitattributes"},{"rfilename":"config.json"},{"rfilename":"model.safetensors"},{"rfilename":"training_args.bin"}],
        "safetensors":{"parameters":{"BF16":7615616512},"total":7615616512}}"#;

    fn repo() -> RepoId {
        "alice/m".parse().unwrap_or_else(|e| panic!("{e}"))
    }

    fn facts(max: u64) -> TaskFacts {
        TaskFacts {
            id: 8,
            max_params: Some(max),
            open: true,
        }
    }

    fn good() -> Inspection {
        let info = parse_info(INFO).unwrap_or_default();
        Inspection {
            repo: Ok(info.clone()),
            at_revision: Some(Ok(info)),
            config: Some(Ok(r#"{"model_type":"qwen2","vocab_size":152064}"#.into())),
            header_parameters: None,
        }
    }

    fn levels(found: &[Finding]) -> Vec<(Check, Level)> {
        found.iter().map(|f| (f.check, f.level)).collect()
    }

    #[test]
    fn model_info_is_read() {
        let info = parse_info(INFO).unwrap_or_default();
        assert!(!info.private && !info.gated);
        assert_eq!(info.parameters, Some(7_615_616_512));
        assert_eq!(weight_files(&info.files), vec!["model.safetensors"]);
        assert_eq!(config_file(&info.files), Some("config.json"));
        let gated =
            parse_info(r#"{"private":false,"gated":"manual","siblings":[]}"#).unwrap_or_default();
        assert!(gated.gated);
        assert!(parse_info("[1]").is_err() && parse_info("{").is_err());
    }

    #[test]
    fn a_good_repo_passes_every_check() {
        let found = judge(
            &repo(),
            "0123456789abcdef0123456789abcdef01234567",
            "https://huggingface.co/",
            &good(),
            Some(&facts(8_000_000_000)),
            "qwen1.5",
        );
        assert_eq!(
            levels(&found),
            vec![
                (Check::Repo, Level::Pass),
                (Check::Revision, Level::Pass),
                (Check::Files, Level::Pass),
                (Check::Parameters, Level::Pass),
                (Check::Template, Level::Pass),
            ],
            "{found:?}"
        );
    }

    #[test]
    fn private_or_missing_repos_fail_and_link_their_settings() {
        let mut seen = good();
        if let Ok(info) = &mut seen.repo {
            info.private = true;
        }
        let found = judge(
            &repo(),
            "r",
            "https://huggingface.co/",
            &seen,
            None,
            "qwen1.5",
        );
        assert_eq!(found[0].level, Level::Fail);
        assert!(
            found[0]
                .detail
                .contains("https://huggingface.co/alice/m/settings"),
            "{}",
            found[0].detail
        );
        seen.repo = Err(Failure::status(401, Some("Repository not found".into())));
        let found = judge(
            &repo(),
            "r",
            "https://huggingface.co/",
            &seen,
            None,
            "qwen1.5",
        );
        assert_eq!(levels(&found), vec![(Check::Repo, Level::Fail)]);
        seen.repo = Err(Failure::Cors);
        let found = judge(
            &repo(),
            "r",
            "https://huggingface.co/",
            &seen,
            None,
            "qwen1.5",
        );
        assert_eq!(
            levels(&found),
            vec![(Check::Repo, Level::Warn)],
            "a refused check is a warning, not a verdict"
        );
    }

    #[test]
    fn a_missing_revision_fails() {
        let mut seen = good();
        seen.at_revision = Some(Err(Failure::status(404, None)));
        let found = judge(
            &repo(),
            "ffff",
            "https://huggingface.co/",
            &seen,
            None,
            "qwen1.5",
        );
        assert_eq!(found[1].level, Level::Fail);
        assert!(found[1].detail.contains("ffff"));
        assert_eq!(found.len(), 2);
    }

    #[test]
    fn missing_files_and_too_many_parameters_fail() {
        let mut seen = good();
        if let Some(Ok(info)) = &mut seen.at_revision {
            info.files.retain(|f| f != "model.safetensors");
            info.parameters = None;
        }
        let found = judge(&repo(), "r", "h/", &seen, Some(&facts(1)), "qwen1.5");
        assert_eq!(found[2].level, Level::Fail, "no weights");
        assert_eq!(found[3].level, Level::Warn, "no parameter count");
        let found = judge(
            &repo(),
            "r",
            "h/",
            &good(),
            Some(&facts(7_000_000_000)),
            "qwen1.5",
        );
        assert_eq!(
            found[3].level,
            Level::Fail,
            "over the limit: {}",
            found[3].detail
        );
    }

    #[test]
    fn header_counts_stand_in_for_the_hubs_summary() {
        let mut seen = good();
        if let Some(Ok(info)) = &mut seen.at_revision {
            info.parameters = None;
        }
        seen.header_parameters = Some(Ok(5_242_880));
        let found = judge(
            &repo(),
            "r",
            "h/",
            &seen,
            Some(&facts(8_000_000_000)),
            "qwen1.5",
        );
        assert_eq!(found[3].level, Level::Pass);
        assert!(found[3].detail.contains("5,242,880"));
        seen.header_parameters = Some(Err("the browser was refused the file (CORS)".into()));
        let found = judge(&repo(), "r", "h/", &seen, None, "qwen1.5");
        assert_eq!(found[3].level, Level::Warn);
        assert!(
            found[3].detail.contains("could not be checked")
                || found[3].detail.contains("Could not be checked")
        );
    }

    #[test]
    fn another_template_than_suggested_is_a_warning() {
        let found = judge(&repo(), "r", "h/", &good(), None, "llama3");
        let last = found.last().unwrap_or_else(|| panic!("a template check"));
        assert_eq!((last.check, last.level), (Check::Template, Level::Warn));
        assert!(last.detail.contains("qwen1.5"));
        assert_eq!(suggested(&good()), Some("qwen1.5"));
    }

    #[test]
    fn templates_from_model_types_and_adapter_bases() {
        let t = |v: Value| suggest_template(&v).map(|(t, _)| t);
        assert_eq!(t(json!({"model_type": "qwen2"})), Some("qwen1.5"));
        assert_eq!(
            t(json!({"model_type": "llama", "vocab_size": 128256})),
            Some("llama3")
        );
        assert_eq!(
            t(json!({"model_type": "llama", "vocab_size": 32000})),
            Some("llama2")
        );
        assert_eq!(
            t(json!({"model_type": "llama", "vocab_size": 64000})),
            Some("yi")
        );
        assert_eq!(
            t(json!({"model_type": "phi3", "vocab_size": 100352})),
            Some("phi4")
        );
        assert_eq!(
            t(json!({"model_type": "phi3", "vocab_size": 32064})),
            Some("phi3")
        );
        assert_eq!(t(json!({"model_type": "gemma2"})), Some("gemma"));
        assert_eq!(t(json!({"model_type": "mistral"})), Some("mistral"));
        assert_eq!(t(json!({"model_type": "bert"})), None);
        assert_eq!(
            t(json!({"base_model_name_or_path": "Qwen/Qwen2.5-7B-Instruct"})),
            Some("qwen1.5")
        );
        assert_eq!(
            t(json!({"base_model_name_or_path": "meta-llama/Meta-Llama-3-8B-Instruct"})),
            Some("llama3")
        );
        assert_eq!(
            t(json!({"base_model_name_or_path": "microsoft/Phi-3-mini-4k-instruct"})),
            Some("phi3")
        );
        assert_eq!(
            t(json!({"base_model_name_or_path": "HuggingFaceH4/zephyr-7b-beta"})),
            Some("zephyr")
        );
        assert_eq!(
            t(json!({"base_model_name_or_path": "01-ai/Yi-1.5-9B-Chat"})),
            Some("yi")
        );
        assert_eq!(
            t(json!({"base_model_name_or_path": "mistralai/Mixtral-8x7B-Instruct-v0.1"})),
            Some("mixtral")
        );
        assert!(TEMPLATES.iter().all(|t| !t.is_empty()));
    }
}
