"""Protected channels: nothing addressed to them is presented as evidence of leaking."""

from __future__ import annotations

from casekit import COUNSEL, FIRST_SEEN, PEOPLE, write_protected_log
from clirunner import one_line_error, run

from leaktrace.cases.exposure import exposure_set
from leaktrace.cases.protected import ProtectedChannel, Protection, normalize_channel
from leaktrace.ledger.chain import Entry


def test_addresses_and_domains():
    assert normalize_channel(" IG@Oversight.Example ") == ("ig@oversight.example", "address")
    assert normalize_channel("*.oversight.example") == ("oversight.example", "domain")
    assert normalize_channel("@lawfirm.example") == ("lawfirm.example", "domain")
    p = Protection([ProtectedChannel("oversight.example", "domain", "inspector general"),
                    ProtectedChannel("ombud@city.example", "address", "ombudsman")])
    assert p.match("tips@ig.oversight.example").label == "inspector general"
    assert p.match("Ombud@City.example").label == "ombudsman"
    assert p.match("https://portal.oversight.example/upload") is not None
    assert p.match("clerk@city.example") is None and p.match("notoversight.example") is None
    assert p.event("ana@depot.example", {"target": "a@b.example; tips@oversight.example"}) is not None
    assert p.event("ana@depot.example", {"TargetUserOrGroupName": "tips@oversight.example"}) is not None
    assert p.event("ana@depot.example", {"owner": "boss@oversight.example"}) is None   # not a target
    assert p.event("ana@depot.example", {"operation": "view"}) is None


def _entry(seq, kind, when, actor, recipient=None, action="view", details=None):
    return Entry(seq, kind, when, when, actor, recipient, 1, action, "test", "generic", None, details or {}, "", "")


def test_exposure_drops_protected_events_and_sets_protected_holders_apart():
    p = Protection([ProtectedChannel("oversight.example", "domain", "inspector general"),
                    ProtectedChannel("lawfirm.example", "domain", "counsel")])
    entries = [
        _entry(1, "distribution", "2030-01-01T00:00:00.000Z", "owner", "ana", "distribute", {"copy_id": "C1"}),
        _entry(2, "distribution", "2030-01-01T00:00:00.000Z", "owner", "counsel", "distribute", {"copy_id": "C2"}),
        _entry(3, "access", "2030-02-01T00:00:00.000Z", "ana@depot.example", "ana", "share",
               {"target": "tips@oversight.example"}),
        _entry(4, "access", "2030-02-02T00:00:00.000Z", "tips@oversight.example", None, "view"),
        _entry(5, "access", "2030-02-03T00:00:00.000Z", "ana@depot.example", "ana", "print"),
        _entry(6, "access", "2030-09-03T00:00:00.000Z", "ana@depot.example", "ana", "print"),
    ]
    ex = exposure_set(1, "2030-06-01T00:00:00.000Z", entries, [(0, 10)], p,
                      {"ana": "ana@depot.example", "counsel": "m@lawfirm.example"})
    assert [(m.kind, m.subject, m.copy, [a.seq for a in m.accesses]) for m in ex.members] == [
        ("recipient", "ana", "C1", [5])]
    assert [(m.subject, m.protected) for m in ex.protected_holders] == [("counsel", "counsel")]
    narrower = exposure_set(1, "2030-06-01T00:00:00.000Z", entries, [(0, 10)], p, {},
                            contains=lambda doc, rid, copy, spans, details: rid != "ana")
    assert [m.copy for m in narrower.members if m.subject == "ana"] == [None]


def test_a_share_with_the_inspector_general_is_not_evidence(env, capsys):
    wsp, leak, tmp = env
    assert run(capsys, "protected", "add", "oversight.example", "--label", "inspector general").code == 0
    assert run(capsys, "protected", "add", "lawfirm.example", "--label", "outside counsel").code == 0
    assert "already a protected channel" in one_line_error(
        run(capsys, "protected", "add", "OVERSIGHT.example", "--label", "again"))
    r = run(capsys, "protected", "list", "--json")
    assert [(p["value"], p["label"]) for p in r.json()["items"]] == [("lawfirm.example", "outside counsel"),
                                                            ("oversight.example", "inspector general")]
    r = run(capsys, "ledger", "import", write_protected_log(tmp / "m365.json"), "--format", "m365-json")
    assert r.code == 0, r.err
    events = run(capsys, "ledger", "events", "--document", "D1", "--json").json()["items"]
    assert [e["action"] for e in events if e["kind"] == "access"] == ["share", "view"]   # both are in the ledger
    assert run(capsys, "case", "open", "Gazette", "--purpose", "find the copy").code == 0
    assert run(capsys, "case", "add", "C1", leak, "--obtained-from", "web", "--obtained-at", FIRST_SEEN,
               "--first-seen", FIRST_SEEN).code == 0
    [f] = run(capsys, "case", "trace", "C1", "--json").json()["items"]
    assert all(not r["access_events"] for r in f["exposure"])               # the share and the IG's view: gone
    assert all(r["subject"]["kind"] == "recipient" for r in f["exposure"])  # the IG is not an account in the set
    assert len(f["exposure"]) == len(PEOPLE)
    assert [r["protected_channel"] for r in f["protected_holders"]] == ["outside counsel"]
    assert not [e for e in f["timeline"] if e["kind"] == "access"]
    r = run(capsys, "case", "report", "C1", "--format", "json", "--out", tmp / "r.json")
    assert r.code == 0, r.err
    text = (tmp / "r.json").read_text()
    for s in ("oversight.example", "SharingInvitationCreated", "11111111-0000-4000-8000-000000000001",
              COUNSEL["email"], COUNSEL["name"]):
        assert s not in text
    assert run(capsys, "protected", "remove", "lawfirm.example").code == 0
    actions = [e["action"] for e in run(capsys, "audit", "--json").json()["items"]]
    assert actions.count("protected-add") == 2 and "protected-remove" in actions


def test_generic_imports_can_name_a_target_and_a_protected_target_is_not_evidence(tmp_path):
    from leaktrace.ledger import importers

    log = tmp_path / "dms.csv"
    log.write_text("when,who,what,file,to\n"
                   "2030-05-01T10:00:00Z,ann@corp.example,Forwarded,plan.md,tips@ig.oversight.example\n"
                   "2030-05-01T11:00:00Z,bob@corp.example,Forwarded,plan.md,friend@press.example\n")
    with log.open("rb") as f:
        events = [e for e in importers.generic_csv(f, str(log), "time=when,actor=who,action=what,document=file,target=to")
                  if isinstance(e, importers.Event)]
    assert [e.details["target"] for e in events] == ["tips@ig.oversight.example", "friend@press.example"]
    protection = Protection([ProtectedChannel("oversight.example", "domain", "inspector general")])
    assert protection.event(events[0].actor, events[0].details) is not None
    assert protection.event(events[1].actor, events[1].details) is None
