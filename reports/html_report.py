"""A self-contained HTML report: the results tables, the plots, and memory traces of chosen sequences."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from llm_as_rnn.utils.redact import redact

STYLE = """body{font-family:system-ui,sans-serif;margin:2em;max-width:1400px}
table{border-collapse:collapse;font-size:13px}
td,th{border:1px solid #ccc;padding:3px 6px}pre{background:#f6f6f6;padding:6px;white-space:pre-wrap;font-size:12px}
.step{border-left:3px solid #69c;padding-left:10px;margin:10px 0}img{max-width:100%}"""


def write_html_report(path: str | Path, summaries: list[Any], markdown: str, plots: list[Path],
                      traces: dict[str, list[dict[str, Any]]], *, title: str = "LLM-as-RNN evaluation") -> Path:
    """`traces[task]` is a list of stored sequences (with records) to show step by step."""
    path = Path(path)
    parts = [f"<!doctype html><meta charset='utf-8'><title>{html.escape(title)}</title><style>{STYLE}</style>",
             f"<h1>{html.escape(title)}</h1>", _markdown_tables_to_html(markdown)]
    for plot in plots:
        source = html.escape(plot.relative_to(path.parent).as_posix())
        parts.append(f"<h3>{html.escape(plot.stem)}</h3><img src='{source}'>")
    for summary in summaries:
        for stored in traces.get(summary.name, []):
            parts.append(f"<h2>Memory trace: {html.escape(summary.name)} / {html.escape(stored['method'])} / "
                         f"{html.escape(stored['sequence_id'])}</h2>")
            task = summary.task
            for record in stored["records"]:
                parts.append(
                    "<div class='step'>"
                    f"<b>step {record['t']}</b>: predicted {html.escape(task.format_prediction(record['prediction']))}"
                    f"; truth {html.escape(task.format_truth(record['truth']))}"
                    f"<details><summary>input</summary><pre>{html.escape(record['input'])}</pre></details>"
                    f"<div>feedback</div><pre>{html.escape(record.get('feedback') or '')}</pre>"
                    f"<div>memory ({record.get('memory_tokens', 0)} tokens)</div>"
                    f"<pre>{html.escape(record.get('memory') or '')}</pre></div>")
    path.write_text(redact("\n".join(parts)), encoding="utf-8")
    return path


def _markdown_tables_to_html(markdown: str) -> str:
    """The results Markdown (paragraphs, ### headings, pipe tables) as HTML."""
    out, table = [], []

    def flush() -> None:
        if table:
            rows = [r for r in table if not set(r.replace("|", "").strip()) <= {"-"}]
            cells = [[c.strip() for c in r.strip().strip("|").split("|")] for r in rows]
            head = "".join(f"<th>{html.escape(c)}</th>" for c in cells[0])
            body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in cells[1:])
            out.append(f"<table><tr>{head}</tr>{body}</table>")
            table.clear()

    for line in markdown.splitlines():
        if line.startswith("|"):
            table.append(line)
            continue
        flush()
        if line.startswith("### "):
            out.append(f"<h2>{html.escape(line[4:])}</h2>")
        elif line.strip():
            out.append(f"<p>{html.escape(line)}</p>")
    flush()
    return "\n".join(out)
