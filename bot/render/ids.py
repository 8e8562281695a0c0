"""custom_id formats of every persistent component (all under Discord's 100 characters).

A custom_id names the post and the letter clicked, never whether it is right.
"""

from __future__ import annotations

import discord

from bot.bank.bank import key_hash

#: The letters an answer button can carry: up to ten options, A to J.
LETTERS = "ABCDEFGHIJ"

ANSWER = rf"quiz:ans:(?P<post>[0-9]{{1,18}}):(?P<letter>[{LETTERS[0]}-{LETTERS[-1]}])"
MULTI = r"quiz:multi:(?P<post>[0-9]{1,18})"
EXPLAIN_POST = r"quiz:explain:(?P<post>[0-9]{1,18})"
# /explain views: the question (short hash of its key), the section index, the page, the owner.
EXPLAIN_NAV = r"ex:(?P<action>sec|prev|next):(?P<q>[0-9a-f]{10}):(?P<sec>[0-9]{1,3}):(?P<page>[0-9]{1,3}):(?P<owner>[0-9]{1,20})"
EXPLAIN_SECTION = r"ex:pick:(?P<q>[0-9a-f]{10}):(?P<owner>[0-9]{1,20})"
# Reports (docs/reports.md): the Report button under an answer reply (the post) and on /explain
# pages (the question's short hash); /quizadmin reports' pages (the page shown), the question
# menu of a page, and what an admin does to a question (its hash; the page to go back to).
REPORT_POST = r"quiz:report:(?P<post>[0-9]{1,18})"
REPORT_QUESTION = r"rep:q:(?P<q>[0-9a-f]{10})"
REPORTS_PAGE = r"rep:page:(?P<page>[0-9]{1,4})"
REPORTS_PICK = r"rep:pick:(?P<page>[0-9]{1,4})"
REPORTS_ACT = r"rep:(?P<action>resolve|pause|unpause):(?P<q>[0-9a-f]{10}):(?P<page>[0-9]{1,4})"
# The leaderboard's Previous/Next: the action, the board, the page shown when the message was
# drawn, and the member who may page it.
LB_NAV = (
    r"lb:(?P<action>prev|next):(?P<period>week|month|all):"
    r"(?P<metric>points|accuracy|current_streak|best_streak):(?P<page>[0-9]{1,6}):(?P<owner>[0-9]{1,20})"
)


def answer(post_id: int, letter: str) -> str:
    return f"quiz:ans:{post_id}:{letter}"


def multi(post_id: int) -> str:
    return f"quiz:multi:{post_id}"


def explain_post(post_id: int) -> str:
    return f"quiz:explain:{post_id}"


def report_post(post_id: int) -> str:
    return f"quiz:report:{post_id}"


def report_question(key: str) -> str:
    return f"rep:q:{question_hash(key)}"


def reports_page(page: int) -> str:
    return f"rep:page:{page}"


def reports_pick(page: int) -> str:
    return f"rep:pick:{page}"


def reports_act(action: str, key: str, page: int) -> str:
    return f"rep:{action}:{question_hash(key)}:{page}"


def question_hash(key: str) -> str:
    """A short, stable name for a question key (keys can be long; custom_ids cannot)."""
    return key_hash(key)


def explain_nav(action: str, key: str, section: int, page: int, owner: int) -> str:
    return f"ex:{action}:{question_hash(key)}:{section}:{page}:{owner}"


def explain_section(key: str, owner: int) -> str:
    return f"ex:pick:{question_hash(key)}:{owner}"


def lb_nav(action: str, period: str, metric: str, page: int, owner: int) -> str:
    return f"lb:{action}:{period}:{metric}:{page}:{owner}"


def dispatched_by_template(view: discord.ui.View) -> discord.ui.View:
    """Mark a view whose every component is handled by a DynamicItem (matched by custom_id).

    discord.py keeps each unfinished view it sends in memory, keyed by message, and dispatches
    clicks to it as well as to the DynamicItems: for these views that would mean a copy per
    message kept forever, and a second dispatch of every click. A stopped view still
    serialises its components, and discord.py neither stores nor dispatches it.
    """
    view.stop()
    return view
