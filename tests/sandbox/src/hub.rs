//! A fake Hugging Face Hub: enough of the HTTP commit protocol (whoami, repo create, preupload,
//! LFS batch with basic and multipart transfers, signed storage URLs, completion, verify, NDJSON
//! commit, tree, resolve, raw, repo info) that the official clients upload to it and download
//! from it. Follows `hub-upload.md` §8. Objects live in a temporary folder, repos in memory.

// Handlers return the HTTP response to send as their error: in a test fake that reads best,
// and the size of `Response` on the error path costs nothing that matters.
#![allow(clippy::result_large_err)]

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha1::Sha1;
use sha2::{Digest, Sha256};

/// Knobs tests turn (also through `/__sandbox/hub`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct HubConfig {
    /// Objects at least this large are uploaded in parts.
    pub multipart_threshold: u64,
    /// Part size for multipart uploads.
    pub chunk_size: u64,
    /// Lifetime of signed storage URLs, in seconds.
    pub url_ttl_secs: u64,
    /// Regular files larger than this are sent as LFS even without a matching pattern.
    pub lfs_size_threshold: u64,
    /// Storage uplink in MiB/s shared by all storage PUTs, as a real upload over a network
    /// would be (the answer to a PUT waits until its bytes would have gone through); 0: as
    /// fast as loopback.
    pub storage_mib_per_s: f64,
    /// Whether model info sums the safetensors headers (`safetensors.total`), as the real Hub
    /// does once it has scanned a repo; off, a client has to read the headers itself.
    pub safetensors_summary: bool,
}

impl Default for HubConfig {
    fn default() -> Self {
        HubConfig {
            multipart_threshold: 20 * 1024 * 1024,
            chunk_size: 8 * 1024 * 1024,
            url_ttl_secs: 900,
            lfs_size_threshold: 10 * 1024 * 1024,
            storage_mib_per_s: 0.0,
            safetensors_summary: true,
        }
    }
}

/// HF's default `.gitattributes` LFS patterns for new model repos.
const DEFAULT_LFS_GLOBS: [&str; 30] = [
    "*.7z",
    "*.arrow",
    "*.bin",
    "*.bz2",
    "*.ckpt",
    "*.ftz",
    "*.gz",
    "*.h5",
    "*.joblib",
    "*.lfs.*",
    "*.mlmodel",
    "*.model",
    "*.msgpack",
    "*.npy",
    "*.npz",
    "*.onnx",
    "*.ot",
    "*.parquet",
    "*.pb",
    "*.pickle",
    "*.pkl",
    "*.pt",
    "*.pth",
    "*.rar",
    "*.safetensors",
    "*.tar.*",
    "*.tflite",
    "*.tgz",
    "*.wasm",
    "*.zip",
];

/// A token the fake knows.
#[derive(Clone, Debug)]
struct Token {
    user: &'static str,
    role: &'static str,
}

/// Tokens of the fake: a writer, a reader, and a fine-grained token.
fn token(value: &str) -> Option<Token> {
    match value {
        "hf_sandboxWriteTokenAlice0000000000000" => Some(Token {
            user: "alice",
            role: "write",
        }),
        "hf_sandboxReadTokenBob000000000000000000" => Some(Token {
            user: "bob",
            role: "read",
        }),
        "hf_sandboxFineGrainedCarol0000000000000" => Some(Token {
            user: "carol",
            role: "fineGrained",
        }),
        _ => None,
    }
}

/// A file at a commit. Regular content is shared between the commits that hold it (each commit
/// copies its parent's map), so a repo of many commits of large regular files stays one copy.
#[derive(Clone, Debug)]
enum Content {
    Regular(std::sync::Arc<Vec<u8>>),
    Lfs { oid: String, size: u64 },
}

#[derive(Clone, Debug, Default)]
struct Repo {
    private: bool,
    /// Commit oid → files at that commit; `head` is the branch `main`.
    commits: HashMap<String, BTreeMap<String, Content>>,
    head: String,
    /// The branch's history, oldest first: (commit oid, summary, Unix time).
    log: Vec<(String, String, u64)>,
    committing: bool,
}

#[derive(Debug, Default)]
struct State {
    repos: HashMap<String, Repo>,
    /// Multipart uploads in progress: oid → (size, part etags by number).
    parts: HashMap<String, (u64, BTreeMap<u32, String>)>,
    counter: u64,
}

/// The fake Hub's state.
#[derive(Debug)]
pub struct Hub {
    state: Mutex<State>,
    /// Where storage URLs point (`scheme://host:port`), when storage has a listener of its own:
    /// as in real life, where the objects go to another host than the Hub API. Else the
    /// origin the request came to.
    storage_origin: std::sync::OnceLock<String>,
    /// When the simulated storage uplink is next free (see `storage_mib_per_s`).
    link_free_at: Mutex<std::time::Instant>,
    config: Mutex<HubConfig>,
    dir: PathBuf,
    secret: String,
}

/// Storage's answer to a PUT it kept: empty, with the quoted `ETag` clients read.
fn stored_response(etag: &str) -> Response {
    let mut response = bytes_response(200, Vec::new());
    set(&mut response, "etag", etag);
    response
}

/// The part files of a multipart upload (or object) in `folder`, in order: `1`, `2`, … up to
/// the first number missing.
fn part_files(folder: &Path) -> Vec<PathBuf> {
    (1..)
        .map(|n: u32| folder.join(n.to_string()))
        .take_while(|p| p.is_file())
        .collect()
}

