"""Render deploy/nginx/flockboard.conf for a test run: the two "site" sections (the upstream
hosts; where the server listens and what it serves) are replaced for loopback, and the log
folder is moved into the test's own prefix. Every other line of the recipe runs as written.

usage: nginx_site.py RECIPE PREFIX ROOT PORT API_ADDR HUB_ADDR > site.conf
"""

import re
import sys

recipe, prefix, root, port, api, hub = sys.argv[1:7]
with open(recipe, encoding="utf-8") as f:
    text = f.read()

sections = [
    f"""upstream flockboard_fed_ledger {{
    server {api};
    keepalive 8;
}}
upstream flockboard_hub {{
    server {hub};
    keepalive 8;
}}
""",
    f"""    listen 127.0.0.1:{port};
    server_name 127.0.0.1;
    root {root};
    set $flockboard_api_upstream http://flockboard_fed_ledger;
    set $flockboard_api_host {api};
    set $flockboard_hub_upstream http://flockboard_hub;
    set $flockboard_hub_host {hub};
""",
]
pattern = re.compile(r"^[ \t]*# >>> site.*?\n(.*?)^[ \t]*# <<< site[^\n]*\n", re.S | re.M)
found = pattern.findall(text)
if len(found) != len(sections):
    sys.exit(f"{recipe}: expected {len(sections)} site sections, found {len(found)}")
replacements = iter(sections)
text = pattern.sub(lambda _: next(replacements), text)
if "/var/log/nginx/" not in text:
    sys.exit(f"{recipe}: no access log under /var/log/nginx/ to move")
text = text.replace("/var/log/nginx/", prefix.rstrip("/") + "/")
sys.stdout.write(text)
