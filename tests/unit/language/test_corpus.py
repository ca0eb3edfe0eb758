"""Every real workflow of the shared corpus validates and builds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chalicelib.language import check, load

CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpus"
FILES = sorted(CORPUS.glob("*.yaml"))


def test_the_corpus_is_there():
    if not CORPUS.is_dir():
        pytest.skip(f"no shared corpus at {CORPUS}")
    manifest = json.loads((CORPUS / "manifest.json").read_text())
    assert sorted(entry["file"] for entry in manifest) == [p.name for p in FILES]
    assert len(FILES) >= 32


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_corpus_file_loads(path: Path):
    text = path.read_text()
    assert check(text) == []
    document = load(text)
    assert document.workflows
    for workflow in document.workflows.values():
        assert workflow.tasks
        if workflow.type == "direct":
            assert workflow.start_tasks()


def test_corpus_sub_workflows_and_adhoc_actions_resolve():
    by_name = {p.name.split("__")[-1]: p for p in FILES}
    document = load(by_name["mistral-handle-retry.yaml"].read_text())
    assert document.main.tasks["test-error-undo-retry"].workflow == "work"
    document = load(by_name["calculator.yaml"].read_text())
    assert "calc_summ" in document.actions and document.actions["calc_summ"].base == "std.http"
    nested = load(by_name["wb_with_nested_wf.yaml"].read_text())
    assert any(
        t.workflow in nested.workflows
        for wf in nested.workflows.values()
        for t in wf.tasks.values()
    )