/// Length and SHA-256 of `parts` end to end, read one at a time.
fn digest_parts(parts: &[PathBuf]) -> std::io::Result<(u64, String)> {
    let mut hasher = Sha256::new();
    let mut len = 0u64;
    for path in parts {
        let part = std::fs::read(path)?;
        hasher.update(&part);
        len += part.len() as u64;
    }
    Ok((len, hex(&hasher.finalize())))
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Git's blob id: sha1 of `blob <len>\0<content>`.
fn git_blob_oid(content: &[u8]) -> String {
    let mut h = Sha1::new();
    h.update(format!("blob {}\0", content.len()).as_bytes());
    h.update(content);
    hex(&h.finalize())
}

fn lfs_pointer(oid: &str, size: u64) -> String {
    format!("version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {size}\n")
}

fn glob_match(pattern: &str, path: &str) -> bool {
    // `*` matches within one path segment; patterns without `/` match the file name.
    let name = if pattern.contains('/') {
        path
    } else {
        path.rsplit('/').next().unwrap_or(path)
    };
    fn matches(p: &[u8], s: &[u8]) -> bool {
        match (p.first(), s.first()) {
            (None, None) => true,
            (Some(b'*'), _) => {
                matches(&p[1..], s) || (!s.is_empty() && s[0] != b'/' && matches(p, &s[1..]))
            }
            (Some(a), Some(b)) if a == b => matches(&p[1..], &s[1..]),
            _ => false,
        }
    }
    matches(pattern.as_bytes(), name.as_bytes())
}

/// An error in the Hub's style: JSON `error`, `X-Error-Code`, `X-Error-Message`.
fn error(status: u16, code: Option<&str>, message: &str) -> Response {
    let mut response = json_response(status, &json!({ "error": message }));
    if let Some(code) = code {
        if let Ok(v) = HeaderValue::from_str(code) {
            response.headers_mut().insert("x-error-code", v);
        }
    }
    if let Ok(v) = HeaderValue::from_str(message) {
        response.headers_mut().insert("x-error-message", v);
    }
    response
}

fn json_response(status: u16, body: &Value) -> Response {
    let mut response = Response::new(Body::from(serde_json::to_vec(body).unwrap_or_default()));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

fn bytes_response(status: u16, body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    response
}

fn set(response: &mut Response, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, v);
    }
}

