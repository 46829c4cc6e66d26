//! The Hub's wire formats (hub-upload.md §3): URLs, preupload, LFS batch (basic and multipart),
//! multipart completion, and the NDJSON commit. Bodies are built and answers read here only.

use serde_json::{json, Value};

use super::repo::RepoId;
use crate::flock::url::{encode_component, origin_of, ApiBase};

/// The Hugging Face Hub.
pub const HUB_BASE: &str = "https://huggingface.co/";

/// The Hub address this build uses unless the user sets another, as written at build time in
/// `FLOCKBOARD_HUB` (the sandbox Hub for local runs), else huggingface.co. It may be relative to
/// the page (a same-origin proxy such as `hf/`): see [`crate::flock::url::resolve`].
pub fn default_hub_address() -> &'static str {
    option_env!("FLOCKBOARD_HUB").unwrap_or(HUB_BASE)
}

/// The Hub's own public origins. URLs on them in the Hub's answers are Hub routes (such as the
/// multipart completion URL); URLs on other hosts are storage (S3).
pub const HUB_ORIGINS: [&str; 2] = ["https://huggingface.co", "https://hf.co"];

/// The Hub's own origins and, when this build's default Hub address is absolute (a sandbox or a
/// mirror), its origin: where Hub routes in the Hub's answers point.
pub fn known_hub_origins() -> Vec<&'static str> {
    let mut origins = HUB_ORIGINS.to_vec();
    let default = origin_of(default_hub_address());
    if default.starts_with("http") && !origins.contains(&default) {
        origins.push(default);
    }
    origins
}

/// The URL to call for `url`, taken from a Hub answer, when the Hub address in force is `hub`.
///
/// When `hub` is a proxy (not at the root of one of `hub_origins`: the Hub's own origins and the
/// build's default Hub), a URL on one of those origins goes through the proxy with its path and
/// query kept, as the Hub's routes may not be callable from the page's origin (CORS);
/// storage URLs on other hosts stay direct.
pub fn through_hub(url: &str, hub: &ApiBase, hub_origins: &[&str]) -> String {
    let is_hub_root = |origin: &&str| hub.as_str().strip_suffix('/') == Some(*origin);
    let origin = origin_of(url);
    if hub_origins.iter().any(is_hub_root) || !hub_origins.contains(&origin) {
        return url.to_string();
    }
    format!("{hub}{}", url[origin.len()..].trim_start_matches('/'))
}

/// `GET api/whoami-v2`.
pub fn whoami_url(base: &ApiBase) -> String {
    format!("{base}api/whoami-v2")
}

/// `POST api/repos/create`.
pub fn create_url(base: &ApiBase) -> String {
    format!("{base}api/repos/create")
}

/// `POST api/models/{repo}/preupload/{rev}`.
pub fn preupload_url(base: &ApiBase, repo: &RepoId, rev: &str) -> String {
    format!(
        "{base}api/models/{repo}/preupload/{}",
        encode_component(rev)
    )
}

/// `POST {repo}.git/info/lfs/objects/batch`.
pub fn batch_url(base: &ApiBase, repo: &RepoId) -> String {
    format!("{base}{repo}.git/info/lfs/objects/batch")
}

/// `POST api/models/{repo}/commit/{rev}`.
pub fn commit_url(base: &ApiBase, repo: &RepoId, rev: &str) -> String {
    format!("{base}api/models/{repo}/commit/{}", encode_component(rev))
}

/// A repo's model info (its default branch): whether it is private or gated, its files.
pub fn info_url(base: &ApiBase, repo: &RepoId) -> String {
    format!("{base}api/models/{repo}")
}

/// A file's bytes at `rev` (`Range` requests allowed), on the Hub's own origin.
pub fn resolve_url(base: &ApiBase, repo: &RepoId, rev: &str, path: &str) -> String {
    let path: Vec<String> = path.split('/').map(encode_component).collect();
    format!(
        "{base}{repo}/resolve/{}/{}",
        encode_component(rev),
        path.join("/")
    )
}

