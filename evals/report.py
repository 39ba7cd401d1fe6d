"""Reports: a plain-text table for the terminal and a self-contained HTML page with a chart."""

from __future__ import annotations

import html
from typing import Any

from evals.scoring import LATENCY, METRICS

_COLOURS = ["#2b6cb0", "#dd6b20", "#718096", "#38a169"]


def _fmt(value: Any, metric: str = "") -> str:
    if value is None:
        return "n/a"
    if metric in LATENCY:
        return f"{value:.0f}"
    return f"{value:.2f}"


def metrics_table(result: dict[str, Any]) -> str:
    systems = list(result["systems"])
    width = max(len(m) for m in METRICS + LATENCY) + 2
    lines = ["metric".ljust(width) + "".join(s[:18].rjust(20) for s in systems)]
    for metric in METRICS + LATENCY:
        values = [result["systems"][s]["metrics"].get(metric) for s in systems]
        lines.append(metric.ljust(width) + "".join(_fmt(v, metric).rjust(20) for v in values))
    return "\n".join(lines)


def sets_table(combined: dict[str, Any], system: str = "assistant") -> str:
    """One system's metrics on every set, side by side (and the baselines' pass rate)."""
    sets = combined["sets"]
    labels = list(sets)
    width = max(len(m) for m in METRICS + LATENCY) + 2
    lines = [
        f"{system}: "
        + "metric".ljust(width - len(system) - 2)
        + "".join(label[:18].rjust(20) for label in labels)
    ]
    for metric in METRICS + LATENCY:
        values = [sets[label]["systems"][system]["metrics"].get(metric) for label in labels]
        lines.append(metric.ljust(width) + "".join(_fmt(v, metric).rjust(20) for v in values))
    for other in sorted({s for r in sets.values() for s in r["systems"]} - {system}):
        values = [
            sets[label]["systems"].get(other, {}).get("metrics", {}).get("pass_rate")
            for label in labels
        ]
        name = f"{other} pass_rate"
        lines.append(name.ljust(width) + "".join(_fmt(v).rjust(20) for v in values))
    return "\n".join(lines)


def compare_table(comparison: dict[str, Any]) -> str:
    lines: list[str] = []
    for system, diff in comparison.items():
        lines.append(f"== {system}")
        for metric, (before, after) in diff["metrics"].items():
            change = ""
            if before is not None and after is not None and abs(after - before) > 1e-9:
                change = f"  ({'+' if after > before else ''}{after - before:.3f})"
            lines.append(f"  {metric:<28} {_fmt(before):>6} -> {_fmt(after):>6}{change}")
        for label in ("improved", "regressed", "added", "removed"):
            if diff[label]:
                lines.append(f"  {label}: {', '.join(diff[label])}")
    return "\n".join(lines)


