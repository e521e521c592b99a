"""A system's result is this run's or none: the runner never takes another run's for it."""

from __future__ import annotations

from crawler import bundle
from crawler.model import Citizen, SystemResult, Target
from crawler.run.runner import Job, collect

TARGET = Target(system="Portal", start_url="http://portal.skat.test/", first_party=("skat.test",))


def handed(tmp_path, run_id: str) -> None:
    folder = tmp_path / "portal"
    folder.mkdir(exist_ok=True)
    stale = SystemResult(system="Portal", verdict="clean", requests=212, run_id=run_id)
    bundle.write_result(stale, folder / bundle.RESULT)


def test_a_result_of_another_run_is_not_taken_for_this_ones(tmp_path):
    job = Job(TARGET, Citizen(cpr="0707614285"), run_id="this-run")
    handed(tmp_path, "an-earlier-run")
    result, folder = collect(job, tmp_path, None, 0)
    assert (result.verdict, result.requests, folder) == ("inconclusive", 0, "portal")
    assert result.errors == ("the result in the system's folder is not this run's",)
    assert result.run_id == "this-run"


def test_a_result_is_taken_only_from_a_process_that_finished(tmp_path):
    job = Job(TARGET, Citizen(cpr="0707614285"), run_id="this-run")
    handed(tmp_path, "this-run")
    assert collect(job, tmp_path, None, 0).result.verdict == "clean"
    killed = collect(job, tmp_path, None, -9).result
    assert killed.errors == ("audit process ended without a result (killed by SIGKILL)",)
    assert collect(job, tmp_path, None, 1).result.errors[0].endswith("(exit code 1)")
