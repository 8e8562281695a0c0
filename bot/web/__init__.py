"""The web dashboard (issue 19, docs/dashboard.md): a read-only `aiohttp.web` app served by the bot
process when DASHBOARD_BIND is set.

- auth.py: signed links (HMAC over guild, member and expiry) and the signing key;
- charts.py: the charts as server-side SVG;
- pages.py: what each page shows, gathered from the `Store` and the bank;
- app.py: routes, access checks, security headers, the per-IP rate limit;
- server.py: start and stop it inside the bot (bot/app.py).

No SQL here (bot/storage), no discord (the bot hands in what it knows of its servers).
"""