def _bar_chart(result: dict[str, Any], metric: str = "pass_rate") -> str:
    """Grouped horizontal bars: the metric per question kind, one bar per system."""
    systems = list(result["systems"])
    kinds = sorted({k for s in systems for k in result["systems"][s]["by_kind"]})
    bar, gap, label_w, chart_w = 12, 10, 120, 420
    group_h = bar * len(systems) + gap
    height = group_h * len(kinds) + 40
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + chart_w + 60}" '
        f'height="{height}" role="img" aria-label="{metric} by question kind">'
    ]
    for i, kind in enumerate(kinds):
        y0 = 10 + i * group_h
        parts.append(
            f'<text x="{label_w - 6}" y="{y0 + group_h / 2}" text-anchor="end" '
            f'font-size="12" dominant-baseline="middle">{html.escape(kind)}</text>'
        )
        for j, system in enumerate(systems):
            found = result["systems"][system]["by_kind"].get(kind, {}).get(metric)
            value = found or 0.0
            y = y0 + j * bar
            parts.append(
                f'<rect x="{label_w}" y="{y}" width="{value * chart_w:.1f}" height="{bar - 2}" '
                f'fill="{_COLOURS[j % len(_COLOURS)]}"><title>{html.escape(system)}: '
                f"{_fmt(found)}</title></rect>"
                f'<text x="{label_w + value * chart_w + 4:.1f}" y="{y + bar / 2}" font-size="10" '
                f'dominant-baseline="middle">{_fmt(found)}</text>'
            )
    legend_y = height - 14
    for j, system in enumerate(systems):
        x = label_w + j * 160
        parts.append(
            f'<rect x="{x}" y="{legend_y}" width="10" height="10" '
            f'fill="{_COLOURS[j % len(_COLOURS)]}"/><text x="{x + 14}" y="{legend_y + 9}" '
            f'font-size="11">{html.escape(system)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _failed_question(row: dict[str, Any]) -> str:
    cited = "".join(
        f"<li>[{c['n']}] {html.escape(c['title'])}"
        + (f", p. {c['page']}" if c["page"] is not None else "")
        + f" — <q>{html.escape(c['quote'][:300])}</q></li>"
        for c in row["citations"]
    )
    expected = ", ".join(
        c["doc"] + (f" p. {'/'.join(map(str, c['pages']))}" if c["pages"] else "")
        for c in row["expected_citations"]
    )
    missing = "; ".join(" | ".join(alts) for alts in row["missing_facts"])
    today = f" (today {row['today']})" if row["today"] else ""
    return (
        f"<details><summary><b>{html.escape(row['id'])}</b> [{row['kind']}, {row['language']}]"
        f"{today}: {html.escape(row['question'])}</summary>"
        f"<p><b>Answer:</b> {html.escape(row['answer']) or '<i>(none)</i>'}</p>"
        f"<p><b>Problems:</b> {html.escape('; '.join(row['problems'])) or '—'}</p>"
        f"<p><b>Missing facts:</b> {html.escape(missing) or '—'}</p>"
        f"<p><b>Forbidden found:</b> {html.escape('; '.join(row['forbidden_found'])) or '—'}</p>"
        f"<p><b>Expected citations:</b> {html.escape(expected) or '—'}</p>"
        f"<p><b>Cited:</b></p><ul>{cited or '<li>nothing</li>'}</ul></details>"
    )


def html_report(result: dict[str, Any], main_system: str = "assistant") -> str:
    systems = list(result["systems"])
    overall = _table(
        ["metric", *systems],
        [
            [m, *(_fmt(result["systems"][s]["metrics"].get(m), m) for s in systems)]
            for m in METRICS + LATENCY
        ],
    )
    sections = [f"<h2>Overall</h2>{overall}"]
    sections.append(f"<h2>Pass rate by question kind</h2>{_bar_chart(result)}")
    sections.append(
        f"<h2>Facts found, by question kind</h2>{_bar_chart(result, 'answer.all_facts')}"
    )
    for group in ("by_kind", "by_language"):
        main = result["systems"].get(main_system, result["systems"][systems[0]])
        names = list(main[group])
        rows = [
            [m, *(_fmt(main[group][n].get(m), m) for n in names)]
            for m in ["questions", *METRICS, *LATENCY]
        ]
        title = "question kind" if group == "by_kind" else "language"
        sections.append(
            f"<h2>{html.escape(main_system)} by {title}</h2>{_table(['metric', *names], rows)}"
        )
    for system in systems:
        failed = [r for r in result["systems"][system]["questions"] if not r["passed"]]
        items = "".join(_failed_question(r) for r in failed) or "<p>None.</p>"
        sections.append(f"<h2>Failed questions: {html.escape(system)} ({len(failed)})</h2>{items}")
    style = (
        "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;"
        "text-align:right}td:first-child,th:first-child{text-align:left}details{margin:.4em 0}"
        "summary{cursor:pointer}q{color:#444}"
    )
    header = (
        f"<h1>Answer-quality evaluation</h1><p>{result['created']} · questions: "
        f"{html.escape(result['questions_file'])} · today: "
        f"{result['today'] or 'per question, else the real date'}"
        f" · settings: {html.escape(str(result['settings']))}</p>"
    )
    return (
        f"<!doctype html><html lang='en'><meta charset='utf-8'><title>rv eval</title>"
        f"<style>{style}</style><body>{header}{''.join(sections)}</body></html>"
    )
