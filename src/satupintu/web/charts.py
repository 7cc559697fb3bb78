"""Server-rendered SVG charts for report pages: no script, a title and a description for screen
readers (each chart also stands beside a table of the same figures on its page)."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape


def bar_chart(uid: str, title: str, desc: str, labels: Sequence[str], series: Sequence[tuple[str, str, list[float]]],
              unit: str, target: float | None = None, target_label: str = "") -> Markup:
    """Grouped bars: one group per label, one bar per series (name, colour, values)."""
    width, height, left, bottom, top = 640, 250, 44, 28, 38
    values = [v for _, _, vals in series for v in vals] + ([target] if target else [])
    peak = max([v for v in values if v is not None] + [1.0])
    peak = _nice(peak)
    plot_w, plot_h = width - left - 10, height - top - bottom
    group = plot_w / max(1, len(labels))
    bar = group * 0.8 / max(1, len(series))
    out = [f'<svg class="chart" role="img" aria-labelledby="{uid}-t {uid}-d" viewBox="0 0 {width} {height}" '
           f'width="100%" style="max-width:{width}px" xmlns="http://www.w3.org/2000/svg">',
           f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(desc)}</desc>']
    for k in range(5):
        v = peak * k / 4
        y = top + plot_h - plot_h * k / 4
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="#e5e7eb"/>'
                   f'<text x="{left - 4}" y="{y + 4:.1f}" font-size="10" text-anchor="end" fill="#374151">'
                   f'{v:g}</text>')
    out.append(f'<text x="4" y="28" font-size="10" fill="#374151">{escape(unit)}</text>')
    for i, label in enumerate(labels):
        gx = left + i * group + group * 0.1
        for j, (name, colour, vals) in enumerate(series):
            v = vals[i] if i < len(vals) and vals[i] is not None else 0.0
            h = plot_h * v / peak
            out.append(f'<rect x="{gx + j * bar:.1f}" y="{top + plot_h - h:.1f}" width="{bar - 1:.1f}" '
                       f'height="{h:.1f}" fill="{colour}"><title>{escape(name)} {escape(label)}: {v:g}</title></rect>')
        out.append(f'<text x="{left + i * group + group / 2:.1f}" y="{height - 10}" font-size="10" '
                   f'text-anchor="middle" fill="#374151">{escape(label)}</text>')
    if target:
        y = top + plot_h - plot_h * target / peak
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="#dc2626" '
                   f'stroke-dasharray="5 3" stroke-width="1.5"/><text x="{width - 12}" y="{y - 4:.1f}" font-size="10" '
                   f'text-anchor="end" fill="#dc2626">{escape(target_label)}</text>')
    lx = left
    for name, colour, _ in series:
        out.append(f'<rect x="{lx}" y="2" width="10" height="10" fill="{colour}"/>'
                   f'<text x="{lx + 14}" y="11" font-size="10" fill="#111827">{escape(name)}</text>')
        lx += 14 + 7 * len(name) + 16
    out.append('</svg>')
    return Markup("".join(out))


def _nice(v: float) -> float:
    for step in (1, 2, 5, 10, 15, 20, 30, 40, 50, 60, 80, 100, 150, 200, 300, 500, 1000):
        if v <= step:
            return float(step)
    return float(v)
