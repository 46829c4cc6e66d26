"""Trunk post-build hook: add a Content-Security-Policy to the built index.html, and the
build's default API address (`data-api` on <html>) for its inline script that starts the start
page's request early.

Trunk writes an inline module script that loads the wasm; its content (and so its hash) changes
with every build, so the policy is written after the build, allowing exactly that script by its
SHA-256. Everything else the page runs comes from its own origin. The page calls the FLock API
and the Hugging Face Hub over https (any host: both are configurable, and the Hub hands out
storage URLs on other hosts), plus loopback over http for local sandboxes.
"""

import base64
from html import escape as html_escape
import hashlib
import os
import re
import sys

staging = os.environ.get("TRUNK_STAGING_DIR")
if not staging:
    sys.exit("csp.py runs as a trunk post_build hook (TRUNK_STAGING_DIR is not set)")
path = os.path.join(staging, "index.html")
with open(path, encoding="utf-8") as f:
    html = f.read()

inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, flags=re.S)
hashes = " ".join(
    "'sha256-%s'" % base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode()
    for s in inline
)
policy = "; ".join(
    [
        "default-src 'none'",
        f"script-src 'self' {hashes} 'wasm-unsafe-eval'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self' https: http://127.0.0.1:* http://localhost:*",
        "base-uri 'none'",
        "form-action 'none'",
    ]
)
meta = f'<meta http-equiv="Content-Security-Policy" content="{policy}" />'
if "Content-Security-Policy" in html:
    sys.exit("index.html already has a Content-Security-Policy")
# The policy only governs what follows it: put it right after the charset, before any script.
html, count = re.subn(r"(<meta charset=[^>]*>)", lambda m: m.group(1) + "\n    " + meta, html, count=1)
if count != 1:
    sys.exit("no <meta charset> in index.html")
# The build's default API address, for index.html's inline script that starts the start page's
# request early (the same default the app is built with: FLOCKBOARD_FLOCK_API, else production).
api = os.environ.get("FLOCKBOARD_FLOCK_API", "https://fed-ledger-prod.flock.io/api/v1/")
html, count = re.subn(r"<html([^>]*)>", lambda m: f'<html{m.group(1)} data-api="{html_escape(api)}">', html, count=1)
if count != 1:
    sys.exit("no <html> in index.html")
with open(path, "w", encoding="utf-8") as f:
    f.write(html)
print(f"csp.py: policy added, {len(inline)} inline script(s) allowed by hash")
