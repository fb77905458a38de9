"""``ripplemeter calendar ...``: the content calendar (plan, approve, schedule, views).

The commands are thin: each calls :mod:`ripplemeter.operations.calendar` (or
:mod:`~ripplemeter.operations.bulk`), which checks roles with ``Team.require`` and the
approval rules of standards.toml. Other modules may register more commands on
:data:`calendar_app` (``calendar publish`` lives in its own module).
"""

from __future__ import annotations

from ripplemeter.cli import RippleGroup, app

__all__ = ["calendar_app"]

calendar_app = type(app)(
    cls=RippleGroup,
    no_args_is_help=True,
    help="The content calendar: plan posts, send them for review, approve, schedule, list, "
    "import and export.",
)
app.add_typer(calendar_app, name="calendar")
