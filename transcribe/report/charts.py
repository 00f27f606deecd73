"""Small inline SVG charts (plain strings, no library) for the class report."""

from __future__ import annotations

from html import escape

FONT = "font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif"
ACCENT = "#3060a8"


def _num(x: float, digits: int = 1) -> str:
    """A number the French way: no useless decimals, a decimal comma."""
    text = f"{x:.{digits}f}".rstrip("0").rstrip(".") if digits else f"{x:.0f}"
    return text.replace(".", ",")


def _svg(width: int, height: int, title: str, body: list[str], inline_style: bool = True) -> str:
    """The chart element; ``inline_style=False`` for pages whose CSP forbids style attributes
    (their stylesheet sizes ``svg.chart``)."""
    style = f' style="max-width:{width}px;{FONT}"' if inline_style else ""
    return (f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'width="100%" role="img" aria-label="{escape(title)}"{style}>'
            f"<title>{escape(title)}</title>" + "".join(body) + "</svg>")


def histogram(values: list[float], title: str, lo: float = 0.0, hi: float = 20.0, bins: int = 10,
              pass_mark: float | None = None, width: int = 520, height: int = 240, inline_style: bool = True) -> str:
    """Distribution of values (notes /20) in ``bins`` equal bins; a dashed line at ``pass_mark``."""
    step = (hi - lo) / bins
    counts = [0] * bins
    for v in values:
        k = min(bins - 1, max(0, int((v - lo) // step)))
        counts[k] += 1
    top = max(counts + [1])
    left, right, bottom, head = 36, 12, 34, 30
    plot_w, plot_h = width - left - right, height - bottom - head
    bar_w = plot_w / bins
    body = []
    for tick in _ticks(top):
        y = head + plot_h - plot_h * tick / top
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e3e6eb"/>')
        body.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="#555">{tick}</text>')
    for k, count in enumerate(counts):
        x = left + k * bar_w
        h = plot_h * count / top
        a, b = lo + k * step, lo + (k + 1) * step
        colour = "#c0504d" if pass_mark is not None and b <= pass_mark else ACCENT
        body.append(f'<rect x="{x + 2:.1f}" y="{head + plot_h - h:.1f}" width="{bar_w - 4:.1f}" height="{h:.1f}" '
                    f'fill="{colour}" rx="2"><title>{_num(a)} à {_num(b)} : {count} copie(s)</title></rect>')
        if count:
            body.append(f'<text x="{x + bar_w / 2:.1f}" y="{head + plot_h - h - 3:.1f}" font-size="11" '
                        f'text-anchor="middle" fill="#222">{count}</text>')
    for k in range(bins + 1):
        x = left + k * bar_w
        body.append(f'<text x="{x:.1f}" y="{height - bottom + 16}" font-size="11" text-anchor="middle" '
                    f'fill="#555">{_num(lo + k * step)}</text>')
    body.append(f'<line x1="{left}" y1="{head + plot_h}" x2="{width - right}" y2="{head + plot_h}" stroke="#888"/>')
    if pass_mark is not None and lo <= pass_mark <= hi:
        x = left + plot_w * (pass_mark - lo) / (hi - lo)
        body.append(f'<line x1="{x:.1f}" y1="15" x2="{x:.1f}" y2="{head + plot_h}" stroke="#222" '
                    f'stroke-dasharray="4 3"/>')
        body.append(f'<text x="{x:.1f}" y="11" font-size="11" text-anchor="middle" fill="#222">'
                    f'seuil de réussite {_num(pass_mark)}</text>')
    body.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 4}" font-size="11" text-anchor="middle" '
                f'fill="#555">note /20</text>')
    return _svg(width, height, title, body, inline_style)


def bar_chart(rows: list[tuple[str, float | None, str]], title: str, maximum: float | None = None,
              percent: bool = False, width: int = 520, label_width: int = 190, inline_style: bool = True) -> str:
    """Horizontal bars, one per (label, value, colour); values as counts or percentages (0..1).

    A value of None is drawn as an empty bar marked « non mesuré ».
    """
    bar_h, gap, head = 20, 6, 6
    height = head + max(1, len(rows)) * (bar_h + gap) + 4
    top = maximum if maximum is not None else max([v for _, v, _ in rows if v is not None] + [1])
    top = top or 1
    plot_w = width - label_width - 56
    body = []
    if not rows:
        body.append(f'<text x="{width / 2}" y="{head + 14}" font-size="12" text-anchor="middle" '
                    f'fill="#666">aucune donnée</text>')
    for k, (label, value, colour) in enumerate(rows):
        y = head + k * (bar_h + gap)
        w = plot_w * (value or 0) / top
        if value is None:
            shown = "non mesuré"
        else:
            shown = f"{_num(100 * value, 0)} %" if percent else _num(value, 1)
        room = max(8, int((label_width - 12) / 6.6))
        short = label if len(label) <= room else label[:room - 1] + "…"
        body.append(f'<text x="{label_width - 8}" y="{y + 14}" font-size="12" text-anchor="end" '
                    f'fill="#222">{escape(short)}</text>')
        body.append(f'<rect x="{label_width}" y="{y}" width="{plot_w}" height="{bar_h}" fill="#f1f3f6" rx="2"/>')
        body.append(f'<rect x="{label_width}" y="{y}" width="{max(w, 0):.1f}" height="{bar_h}" fill="{colour}" '
                    f'rx="2"><title>{escape(label)} : {shown}</title></rect>')
        body.append(f'<text x="{label_width + max(w, 0) + 6:.1f}" y="{y + 14}" font-size="12" '
                    f'fill="#222">{shown}</text>')
    return _svg(width, height, title, body, inline_style)


def line_chart(points: list[tuple[str, float]], title: str, lo: float = 0.0, hi: float = 20.0,
               pass_mark: float | None = None, width: int = 620, height: int = 240,
               inline_style: bool = True) -> str:
    """Values in order (notes /20 over attempts): a line through dots, each dot titled by its label."""
    left, right, bottom, head = 36, 14, 30, 18
    plot_w, plot_h = width - left - right, height - bottom - head
    body = []
    for tick in range(int(lo), int(hi) + 1, max(1, int((hi - lo) // 4))):
        y = head + plot_h - plot_h * (tick - lo) / (hi - lo)
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e3e6eb"/>')
        body.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="#555">{tick}</text>')
    if pass_mark is not None and lo <= pass_mark <= hi:
        y = head + plot_h - plot_h * (pass_mark - lo) / (hi - lo)
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#222" '
                    f'stroke-dasharray="4 3"/>')
    if not points:
        body.append(f'<text x="{width / 2}" y="{head + plot_h / 2}" font-size="12" text-anchor="middle" '
                    f'fill="#666">aucune donnée</text>')
        return _svg(width, height, title, body, inline_style)
    step = plot_w / max(1, len(points) - 1)
    xy = []
    for k, (_, value) in enumerate(points):
        x = left + (k * step if len(points) > 1 else plot_w / 2)
        y = head + plot_h - plot_h * (min(max(value, lo), hi) - lo) / (hi - lo)
        xy.append((x, y))
    body.append('<polyline fill="none" stroke="' + ACCENT + '" stroke-width="2" points="'
                + " ".join(f"{x:.1f},{y:.1f}" for x, y in xy) + '"/>')
    for (label, value), (x, y) in zip(points, xy):
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{ACCENT}"><title>{escape(label)} : '
                    f'{_num(value)}</title></circle>')
    for k in range(len(points)):
        if len(points) <= 12 or k % -(-len(points) // 12) == 0:
            body.append(f'<text x="{xy[k][0]:.1f}" y="{height - bottom + 16}" font-size="11" '
                        f'text-anchor="middle" fill="#555">{k + 1}</text>')
    body.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 2}" font-size="11" text-anchor="middle" '
                f'fill="#555">tentative n°</text>')
    return _svg(width, height, title, body, inline_style)


def _ticks(top: int) -> list[int]:
    step = max(1, -(-top // 4))
    return list(range(0, top + 1, step))
