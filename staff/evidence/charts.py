"""Charts for the evidence pack: SVG drawn on the server by pygal, inlined in the page.

Each chart is made to stand inside one HTML file that opens offline and prints: no scripts,
no links (pygal's comments, namespace URLs and tooltips script are removed), system fonts
only, a fixed id per chart (so the same data give the same file), `role="img"` with a label.
The numbers are always in a table beside the chart too: the chart is never the only way to
read them.

Drawn for a phone first: 440 units wide with 15-unit type, so at a 390 px screen (scaled to
about 0.83) no text is under 12 px; the page shows it at most 560 px wide. Long labels wrap
onto lines of their own (pygal does not wrap them: it is given each label's longest line to
size the margin, and the lines are put back as tspans); the values are printed on the bars,
so the percentage axis has no labels to crowd.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Callable, Sequence
from html import escape

import pygal
from pygal.style import Style

from bot.suppress import FEWER, percent

FONT = "Arial, 'Helvetica Neue', Helvetica, 'Liberation Sans', sans-serif"
STYLE = Style(
    background="white", plot_background="white", foreground="#222", foreground_strong="#111",
    foreground_subtle="#777", colors=("#1d5c8c", "#b34a1b"), font_family=FONT,
    label_font_family=FONT, major_label_font_family=FONT, value_font_family=FONT,
    value_label_font_family=FONT, title_font_family=FONT, legend_font_family=FONT,
    tooltip_font_family=FONT, no_data_font_family=FONT,
    label_font_size=15, major_label_font_size=15, value_font_size=15,
    value_label_font_size=15, title_font_size=15, legend_font_size=15,
    transition="none", opacity="1", opacity_hover="1")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL | re.IGNORECASE)
_NAMESPACES = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')
# A category's label: pygal's text beside a horizontal guide line.
_LABEL = re.compile(r'(<path d="M[^"]*h[^"]*" class="guide line" /><text x="([^"]+)" '
                    r'y="[^"]+"[^>]*>)([^<]*)(</text>)')
WIDTH = 440
ROW = 36  # units per bar, and 18 more per extra line of its label
LINE = 18  # characters on a line of a label
_CHART_ID = re.compile(r"chart-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def bars(chart_id: str, label: str, rows: Sequence[tuple[str, float | None]],
         fewer: str = FEWER, percent: Callable[[float], str] = percent) -> str:
    """A horizontal bar chart of percentages (0-100), one bar per row, top to bottom.

    A row whose share is None (suppressed, fewer than 5) has no bar and says so in its label
    (`fewer`, in the pack's language; `percent` writes a share).
    """
    top = max((share for _, share in rows if share is not None), default=0)
    labels = [textwrap.wrap(f"{text} ({fewer})" if share is None else text, LINE) or [""]
              for text, share in reversed(rows)]
    chart = pygal.HorizontalBar(
        style=STYLE, js=[], disable_xml_declaration=True, show_legend=False, width=WIDTH,
        height=50 + sum(ROW + 18 * (len(lines) - 1) for lines in labels),
        range=(0, min(100, 10 * math.ceil(top / 10) + 10)), print_values=True,
        value_formatter=percent, truncate_label=-1, show_x_guides=True, show_y_guides=False,
        show_x_labels=False, margin=8, spacing=8, print_values_position="top",
        tooltip_border_radius=0)
    chart.x_labels = [max(lines, key=len) for lines in labels]
    chart.add(label, [share for _, share in reversed(rows)])
    return clean(_wrapped(chart.render(is_unicode=True), labels), chart_id, label)


def _wrapped(svg: str, labels: list[list[str]]) -> str:
    """Each category label's lines in place of the one line pygal drew, centred on it."""
    found = iter(labels)

    def lines(match: re.Match) -> str:
        parts = next(found, None)
        if parts is None or len(parts) == 1:
            return match.group(0)
        x = match.group(2)
        first = f"{-0.6 * (len(parts) - 1):.1f}em"
        spans = "".join(f'<tspan x="{x}" dy="{first if i == 0 else "1.2em"}">{escape(part)}'
                        "</tspan>" for i, part in enumerate(parts))
        return f"{match.group(1)}{spans}{match.group(4)}"

    return _LABEL.sub(lines, svg)


def clean(svg: str, chart_id: str, label: str) -> str:
    """pygal's SVG made to live inline in an offline page: no comments, scripts, namespace
    URLs or random ids; labelled for screen readers."""
    svg = _SCRIPT.sub("", _COMMENT.sub("", svg))
    svg = _NAMESPACES.sub("", svg)
    svg = _CHART_ID.sub(f"chart-{chart_id}", svg)
    safe_label = (label.replace("&", "&amp;").replace('"', "&quot;")
                  .replace("<", "&lt;").replace(">", "&gt;"))
    return svg.replace("<svg ", f'<svg role="img" aria-label="{safe_label}" ', 1)
