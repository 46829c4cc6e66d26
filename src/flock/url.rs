//! Endpoint URLs. Every URL is built here from an [`ApiBase`] that holds exactly one trailing
//! slash and paths that never start with one, so the `//` and `&`-for-`?` mistakes found in
//! other clients (flocky's `…/api/v1//tasks/submit-result`, `…/{address}&page=1`) cannot happen.

use std::fmt;

use super::leaderboard::Board;
use super::stats::CountKind;
use super::wallet::WalletAddress;
use super::wallet_stats::Role;

/// Where the production fed-ledger API lives.
pub const PRODUCTION_BASE: &str = "https://fed-ledger-prod.flock.io/api/v1/";

/// The API address this build uses unless the user sets another in Settings, as written at
/// build time in `FLOCKBOARD_FLOCK_API` (the sandbox for local runs, `api/v1/` behind a
/// same-origin proxy), else production. It may be relative to the page: see [`resolve`].
pub fn default_address() -> &'static str {
    option_env!("FLOCKBOARD_FLOCK_API").unwrap_or(PRODUCTION_BASE)
}

/// Resolve an address as typed in Settings or given at build time against the URL of the page
/// (`page`, e.g. `https://me.example/apps/flockboard/?view=settings`).
///
/// Absolute `http(s)://` addresses are checked as by [`ApiBase::parse`]. Relative ones —
/// `api/v1/`, `../api/v1/`, `/flock/api/v1/`, `//host/api/v1/` — are resolved as a browser
/// resolves a link, so a proxy on the page's own origin needs no CORS. Any other scheme
/// (`javascript:`, `data:`, `file:`) is refused, and so is a relative address on a page that is
/// not itself served over http(s).
pub fn resolve(raw: &str, page: &str) -> Result<ApiBase, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("Enter an address, e.g. https://fed-ledger-prod.flock.io/api/v1/ or api/v1/ for a proxy beside this page.".into());
    }
    if let Some(scheme) = scheme_of(raw) {
        let lower = scheme.to_ascii_lowercase();
        if lower == "http" || lower == "https" {
            let rest = &raw[scheme.len()..];
            return ApiBase::parse(&format!("{lower}{rest}"));
        }
        return Err(format!(
            "“{scheme}:” addresses are not allowed: use https:// (or http:// for a local server), or a path such as api/v1/."
        ));
    }
    if raw.contains(['?', '#']) {
        return Err("The address must not contain a query (?) or fragment (#).".into());
    }
    if raw.chars().any(char::is_whitespace) || raw.contains('\\') {
        return Err("The address must not contain spaces or backslashes.".into());
    }
    let first = raw.split('/').next().unwrap_or("");
    if first.contains('.') && first != "." && first != ".." {
        return Err(format!(
            "“{first}” looks like a host name: write https://{first}/… A relative address is a path on this page's own server, such as api/v1/."
        ));
    }
    let page = page.split(['?', '#']).next().unwrap_or("");
    let page_scheme = scheme_of(page).map(str::to_ascii_lowercase);
    let (Some(scheme), true) = (
        page_scheme.clone(),
        matches!(page_scheme.as_deref(), Some("http" | "https")),
    ) else {
        return Err(format!(
            "A relative address needs a page served over http(s); this page is at “{}”, so give a full https:// address.",
            page_scheme.unwrap_or_else(|| "an unknown address".into())
        ));
    };
    if let Some(network_path) = raw.strip_prefix("//") {
        return ApiBase::parse(&format!("{scheme}://{network_path}"));
    }
    let after_scheme = &page[scheme.len() + 3..];
    let host_end = after_scheme.find('/').unwrap_or(after_scheme.len());
    let origin = &page[..scheme.len() + 3 + host_end];
    let page_path = &after_scheme[host_end..];
    let joined = if raw.starts_with('/') {
        raw.to_string()
    } else {
        // The page's folder: everything up to its last slash.
        let folder = &page_path[..page_path.rfind('/').map_or(0, |i| i + 1)];
        format!("{}{raw}", if folder.is_empty() { "/" } else { folder })
    };
    ApiBase::parse(&format!("{origin}{}", remove_dot_segments(&joined)))
}

/// The scheme of an absolute URL (`https` in `https://…`), if `raw` starts with one.
fn scheme_of(raw: &str) -> Option<&str> {
    let colon = raw.find(':')?;
    let scheme = &raw[..colon];
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some(scheme)
}

/// RFC 3986 §5.2.4 for an absolute path: `.` and `..` segments go, a `..` above the root stays
/// at the root. The result ends in `/` when the input's last segment was `.` or `..`.
fn remove_dot_segments(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let last = segments.len().saturating_sub(1);
    for (i, segment) in segments.iter().enumerate() {
        match *segment {
            "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s),
        }
        if i == last && matches!(*segment, "." | "..") {
            out.push("");
        }
    }
    format!("/{}", out.join("/"))
}

