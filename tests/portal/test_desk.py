"""The HR coordinator's desk: sign-in by e-mail link, scope, refusals, and each bulk action."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from kinerja.models.humantasks.links import (
    ExpiredLink,
    ForgedLink,
    desk_url,
    sign,
    sign_desk,
    sign_person,
    task_expiry,
    verify_desk,
    verify_person,
)
from kinerja.models.store.tables import Absence, HumanTask, Notification, TaskExtension
from kinerja.tests.portal.deskfixture import (
    EMAIL,
    HR,
    OTHER,
    OTHER_CYCLE,
    OTHER_EMAIL,
    B,
    H,
    M,
    active_tasks,
    build_desk,
    desk_csrf,
    wait_at_payout,
)
from kinerja.tests.portal.portalfixture import SECRET, audit_events, csrf_of, table_rows

SENT = "Bila alamat ini terdaftar sebagai Koordinator SDM"


def _desk_links(desk) -> list[Notification]:
    with desk.session() as s:
        return list(s.scalars(select(Notification).where(Notification.kind == "desk_link")))


def _ask(desk, email: str, lang: str = "id"):
    csrf = csrf_of(desk.client.get(f"/desk?lang={lang}").text)
    return desk.client.post(f"/desk?lang={lang}", data={"email": email, "csrf_token": csrf})


def test_a_desk_token_opens_only_the_desk():
    at = datetime(2026, 1, 1)
    token = sign_desk(HR, at + timedelta(days=7), SECRET)
    assert verify_desk(token, SECRET, at) == HR
    for wrong in (sign_person(HR, at + timedelta(days=7), SECRET), sign(1, HR, at, SECRET)):
        with pytest.raises(ForgedLink):
            verify_desk(wrong, SECRET, at - timedelta(days=1))
    with pytest.raises(ForgedLink):
        verify_person(token, SECRET, at)
    url = desk_url("https://kinerja.contoh.go.id/", HR, SECRET, at)
    assert url.startswith("https://kinerja.contoh.go.id/desk/d.")
    assert verify_desk(url.rsplit("/", 1)[1], SECRET, at + timedelta(days=6)) == HR
    with pytest.raises(ExpiredLink):
        verify_desk(url.rsplit("/", 1)[1], SECRET, at + timedelta(days=7))


def test_sign_in_queues_one_link_for_a_coordinators_address_and_answers_the_same_otherwise(
    engine, monkeypatch
):
    desk = build_desk(engine, monkeypatch)
    form = desk.client.get("/desk")
    assert form.status_code == 200 and 'name="email"' in form.text
    unknown = _ask(desk, "orang@contoh.go.id")
    assert unknown.status_code == 200 and SENT in unknown.text
    employee = _ask(desk, "agus@contoh.go.id")  # not an address of any coordinator
    assert not _desk_links(desk)
    known = _ask(desk, f"  {EMAIL.title()} ")  # any case, spaces around
    assert known.status_code == 200
    # Same page whether or not the address is known: no account enumeration.
    assert known.text == unknown.text == employee.text
    (message,) = _desk_links(desk)
    assert message.recipient_nip == HR and message.cycle_id == "skp-2025"
    assert message.lang == "id" and message.subject.startswith("[Kinerja] Tautan meja")
    assert message.link in message.body.splitlines()
    # Asked again within the hour: still one message.
    _ask(desk, EMAIL)
    assert len(_desk_links(desk)) == 1
    path = re.search(r"https?://[^/\s]+(/desk/\S+)", message.link)
    assert path, message.link
    page = desk.client.get(path[1])
    assert page.status_code == 200 and "SKP 2025" in page.text
    # The other coordinator's address reaches the other coordinator.
    _ask(desk, OTHER_EMAIL)
    assert {m.recipient_nip for m in _desk_links(desk)} == {HR, OTHER}


def test_sign_in_without_csrf_or_too_often_is_refused(engine, monkeypatch):
    monkeypatch.setenv("KINERJA_DESK_LIMIT", "3/3600")
    desk = build_desk(engine, monkeypatch)
    bad = desk.client.post("/desk", data={"email": EMAIL, "csrf_token": "x.1.y"})
    assert bad.status_code == 400
    assert not _desk_links(desk)
    assert _ask(desk, "a@contoh.go.id").status_code == 200
    assert _ask(desk, "b@contoh.go.id").status_code == 200
    slow = _ask(desk, EMAIL)
    assert slow.status_code == 429 and "Terlalu banyak permintaan" in slow.text
    assert not _desk_links(desk)


def test_the_desk_shows_only_the_coordinators_cycles(engine, monkeypatch):
    desk = build_desk(engine, monkeypatch)
    mine = desk.client.get(desk.path())
    assert mine.status_code == 200
    html = mine.text
    assert '<html lang="id">' in html and "Meja Koordinator SDM" in html
    assert "SKP 2025" in html and "SKP Unit Lain 2025" not in html
    assert f'value="{OTHER_CYCLE}"' not in html
    # Stage and period, what it waits for and until when.
    assert "1 Januari 2025 – 31 Desember 2025" in html
    assert "Persetujuan SKP: tugas belum selesai 2, batas waktu 20 Januari 2025" in html
    # Progress per unit: the chart and the same figures in a table.
    assert 'src="data:image/svg+xml;base64,' in html
    row = re.search(r'<tr data-unit="SEC">(.*?)</tr>', html, re.S)
    assert row, html
    cells = re.findall(r'<td class="num">([^<]*)</td>', row[1])
    assert cells == ["7", "0", "0", "7", "1", "0,0%"]
    # Late and escalated people per unit, with the task in words and the due date.
    # Who must act: the escalation target of an escalated task.
    assert "<strong>Hartono</strong>: Menyetujui SKP (mengenai Bella)" in html
    assert "<strong>Maya</strong>: Menilai kinerja (mengenai Agus)" in html
    assert "eskalasi tingkat 1" in html and "20 Januari 2025" in html
    theirs = desk.client.get(desk.path(OTHER) + "?lang=en")
    assert theirs.status_code == 200
    assert "SKP Unit Lain 2025" in theirs.text and "SKP 2025<" not in theirs.text
    assert '<html lang="en">' in theirs.text and "HR coordinator&#39;s desk" in theirs.text


def test_a_waiting_gate_shows_its_figures_in_the_pages_number_format(engine, monkeypatch):
    desk = build_desk(engine, monkeypatch)
    wait_at_payout(desk)
    id_page = desk.client.get(desk.path()).text
    assert "Persetujuan Anda: Persetujuan pembayaran tunjangan" in id_page
    # Per unit: the people paid and their total; then the total against the budget.
    assert '<td class="num">2</td><td class="num">Rp21.285.000</td>' in id_page
    assert '<dd class="gate-total">Rp21.285.000</dd>' in id_page
    en_page = desk.client.get(desk.path() + "?lang=en").text
    assert "Your approval: Payout approval" in en_page
    assert "IDR21,285,000" in en_page and "Rp21.285.000" not in en_page
    assert "kinerja gate skp-2025 approve" in en_page


def test_forged_expired_and_other_tokens_are_refused(engine, monkeypatch):
    desk = build_desk(engine, monkeypatch)
    token = desk.token()
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert desk.client.get(f"/desk/{forged}").status_code == 403
    now = desk.portal.clock.now()
    assert (
        desk.client.get(f"/desk/{sign_person(HR, now + timedelta(1), SECRET)}").status_code == 403
    )
    assert desk.client.get(f"/me/{token}").status_code == 403
    task = desk.portal.task("approve_targets")
    task_token = sign(task.id, HR, task_expiry(task.final_due_at), SECRET)
    assert desk.client.get(f"/desk/{task_token}").status_code == 403
    expired = desk.client.get(f"/desk/{sign_desk(HR, now - timedelta(seconds=1), SECRET)}")
    assert expired.status_code == 410 and "kedaluwarsa" in expired.text
    # A genuine token of someone who coordinates nothing shows nothing.
    nobody = desk.client.get(desk.path(M))
    assert nobody.status_code == 200 and "Tidak ada siklus yang Anda koordinasikan" in nobody.text
    assert "SKP 2025" not in nobody.text


def test_an_action_on_another_coordinators_cycle_is_refused_and_audited(engine, monkeypatch):
    desk = build_desk(engine, monkeypatch)
    path = desk.path(OTHER)
    csrf = desk_csrf(desk, path)
    before = table_rows(engine)
    response = desk.client.post(
        f"{path}/remind", data={"csrf_token": csrf, "cycle": "skp-2025", "unit": "SEC"}
    )
    assert response.status_code == 403
    assert table_rows(engine) == before
    refused = audit_events(engine)[-1]
    assert (refused.action, refused.actor, refused.entity_id) == (
        "portal.refused",
        OTHER,
        "skp-2025",
    )


def test_remind_a_unit(engine, monkeypatch):
    desk = build_desk(engine, monkeypatch)
    path = desk.path()
    csrf = desk_csrf(desk, path)
    response = desk.client.post(
        f"{path}/remind",
        data={"csrf_token": csrf, "cycle": "skp-2025", "unit": "SEC"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    page = desk.client.get(response.headers["location"])
    assert "Pengingat untuk Seksi Layanan: tugas diingatkan 7, dilewati 0, ditolak 0." in page.text
    with desk.session() as s:
        reminders = s.scalars(
            select(Notification).where(Notification.kind == "task_reminder")
        ).all()
    assert len(reminders) == 7
    # The escalated task's reminder goes to whom it was escalated.
    assert H in {r.recipient_nip for r in reminders}
    event = [e for e in audit_events(engine) if e.action == "tasks.remind"][-1]
    assert event.actor == HR and event.entity_id == "SEC" and len(event.payload["tasks"]) == 7
    # Asked again the same day: nothing new.
    again = desk.client.post(
        f"{path}/remind", data={"csrf_token": csrf, "cycle": "skp-2025", "unit": "SEC"}
    )
    assert "tugas diingatkan 0, dilewati 7" in again.text


def test_extend_a_units_tasks(engine, monkeypatch):
    desk = build_desk(engine, monkeypatch)
    before = {t.id: (t.due_at, t.final_due_at) for t in active_tasks(desk)}
    path = desk.path()
    csrf = desk_csrf(desk, path)
    response = desk.client.post(
        f"{path}/extend?lang=en",
        data={
            "csrf_token": csrf,
            "cycle": "skp-2025",
            "unit": "SEC",
            "days": "3",
            "reason": "Banjir di kantor",
        },
    )
    assert response.status_code == 200
    assert "Extension for Seksi Layanan: tasks extended 7, skipped 0, refused 0." in response.text
    assert '<html lang="en">' in response.text
    for task in active_tasks(desk):
        due, final = before[task.id]
        assert (task.due_at, task.final_due_at) == (due + timedelta(3), final + timedelta(3))
    with desk.session() as s:
        extensions = s.scalars(select(TaskExtension)).all()
    assert len(extensions) == 7 and {e.by_nip for e in extensions} == {HR}
    events = [e for e in audit_events(engine) if e.action == "task.extend"]
    assert len(events) == 7 and {e.actor for e in events} == {HR}
    # The other cycle's task is untouched.
    (other,) = active_tasks(desk, OTHER_CYCLE)
    assert other.due_at == other.opened_at + timedelta(days=14)


def test_delegate_while_someone_is_away(engine, monkeypatch):
    desk = build_desk(engine, monkeypatch)
    path = desk.path()
    csrf = desk_csrf(desk, path)
    today = desk.portal.clock.now().date()
    response = desk.client.post(
        f"{path}/delegate",
        data={
            "csrf_token": csrf,
            "cycle": "skp-2025",
            "nip": M,
            "delegate": H,
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=5)).isoformat(),
            "reason": "Cuti tahunan",
        },
    )
    assert response.status_code == 200
    with desk.session() as s:
        (absence,) = s.scalars(select(Absence)).all()
        handed = s.scalars(select(HumanTask).where(HumanTask.delegate_nip == H)).all()
    assert (absence.nip, absence.delegate_nip, absence.recorded_by) == (M, H, HR)
    assert {t.assignee_nip for t in handed} == {M} and len(handed) >= 3
    assert f"Pelimpahan dicatat untuk Maya: tugas dilimpahkan sekarang {len(handed)}," in (
        response.text
    )
    recorded = [e for e in audit_events(engine) if e.action == "absence.record"]
    assert [e.actor for e in recorded] == [HR]
    # Each hand-over is audited (by the delegation sync, as every sweep does).
    handovers = [e for e in audit_events(engine) if e.action == "task.delegate"]
    assert {int(e.entity_id) for e in handovers} == {t.id for t in handed}


def test_every_action_without_csrf_is_refused_and_changes_nothing(engine, monkeypatch):
    desk = build_desk(engine, monkeypatch)
    path = desk.path()
    today = desk.portal.clock.now().date().isoformat()
    forms = {
        "remind": {"unit": "SEC"},
        "extend": {"unit": "SEC", "days": "3", "reason": "Banjir"},
        "delegate": {"nip": M, "delegate": H, "starts_on": today, "ends_on": today, "reason": "x"},
    }
    other_csrf = desk_csrf(desk, desk.path(OTHER))  # a token of another desk
    before = table_rows(engine, with_audit=True)
    for action, fields in forms.items():
        for csrf in (None, "", other_csrf):
            data = {"cycle": "skp-2025", **fields}
            if csrf is not None:
                data["csrf_token"] = csrf
            response = desk.client.post(f"{path}/{action}", data=data)
            assert response.status_code == 400, (action, csrf)
    assert table_rows(engine, with_audit=True) == before


def test_a_refused_action_says_why_and_changes_nothing(engine, monkeypatch):
    desk = build_desk(engine, monkeypatch)
    path = desk.path()
    csrf = desk_csrf(desk, path)
    before = table_rows(engine, with_audit=True)
    unknown = desk.client.post(
        f"{path}/extend",
        data={"csrf_token": csrf, "cycle": "skp-2025", "unit": "NOPE", "days": "2", "reason": "x"},
    )
    assert unknown.status_code == 400 and "Unit tidak dikenal" in unknown.text
    own = desk.client.post(
        f"{path}/delegate?lang=en",
        data={
            "csrf_token": csrf,
            "cycle": "skp-2025",
            "nip": B,
            "delegate": B,
            "starts_on": "2025-01-22",
            "ends_on": "2025-01-23",
            "reason": "Cuti",
        },
    )
    assert own.status_code == 400 and "cannot be their own delegate" in own.text
    extra = desk.client.post(
        f"{path}/remind", data={"csrf_token": csrf, "cycle": "skp-2025", "unit": "SEC", "x": "1"}
    )
    assert extra.status_code == 400
    nothing = desk.client.post(f"{path}/publish", data={"csrf_token": csrf, "cycle": "skp-2025"})
    assert nothing.status_code == 404 and "The desk has no such action." in nothing.text
    assert table_rows(engine, with_audit=True) == before


def test_the_cli_prints_a_coordinators_desk_link(engine, monkeypatch):
    import typer
    from typer.testing import CliRunner

    from kinerja.cli.portal import register

    app = typer.Typer()
    register(app)
    app.command("noop", hidden=True)(lambda: None)
    desk = build_desk(engine, monkeypatch)
    monkeypatch.setenv("KINERJA_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.delenv("KINERJA_PUBLIC_URL", raising=False)
    result = CliRunner().invoke(app, ["portal", "--desk-link", HR])
    assert result.exit_code == 0, result.output
    link = result.output.strip()
    assert link.startswith("http://127.0.0.1:8700/desk/d.")
    page = desk.client.get(link.removeprefix("http://127.0.0.1:8700"))
    assert page.status_code == 200 and "SKP 2025" in page.text
    nobody = CliRunner().invoke(app, ["portal", "--desk-link", M])
    assert nobody.exit_code == 1 and "coordinates no cycle" in nobody.output


def test_a_coordinator_who_is_an_employee_signs_in_with_their_employee_address(engine, monkeypatch):
    from kinerja.models.store.tables import Employee

    desk = build_desk(engine, monkeypatch)
    with desk.session() as s:
        s.add(
            Employee(
                nip=OTHER,
                name="Sri Koordinator",
                unit_id="ROOT",
                position="Analis SDM",
                email="Sri.Koordinator@contoh.go.id",
                lang="en",
            )
        )
        s.commit()
    _ask(desk, "sri.koordinator@contoh.go.id")
    (message,) = _desk_links(desk)
    assert message.recipient_nip == OTHER and message.cycle_id == OTHER_CYCLE
    assert message.body.startswith("Yth. Sri Koordinator,")  # the cycle's language