/// Query parameters of a request.
fn query_map(query: &str) -> HashMap<String, String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .unwrap_or_default()
        .into_iter()
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Where the fake Hub keeps objects: memory-backed `/dev/shm` when the machine has it (the
/// bench moves gigabytes, and a slow disk would make the fake Hub the bottleneck for every
/// client alike), else the temporary folder.
fn storage_root() -> PathBuf {
    let shm = PathBuf::from("/dev/shm");
    if shm.is_dir() {
        shm
    } else {
        std::env::temp_dir()
    }
}

/// Remove the storage folders of sandboxes that died without cleaning up (killed with
/// SIGKILL, or a crash): `flockboard-hub-{pid}-{stamp}` whose process is gone.
fn sweep_stale(root: &Path) {
    if !Path::new("/proc/self").exists() {
        return; // no way to tell live processes from dead ones here
    }
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix("flockboard-hub-")
            .and_then(|rest| rest.split('-').next())
        else {
            continue;
        };
        if !pid.is_empty() && !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// The storage folders: whole objects, and parts of multipart uploads in progress.
fn make_storage(dir: &Path) {
    for sub in ["objects", "parts"] {
        let _ = std::fs::create_dir_all(dir.join(sub));
    }
}

impl Hub {
    /// A fresh, empty Hub storing objects under a new folder of its own, removed when the Hub
    /// is dropped (or by the next sandbox, if this process is killed outright).
    pub fn new(config: HubConfig) -> Self {
        let stamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let root = storage_root();
        sweep_stale(&root);
        let dir = root.join(format!("flockboard-hub-{}-{stamp}", std::process::id()));
        make_storage(&dir);
        Hub {
            state: Mutex::new(State::default()),
            storage_origin: std::sync::OnceLock::new(),
            link_free_at: Mutex::new(std::time::Instant::now()),
            config: Mutex::new(config),
            secret: sha256_hex(format!("{stamp}").as_bytes()),
            dir,
        }
    }

    /// How long the answer to a storage PUT of `bytes` must wait for the simulated uplink to
    /// have carried it (zero when the uplink is off); books the link for that long.
    pub fn uplink_wait(&self, bytes: usize) -> Duration {
        let rate = self.config().storage_mib_per_s;
        if rate <= 0.0 {
            return Duration::ZERO;
        }
        let busy = Duration::from_secs_f64(bytes as f64 / (rate * 1024.0 * 1024.0));
        let now = std::time::Instant::now();
        let mut free_at = self.link_free_at.lock().unwrap_or_else(|e| e.into_inner());
        *free_at = (*free_at).max(now) + busy;
        *free_at - now
    }

    /// Forget every repo, upload and object.
    pub fn wipe(&self) {
        let mut state = self.lock();
        *state = State::default();
        self.remove_storage();
        make_storage(&self.dir);
    }

    /// Delete everything stored (the process is about to exit).
    pub fn remove_storage(&self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The knobs in force.
    pub fn config(&self) -> HubConfig {
        self.config
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Change the knobs.
    pub fn set_config(&self, config: HubConfig) {
        *self.config.lock().unwrap_or_else(|e| e.into_inner()) = config;
    }

    fn object_path(&self, oid: &str) -> PathBuf {
        self.dir.join("objects").join(oid)
    }

    fn stored(&self, oid: &str) -> bool {
        self.object_path(oid).exists()
    }

    /// An object's bytes: one file (single PUT) or a folder of parts `1..=n` (multipart).
    fn read_object(&self, oid: &str) -> std::io::Result<Vec<u8>> {
        let path = self.object_path(oid);
        if !path.is_dir() {
            return std::fs::read(path);
        }
        let parts = part_files(&path);
        if parts.is_empty() {
            return Err(std::io::ErrorKind::NotFound.into());
        }
        let mut whole = Vec::new();
        for part in parts {
            whole.extend_from_slice(&std::fs::read(part)?);
        }
        Ok(whole)
    }

    /// An object's size, if it is stored.
    fn object_size(&self, oid: &str) -> Option<u64> {
        let path = self.object_path(oid);
        if !path.is_dir() {
            return std::fs::metadata(path).ok().map(|m| m.len());
        }
        part_files(&path)
            .iter()
            .map(|p| std::fs::metadata(p).ok().map(|m| m.len()))
            .sum()
    }

    fn sign(&self, path: &str, expires: u64) -> String {
        sha256_hex(format!("{}:{path}:{expires}", self.secret).as_bytes())[..32].to_string()
    }

    /// Serve storage URLs from `origin` from now on (set once, at start-up).
    pub fn set_storage_origin(&self, origin: &str) {
        let _ = self.storage_origin.set(origin.to_string());
    }

    fn signed_url(&self, origin: &str, path: &str) -> String {
        let origin = self.storage_origin.get().map_or(origin, String::as_str);
        self.signed_hub_url(origin, path)
    }

    /// A URL on `origin` itself (the Hub's), authorised by its query string like storage URLs.
    fn signed_hub_url(&self, origin: &str, path: &str) -> String {
        let expires = now_secs() + self.config().url_ttl_secs;
        format!(
            "{origin}{path}?expires={expires}&sig={}",
            self.sign(path, expires)
        )
    }

    /// Check a storage URL's signature; `Err` is the response to send.
    fn check_signature(&self, path: &str, query: &HashMap<String, String>) -> Result<(), Response> {
        let expires: u64 = query
            .get("expires")
            .and_then(|e| e.parse().ok())
            .unwrap_or(0);
        let good = query
            .get("sig")
            .is_some_and(|s| *s == self.sign(path, expires));
        if !good {
            return Err(error(
                403,
                Some("SignatureDoesNotMatch"),
                "The request signature does not match",
            ));
        }
        if now_secs() > expires {
            return Err(error(403, Some("AccessDenied"), "Request has expired"));
        }
        Ok(())
    }

    fn commit_oid(&self, state: &mut State) -> String {
        state.counter += 1;
        hex(&Sha1::digest(
            format!("{}:{}", self.secret, state.counter).as_bytes(),
        ))
    }

    /// Answer one Hub request. `origin` is this Hub's own `scheme://host:port`.
    pub fn handle(
        &self,
        origin: &str,
        method: &Method,
        path: &str,
        query: &str,
        headers: &HeaderMap,
        body: Bytes,
    ) -> Response {
        let query = query_map(query);
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let user = bearer.and_then(token);
        let segments: Vec<String> = path
            .trim_start_matches('/')
            .split('/')
            .map(percent_decode)
            .collect();
        let seg: Vec<&str> = segments.iter().map(String::as_str).collect();
        match (method.as_str(), seg.as_slice()) {
            ("GET", ["api", "whoami-v2"]) => match user {
                Some(t) => json_response(200, &self.whoami(&t)),
                None => error(401, None, "Invalid credentials in Authorization header"),
            },
            ("POST", ["api", "repos", "create"]) => self.create(origin, user, &body),
            ("DELETE", ["api", "repos", "delete"]) => self.delete(user, &body),
            ("POST", ["api", "validate-yaml"]) => {
                json_response(200, &json!({ "warnings": [], "errors": [] }))
            }
            ("POST", ["api", "models", ns, name, "preupload", rev]) => {
                self.preupload(user, &format!("{ns}/{name}"), rev, &body)
            }
            ("POST", ["api", "models", ns, name, "commit", rev]) => {
                self.commit(origin, user, &format!("{ns}/{name}"), rev, &body)
            }
            ("GET", ["api", "models", ns, name]) => {
                self.info(user, &format!("{ns}/{name}"), "main")
            }
            ("GET", ["api", "models", ns, name, "revision", rev]) => {
                self.info(user, &format!("{ns}/{name}"), rev)
            }
            ("GET", ["api", "models", ns, name, "commits", rev]) => {
                self.commits(user, &format!("{ns}/{name}"), rev)
            }
            ("GET", ["api", "models", ns, name, "tree", rev, rest @ ..]) => {
                self.tree(user, &format!("{ns}/{name}"), rev, &rest.join("/"))
            }
            ("POST", [ns, repo_git, "info", "lfs", "objects", "batch"])
                if repo_git.ends_with(".git") =>
            {
                self.batch(
                    origin,
                    user,
                    &format!("{ns}/{}", repo_git.trim_end_matches(".git")),
                    &body,
                )
            }
            ("POST", [_, repo_git, "info", "lfs", "objects", "verify"])
                if repo_git.ends_with(".git") =>
            {
                self.verify(&body)
            }
            ("PUT", ["__storage", "objects", oid]) => self.put_object(path, &query, oid, &body),
            ("PUT", ["__storage", "parts", oid, number]) => {
                self.put_part(path, &query, oid, number, &body)
            }
            // On the Hub's own origin, as the real completion URL is (a Hub route, not S3).
            ("POST", ["api", "complete_multipart", oid]) => self.complete(path, &query, oid, &body),
            ("GET" | "HEAD", [ns, name, "resolve", rev, rest @ ..]) => self.resolve(
                user,
                method,
                &format!("{ns}/{name}"),
                rev,
                &rest.join("/"),
                headers,
            ),
            ("GET", [ns, name, "raw", rev, rest @ ..]) => {
                self.raw(user, &format!("{ns}/{name}"), rev, &rest.join("/"))
            }
            _ => error(
                404,
                None,
                "Sorry, we can't find the page you are looking for.",
            ),
        }
    }

    fn whoami(&self, t: &Token) -> Value {
        json!({
            "type": "user", "id": sha256_hex(t.user.as_bytes())[..24], "name": t.user,
            "fullname": t.user, "email": format!("{}@example.org", t.user), "emailVerified": true,
            "isPro": false, "canPay": false, "avatarUrl": "", "periodEnd": null, "billingMode": "prepaid",
            "orgs": [{ "type": "org", "id": "0000000000000000000000aa", "name": "flock-lab", "fullname": "FLock Lab", "roleInOrg": "write" }],
            "auth": { "type": "access_token", "accessToken": {
                "displayName": "sandbox", "role": t.role, "createdAt": "2026-01-01T00:00:00.000Z",
                "fineGrained": if t.role == "fineGrained" { json!({ "global": [], "scoped": [{ "entity": { "type": "user", "name": t.user }, "permissions": ["repo.content.read", "repo.write"] }] }) } else { Value::Null }
            } }
        })
    }

    /// Whether `t` may write to namespace `ns`.
    fn can_write(t: &Token, ns: &str) -> bool {
        (t.role == "write" || t.role == "fineGrained") && (ns == t.user || ns == "flock-lab")
    }

    fn create(&self, origin: &str, user: Option<Token>, body: &[u8]) -> Response {
        let Some(t) = user else {
            return error(401, None, "Invalid credentials in Authorization header");
        };
        let Ok(v) = serde_json::from_slice::<Value>(body) else {
            return error(400, None, "Invalid JSON body");
        };
        let Some(name) = v["name"].as_str() else {
            return error(400, None, "\"name\" is required");
        };
        let ns = v["organization"].as_str().unwrap_or(t.user);
        if !Self::can_write(&t, ns) {
            return error(
                403,
                None,
                "You don't have the rights to create a model under this namespace",
            );
        }
        let id = format!("{ns}/{name}");
        let url = format!("{origin}/{id}");
        let private = v["private"].as_bool().unwrap_or(false) || v["visibility"] == "private";
        let mut state = self.lock();
        if state.repos.contains_key(&id) {
            return json_response(
                409,
                &json!({ "error": "You already created this model repo", "url": url }),
            );
        }
        let first = self.commit_oid(&mut state);
        let mut files = BTreeMap::new();
        let attributes: String = DEFAULT_LFS_GLOBS
            .iter()
            .map(|g| format!("{g} filter=lfs diff=lfs merge=lfs -text\n"))
            .collect();
        files.insert(
            ".gitattributes".to_string(),
            Content::Regular(attributes.into_bytes().into()),
        );
        let mut repo = Repo {
            private,
            head: first.clone(),
            log: vec![(first.clone(), "initial commit".into(), now_secs())],
            ..Default::default()
        };
        repo.commits.insert(first, files);
        state.repos.insert(id.clone(), repo);
        json_response(
            200,
            &json!({ "url": url, "name": id, "id": sha256_hex(id.as_bytes())[..24] }),
        )
    }

    fn delete(&self, user: Option<Token>, body: &[u8]) -> Response {
        let Some(t) = user else {
            return error(401, None, "Invalid credentials in Authorization header");
        };
        let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let ns = v["organization"].as_str().unwrap_or(t.user);
        let id = format!("{ns}/{}", v["name"].as_str().unwrap_or(""));
        if !Self::can_write(&t, ns) {
            return error(403, None, "You don't have the rights to delete this repo");
        }
        match self.lock().repos.remove(&id) {
            Some(_) => json_response(200, &json!({})),
            None => error(404, Some("RepoNotFound"), "Repository not found"),
        }
    }

    /// The repo for a request, checking read (and, if asked, write) access.
    fn with_repo<T>(
        &self,
        user: &Option<Token>,
        id: &str,
        write: bool,
        f: impl FnOnce(&mut Repo) -> Result<T, Response>,
    ) -> Result<T, Response> {
        let mut state = self.lock();
        let ns = id.split('/').next().unwrap_or("");
        let Some(repo) = state.repos.get_mut(id) else {
            return Err(error(404, Some("RepoNotFound"), "Repository not found"));
        };
        if repo.private
            && !user
                .as_ref()
                .is_some_and(|t| t.user == ns || ns == "flock-lab")
        {
            return Err(error(404, Some("RepoNotFound"), "Repository not found"));
        }
        if write && !user.as_ref().is_some_and(|t| Self::can_write(t, ns)) {
            return Err(error(
                403,
                None,
                "You don't have write access to this repository",
            ));
        }
        f(repo)
    }

    fn files_at<'a>(repo: &'a Repo, rev: &str) -> Result<&'a BTreeMap<String, Content>, Response> {
        let oid = if rev == "main" {
            repo.head.as_str()
        } else {
            rev
        };
        repo.commits.get(oid).ok_or_else(|| {
            error(
                404,
                Some("RevisionNotFound"),
                &format!("Invalid rev id: {rev}"),
            )
        })
    }

    fn preupload(&self, user: Option<Token>, id: &str, rev: &str, body: &[u8]) -> Response {
        let Ok(v) = serde_json::from_slice::<Value>(body) else {
            return error(400, None, "Invalid JSON body");
        };
        let lfs_threshold = self.config().lfs_size_threshold;
        let result = self.with_repo(&user, id, true, |repo| {
            let files = Self::files_at(repo, rev)?;
            let globs: Vec<String> = match files.get(".gitattributes") {
                Some(Content::Regular(text)) => String::from_utf8_lossy(text)
                    .lines()
                    .filter(|l| l.contains("filter=lfs"))
                    .filter_map(|l| l.split_whitespace().next().map(str::to_string))
                    .collect(),
                _ => Vec::new(),
            };
            let answers: Vec<Value> = v["files"].as_array().cloned().unwrap_or_default().iter().map(|f| {
                let path = f["path"].as_str().unwrap_or("");
                let size = f["size"].as_u64().unwrap_or(0);
                let sample = base64::engine::general_purpose::STANDARD.decode(f["sample"].as_str().unwrap_or("")).unwrap_or_default();
                let binary = sample.contains(&0);
                let lfs = size > 0 && (globs.iter().any(|g| glob_match(g, path)) || size > lfs_threshold || (binary && size > 1024 * 1024));
                let oid = match files.get(path) {
                    Some(Content::Regular(c)) => Some(git_blob_oid(c)),
                    Some(Content::Lfs { oid, .. }) => Some(oid.clone()),
                    None => None,
                };
                let mut answer = json!({ "path": path, "uploadMode": if lfs { "lfs" } else { "regular" }, "shouldIgnore": false });
                if let Some(oid) = oid {
                    answer["oid"] = json!(oid);
                }
                answer
            }).collect();
            Ok(json!({ "files": answers, "commitOid": repo.head }))
        });
        result.map_or_else(|e| e, |body| json_response(200, &body))
    }

    fn batch(&self, origin: &str, user: Option<Token>, id: &str, body: &[u8]) -> Response {
        if let Err(e) = self.with_repo(&user, id, true, |_| Ok(())) {
            return e;
        }
        let Ok(v) = serde_json::from_slice::<Value>(body) else {
            return error(400, None, "Invalid JSON body");
        };
        let config = self.config();
        let objects: Vec<Value> = v["objects"].as_array().cloned().unwrap_or_default().iter().map(|o| {
            let oid = o["oid"].as_str().unwrap_or("").to_string();
            let size = o["size"].as_u64().unwrap_or(0);
            if oid.len() != 64 || !oid.bytes().all(|b| b.is_ascii_hexdigit()) {
                return json!({ "oid": oid, "size": size, "error": { "code": 422, "message": "Invalid oid" } });
            }
            if self.stored(&oid) {
                return json!({ "oid": oid, "size": size, "authenticated": true });
            }
            let verify = json!({ "href": format!("{origin}/{id}.git/info/lfs/objects/verify") });
            if size >= config.multipart_threshold {
                let chunk = config.chunk_size.max(1);
                let count = size.div_ceil(chunk);
                let mut header = serde_json::Map::new();
                header.insert("chunk_size".into(), json!(chunk.to_string()));
                for n in 1..=count {
                    header.insert(format!("{n:05}"), json!(self.signed_url(origin, &format!("/__storage/parts/{oid}/{n}"))));
                }
                self.lock().parts.insert(oid.clone(), (size, BTreeMap::new()));
                json!({ "oid": oid, "size": size, "authenticated": true, "actions": {
                    "upload": { "href": self.signed_hub_url(origin, &format!("/api/complete_multipart/{oid}")), "header": header },
                    "verify": verify } })
            } else {
                json!({ "oid": oid, "size": size, "authenticated": true, "actions": {
                    "upload": { "href": self.signed_url(origin, &format!("/__storage/objects/{oid}")), "expires_in": config.url_ttl_secs },
                    "verify": verify } })
            }
        }).collect();
        let mut response = json_response(
            200,
            &json!({ "transfer": "basic", "objects": objects, "hash_algo": "sha256" }),
        );
        set(
            &mut response,
            "content-type",
            "application/vnd.git-lfs+json",
        );
        response
    }

    fn put_object(
        &self,
        path: &str,
        query: &HashMap<String, String>,
        oid: &str,
        body: &[u8],
    ) -> Response {
        if let Err(e) = self.check_signature(path, query) {
            return e;
        }
        if sha256_hex(body) != oid {
            return error(
                400,
                Some("BadDigest"),
                "The content does not match its sha256",
            );
        }
        // Written aside then renamed: a half-written object is never taken for a stored one.
        let partial = self.dir.join("parts").join(format!("{oid}.single"));
        if std::fs::write(&partial, body)
            .and_then(|_| std::fs::rename(&partial, self.object_path(oid)))
            .is_err()
        {
            return error(500, None, "storage write failed");
        }
        stored_response(&format!("\"{}\"", &oid[..32]))
    }

    fn put_part(
        &self,
        path: &str,
        query: &HashMap<String, String>,
        oid: &str,
        number: &str,
        body: &[u8],
    ) -> Response {
        if let Err(e) = self.check_signature(path, query) {
            return e;
        }
        let Ok(n) = number.parse::<u32>() else {
            return error(400, None, "bad part number");
        };
        let etag = format!("\"{}\"", &sha256_hex(body)[..32]);
        let dir = self.dir.join("parts").join(oid);
        if std::fs::create_dir_all(&dir)
            .and_then(|_| std::fs::write(dir.join(n.to_string()), body))
            .is_err()
        {
            return error(500, None, "storage write failed");
        }
        if let Some((_, etags)) = self.lock().parts.get_mut(oid) {
            etags.insert(n, etag.clone());
        }
        stored_response(&etag)
    }

    fn complete(
        &self,
        path: &str,
        query: &HashMap<String, String>,
        oid: &str,
        body: &[u8],
    ) -> Response {
        if let Err(e) = self.check_signature(path, query) {
            return e;
        }
        let Ok(v) = serde_json::from_slice::<Value>(body) else {
            return error(400, None, "Invalid JSON body");
        };
        let Some((size, etags)) = self.lock().parts.get(oid).cloned() else {
            return error(404, None, "No multipart upload in progress for this object");
        };
        let sent: Vec<(u32, String)> = v["parts"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|p| {
                (
                    p["partNumber"].as_u64().unwrap_or(0) as u32,
                    p["etag"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        let expected: Vec<(u32, String)> = etags.into_iter().collect();
        let numbered = (1..).zip(&expected).all(|(n, (k, _))| n == *k);
        if sent != expected
            || !numbered
            || expected.len() as u64 != size.div_ceil(self.config().chunk_size.max(1))
        {
            return error(
                400,
                Some("InvalidPart"),
                "One or more of the specified parts could not be found or the ETags do not match",
            );
        }
        // Check the parts in order against the oid; the object is then kept as its folder of
        // parts (moved, not copied: copying a gigabyte would make the fake slower than S3's
        // completion, for every client alike).
        let folder = self.dir.join("parts").join(oid);
        let parts = part_files(&folder);
        if parts.len() != expected.len() {
            return error(500, None, "part lost");
        }
        match digest_parts(&parts) {
            Ok((len, digest)) if len == size && digest == oid => {}
            Ok(_) => {
                return error(
                    400,
                    Some("BadDigest"),
                    "The assembled object does not match its sha256",
                )
            }
            Err(_) => return error(500, None, "part lost"),
        }
        if std::fs::rename(&folder, self.object_path(oid)).is_err() {
            return error(500, None, "storage write failed");
        }
        self.lock().parts.remove(oid);
        json_response(200, &json!({}))
    }

    fn verify(&self, body: &[u8]) -> Response {
        let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let oid = v["oid"].as_str().unwrap_or("");
        match self.object_size(oid) {
            Some(len) if Some(len) == v["size"].as_u64() => json_response(200, &json!({})),
            _ => error(404, None, "Object not found"),
        }
    }

    fn commit(
        &self,
        origin: &str,
        user: Option<Token>,
        id: &str,
        rev: &str,
        body: &[u8],
    ) -> Response {
        let mut header = Value::Null;
        let mut ops = Vec::new();
        for line in String::from_utf8_lossy(body)
            .lines()
            .filter(|l| !l.trim().is_empty())
        {
            let Ok(v) = serde_json::from_str::<Value>(line) else {
                return error(400, None, "Malformed NDJSON line");
            };
            match v["key"].as_str() {
                Some("header") => header = v["value"].clone(),
                Some("file" | "lfsFile" | "deletedFile" | "deletedFolder") => ops.push(v),
                _ => {
                    return error(
                        400,
                        None,
                        "Add a line with the key `lfsFile`, `file` or `deletedFile`",
                    )
                }
            }
        }
        if header["summary"]
            .as_str()
            .is_none_or(|s| s.trim().is_empty())
        {
            return error(400, None, "A commit summary is required");
        }
        // One commit per repo at a time, as on the real Hub.
        let parent = header["parentCommit"].as_str().map(str::to_string);
        let started = self.with_repo(&user, id, true, |repo| {
            if rev != "main" {
                return Err(error(404, Some("RevisionNotFound"), &format!("Invalid rev id: {rev}")));
            }
            if repo.committing {
                return Err(error(409, None, "Another commit operation is in progress for this repository. Please try again later."));
            }
            if parent.as_deref().is_some_and(|p| p != repo.head) {
                return Err(error(412, None, "A commit has happened since. Please refresh and try again."));
            }
            repo.committing = true;
            Ok(repo.commits.get(&repo.head).cloned().unwrap_or_default())
        });
        let mut files = match started {
            Ok(files) => files,
            Err(e) => return e,
        };
        // Hold the repo busy a moment so that concurrent commits meet the 409.
        std::thread::sleep(Duration::from_millis(50));
        let mut outcome = Ok(());
        for op in &ops {
            let value = &op["value"];
            let path = value["path"].as_str().unwrap_or("").to_string();
            match op["key"].as_str() {
                Some("file") => {
                    let content = value["content"].as_str().unwrap_or("");
                    let bytes = if value["encoding"] == "base64" {
                        base64::engine::general_purpose::STANDARD
                            .decode(content)
                            .unwrap_or_default()
                    } else {
                        content.as_bytes().to_vec()
                    };
                    files.insert(path, Content::Regular(bytes.into()));
                }
                Some("lfsFile") => {
                    let oid = value["oid"].as_str().unwrap_or("").to_string();
                    if !self.stored(&oid) {
                        outcome = Err(error(400, None, &format!("Your push was rejected because an LFS pointer pointed to a file that does not exist. For instance: {path}")));
                        break;
                    }
                    let size = self.object_size(&oid).unwrap_or(0);
                    files.insert(path, Content::Lfs { oid, size });
                }
                Some("deletedFile") => {
                    if files.remove(&path).is_none() {
                        outcome = Err(error(
                            404,
                            Some("EntryNotFound"),
                            "A file with this name doesn't exist",
                        ));
                        break;
                    }
                }
                _ => {
                    files.retain(|p, _| !p.starts_with(&format!("{}/", path.trim_end_matches('/'))))
                }
            }
        }
        let mut state = self.lock();
        let oid = self.commit_oid(&mut state);
        let Some(repo) = state.repos.get_mut(id) else {
            return error(404, Some("RepoNotFound"), "Repository not found");
        };
        repo.committing = false;
        if let Err(e) = outcome {
            return e;
        }
        repo.commits.insert(oid.clone(), files);
        repo.head = oid.clone();
        let summary = header["summary"].as_str().unwrap_or("").to_string();
        repo.log.push((oid.clone(), summary, now_secs()));
        json_response(
            200,
            &json!({ "success": true, "commitOid": oid, "commitUrl": format!("{origin}/{id}/commit/{oid}"), "hookOutput": "" }),
        )
    }

    fn info(&self, user: Option<Token>, id: &str, rev: &str) -> Response {
        let summarize = self.config().safetensors_summary;
        let result = self.with_repo(&user, id, false, |repo| {
            let files = Self::files_at(repo, rev)?;
            let sha = if rev == "main" { repo.head.clone() } else { rev.to_string() };
            let mut info = json!({ "_id": sha256_hex(id.as_bytes())[..24], "id": id, "modelId": id, "sha": sha, "private": repo.private,
                "gated": false, "disabled": false,
                "siblings": files.keys().map(|p| json!({ "rfilename": p })).collect::<Vec<_>>(), "xetEnabled": false });
            if let Some(summary) = summarize.then(|| self.safetensors_summary(files)).flatten() {
                info["safetensors"] = summary;
            }
            Ok(info)
        });
        result.map_or_else(|e| e, |body| json_response(200, &body))
    }

    /// `{"parameters": {dtype: count}, "total": count}` over the safetensors files, as the
    /// Hub's model info gives it; `None` without such files or when one cannot be read.
    fn safetensors_summary(&self, files: &BTreeMap<String, Content>) -> Option<Value> {
        let mut by_dtype: BTreeMap<String, u64> = BTreeMap::new();
        let mut any = false;
        for (_, content) in files.iter().filter(|(p, _)| p.ends_with(".safetensors")) {
            let bytes = match content {
                Content::Regular(b) => b.to_vec(),
                Content::Lfs { oid, .. } => self.read_object(oid).ok()?,
            };
            let len = u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?) as usize;
            let header: Value = serde_json::from_slice(bytes.get(8..8 + len)?).ok()?;
            for (name, tensor) in header.as_object()? {
                if name == "__metadata__" {
                    continue;
                }
                let count = tensor["shape"]
                    .as_array()?
                    .iter()
                    .map(Value::as_u64)
                    .product::<Option<u64>>()?;
                *by_dtype
                    .entry(tensor["dtype"].as_str()?.to_string())
                    .or_default() += count;
            }
            any = true;
        }
        let total: u64 = by_dtype.values().sum();
        any.then(|| json!({ "parameters": by_dtype, "total": total }))
    }

    fn entry(path: &str, content: &Content) -> Value {
        match content {
            Content::Regular(bytes) => {
                json!({ "type": "file", "path": path, "oid": git_blob_oid(bytes), "size": bytes.len() })
            }
            Content::Lfs { oid, size } => {
                let pointer = lfs_pointer(oid, *size);
                json!({ "type": "file", "path": path, "oid": git_blob_oid(pointer.as_bytes()), "size": size,
                        "lfs": { "oid": oid, "size": size, "pointerSize": pointer.len() } })
            }
        }
    }

    /// The history up to `rev`, newest first, as `GET api/models/{repo}/commits/{rev}` lists it
    /// (one page: the real Hub pages by 50 with a `Link` header).
    fn commits(&self, user: Option<Token>, id: &str, rev: &str) -> Response {
        let result = self.with_repo(&user, id, false, |repo| {
            let target = if rev == "main" { repo.head.as_str() } else { rev };
            let Some(end) = repo.log.iter().position(|(oid, _, _)| oid == target) else {
                return Err(error(404, Some("RevisionNotFound"), &format!("Invalid rev id: {rev}")));
            };
            Ok(repo.log[..=end]
                .iter()
                .rev()
                .take(50)
                .map(|(oid, title, at)| {
                    let date = chrono::DateTime::from_timestamp(*at as i64, 0)
                        .map(|d| d.format("%Y-%m-%dT%H:%M:%S.000Z").to_string())
                        .unwrap_or_default();
                    json!({ "id": oid, "title": title, "message": "", "authors": [{ "user": "sandbox" }], "date": date })
                })
                .collect::<Vec<_>>())
        });
        result.map_or_else(|e| e, |list| json_response(200, &Value::Array(list)))
    }

    fn tree(&self, user: Option<Token>, id: &str, rev: &str, under: &str) -> Response {
        let result = self.with_repo(&user, id, false, |repo| {
            let files = Self::files_at(repo, rev)?;
            let prefix = if under.is_empty() {
                String::new()
            } else {
                format!("{}/", under.trim_end_matches('/'))
            };
            Ok(files
                .iter()
                .filter(|(p, _)| p.starts_with(&prefix))
                .map(|(p, c)| Self::entry(p, c))
                .collect::<Vec<_>>())
        });
        result.map_or_else(|e| e, |entries| json_response(200, &Value::Array(entries)))
    }

    fn lookup(
        &self,
        user: &Option<Token>,
        id: &str,
        rev: &str,
        path: &str,
    ) -> Result<(String, Content), Response> {
        self.with_repo(user, id, false, |repo| {
            let files = Self::files_at(repo, rev)?;
            let commit = if rev == "main" {
                repo.head.clone()
            } else {
                rev.to_string()
            };
            files
                .get(path)
                .cloned()
                .map(|c| (commit, c))
                .ok_or_else(|| {
                    error(
                        404,
                        Some("EntryNotFound"),
                        &format!("{path} does not exist on \"{rev}\""),
                    )
                })
        })
    }

    fn resolve(
        &self,
        user: Option<Token>,
        method: &Method,
        id: &str,
        rev: &str,
        path: &str,
        headers: &HeaderMap,
    ) -> Response {
        let (commit, content) = match self.lookup(&user, id, rev, path) {
            Ok(found) => found,
            Err(e) => return e,
        };
        let (bytes, etag, linked) = match &content {
            Content::Regular(b) => (b.to_vec(), git_blob_oid(b), None),
            Content::Lfs { oid, size } => match self.read_object(oid) {
                Ok(b) => (
                    b,
                    git_blob_oid(lfs_pointer(oid, *size).as_bytes()),
                    Some((oid.clone(), *size)),
                ),
                Err(_) => return error(500, None, "object missing from storage"),
            },
        };
        let total = bytes.len();
        let range = headers
            .get(header::RANGE)
            .and_then(|v| v.to_str().ok())
            .and_then(|r| r.strip_prefix("bytes="))
            .and_then(|r| {
                let (a, b) = r.split_once('-')?;
                let start: usize = a.parse().ok()?;
                let end: usize = if b.is_empty() {
                    total.saturating_sub(1)
                } else {
                    b.parse::<usize>().ok()?.min(total.saturating_sub(1))
                };
                (start <= end && start < total).then_some((start, end))
            });
        let (status, slice) = match range {
            Some((a, b)) => (206, bytes[a..=b].to_vec()),
            None => (200, bytes),
        };
        let length = slice.len();
        let mut response = bytes_response(
            status,
            if *method == Method::HEAD {
                Vec::new()
            } else {
                slice
            },
        );
        set(&mut response, "x-repo-commit", &commit);
        set(&mut response, "accept-ranges", "bytes");
        set(&mut response, "content-length", &length.to_string());
        set(&mut response, "content-type", "application/octet-stream");
        match linked {
            Some((oid, size)) => {
                set(&mut response, "etag", &format!("\"{oid}\""));
                set(&mut response, "x-linked-etag", &format!("\"{oid}\""));
                set(&mut response, "x-linked-size", &size.to_string());
            }
            None => set(&mut response, "etag", &format!("\"{etag}\"")),
        }
        if let Some((a, b)) = range {
            set(
                &mut response,
                "content-range",
                &format!("bytes {a}-{b}/{total}"),
            );
        }
        response
    }

    fn raw(&self, user: Option<Token>, id: &str, rev: &str, path: &str) -> Response {
        match self.lookup(&user, id, rev, path) {
            Ok((commit, Content::Lfs { oid, size })) => {
                let mut r = bytes_response(200, lfs_pointer(&oid, size).into_bytes());
                set(&mut r, "x-repo-commit", &commit);
                r
            }
            Ok((commit, Content::Regular(bytes))) => {
                let mut r = bytes_response(200, bytes.to_vec());
                set(&mut r, "x-repo-commit", &commit);
                r
            }
            Err(e) => e,
        }
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        self.remove_storage();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_simulated_uplink_is_shared_by_all_puts() {
        let hub = Hub::new(HubConfig::default());
        assert_eq!(hub.uplink_wait(1 << 20), Duration::ZERO, "off by default");
        hub.set_config(HubConfig {
            storage_mib_per_s: 4.0,
            ..HubConfig::default()
        });
        let first = hub.uplink_wait(1 << 20);
        let second = hub.uplink_wait(1 << 20);
        // 1 MiB at 4 MiB/s: a quarter second, and the second PUT queues behind the first.
        assert!(first > Duration::from_millis(240) && first <= Duration::from_millis(250));
        assert!(second > Duration::from_millis(490) && second <= Duration::from_millis(500));
    }

    #[test]
    fn globs_match_like_gitattributes() {
        assert!(glob_match(
            "*.safetensors",
            "model-00001-of-00002.safetensors"
        ));
        assert!(glob_match("*.safetensors", "sub/dir/x.safetensors"));
        assert!(glob_match("*.lfs.*", "test.lfs.txt"));
        assert!(glob_match("*.tar.*", "a.tar.gz"));
        assert!(!glob_match("*.bin", "config.json"));
    }

    #[test]
    fn git_ids_match_git() {
        // `printf 'hello\n' | git hash-object --stdin`
        assert_eq!(
            git_blob_oid(b"hello\n"),
            "ce013625030ba8dba906f756967f9e9ca394464a"
        );
    }
}
