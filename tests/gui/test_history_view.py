"""The recent calls and the contact view as a person reads them (no network: entries are
written through the history store, contacts through the contact store):

- dates: the time for today, "Yesterday", else the date in the GUI language's form;
- "Add to contacts" only for a number that is no contact yet (any spelling of it);
- the contact view shows the company; a search that finds nothing clears the details;
- the SIP answer of a call that did not connect in words (English, German).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta

import pytest
from gui_rig import GuiRig, account
from PySide6.QtGui import QAction

from parley.app.application import Application
from parley.contacts.model import Contact, PhoneNumber
from parley.gui.i18n import set_language
from parley.gui.main_window import CONTACTS, RECENT, MainWindow
from parley.gui.widgets import format_when
from parley.history.model import CallType, HistoryEntry
from parley.settings import Settings

MONTHS = {
    "en": "Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec".split(),
    "de": "Jan. Feb. März Apr. Mai Juni Juli Aug. Sept. Okt. Nov. Dez.".split(),
}


def rig_of(make_rig: Callable[..., GuiRig]) -> GuiRig:
    return make_rig(Settings(accounts=[account("127.0.0.1:5999")]))


def add_call(
    app: Application,
    number: str,
    kind: CallType,
    start: datetime,
    *,
    sip_code: int | None = None,
    reason: str = "",
) -> HistoryEntry:
    return app.history.add(
        HistoryEntry(
            direction=kind.direction,
            type=kind,
            number=number,
            name=None,
            account="office",
            start=start,
            sip_code=sip_code,
            reason=reason,
        )
    )


def local(day: datetime, hour: int, minute: int) -> datetime:
    """`day`'s date at hour:minute on this machine's clock (as the list shows it)."""
    return datetime.combine(day.date(), time(hour, minute)).astimezone()


def menu_texts(w: MainWindow, entry_id: int) -> list[str]:
    """The texts of the right-click menu of a history entry."""
    w.select("entry", entry_id)
    item = w.entry_list.selectedItems()[0]
    w.entry_list.customContextMenuRequested.emit(w.entry_list.visualItemRect(item).center())
    menu = w.last_menu
    assert menu is not None
    texts = [a.text() for a in menu.actions() if isinstance(a, QAction) and a.text()]
    menu.close()
    return texts


@pytest.mark.parametrize("language", ["en", "de"])
def test_recent_calls_show_the_date_where_it_is_not_today(
    make_rig: Callable[..., GuiRig], language: str
) -> None:
    set_language(language)
    rig = rig_of(make_rig)
    w, app = rig.window, rig.app
    now = datetime.now().astimezone()
    earlier = now - timedelta(days=40)
    last_year = now.replace(year=now.year - 1, month=3, day=4)
    add_call(app, "1005", CallType.ACCEPTED_INCOMING, local(last_year, 8, 15))
    add_call(app, "1004", CallType.ACCEPTED_INCOMING, local(earlier, 9, 30))
    add_call(app, "1003", CallType.MISSED, local(now - timedelta(days=1), 14, 30))
    add_call(app, "1002", CallType.SUCCESSFUL_OUTGOING, local(now, 0, 1))
    w.views.setCurrentIndex(RECENT)
    shown = [(row.number_label.text(), row.when_label.text()) for _k, _i, row in w.items()]
    months = MONTHS[language]
    if earlier.year == now.year:
        earlier_text = (
            f"{earlier.day}. {months[earlier.month - 1]}"
            if language == "de"
            else f"{earlier.day} {months[earlier.month - 1]}"
        )
    else:  # early in January: last year's date
        earlier_text = format_when(local(earlier, 9, 30))
    assert shown == [
        ("1002", "00:01"),
        ("1003", "Gestern" if language == "de" else "Yesterday"),
        ("1004", earlier_text),
        (
            "1005",
            f"04.03.{(now.year - 1) % 100:02d}" if language == "de" else f"4 Mar {now.year - 1}",
        ),
    ]
    # The full date and time on hover, and in the call window.
    last = w.items()[-1]
    full = f"04.03.{now.year - 1}" if language == "de" else f"4 Mar {now.year - 1}"
    assert last[2].when_label.toolTip() == f"{full} 08:15"
    w.select("entry", last[1])
    assert w.call_window.fields["date"].text() == full
    assert w.call_window.fields["time"].text() == "08:15"


def test_the_year_boundary_and_yesterday() -> None:
    new_year = datetime(2027, 1, 1, 9, 0).astimezone()
    assert format_when(datetime(2026, 12, 31, 23, 50).astimezone(), new_year) == "Yesterday"
    assert format_when(datetime(2026, 12, 30, 23, 50).astimezone(), new_year) == "30 Dec 2026"
    assert format_when(datetime(2027, 1, 1, 0, 5).astimezone(), new_year) == "00:05"


def test_add_to_contacts_is_offered_only_for_numbers_that_are_no_contact(
    make_rig: Callable[..., GuiRig],
) -> None:
    rig = rig_of(make_rig)
    w, app = rig.window, rig.app
    app.contacts.add(
        Contact(first_name="Anna", last_name="Berg", numbers=(PhoneNumber("+49 30 1234-5"),))
    )
    now = datetime.now(UTC)
    known = add_call(app, "+493012345", CallType.MISSED, now - timedelta(minutes=2))
    unknown = add_call(app, "1003", CallType.MISSED, now - timedelta(minutes=1))
    assert known.id is not None and unknown.id is not None
    w.views.setCurrentIndex(RECENT)

    texts = menu_texts(w, known.id)
    assert "Add to contacts" not in texts and "Edit contact" in texts
    assert w.call_window.edit_button.toolTip() == "Edit contact"
    assert w.call_window.name_label.text() == "Anna Berg"

    assert w.compact_edit.toolTip() == "Edit contact"  # compact mode's action bar

    texts = menu_texts(w, unknown.id)
    assert "Add to contacts" in texts and "Edit contact" not in texts
    assert w.call_window.edit_button.toolTip() == "Add to contacts"
    assert w.compact_edit.toolTip() == "Add to contacts"


def test_contact_view_shows_the_company(make_rig: Callable[..., GuiRig]) -> None:
    rig = rig_of(make_rig)
    w, app = rig.window, rig.app
    anna = app.contacts.add(
        Contact(
            first_name="Anna",
            last_name="Berg",
            company="Berg & Söhne GmbH",
            numbers=(PhoneNumber("1002"),),
        )
    )
    firm = app.contacts.add(Contact(company="Stadtwerke", numbers=(PhoneNumber("1009"),)))
    plain = app.contacts.add(Contact(last_name="Klein", numbers=(PhoneNumber("1003"),)))
    assert anna.id is not None and firm.id is not None and plain.id is not None
    w.refresh_list()
    cw = w.call_window

    w.select("contact", anna.id)
    assert cw.name_label.text() == "Anna Berg"
    assert cw.company_label.isVisible() and cw.company_label.text() == "Berg & Söhne GmbH"
    # A company that is already the shown name is not said twice.
    w.select("contact", firm.id)
    assert cw.name_label.text() == "Stadtwerke" and not cw.company_label.isVisible()
    w.select("contact", plain.id)
    assert not cw.company_label.isVisible()
    # A call from the company's contact shows it too.
    call = add_call(app, "1002", CallType.ACCEPTED_INCOMING, datetime.now(UTC))
    assert call.id is not None
    w.views.setCurrentIndex(RECENT)
    w.select("entry", call.id)
    assert cw.company_label.isVisible() and cw.company_label.text() == "Berg & Söhne GmbH"


def test_a_search_without_result_clears_the_details(make_rig: Callable[..., GuiRig]) -> None:
    rig = rig_of(make_rig)
    w, app = rig.window, rig.app
    anna = app.contacts.add(
        Contact(first_name="Anna", last_name="Berg", numbers=(PhoneNumber("1002"),))
    )
    assert anna.id is not None
    w.views.setCurrentIndex(CONTACTS)
    w.refresh_list()
    w.select("contact", anna.id)
    assert w.right.currentWidget() is w.call_window
    assert w.call_window.name_label.text() == "Anna Berg"

    w.search.setText("Ann")  # still found: the details stay
    assert w.right.currentWidget() is w.call_window
    assert w.call_window.name_label.text() == "Anna Berg"

    w.search.setText("Zacharias")  # nothing found: no stale details
    assert w.items() == [] and not w.empty_label.isHidden()
    assert w.right.currentWidget() is w.welcome and w.welcome.isVisible()
    assert not w.call_window.isVisible()
    assert w.call_window.name_label.text() == ""
    w.search.clear()
    assert w.right.currentWidget() is w.welcome


@pytest.mark.parametrize(
    ("language", "code", "reason", "kind", "shown"),
    [
        ("en", 486, "Busy Here", CallType.REJECTED_OUTGOING, "486 Busy Here"),
        ("de", 486, "Busy Here", CallType.REJECTED_OUTGOING, "486 Besetzt"),
        ("en", 404, "Not Found", CallType.UNSUCCESSFUL_OUTGOING, "404 Not Found"),
        (
            "de",
            480,
            "Temporarily Unavailable",
            CallType.UNSUCCESSFUL_OUTGOING,
            "480 Vorübergehend nicht erreichbar",
        ),
        ("en", 603, "Decline", CallType.REJECTED_INCOMING, "603 Decline"),
        ("en", 499, "Odd Thing", CallType.UNSUCCESSFUL_OUTGOING, "499 Odd Thing"),
        (
            "de",
            None,
            "no response",
            CallType.UNSUCCESSFUL_OUTGOING,
            "Der Server hat nicht geantwortet",
        ),
        ("en", None, "", CallType.SUCCESSFUL_OUTGOING, "–"),
        ("en", 487, "Request Terminated", CallType.MISSED, "–"),
    ],
)
def test_the_details_say_the_sip_answer_of_a_call_that_did_not_connect(
    make_rig: Callable[..., GuiRig],
    language: str,
    code: int | None,
    reason: str,
    kind: CallType,
    shown: str,
) -> None:
    set_language(language)
    rig = rig_of(make_rig)
    w = rig.window
    entry = add_call(rig.app, "1002", kind, datetime.now(UTC), sip_code=code, reason=reason)
    assert entry.id is not None
    w.views.setCurrentIndex(RECENT)
    w.select("entry", entry.id)
    assert w.call_window.fields["error"].text() == shown


def test_a_call_that_went_well_shows_no_empty_error_row(make_rig: Callable[..., GuiRig]) -> None:
    # Found in the new-user trial: "Error code –" under every successful call.
    rig = rig_of(make_rig)
    w = rig.window
    good = add_call(rig.app, "1002", CallType.SUCCESSFUL_OUTGOING, datetime.now(UTC))
    busy = add_call(
        rig.app,
        "1003",
        CallType.REJECTED_OUTGOING,
        datetime.now(UTC),
        sip_code=486,
        reason="Busy Here",
    )
    assert good.id is not None and busy.id is not None
    w.views.setCurrentIndex(RECENT)
    w.show()
    w.select("entry", good.id)
    assert not w.call_window.fields["error"].isVisible()
    assert w.call_window.fields["date"].isVisible()
    w.select("entry", busy.id)
    assert w.call_window.fields["error"].isVisible()
    assert w.call_window.fields["error"].text() == "486 Busy Here"