/// The first of `addresses` (the saved one, the build's default, the public service) that
/// resolves against `page`: what requests use when a saved address no longer resolves (the
/// page moved to a `file:` URL, say). `None` only when none does.
pub fn resolve_first<'a>(
    addresses: impl IntoIterator<Item = Option<&'a str>>,
    page: &str,
) -> Option<ApiBase> {
    addresses
        .into_iter()
        .flatten()
        .find_map(|raw| resolve(raw, page).ok())
}

/// A validated API base URL: `http(s)://host[:port]/path/`, always ending in one `/`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ApiBase(String);

impl ApiBase {
    /// The production base.
    pub fn production() -> Self {
        ApiBase(PRODUCTION_BASE.to_string())
    }

    /// Check and normalise a base typed by a user: scheme http or https, a host, no query or
    /// fragment, and exactly one trailing slash.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        let rest = raw
            .strip_prefix("https://")
            .or_else(|| raw.strip_prefix("http://"))
            .ok_or_else(|| {
                "The address must start with https:// (or http:// for a local server).".to_string()
            })?;
        if rest.contains(['?', '#']) {
            return Err("The address must not contain a query (?) or fragment (#).".into());
        }
        if rest.chars().any(char::is_whitespace) {
            return Err("The address must not contain spaces.".into());
        }
        let host = rest.split('/').next().unwrap_or("");
        if host.is_empty() || host.starts_with(':') {
            return Err(
                "The address needs a host name, e.g. https://fed-ledger-prod.flock.io/api/v1/."
                    .into(),
            );
        }
        let scheme_len = raw.len() - rest.len();
        let path = rest[host.len()..].trim_end_matches('/');
        // Collapse runs of slashes inside the path too: `…/api//v1` is never what was meant.
        let path: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let mut base = format!("{}{}/", &raw[..scheme_len], host);
        for segment in path {
            base.push_str(segment);
            base.push('/');
        }
        Ok(ApiBase(base))
    }

    /// The base as text, with its trailing slash.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `scheme://host[:port]` of the base: the origin a key entered for it belongs to.
    pub fn origin(&self) -> &str {
        origin_of(&self.0)
    }

    /// The endpoint at `path` (relative; a leading slash is ignored) with `query` pairs.
    pub fn endpoint(&self, path: &str, query: &[(&str, &str)]) -> Endpoint {
        Endpoint {
            url: format!("{}{}", self.0, path.trim_start_matches('/')),
            query: query
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    /// `GET health`.
    pub fn health(&self) -> Endpoint {
        self.endpoint("health", &[])
    }

    /// `GET tasks/get?task_id=…` (detail shape).
    pub fn task(&self, task_id: u64) -> Endpoint {
        self.endpoint("tasks/get", &[("task_id", &task_id.to_string())])
    }

    /// `GET tasks/list[?status=…]` (bare array, list shape).
    pub fn tasks(&self, status: Option<&str>) -> Endpoint {
        match status {
            Some(status) => self.endpoint("tasks/list", &[("status", status)]),
            None => self.endpoint("tasks/list", &[]),
        }
    }

    /// `GET tasks/wallet-submissions?task_id=…` (needs the key; the key's own submissions).
    pub fn wallet_submissions(&self, task_id: u64) -> Endpoint {
        self.endpoint(
            "tasks/wallet-submissions",
            &[("task_id", &task_id.to_string())],
        )
    }

    /// `GET stats/emissions?type=…` (daily counts).
    pub fn emissions(&self, kind: CountKind) -> Endpoint {
        self.endpoint("stats/emissions", &[("type", kind.as_str())])
    }

    /// `GET stats/models|validators?task_id=…&page=…&size=…` (one leaderboard page).
    pub fn leaderboard(&self, board: Board, task_id: u64, page: u64, size: u64) -> Endpoint {
        self.endpoint(
            &format!("stats/{}", board.as_str()),
            &[
                ("task_id", &task_id.to_string()),
                ("page", &page.to_string()),
                ("size", &size.to_string()),
            ],
        )
    }

    /// `GET stats/submissions/{address}?page=…&size=…` — with `?`, not flocky's `&`.
    pub fn wallet_submission_page(
        &self,
        address: &WalletAddress,
        page: u64,
        size: u64,
    ) -> Endpoint {
        self.endpoint(
            &format!("stats/submissions/{}", address.as_str()),
            &[("page", &page.to_string()), ("size", &size.to_string())],
        )
    }

    /// `GET stats/achievements/{address}?role=…`.
    pub fn achievements(&self, address: &WalletAddress, role: Role) -> Endpoint {
        self.endpoint(
            &format!("stats/achievements/{}", address.as_str()),
            &[("role", role.as_str())],
        )
    }

    /// `GET stats/enrolled-tasks/{address}` — one `stats/`, not flocky's two.
    pub fn enrolled_tasks(&self, address: &WalletAddress) -> Endpoint {
        self.endpoint(&format!("stats/enrolled-tasks/{}", address.as_str()), &[])
    }
}

/// `scheme://host[:port]` of an absolute URL (the whole text when it has no path).
pub fn origin_of(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let end = url[after_scheme..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| after_scheme + i);
    &url[..end]
}

/// A request target: the URL without query, and the query pairs, unencoded. Kept apart so the
/// HTTP client encodes the query exactly once (gloo-net appends a stray `&` to a URL that
/// already has a query).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// Base plus path, no query.
    pub url: String,
    /// Query pairs in order, not yet encoded.
    pub query: Vec<(String, String)>,
}