/// Where a branch's head is read (`sha` of the answer).
pub fn revision_url(base: &ApiBase, repo: &RepoId, rev: &str) -> String {
    format!("{base}api/models/{repo}/revision/{}", encode_component(rev))
}

/// A branch's history, newest first.
pub fn history_url(base: &ApiBase, repo: &RepoId, rev: &str) -> String {
    format!("{base}api/models/{repo}/commits/{}", encode_component(rev))
}

/// Every file of a commit's tree, folders walked.
pub fn tree_url(base: &ApiBase, repo: &RepoId, rev: &str) -> String {
    format!(
        "{base}api/models/{repo}/tree/{}?recursive=true",
        encode_component(rev)
    )
}

/// Who a token belongs to and what it may write (from `whoami-v2`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WhoAmI {
    /// User name.
    pub name: String,
    /// Organisations the user belongs to.
    pub orgs: Vec<String>,
    /// Token role: `read`, `write`, `fineGrained`, … (absent for some OAuth tokens).
    pub role: Option<String>,
    /// Fine-grained: entities (user, org or `ns/repo`) with `repo.write`.
    pub writable: Vec<String>,
    /// Fine-grained: `repo.write` granted globally.
    pub global_write: bool,
}

impl WhoAmI {
    /// Whether the token may write to repos of `namespace`.
    pub fn can_write(&self, namespace: &str) -> bool {
        let own = namespace == self.name || self.orgs.iter().any(|o| o == namespace);
        match self.role.as_deref() {
            Some("write" | "admin") => own,
            Some("fineGrained") => {
                self.global_write && own
                    || self
                        .writable
                        .iter()
                        .any(|e| e == namespace || e.starts_with(&format!("{namespace}/")))
            }
            _ => false,
        }
    }

    /// The token in a sentence: who, and where it can write.
    pub fn describe(&self) -> String {
        let role = self.role.as_deref().unwrap_or("unknown");
        let writes = match role {
            "write" | "admin" => format!("it can write to {} and its organisations", self.name),
            "fineGrained" if self.global_write || !self.writable.is_empty() => {
                format!(
                    "fine-grained, with write access to {}",
                    if self.writable.is_empty() {
                        "everything it owns".to_string()
                    } else {
                        self.writable.join(", ")
                    }
                )
            }
            "fineGrained" => "fine-grained, without write access: it cannot upload".to_string(),
            _ => "read-only: it cannot upload".to_string(),
        };
        format!("Token of {} ({role}); {writes}.", self.name)
    }
}

