"""The dashboard's `aiohttp.web` application: routes, who may see what, the per-IP rate limit,
security headers on every answer (a strict CSP: no script at all), and the templates.

URLs (docs/dashboard.md): `/g/GUILD/t/TOKEN/` + `overview`, `leaderboard`, `weakness`, `me`,
`q/HASH` with a signed link (bot/web/auth.py; its guild must be GUILD); `/g/GUILD/` and
`/g/GUILD/leaderboard` without one, only for a server that made them public."""

from __future__ import annotations

import ipaddress
import logging
import time
from collections.abc import Awaitable, Callable
from importlib import resources
from typing import Any
from urllib.parse import urlencode, urlsplit

import jinja2
from aiohttp import web

from bot.i18n import LOCALES, locale_of, t
from bot.web import pages
from bot.web.auth import Grant, verify
from bot.web.markdown import to_html
from bot.web.pages import Dashboard

log = logging.getLogger(__name__)

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}
PUBLIC_KEY = "dashboard_public"  # guild_settings.extra: True when /quizadmin dashboard public on
SIGNED_TABS = ("overview", "leaderboard", "weakness", "me")
PUBLIC_TABS = ("overview", "leaderboard")
DASH = web.AppKey("dashboard", Dashboard)
ENV = web.AppKey("jinja", jinja2.Environment)
CSS = web.AppKey("css", bytes)
GID = r"{gid:\d{1,20}}"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def make_app(d: Dashboard) -> web.Application:
    app = web.Application(middlewares=[_guard])
    app[DASH] = d
    app[ENV] = jinja2.Environment(
        loader=jinja2.PackageLoader("bot.web", "templates"),
        autoescape=True,  # every text from the bank or Discord is escaped; charts are Markup
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    app[CSS] = resources.files("bot.web").joinpath("static/dash.css").read_bytes()
    app.router.add_get("/", _index)
    app.router.add_get("/static/dash.css", _css)
    app.router.add_get(f"/g/{GID}/", _public)
    app.router.add_get(f"/g/{GID}/{{page:leaderboard}}", _public)
    app.router.add_get(f"/g/{GID}/t/{{token}}/", _signed)
    app.router.add_get(f"/g/{GID}/t/{{token}}/{{page:overview|leaderboard|weakness|me}}", _signed)
    app.router.add_get(f"/g/{GID}/t/{{token}}/q/{{qhash:[0-9a-f]{{10}}}}", _question)
    return app


def client_ip(request: web.Request) -> str:
    """The peer's address; behind a reverse proxy on this machine (a loopback peer), the address
    that proxy appended last to X-Forwarded-For."""
    peer = request.remote or "?"
    forwarded = request.headers.get("X-Forwarded-For")
    if forwarded:
        try:
            loopback = ipaddress.ip_address(peer).is_loopback
        except ValueError:
            loopback = False
        if loopback:
            return forwarded.split(",")[-1].strip() or peer
    return peer


@web.middleware
async def _guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    d = request.app[DASH]
    wait = d.limiter.check(client_ip(request), time.monotonic())
    if wait > 0:
        response: web.StreamResponse = web.Response(
            status=429, text=t("dash.err.rate", "en"), headers={"Retry-After": str(max(1, round(wait)))}
        )
    else:
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            if exc.status != 404:
                raise
            response = await _message(request, 404, None, "dash.err.not_found")
        except Exception:
            log.exception("dashboard: %s failed", request.path.split("/t/")[0])
            response = await _message(request, 500, None, "dash.err.failed")
    response.headers.update(HEADERS)
    response.headers.setdefault("Cache-Control", "no-store")
    return response


# ------------------------------------------------------------------------------------ rendering


def _root(d: Dashboard) -> str:
    return urlsplit(d.base_url).path.rstrip("/")


async def _guild_view(d: Dashboard, gid: int) -> tuple[str, bool]:
    """(locale, public) of a guild: the language chosen with /quizadmin settings, else the
    server's Discord language, else its stored one; public after /quizadmin dashboard public on."""
    settings = await d.store.get_guild_settings(gid)
    chosen = settings.extra.get("post_locale")
    locale = str(chosen) if chosen in LOCALES else locale_of(d.guild_locale(gid) or settings.locale)
    return locale, settings.extra.get(PUBLIC_KEY) is True


def _render(request: web.Request, template: str, status: int, **ctx: Any) -> web.Response:
    locale = ctx["locale"]
    ctx.setdefault("tabs", [])
    ctx.setdefault("public", False)
    ctx.setdefault("guild", "quizbot")
    ctx.setdefault("title", ctx["guild"])
    html = (
        request.app[ENV]
        .get_template(template)
        .render(t=lambda key, **values: t(key, locale, **values), root=_root(request.app[DASH]), **ctx)
    )
    return web.Response(status=status, text=html, content_type="text/html", charset="utf-8")


async def _message(request: web.Request, status: int, gid: int | None, key: str) -> web.Response:
    d = request.app[DASH]
    locale = "en"
    if gid is not None:
        locale, _ = await _guild_view(d, gid)
    return _render(
        request,
        "message.html",
        status,
        locale=locale,
        heading=t("dash.err.title", locale),
        message=t(key, locale),
    )


async def _index(request: web.Request) -> web.Response:
    return _render(
        request, "message.html", 200, locale="en", heading="quizbot", message=t("dash.index", "en")
    )


async def _css(request: web.Request) -> web.Response:
    return web.Response(
        body=request.app[CSS],
        content_type="text/css",
        charset="utf-8",
        headers={"Cache-Control": "max-age=3600"},
    )


def _tabs(base: str, names: tuple[str, ...], active: str, locale: str) -> list[dict[str, Any]]:
    return [{"href": base + n, "label": t(f"dash.tab.{n}", locale), "active": n == active} for n in names]


# ------------------------------------------------------------------------------------ pages


async def _public(request: web.Request) -> web.Response:
    d = request.app[DASH]
    gid = int(request.match_info["gid"])
    locale, public = await _guild_view(d, gid)
    if not public:
        return await _message(request, 403, gid, "dash.err.private")
    base = f"{_root(d)}/g/{gid}/"
    return await _page(
        request, gid, None, request.match_info.get("page", "overview"), base, PUBLIC_TABS, locale, public=True
    )


def _grant(request: web.Request, gid: int) -> Grant | str:
    d = request.app[DASH]
    grant = verify(d.key, request.match_info["token"], d.now().timestamp())
    if isinstance(grant, str):
        return f"dash.err.{grant}"
    if grant.guild_id != gid:
        return "dash.err.invalid"
    return grant


async def _signed(request: web.Request) -> web.Response:
    d = request.app[DASH]
    gid = int(request.match_info["gid"])
    grant = _grant(request, gid)
    if isinstance(grant, str):
        return await _message(request, 403, gid, grant)
    locale, _ = await _guild_view(d, gid)
    base = f"{_root(d)}/g/{gid}/t/{request.match_info['token']}/"
    page = request.match_info.get("page", "overview")
    return await _page(request, gid, grant.user_id, page, base, SIGNED_TABS, locale)


async def _page(
    request: web.Request,
    gid: int,
    viewer: int | None,
    page: str,
    base: str,
    tabs: tuple[str, ...],
    locale: str,
    *,
    public: bool = False,
) -> web.Response:
    d = request.app[DASH]
    q = request.query
    ctx: dict[str, Any]
    if page == "leaderboard":
        period, metric, number = pages.board_choice(q.get("period"), q.get("metric"), q.get("page"))
        ctx = await pages.leaderboard(d, gid, viewer, locale, period, metric, number)

        def board_href(p: str, m: str, n: int) -> str:
            return f"{base}leaderboard?" + urlencode({"period": p, "metric": m, "page": n})

        ctx["board_href"] = board_href
    elif page == "weakness":
        ctx = await pages.weakness(d, gid, locale, q.get("bp"))
        ctx["here"] = base + "weakness"
        ctx["question_href"] = lambda h: f"{base}q/{h}"
    elif page == "me" and viewer is not None:
        ctx = await pages.member(d, gid, viewer, locale)
    else:
        page = "overview"
        ctx = await pages.overview(d, gid, locale)
    guild = d.guild_name(gid) or "quizbot"
    title = t("dash.title", locale, guild=f"{guild} · {t(f'dash.tab.{page}', locale)}")
    return _render(
        request,
        f"{'member' if page == 'me' else page}.html",
        200,
        locale=locale,
        guild=guild,
        title=title,
        tabs=_tabs(base, tabs, page, locale),
        public=public,
        **ctx,
    )


async def _question(request: web.Request) -> web.Response:
    d = request.app[DASH]
    gid = int(request.match_info["gid"])
    grant = _grant(request, gid)
    if isinstance(grant, str):
        return await _message(request, 403, gid, grant)
    found = await pages.question(d, grant.user_id, request.match_info["qhash"])
    if found is None:
        return await _message(request, 404, gid, "dash.err.not_found")
    if found is False:
        return await _message(request, 403, gid, "dash.err.hidden")
    assert not isinstance(found, bool)
    locale, _ = await _guild_view(d, gid)
    base = f"{_root(d)}/g/{gid}/t/{request.match_info['token']}/"
    guild = d.guild_name(gid) or "quizbot"
    return _render(
        request,
        "question.html",
        200,
        locale=locale,
        guild=guild,
        title=t("dash.title", locale, guild=f"{guild} · {found.id}"),
        tabs=_tabs(base, SIGNED_TABS, "weakness", locale),
        back=base + "weakness",
        qid=found.id,
        stem=to_html(found.stem),
        options=[
            {"letter": k, "html": to_html(v), "right": k in found.answer} for k, v in found.options.items()
        ],
        answer="".join(found.answer),
        sections=[{"title": s.title, "html": to_html(s.body)} for s in found.sections if s.body.strip()],
    )
