"""The long load run (make bench / make stress): 50 web sessions and 20 Slack sessions for 60 seconds.

Both front ends of one server over the whole corpus, with a document uploaded mid-run; zero errors,
and every feedback row and logged turn accounted for. The figures are printed (run with ``-s``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.api import Assistant
from tests.stress.load import check_nothing_lost, run_load, stack
from tests.support import CORPUS, make_settings

pytestmark = pytest.mark.stress

WEB_CLIENTS, SLACK_CLIENTS, DURATION_S = 50, 20, 60.0
NOTE = (b"# Stress pilot\n\nThe Stress pilot in Dakar moved 31 agents from first-line calls to reviewing "
        b"answers written by AI agents.\n")


def test_fifty_web_and_twenty_slack_sessions_for_a_minute_lose_nothing(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    served = Assistant(make_settings(tmp_path / "index-home", corpus_dir=corpus))
    served.ingest()
    with stack(tmp_path / "server", served, web_queue_timeout_s=60.0) as target:
        import httpx

        def upload() -> None:
            with httpx.Client(base_url=target.url, timeout=300, trust_env=False) as http:
                response = http.post("/api/admin/upload", files={"file": ("stress-pilot.md", NOTE)})
            assert response.status_code == 201, response.text

        run = run_load(target, WEB_CLIENTS, SLACK_CLIENTS, DURATION_S, during=upload)
        print(f"\n{run.summary()}")
        check_nothing_lost(run, target.store)
        cited = target.assistant.ask("How many agents did the Stress pilot in Dakar move to reviewing AI answers?")
        assert any(c.title == "Stress pilot" for c in cited.citations)