/// Read a `whoami-v2` answer.
pub fn parse_whoami(body: &str) -> Result<WhoAmI, String> {
    let value: Value =
        serde_json::from_str(body).map_err(|e| format!("unreadable whoami answer: {e}"))?;
    let name = value["name"]
        .as_str()
        .ok_or("the whoami answer has no name")?
        .to_string();
    let token = &value["auth"]["accessToken"];
    let fine = &token["fineGrained"];
    let has_write = |perms: &Value| {
        perms
            .as_array()
            .is_some_and(|p| p.iter().any(|x| x == "repo.write"))
    };
    Ok(WhoAmI {
        name,
        orgs: value["orgs"]
            .as_array()
            .map(|o| {
                o.iter()
                    .filter_map(|x| x["name"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        role: token["role"].as_str().map(str::to_string),
        writable: fine["scoped"]
            .as_array()
            .map(|s| {
                s.iter()
                    .filter(|e| has_write(&e["permissions"]))
                    .filter_map(|e| e["entity"]["name"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        global_write: has_write(&fine["global"]),
    })
}

/// A file as the preupload answered for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Preuploaded {
    /// Path in the repo.
    pub path: String,
    /// Whether it must go through LFS.
    pub lfs: bool,
    /// Whether the Hub ignores it (not committed).
    pub ignore: bool,
    /// The id of the file now at that path, if any.
    pub oid: Option<String>,
}

/// The preupload body for `(path, size, first 512 bytes as base64)` triples.
pub fn preupload_body(files: &[(String, u64, String)]) -> String {
    let files: Vec<Value> = files
        .iter()
        .map(|(path, size, sample)| json!({ "path": path, "size": size, "sample": sample }))
        .collect();
    json!({ "files": files }).to_string()
}

/// Read a preupload answer: the files and the branch head.
pub fn parse_preupload(body: &str) -> Result<(Vec<Preuploaded>, Option<String>), String> {
    let value: Value =
        serde_json::from_str(body).map_err(|e| format!("unreadable preupload answer: {e}"))?;
    let files = value["files"]
        .as_array()
        .ok_or("the preupload answer has no `files`")?;
    let mut out = Vec::with_capacity(files.len());
    for f in files {
        let path = f["path"]
            .as_str()
            .ok_or("a preupload entry has no path")?
            .to_string();
        let lfs = match f["uploadMode"].as_str() {
            Some("lfs") => true,
            Some("regular") => false,
            other => return Err(format!("unknown uploadMode {other:?} for {path}")),
        };
        out.push(Preuploaded {
            path,
            lfs,
            ignore: f["shouldIgnore"].as_bool().unwrap_or(false),
            oid: f["oid"].as_str().map(str::to_string),
        });
    }
    Ok((out, value["commitOid"].as_str().map(str::to_string)))
}

/// The LFS batch body for `(sha256, size)` objects on `branch`.
pub fn batch_body(objects: &[(String, u64)], branch: &str) -> String {
    let objects: Vec<Value> = objects
        .iter()
        .map(|(oid, size)| json!({ "oid": oid, "size": size }))
        .collect();
    json!({
        "operation": "upload",
        "transfers": ["basic", "multipart"],
        "hash_algo": "sha256",
        "ref": { "name": branch },
        "objects": objects,
    })
    .to_string()
}

/// What to do with one object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Already stored: nothing to send.
    Stored,
    /// One PUT of the whole object.
    Single {
        /// Signed storage URL.
        href: String,
    },
    /// PUT each part, then POST the ETags to `completion`.
    Multipart {
        /// Completion URL.
        completion: String,
        /// Part size.
        chunk_size: u64,
        /// Signed URL of part 1, 2, … in order.
        parts: Vec<String>,
    },
}

/// One object of a batch answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchObject {
    /// sha256.
    pub oid: String,
    /// Bytes.
    pub size: u64,
    /// What to do, or the Hub's per-object error.
    pub action: Result<Action, String>,
}

/// Read a batch answer, checking multipart part lists are complete.
pub fn parse_batch(body: &str) -> Result<Vec<BatchObject>, String> {
    let value: Value =
        serde_json::from_str(body).map_err(|e| format!("unreadable LFS batch answer: {e}"))?;
    let objects = value["objects"]
        .as_array()
        .ok_or("the LFS batch answer has no `objects`")?;
    Ok(objects
        .iter()
        .map(|o| {
            let oid = o["oid"].as_str().unwrap_or_default().to_string();
            let size = o["size"].as_u64().unwrap_or(0);
            let action = if let Some(e) = o.get("error") {
                Err(e["message"]
                    .as_str()
                    .unwrap_or("refused by the Hub")
                    .to_string())
            } else {
                read_action(&o["actions"]["upload"], size)
            };
            BatchObject { oid, size, action }
        })
        .collect())
}

fn read_action(upload: &Value, size: u64) -> Result<Action, String> {
    if upload.is_null() {
        return Ok(Action::Stored);
    }
    let href = upload["href"]
        .as_str()
        .ok_or("an upload action has no href")?
        .to_string();
    let header = &upload["header"];
    let Some(chunk) = header["chunk_size"]
        .as_str()
        .and_then(|c| c.parse::<u64>().ok())
    else {
        return Ok(Action::Single { href });
    };
    if chunk == 0 {
        return Err("a multipart action with chunk_size 0".into());
    }
    let mut numbered: Vec<(u32, String)> = header
        .as_object()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.parse::<u32>().ok()?, v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    numbered.sort_by_key(|(n, _)| *n);
    let expected = size.div_ceil(chunk);
    if numbered.len() as u64 != expected
        || numbered
            .iter()
            .enumerate()
            .any(|(i, (n, _))| *n as usize != i + 1)
    {
        return Err(format!(
            "the Hub sent {} part URLs for {expected} parts",
            numbered.len()
        ));
    }
    Ok(Action::Multipart {
        completion: href,
        chunk_size: chunk,
        parts: numbered.into_iter().map(|(_, u)| u).collect(),
    })
}

/// Byte range `[start, end)` of part `k` (1-based).
pub fn part_range(k: u64, chunk_size: u64, size: u64) -> (u64, u64) {
    let start = (k - 1) * chunk_size;
    (start.min(size), (start + chunk_size).min(size))
}

/// The completion body: the object's sha256 and the parts' ETags in order, verbatim.
pub fn completion_body(oid: &str, etags: &[String]) -> String {
    let parts: Vec<Value> = etags
        .iter()
        .enumerate()
        .map(|(i, etag)| json!({ "partNumber": i + 1, "etag": etag }))
        .collect();
    json!({ "oid": oid, "parts": parts }).to_string()
}

/// One line of a commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Operation {
    /// A regular file, content inline (base64).
    File {
        /// Path in the repo.
        path: String,
        /// Content, base64.
        base64: String,
    },
    /// A file stored through LFS.
    Lfs {
        /// Path in the repo.
        path: String,
        /// sha256.
        oid: String,
        /// Bytes.
        size: u64,
    },
}

/// The NDJSON commit's header line (with its newline). `parent` is the commit the branch must
/// still be at, or the Hub refuses with 412: what makes a repeated commit safe.
pub fn commit_header_line(summary: &str, description: &str, parent: &str) -> String {
    let header = json!({ "summary": summary, "description": description, "parentCommit": parent });
    json!({ "key": "header", "value": header }).to_string() + "\n"
}

/// A commit line for an LFS file (with its newline).
pub fn lfs_line(path: &str, oid: &str, size: u64) -> String {
    json!({ "key": "lfsFile", "value": { "path": path, "algo": "sha256", "oid": oid, "size": size } })
        .to_string()
        + "\n"
}

/// What goes before and after a regular file's base64 content in its commit line, so that the
/// line can be put together from pieces without copying the content into one string (base64
/// needs no JSON escaping).
pub fn file_line_around(path: &str) -> (String, String) {
    let prefix = format!(
        r#"{{"key":"file","value":{{"path":{},"encoding":"base64","content":""#,
        Value::String(path.to_string())
    );
    (prefix, "\"}}\n".to_string())
}

/// The NDJSON commit body in one string: the header line, then one line per operation (the
/// upload sends the same lines as a `Blob` of pieces).
pub fn commit_body(
    summary: &str,
    description: &str,
    parent: &str,
    operations: &[Operation],
) -> String {
    let mut body = commit_header_line(summary, description, parent);
    for op in operations {
        match op {
            Operation::File { path, base64 } => {
                let (prefix, suffix) = file_line_around(path);
                body.push_str(&prefix);
                body.push_str(base64);
                body.push_str(&suffix);
            }
            Operation::Lfs { path, oid, size } => body.push_str(&lfs_line(path, oid, *size)),
        }
    }
    body
}

/// Read a commit answer: the commit id and its page (only an `http(s)` link; anything else
/// from the answer is dropped).
pub fn parse_commit(body: &str) -> Result<(String, Option<String>), String> {
    let value: Value =
        serde_json::from_str(body).map_err(|e| format!("unreadable commit answer: {e}"))?;
    let oid = value["commitOid"]
        .as_str()
        .filter(|o| o.len() == 40 && o.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or("the commit answer has no commitOid")?;
    let url = value["commitUrl"]
        .as_str()
        .filter(|u| crate::flock::task::is_web_url(u))
        .map(str::to_string);
    Ok((oid.to_ascii_lowercase(), url))
}

/// The Hub's reason in an error body (`error` string or list, `message`, `error_description`).
pub fn hub_error(body: &str) -> Option<String> {
    let value: Value = serde_json::from_str(body).ok()?;
    let text = match &value["error"] {
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join("; "),
        _ => value["message"]
            .as_str()
            .or_else(|| value["error_description"].as_str())?
            .to_string(),
    };
    Some(text.chars().take(300).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo() -> RepoId {
        "alice/model"
            .parse()
            .unwrap_or_else(|e: String| panic!("{e}"))
    }

    #[test]
    fn hub_urls_go_through_a_proxy_and_storage_urls_stay_direct() {
        let origins = [
            "https://huggingface.co",
            "https://hf.co",
            "http://127.0.0.1:18182",
        ];
        let base = |raw: &str| ApiBase::parse(raw).unwrap_or_else(|_| ApiBase::production());
        let completion = "https://huggingface.co/api/complete_multipart?uploadId=a&sig=b%2F";
        let storage = "https://hf-hub-lfs-us-east-1.s3.amazonaws.com/x?X-Amz-Signature=c";
        let proxy = base("https://me.example/apps/fb/hf/");
        assert_eq!(
            through_hub(completion, &proxy, &origins),
            "https://me.example/apps/fb/hf/api/complete_multipart?uploadId=a&sig=b%2F"
        );
        assert_eq!(through_hub(storage, &proxy, &origins), storage);
        assert_eq!(
            through_hub(
                "http://127.0.0.1:18182/api/complete_multipart?x=1",
                &proxy,
                &origins
            ),
            "https://me.example/apps/fb/hf/api/complete_multipart?x=1",
            "the build's own Hub counts as the Hub"
        );
        // Talking to the Hub itself: nothing changes.
        for hub in ["https://huggingface.co/", "http://127.0.0.1:18182/"] {
            assert_eq!(through_hub(completion, &base(hub), &origins), completion);
        }
        // Look-alike hosts are not the Hub.
        let lookalike = "https://huggingface.co.evil.example/api/complete_multipart";
        assert_eq!(through_hub(lookalike, &proxy, &origins), lookalike);
    }

    #[test]
    fn urls_follow_the_protocol() {
        let base = ApiBase::parse(HUB_BASE).unwrap_or_else(|_| ApiBase::production());
        assert_eq!(
            preupload_url(&base, &repo(), "main"),
            "https://huggingface.co/api/models/alice/model/preupload/main"
        );
        assert_eq!(
            commit_url(&base, &repo(), "refs/pr/3"),
            "https://huggingface.co/api/models/alice/model/commit/refs%2Fpr%2F3"
        );
        assert_eq!(
            batch_url(&base, &repo()),
            "https://huggingface.co/alice/model.git/info/lfs/objects/batch"
        );
    }

    #[test]
    fn preupload_answers_are_read_strictly() {
        let (files, head) = parse_preupload(r#"{"files":[{"path":"a.safetensors","uploadMode":"lfs","shouldIgnore":false},{"path":"config.json","uploadMode":"regular","shouldIgnore":false,"oid":"abc"}],"commitOid":"0123"}"#).unwrap_or_default();
        assert!(files[0].lfs && !files[1].lfs);
        assert_eq!(files[1].oid.as_deref(), Some("abc"));
        assert_eq!(head.as_deref(), Some("0123"));
        assert!(parse_preupload(r#"{"files":[{"path":"x","uploadMode":"xet"}]}"#).is_err());
    }

    #[test]
    fn batch_answers_give_stored_single_and_multipart_actions() {
        let body = r#"{"transfer":"basic","objects":[
            {"oid":"a","size":10},
            {"oid":"b","size":10,"actions":{"upload":{"href":"https://s/b?sig=1"}}},
            {"oid":"c","size":5,"actions":{"upload":{"href":"https://hub/complete","header":{"chunk_size":"2","00002":"https://s/2","00001":"https://s/1","00003":"https://s/3"}}}},
            {"oid":"d","size":5,"actions":{"upload":{"href":"h","header":{"chunk_size":"2","00001":"u"}}}},
            {"oid":"e","size":1,"error":{"code":422,"message":"Invalid oid"}}]}"#;
        let objects = parse_batch(body).unwrap_or_default();
        assert_eq!(objects[0].action, Ok(Action::Stored));
        assert_eq!(
            objects[1].action,
            Ok(Action::Single {
                href: "https://s/b?sig=1".into()
            })
        );
        assert_eq!(
            objects[2].action,
            Ok(Action::Multipart {
                completion: "https://hub/complete".into(),
                chunk_size: 2,
                parts: vec![
                    "https://s/1".into(),
                    "https://s/2".into(),
                    "https://s/3".into()
                ]
            })
        );
        assert!(objects[3]
            .action
            .as_ref()
            .is_err_and(|e| e.contains("1 part URLs for 3 parts")));
        assert_eq!(objects[4].action, Err("Invalid oid".into()));
        assert_eq!(part_range(3, 2, 5), (4, 5));
        assert_eq!(part_range(1, 2, 5), (0, 2));
    }

    #[test]
    fn commit_bodies_are_ndjson_with_a_header_first() {
        let body = commit_body(
            "Upload \"x\"",
            "",
            "0123",
            &[
                Operation::File {
                    path: "config.json".into(),
                    base64: "e30=".into(),
                },
                Operation::Lfs {
                    path: "m.safetensors".into(),
                    oid: "ab".into(),
                    size: 3,
                },
            ],
        );
        let lines: Vec<Value> = body
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or(Value::Null))
            .collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0]["value"]["parentCommit"], "0123");
        assert_eq!(lines[1]["key"], "file");
        assert_eq!(lines[0]["value"]["summary"], "Upload \"x\"");
        assert_eq!(lines[1]["value"]["content"], "e30=");
        assert_eq!(lines[1]["value"]["path"], "config.json");
        assert_eq!(lines[2]["value"]["algo"], "sha256");
        let (prefix, _) = file_line_around("we\"ird/\u{e9}.json");
        assert!(
            serde_json::from_str::<Value>(&format!("{prefix}AA==\"}}}}"))
                .is_ok_and(|v| v["value"]["path"] == "we\"ird/\u{e9}.json")
        );
        assert_eq!(
            parse_commit(
                r#"{"commitOid":"0123456789abcdef0123456789abcdef01234567","commitUrl":"javascript:alert(1)"}"#
            ),
            Ok(("0123456789abcdef0123456789abcdef01234567".into(), None)),
            "a link from the Hub is kept only when it is http(s)"
        );
        assert_eq!(
            completion_body("ab", &["\"e1\"".into()]),
            r#"{"oid":"ab","parts":[{"etag":"\"e1\"","partNumber":1}]}"#
        );
    }

    #[test]
    fn whoami_tells_who_and_where_a_token_can_write() {
        let write = parse_whoami(r#"{"name":"alice","orgs":[{"name":"flock-lab"}],"auth":{"accessToken":{"role":"write"}}}"#).unwrap_or_default();
        assert!(
            write.can_write("alice") && write.can_write("flock-lab") && !write.can_write("bob")
        );
        let read = parse_whoami(r#"{"name":"bob","auth":{"accessToken":{"role":"read"}}}"#)
            .unwrap_or_default();
        assert!(!read.can_write("bob"));
        assert!(read.describe().contains("read-only"));
        let fine = parse_whoami(r#"{"name":"carol","auth":{"accessToken":{"role":"fineGrained","fineGrained":{"global":[],"scoped":[{"entity":{"type":"model","name":"carol/one"},"permissions":["repo.write"]}]}}}}"#).unwrap_or_default();
        assert!(fine.can_write("carol") && !fine.can_write("dave"));
        assert!(parse_whoami("{}").is_err());
    }

    #[test]
    fn hub_errors_are_quoted() {
        assert_eq!(
            hub_error(r#"{"error":"You already created this model repo","url":"x"}"#).as_deref(),
            Some("You already created this model repo")
        );
        assert_eq!(hub_error(r#"{"error":["a","b"]}"#).as_deref(), Some("a; b"));
        assert_eq!(hub_error("<html>"), None);
    }
}
