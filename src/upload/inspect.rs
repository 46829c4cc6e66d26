//! What the checks before submitting need from the Hub (see [`crate::hub::repo_checks`]): the
//! repo's model info, the model info at the revision, the config file, and — when the Hub has
//! not summed them — the safetensors headers, read with `Range` requests (two small reads per
//! file, never the tensors). The token goes only to the Hub address it was saved for, and only
//! when there is one: a public repo needs none.

use web_sys::AbortSignal;

use crate::flock::url::ApiBase;
use crate::hub::repo::RepoId;
use crate::hub::repo_checks::{config_file, parse_info, safetensors_files, Inspection, RepoInfo};
use crate::hub::retry::Failure;
use crate::hub::safetensors::{header_len, parse_header};
use crate::hub::wire;

use super::http::{exchange, Outgoing};

/// The largest safetensors header read for the check (real ones are a few hundred KB).
const HEADER_LIMIT: u64 = 16 * 1024 * 1024;

/// Ask the Hub what the checks need about `repo` at `revision`.
pub async fn inspect(
    hub: &ApiBase,
    token: Option<&str>,
    repo: &RepoId,
    revision: &str,
    cancel: &AbortSignal,
) -> Inspection {
    let info = |url: String| async move {
        let answer = exchange(&Outgoing::hub_read(&url, token), cancel).await?;
        parse_info(&answer.body).map_err(Failure::BadAnswer)
    };
    let mut seen = Inspection {
        repo: info(wire::info_url(hub, repo)).await,
        at_revision: None,
        config: None,
        header_parameters: None,
    };
    if seen.repo.is_err() {
        return seen;
    }
    let at_revision = info(wire::revision_url(hub, repo, revision)).await;
    if let Ok(at) = &at_revision {
        if let Some(name) = config_file(&at.files) {
            let url = wire::resolve_url(hub, repo, revision, name);
            seen.config = Some(
                exchange(&Outgoing::hub_read(&url, token), cancel)
                    .await
                    .map(|a| a.body),
            );
        }
        if at.parameters.is_none() {
            seen.header_parameters =
                header_parameters(hub, token, repo, revision, at, cancel).await;
        }
    }
    seen.at_revision = Some(at_revision);
    seen
}

/// The parameters of every safetensors file at `revision`, summed from their headers; `None`
/// when there is no such file.
async fn header_parameters(
    hub: &ApiBase,
    token: Option<&str>,
    repo: &RepoId,
    revision: &str,
    at: &RepoInfo,
    cancel: &AbortSignal,
) -> Option<Result<u64, String>> {
    let files = safetensors_files(&at.files);
    if files.is_empty() {
        return None;
    }
    let mut total: u64 = 0;
    for file in files {
        let url = wire::resolve_url(hub, repo, revision, file);
        let range = |from: u64, to: u64| {
            Outgoing::hub_read(&url, token)
                .header("Range", &format!("bytes={from}-{to}"))
                .binary()
        };
        let read = async {
            let prefix = exchange(&range(0, 7), cancel)
                .await
                .map_err(|f| f.to_string())?;
            // The file's size is not known here: only the format's own bound applies.
            let len = header_len(&prefix.bytes, u64::MAX)?;
            if len > HEADER_LIMIT {
                return Err(format!(
                    "{file}'s header is {len} bytes, more than is read here"
                ));
            }
            let header = exchange(&range(8, 8 + len - 1), cancel)
                .await
                .map_err(|f| f.to_string())?;
            parse_header(&header.bytes).map(|s| s.parameters)
        };
        match read.await {
            Ok(count) => total = total.saturating_add(count),
            Err(why) => return Some(Err(format!("reading {file}: {why}"))),
        }
    }
    Some(Ok(total))
}