impl fmt::Display for Endpoint {
    /// The full URL with the query percent-encoded.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url)?;
        for (i, (key, value)) in self.query.iter().enumerate() {
            let separator = if i == 0 { '?' } else { '&' };
            write!(
                f,
                "{separator}{}={}",
                encode_component(key),
                encode_component(value)
            )?;
        }
        Ok(())
    }
}

impl fmt::Display for ApiBase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Percent-encode everything but RFC 3986's unreserved characters.
pub fn encode_component(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bases_normalise_to_one_trailing_slash() {
        for raw in [
            "https://fed-ledger-prod.flock.io/api/v1",
            "https://fed-ledger-prod.flock.io/api/v1/",
            " https://fed-ledger-prod.flock.io/api/v1// ",
            "https://fed-ledger-prod.flock.io//api//v1",
        ] {
            assert_eq!(
                ApiBase::parse(raw).map(|b| b.0),
                Ok(PRODUCTION_BASE.to_string()),
                "{raw}"
            );
        }
        assert_eq!(
            ApiBase::parse("http://127.0.0.1:18181").map(|b| b.0),
            Ok("http://127.0.0.1:18181/".into())
        );
    }

    #[test]
    fn bad_bases_are_refused_with_a_reason() {
        for raw in [
            "fed-ledger-prod.flock.io/api/v1",
            "ftp://x/",
            "https:///api",
            "https://x/api?x=1",
            "https://a b/",
        ] {
            assert!(ApiBase::parse(raw).is_err(), "{raw} should be refused");
        }
    }

    #[test]
    fn urls_never_have_double_slashes_or_misplaced_ampersands() {
        // Regression: flocky built `…/api/v1//tasks/submit-result` and `…/{address}&page=1`.
        let base = ApiBase::production();
        assert_eq!(
            base.task(7).to_string(),
            "https://fed-ledger-prod.flock.io/api/v1/tasks/get?task_id=7"
        );
        assert_eq!(
            base.tasks(None).to_string(),
            "https://fed-ledger-prod.flock.io/api/v1/tasks/list"
        );
        assert_eq!(
            base.tasks(Some("submission_phase")).to_string(),
            "https://fed-ledger-prod.flock.io/api/v1/tasks/list?status=submission_phase"
        );
        assert_eq!(
            base.endpoint("/tasks/submit-result", &[]).to_string(),
            "https://fed-ledger-prod.flock.io/api/v1/tasks/submit-result"
        );
        assert_eq!(
            base.health().to_string(),
            "https://fed-ledger-prod.flock.io/api/v1/health"
        );
        for url in [
            base.task(1),
            base.tasks(Some("a&b=c")),
            base.endpoint("x", &[("a", "1"), ("b", "2")]),
        ] {
            let url = url.to_string();
            assert!(!url["https://".len()..].contains("//"), "{url}");
            assert_eq!(url.matches('?').count(), 1, "{url}");
        }
        assert_eq!(
            base.tasks(Some("a&b=c")).to_string(),
            format!("{PRODUCTION_BASE}tasks/list?status=a%26b%3Dc")
        );
    }

    #[test]
    fn wallet_and_stats_urls_avoid_flockys_mistakes() {
        // Regression: flocky wrote `submissions/{address}&page=1&size=50` and
        // `stats/stats/enrolled-tasks/{address}`.
        let base = ApiBase::production();
        let me: WalletAddress = "0xB93A9c73751Bbca8E1924954271ee8d4De5747c9"
            .parse()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            base.wallet_submission_page(&me, 2, 100).to_string(),
            format!("{PRODUCTION_BASE}stats/submissions/0xB93A9c73751Bbca8E1924954271ee8d4De5747c9?page=2&size=100")
        );
        assert_eq!(
            base.enrolled_tasks(&me).to_string(),
            format!(
                "{PRODUCTION_BASE}stats/enrolled-tasks/0xB93A9c73751Bbca8E1924954271ee8d4De5747c9"
            )
        );
        assert_eq!(
            base.achievements(&me, Role::Validator).to_string(),
            format!("{PRODUCTION_BASE}stats/achievements/0xB93A9c73751Bbca8E1924954271ee8d4De5747c9?role=validator")
        );
        assert_eq!(
            base.leaderboard(Board::Validators, 7, 1, 100).to_string(),
            format!("{PRODUCTION_BASE}stats/validators?task_id=7&page=1&size=100")
        );
        assert_eq!(
            base.emissions(CountKind::Validation).to_string(),
            format!("{PRODUCTION_BASE}stats/emissions?type=validation")
        );
        assert_eq!(
            base.wallet_submissions(7).to_string(),
            format!("{PRODUCTION_BASE}tasks/wallet-submissions?task_id=7")
        );
    }

    const PAGE: &str = "https://me.example/apps/flockboard/?view=settings#x";

    fn resolved(raw: &str) -> Result<String, String> {
        resolve(raw, PAGE).map(|b| b.0)
    }

    #[test]
    fn relative_addresses_resolve_against_the_page() {
        assert_eq!(
            resolved("api/v1/"),
            Ok("https://me.example/apps/flockboard/api/v1/".into())
        );
        assert_eq!(
            resolved("api/v1"),
            Ok("https://me.example/apps/flockboard/api/v1/".into()),
            "no trailing slash is normalised"
        );
        assert_eq!(
            resolved("./api//v1"),
            Ok("https://me.example/apps/flockboard/api/v1/".into())
        );
        assert_eq!(
            resolved("/flock/api/v1/"),
            Ok("https://me.example/flock/api/v1/".into())
        );
        assert_eq!(
            resolved("../../../api/v1/"),
            Ok("https://me.example/api/v1/".into()),
            "`..` never climbs above the root"
        );
        assert_eq!(resolved(".."), Ok("https://me.example/apps/".into()));
        assert_eq!(
            resolved("//proxy.example/api/v1"),
            Ok("https://proxy.example/api/v1/".into())
        );
        assert_eq!(
            resolve("api/v1/", "http://127.0.0.1:8080/").map(|b| b.0),
            Ok("http://127.0.0.1:8080/api/v1/".into())
        );
        assert_eq!(
            resolve("api/v1/", "http://127.0.0.1:8080").map(|b| b.0),
            Ok("http://127.0.0.1:8080/api/v1/".into()),
            "a page URL without a path is at the root"
        );
        assert_eq!(
            resolved("HTTPS://fed-ledger-prod.flock.io/api/v1"),
            Ok(PRODUCTION_BASE.into())
        );
    }

    #[test]
    fn relative_addresses_that_cannot_be_http_are_refused() {
        for raw in [
            "javascript:alert(1)",
            "JavaScript:x",
            "data:text/html,x",
            "file:///etc/",
        ] {
            let error = resolved(raw).err().unwrap_or_default();
            assert!(error.contains("not allowed"), "{raw}: {error}");
        }
        let error = resolve("api/v1/", "file:///home/me/dist/index.html")
            .err()
            .unwrap_or_default();
        assert!(error.contains("file"), "{error}");
        for raw in ["", "  ", "api/v1/?x=1", "api v1/", "api\\v1"] {
            assert!(resolved(raw).is_err(), "{raw:?} should be refused");
        }
        let error = resolved("fed-ledger-prod.flock.io/api/v1")
            .err()
            .unwrap_or_default();
        assert!(
            error.contains("https://fed-ledger-prod.flock.io/"),
            "{error}"
        );
        for raw in ["localhost:8080/api", "127.0.0.1:18181"] {
            assert!(resolved(raw).is_err(), "{raw:?} should be refused");
        }
    }

    #[test]
    fn a_bad_saved_address_falls_back_to_the_next() {
        let first = |saved, page| {
            resolve_first([saved, Some("api/v1/"), Some(PRODUCTION_BASE)], page).map(|b| b.0)
        };
        assert_eq!(
            first(Some("javascript:x"), PAGE),
            Some("https://me.example/apps/flockboard/api/v1/".into())
        );
        assert_eq!(
            first(None, "file:///dist/index.html"),
            Some(PRODUCTION_BASE.into()),
            "relative defaults cannot serve a file: page"
        );
        assert_eq!(resolve_first([None, Some("x:y")], PAGE), None);
    }

    #[test]
    fn origin_is_scheme_and_host() {
        assert_eq!(
            ApiBase::production().origin(),
            "https://fed-ledger-prod.flock.io"
        );
        let local = ApiBase::parse("http://127.0.0.1:18181/api/v1")
            .unwrap_or_else(|_| ApiBase::production());
        assert_eq!(local.origin(), "http://127.0.0.1:18181");
    }
}
