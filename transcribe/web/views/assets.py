"""The report stylesheet (`_base.css.j2` and one colour per error type, from `report.labels`)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...report.labels import TYPE_COLOURS
from ..pages import environment


def theme_css() -> str:
    return environment().get_template("web/theme.css.j2").render(colours=TYPE_COLOURS)


async def theme(request: Request):
    return Response(theme_css(), media_type="text/css; charset=utf-8",
                    headers={"Cache-Control": "no-cache"})


routes = [Route("/theme.css", theme, name="theme")]
