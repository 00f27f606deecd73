"""Bench charts as plain inline SVG: WER against real-time factor, and difficulty per exercise."""

from __future__ import annotations

from html import escape

from ..report.charts import ACCENT, _num, _svg, bar_chart
from .evaluate import SystemResult

PALETTE = ["#3060a8", "#c0504d", "#4f9d5b", "#8064a2", "#d9822b", "#2a9d9d", "#7f7f7f", "#b5a22c"]


def _nice_top(value: float) -> float:
    """A round axis maximum just above ``value``."""
    for top in (0.05, 0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 2.5, 5.0, 10.0, 20.0, 50.0, 100.0):
        if value <= top:
            return top
    return value * 1.1


def wer_vs_rtf(results: list[SystemResult], width: int = 640, height: int = 380) -> str:
    """Scatter plot: real-time factor (x, lower is faster) against corpus WER (y, lower is better)."""
    points = [(r.name, r.corpus["rtf"], r.corpus["wer"], r.corpus.get("wer_ci")) for r in results
              if r.corpus.get("rtf") is not None and r.corpus.get("wer") is not None]
    left, right, top_pad, bottom = 70, 16, 16, 44
    legend_h = 18 * len(points)
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    full_h = height + legend_h
    body = []
    if not points:
        body.append(f'<text x="{width / 2}" y="24" font-size="12" text-anchor="middle" fill="#666">'
                    "aucune mesure de vitesse (hypothèses importées)</text>")
        return _svg(width, 40, "WER selon le facteur temps réel", body)
    x_top = _nice_top(max(p[1] for p in points))
    y_top = _nice_top(max((p[3][1] if p[3] else p[2]) for p in points))

    def x(v):
        return left + plot_w * v / x_top

    def y(v):
        return top_pad + plot_h - plot_h * v / y_top

    for k in range(5):
        gx, gy = x_top * k / 4, y_top * k / 4
        body.append(f'<line x1="{left}" y1="{y(gy):.1f}" x2="{width - right}" y2="{y(gy):.1f}" stroke="#e3e6eb"/>')
        body.append(f'<text x="{left - 6}" y="{y(gy) + 4:.1f}" font-size="11" text-anchor="end" fill="#555">'
                    f"{_num(100 * gy, 1)} %</text>")
        body.append(f'<text x="{x(gx):.1f}" y="{top_pad + plot_h + 16}" font-size="11" text-anchor="middle" '
                    f'fill="#555">{_num(gx, 3)}</text>')
    body.append(f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{width - right}" y2="{top_pad + plot_h}" stroke="#888"/>')
    body.append(f'<line x1="{left}" y1="{top_pad}" x2="{left}" y2="{top_pad + plot_h}" stroke="#888"/>')
    body.append(f'<text x="{left + plot_w / 2:.1f}" y="{top_pad + plot_h + 34}" font-size="12" text-anchor="middle" '
                'fill="#333">facteur temps réel (RTF, plus bas = plus rapide)</text>')
    body.append(f'<text x="14" y="{top_pad + plot_h / 2:.1f}" font-size="12" text-anchor="middle" fill="#333" '
                f'transform="rotate(-90 14 {top_pad + plot_h / 2:.1f})">WER (vue souple)</text>')
    for k, (name, rtf, wer, ci) in enumerate(points):
        colour = PALETTE[k % len(PALETTE)] if len(points) > 1 else ACCENT
        if ci:
            body.append(f'<line x1="{x(rtf):.1f}" y1="{y(ci[0]):.1f}" x2="{x(rtf):.1f}" y2="{y(ci[1]):.1f}" '
                        f'stroke="{colour}" stroke-width="1.5" opacity="0.6"/>')
        body.append(f'<circle cx="{x(rtf):.1f}" cy="{y(wer):.1f}" r="5" fill="{colour}"><title>{escape(name)} : '
                    f"WER {_num(100 * wer, 1)} %, RTF {_num(rtf, 3)}</title></circle>")
        ly = height + 18 * k + 4
        body.append(f'<circle cx="{left + 6}" cy="{ly:.1f}" r="5" fill="{colour}"/>')
        body.append(f'<text x="{left + 18}" y="{ly + 4:.1f}" font-size="12" fill="#222">{escape(name)} — WER '
                    f"{_num(100 * wer, 1)} %, RTF {_num(rtf, 3)}</text>")
    return _svg(width, full_h, "WER selon le facteur temps réel, par système (barres : IC 95 %)", body)


def difficulty_chart(difficulty: list[dict]) -> str:
    """Horizontal bars: each exercise's WER averaged over the systems, hardest first."""
    rows = [(d["id"], d["wer_mean"], ACCENT) for d in difficulty]
    top = max([v for _, v, _ in rows] + [0.01])
    return bar_chart(rows, "Difficulté par exercice : WER moyen sur les systèmes", maximum=_nice_top(top),
                     percent=True, width=640, label_width=230)


def html_page(scatter: str, bars: str, table_md: str) -> str:
    """A small standalone page with both charts inline (no script, no external file)."""
    return ("<!doctype html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Banc d'essai ASR</title>"
            "<style>body{font-family:system-ui,sans-serif;max-width:760px;margin:2em auto;color:#222}"
            "pre{white-space:pre-wrap;font-size:12px;background:#f6f7f9;padding:1em}</style></head><body>"
            "<h1>Banc d'essai ASR</h1><h2>WER selon la vitesse</h2>" + scatter +
            "<h2>Difficulté par exercice</h2>" + bars +
            "<h2>Tableau (Markdown)</h2><pre>" + escape(table_md) + "</pre></body></html>\n")
