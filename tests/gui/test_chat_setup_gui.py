"""The manual's "Set one here" in the conversation window: a local contact without a
presence and chat address is offered one there (an address with its number type and
the presence account), stored with the contact; the offer then goes away."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fake_facades import FakeMessages

from parley.app.application import Application
from parley.contacts.model import Contact, NumberType, PhoneNumber
from parley.contacts.store import ContactStore
from parley.gui.bridge import EngineBridge
from parley.gui.chat_setup import ChatSetupDialog
from parley.gui.main_window import MainWindow
from parley.settings import AccountSettings, Settings


@pytest.fixture
def window(make_app: Any, qtbot: Any) -> Iterator[tuple[MainWindow, Application]]:
    s = Settings(
        accounts=[
            AccountSettings(name=n, domain="127.0.0.1:5999", username=u)
            for n, u in (("office", "1001"), ("im", "1009"))
        ]
    )
    app = make_app(s)
    messages = FakeMessages()
    real = app.messages
    app.messages = messages  # the chat is available
    app.contacts.add(Contact(first_name="Anna", last_name="Berg", numbers=(PhoneNumber("1002"),)))
    bridge = EngineBridge(app)
    main = MainWindow(bridge)
    qtbot.addWidget(main)
    main.resize(800, 640)
    main.show()
    yield main, app
    bridge.close()
    main.quit()
    app.messages = real


def test_set_one_here_stores_the_address_its_type_and_the_presence_account(
    window: tuple[MainWindow, Application], qtbot: Any
) -> None:
    main, app = window
    setup = main.features.chat_setup
    kind, item_id = main.items()[0][:2]
    main.select(kind, item_id)
    qtbot.waitUntil(setup.button.isVisible, timeout=5000)
    setup.button.click()
    dialog = setup.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.address.text() == ""  # no SIP address, no business number: nothing yet
    assert [dialog.account.itemText(i) for i in range(dialog.account.count())] == [
        "As the contact source chooses",
        "office",
        "im",
    ]
    dialog.address.setText("sip:anna@127.0.0.1")
    dialog.type_box.setCurrentIndex(dialog.type_box.findData(NumberType.BUSINESS.value))
    dialog.account.setCurrentIndex(dialog.account.findText("im"))
    dialog.save_button.click()
    [anna] = app.contacts.list()
    assert anna.presence == "sip:anna@127.0.0.1"
    assert anna.presence_account == "im"
    assert anna.numbers == (
        PhoneNumber("1002", NumberType.OTHER),
        PhoneNumber("sip:anna@127.0.0.1", NumberType.BUSINESS),
    )
    # The call window shows the contact anew: the address among its numbers, no offer.
    qtbot.waitUntil(lambda: not setup.button.isVisible(), timeout=5000)
    assert "sip:anna@127.0.0.1" in main.call_window.number_label.text()


def test_an_empty_address_is_refused_in_words(qtbot: Any) -> None:
    store = ContactStore(":memory:")
    try:
        anna = store.add(Contact(last_name="Berg", numbers=(PhoneNumber("sip:anna@pbx"),)))
        dialog = ChatSetupDialog(store, anna, ["office"])
        qtbot.addWidget(dialog)
        assert dialog.address.text() == "sip:anna@pbx"  # offered: its SIP address
        dialog.address.setText("")
        assert not dialog.save()
        assert dialog.problems_label.text() == "Enter the number or SIP address to chat with."
        dialog.address.setText("no address!")
        assert not dialog.save()
        assert store.list() == [anna]  # nothing stored
        dialog.address.setText("sip:anna@pbx")
        assert dialog.save()
        [stored] = store.list()
        assert stored.presence == "sip:anna@pbx" and stored.numbers == anna.numbers
    finally:
        store.close()
