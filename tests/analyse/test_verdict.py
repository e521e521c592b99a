from crawler.analyse.verdict import exit_code, judge
from crawler.model import Finding, SystemResult

LEAK = Finding(
    request_url="http://t.test/?c=1",
    host="t.test",
    method="GET",
    resource_type="image",
    channel="url",
    detail="query parameter c",
    encoding="plain",
    identifier="cpr",
)


def result(verdict):
    return SystemResult(system="s", verdict=verdict, requests=1)


def test_judge_never_calls_an_incomplete_audit_clean():
    assert judge([], ["scenario did not complete"], 10) == "inconclusive"
    assert judge([], [], 0) == "inconclusive", "nothing recorded proves nothing"
    assert judge([LEAK], ["timeout later"], 10) == "leak", "a leak found before the failure stands"
    assert judge([], [], 10) == "clean"


def test_exit_codes():
    assert exit_code([result("clean"), result("clean")]) == 0
    assert exit_code([result("clean"), result("leak")]) == 1
    assert exit_code([result("clean"), result("inconclusive")]) == 2
    assert exit_code([result("leak"), result("inconclusive")]) == 1
    assert exit_code([]) == 2, "an audit that did not run is never 0"
