"""The progress page and the export of every attempt (CSV, JSON)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ...report import charts
from .. import progress as figures
from .. import store
from ..pages import date_fr, render
from .common import services

PASS_NOTE = 10.0


async def progress_page(request: Request):
    svc = services(request)
    attempts = await run_in_threadpool(store.attempts, svc.sessions, svc.learner_id)
    entries = await run_in_threadpool(svc.catalogue.entries)
    rates = figures.criterion_rates(attempts)
    missed = figures.missed_terms(attempts)
    notes = [(f"{date_fr(a.submitted_at)} · {a.exercise_title}", a.note) for a in attempts if a.note is not None]
    svg = {
        "notes": charts.line_chart(notes, "Notes sur 20, tentative après tentative", pass_mark=PASS_NOTE,
                                   inline_style=False),
        "criteria": charts.bar_chart([(f"{r.code} · {r.label}", r.rate, "#2e8b57") for r in rates],
                                     "Taux de réussite par critère (tentatives où il est mesuré)", maximum=1.0,
                                     percent=True, width=600, label_width=300, inline_style=False),
    }
    return render(request, "progress.html.j2", nav="progression", attempts=list(reversed(attempts)),
                  rates=rates, missed=missed, charts=svg, suggestion=figures.suggest(entries, attempts),
                  criteria_codes=[r.code for r in rates])


async def export_csv(request: Request):
    svc = services(request)
    attempts = await run_in_threadpool(store.attempts, svc.sessions, svc.learner_id)
    return Response(figures.export_csv(attempts), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="mes-tentatives.csv"'})


async def export_json(request: Request):
    svc = services(request)
    attempts = await run_in_threadpool(store.attempts, svc.sessions, svc.learner_id)
    return JSONResponse({"tentatives": figures.export_json(attempts)},
                        headers={"Content-Disposition": 'attachment; filename="mes-tentatives.json"'})


routes = [
    Route("/progression", progress_page, name="progress"),
    Route("/progression/tentatives.csv", export_csv, name="export_csv"),
    Route("/progression/tentatives.json", export_json, name="export_json"),
]
