"""A short load run in make test: 10 web and 5 Slack sessions for 10 seconds, one upload mid-run.

The same drivers as the minute-long stress run (tests/stress/), over a small index of its own so
the upload can change it: zero errors, and every feedback row and logged turn accounted for.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest

from assistant.api import Assistant
from tests.stress.load import check_nothing_lost, run_load, stack
from tests.support import CORPUS, make_settings

pytestmark = pytest.mark.reliability

SMALL = ("facts/gartner-headcount-survey.en.md", "facts/gartner-headcount-survey.fr.md",
         "facts/kenya-bpo.en.md", "facts/ghana-outsourcing.en.md", "facts/cci-global-expansion.fr.md")
NOTE = (b"# Short pilot\n\nThe Short pilot in Accra moved 17 agents from first-line calls to reviewing "
        b"answers written by AI agents.\n")


def test_ten_web_and_five_slack_sessions_lose_nothing_while_a_document_is_added(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in SMALL:
        shutil.copy(CORPUS / name, corpus / Path(name).name)
    served = Assistant(make_settings(tmp_path / "index-home", corpus_dir=corpus))
    served.ingest()
    with stack(tmp_path / "server", served) as target:
        def upload() -> None:
            with httpx.Client(base_url=target.url, timeout=300, trust_env=False) as http:
                response = http.post("/api/admin/upload", files={"file": ("short-pilot.md", NOTE)})
            assert response.status_code == 201, response.text

        run = run_load(target, web_clients=10, slack_clients=5, duration_s=10.0, during=upload)
        print(f"\n{run.summary()}")
        check_nothing_lost(run, target.store)
        cited = target.assistant.ask("How many agents did the Short pilot in Accra move to reviewing AI answers?")
        assert any(c.title == "Short pilot" for c in cited.citations)
