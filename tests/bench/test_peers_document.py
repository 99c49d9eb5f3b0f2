"""The peers section rewrites its own block of bench/README.md and nothing else."""

from __future__ import annotations

from pathlib import Path

from bench.peers import report


def test_the_latest_run_replaces_only_its_own_block(tmp_path: Path) -> None:
    document = tmp_path / "README.md"
    report.write(document, "first table")
    document.write_text(f"# Method\n\nby hand\n\n{document.read_text()}\nafterwards by hand\n")
    report.write(document, "second table")
    text = document.read_text()
    assert "second table" in text
    assert "first table" not in text
    assert text.startswith("# Method\n\nby hand\n\n")
    assert text.endswith("afterwards by hand\n")
    assert text.count(report.BEGIN) == text.count(report.END) == 1


def test_the_default_document_is_the_bench_readme_with_one_block() -> None:
    assert report.DEFAULT_DOCUMENT.name == "README.md"
    assert report.DEFAULT_DOCUMENT.parent.name == "bench"
    text = report.DEFAULT_DOCUMENT.read_text()
    assert text.count(report.BEGIN) == text.count(report.END) == 1
    assert text.index(report.BEGIN) < text.index(report.END)
