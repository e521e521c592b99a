from crawler.model import Audited, SystemResult
from crawler.run import catalogue


def test_catalogue_lists_the_24_systems_of_table_1():
    systems = catalogue.load("cpraudit:table-1")
    assert len(systems) == 24
    assert ("DXC", "TastSelv-Årsopgørelse") in systems and ("IBM", "LetLøn") in systems
    assert {s for s, _ in systems} == {
        "CGI",
        "DXC",
        "European Dynamics",
        "IBM",
        "KMD",
        "Netcompany",
    }


def test_systems_without_a_result_are_not_audited_never_clean():
    audited = [
        Audited(
            SystemResult(system="TastSelv", supplier="KMD", verdict="clean", requests=5), "tastselv"
        ),
        Audited(
            SystemResult(system="Extra", supplier="Other", verdict="leak", requests=5), "extra"
        ),
    ]
    rows = catalogue.with_coverage(audited, catalogue.load("cpraudit:table-1"))
    verdicts = {r.system: r.verdict for r, _ in rows}
    assert verdicts["TastSelv"] == "clean" and verdicts["Extra"] == "leak"
    assert verdicts["PSRM"] == "not-audited"
    assert len(rows) == 25 and list(verdicts.values()).count("not-audited") == 23
