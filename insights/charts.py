"""Charts as SVG drawn on the server: no script, nothing from another host, printable, and
each with a title and a description a screen reader announces. The table beside each chart
holds the same numbers (``dashboard.Table``)."""

from django.utils.html import escape
from django.utils.safestring import mark_safe

INK = "#1d3557"
BAR = "#2a6f97"
GRID = "#c9d3dc"
WIDTH = 640


def _frame(chart_id, title, description, height, body):
    return mark_safe(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>{body}</svg>'
    )


def bar_chart(chart_id, title, items, *, description=""):
    """Horizontal bars: ``items`` is a list of (label, number), drawn in that order."""
    items = list(items)
    row, label_width, top = 22, 230, 6
    height = top * 2 + row * max(len(items), 1)
    largest = max((n for _label, n in items), default=0) or 1
    scale = (WIDTH - label_width - 60) / largest
    parts = []
    for i, (label, n) in enumerate(items):
        y = top + i * row
        text = str(label)
        short = text if len(text) <= 34 else text[:33] + "…"
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end" font-size="12" '
            f'fill="{INK}">{escape(short)}</text>'
            f'<rect x="{label_width}" y="{y + 3}" width="{max(n * scale, 1 if n else 0):.1f}" '
            f'height="{row - 8}" fill="{BAR}"></rect>'
            f'<text x="{label_width + n * scale + 6:.1f}" y="{y + 15}" font-size="12" '
            f'fill="{INK}">{n}</text>'
        )
    if not items:
        parts.append(f'<text x="10" y="22" font-size="12" fill="{INK}">–</text>')
    summary = description or "; ".join(f"{label}: {n}" for label, n in items[:10])
    return _frame(chart_id, title, summary, height, "".join(parts))


def line_chart(chart_id, title, points, *, description=""):
    """A line through ``points`` (label, number), left to right, with the labels of every
    third point and the largest value on the axis."""
    points = list(points)
    height, left, right, top, bottom = 220, 40, 12, 12, 36
    largest = max((n for _label, n in points), default=0) or 1
    inner_w, inner_h = WIDTH - left - right, height - top - bottom
    step = inner_w / max(len(points) - 1, 1)

    def xy(i, n):
        return left + i * step, top + inner_h - n / largest * inner_h

    parts = [
        f'<line x1="{left}" y1="{top + inner_h}" x2="{WIDTH - right}" y2="{top + inner_h}" '
        f'stroke="{GRID}"></line>',
        f'<line x1="{left}" y1="{top}" x2="{WIDTH - right}" y2="{top}" stroke="{GRID}"></line>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" font-size="11" '
        f'fill="{INK}">{largest}</text>',
        f'<text x="{left - 6}" y="{top + inner_h + 4}" text-anchor="end" font-size="11" '
        f'fill="{INK}">0</text>',
    ]
    if points:
        path = " ".join(
            f"{x:.1f},{y:.1f}" for x, y in (xy(i, n) for i, (_l, n) in enumerate(points))
        )
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{BAR}" stroke-width="2.5"></polyline>'
        )
        for i, (label, n) in enumerate(points):
            x, y = xy(i, n)
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{BAR}"></circle>')
            if i % 3 == 0 or i == len(points) - 1:
                parts.append(
                    f'<text x="{x:.1f}" y="{height - 14}" text-anchor="middle" font-size="11" '
                    f'fill="{INK}">{escape(label)}</text>'
                )
    summary = description or "; ".join(f"{label}: {n}" for label, n in points)
    return _frame(chart_id, title, summary, height, "".join(parts))
