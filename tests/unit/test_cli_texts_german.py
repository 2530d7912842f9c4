"""The console's sentences for what the phone reports, in German (`parley.cli.texts` with
`[gui] language = "de"`): real events in, the German line out; the JSON keeps its codes;
English stays as it was."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from parley.cli.console import Console
from parley.cli.i18n import set_language
from parley.cli.texts import (
    account_text,
    blf_text,
    call_text,
    end_text,
    event_data,
    message_status_text,
    mwi_text,
    pickup_problem_text,
    presence_text,
    transfer_text,
)
from parley.phone.events import (
    AccountStateChanged,
    BlfChanged,
    BlfState,
    CallDirection,
    CallPhase,
    CallStateChanged,
    EndCause,
    HeldBy,
    MessageDelivery,
    MessageStatus,
    MwiChanged,
    PresenceChanged,
    PresenceState,
    RegCause,
    RegState,
    TransferProgress,
    TransferRole,
    TransferState,
)
from parley.phone.pickup import PickupProblem


@pytest.fixture(autouse=True)
def back_to_english() -> Iterator[None]:
    yield
    set_language("en")


@pytest.fixture
def german() -> None:
    assert set_language("de") == "de"


def call(state: CallPhase, **kw: object) -> CallStateChanged:
    data: dict[str, object] = {
        "call": 7,
        "account": "office",
        "direction": CallDirection.OUTGOING,
        "state": state,
        "remote": "sip:1002@127.0.0.1",
    }
    data.update(kw)
    return CallStateChanged(**data)  # type: ignore[arg-type]


REGISTERED = AccountStateChanged(
    account="office",
    state=RegState.REGISTERED,
    status=200,
    reason="OK",
    user="1001",
    domain="127.0.0.1",
    expires=300,
)
WRONG_PASSWORD = AccountStateChanged(
    account="office",
    state=RegState.FAILED,
    status=401,
    reason="Unauthorized",
    cause=RegCause.WRONG_PASSWORD,
    user="1001",
    domain="127.0.0.1:5060",
    transport="udp",
)
NO_RESPONSE = AccountStateChanged(
    account="office",
    state=RegState.FAILED,
    status=None,
    reason="",
    cause=RegCause.NO_RESPONSE,
    user="1001",
    domain="127.0.0.1",
    transport="tcp",
)
BUSY_END = call(
    CallPhase.ENDED, status=486, reason="Busy Here", cause=EndCause.REJECTED, ended_by=None
)
MESSAGE_404 = MessageStatus(
    message_id=4,
    to="sip:1003@127.0.0.1",
    state=MessageDelivery.FAILED,
    status=404,
    reason="Not Found",
)


@pytest.mark.usefixtures("german")
def test_registration_ok_and_failed_with_its_cause_in_german() -> None:
    assert account_text(REGISTERED) == "Registriert als 1001 bei 127.0.0.1 für 300 s."
    assert account_text(WRONG_PASSWORD) == (
        "Registrierung des Kontos office fehlgeschlagen: falsches Passwort — der Server "
        "127.0.0.1:5060 hat das Passwort für den Benutzer 1001 nicht angenommen (401 "
        "Unauthorized). Prüfen Sie den Benutzernamen, das Passwort und dessen Groß- und "
        "Kleinschreibung (und den Benutzernamen für die Anmeldung, falls es einen gibt)."
    )
    assert account_text(NO_RESPONSE) == (
        "Registrierung für Benutzer 1001 bei 127.0.0.1 fehlgeschlagen: keine Antwort über "
        "TCP — prüfen Sie Domain, Port und Transportprotokoll und ob die Telefonanlage "
        "erreichbar ist."
    )


@pytest.mark.usefixtures("german")
def test_call_ringing_connected_held_and_ended_with_cause_in_german() -> None:
    assert call_text(call(CallPhase.DIALING)) == "Anruf wird aufgebaut…"
    assert call_text(call(CallPhase.RINGING)) == "Klingelt."
    assert call_text(call(CallPhase.CONNECTED)) == "Verbunden."
    assert call_text(call(CallPhase.HELD, held=HeldBy.THEM)) == "Von der Gegenseite gehalten."
    assert call_text(BUSY_END) == "Besetzt"
    incoming = call(CallPhase.ENDED, direction=CallDirection.INCOMING, status=603)
    assert call_text(incoming) == "Abgewiesen"
    assert end_text(EndCause.NO_RESPONSE, 408) == "Der Server hat nicht geantwortet"
    assert end_text(EndCause.MEDIA_FAILED, 488, detail="no PCMU") == (
        "Kein gemeinsamer Codec (no PCMU)"  # the SDP layer's own words stay as they came
    )


@pytest.mark.usefixtures("german")
def test_transfer_steps_in_german() -> None:
    trying = TransferProgress(3, TransferRole.TRANSFEROR, TransferState.TRYING, "sip:1003@pbx")
    assert transfer_text(trying) == "Vermittle Anruf 3 an sip:1003@pbx …"
    done = TransferProgress(3, TransferRole.TRANSFEROR, TransferState.DONE, "sip:1003@pbx", 200)
    assert transfer_text(done) == "Anruf 3 an sip:1003@pbx vermittelt."
    refused = TransferProgress(
        3, TransferRole.TRANSFEROR, TransferState.FAILED, "sip:1003@pbx", 486
    )
    assert transfer_text(refused) == (
        "Vermittlung von Anruf 3 an sip:1003@pbx fehlgeschlagen: Besetzt (486); der Anruf "
        "bleibt bestehen."
    )
    no_refer = TransferProgress(
        3, TransferRole.TRANSFEREE, TransferState.FAILED, "sip:1003@pbx", None, "no refer"
    )
    assert transfer_text(no_refer) == (
        "Vermittlung an sip:1003@pbx fehlgeschlagen: das andere Telefon nimmt keine "
        "Vermittlungen an (kein REFER)."
    )


@pytest.mark.usefixtures("german")
def test_blf_lines_and_pickup_in_german() -> None:
    ringing = BlfChanged(uri="1003", state=BlfState.RINGING, caller="sip:1002@pbx")
    assert blf_text(ringing) == (
        "Bei 1003 klingelt es: sip:1002@pbx ruft an — 'pickup 1003' holt den Anruf heran."
    )
    assert blf_text(BlfChanged(uri="1003", state=BlfState.IDLE)) == "1003 ist frei."
    busy = BlfChanged(uri="1003", state=BlfState.BUSY, caller="sip:1002@pbx")
    assert blf_text(busy) == "1003 ist besetzt (mit sip:1002@pbx)."
    assert pickup_problem_text(PickupProblem.NOT_RINGING, "1003") == (
        "Heranholen nicht möglich: bei 1003 klingelt gerade nichts."
    )


@pytest.mark.usefixtures("german")
def test_voicemail_counts_presence_and_message_delivery_in_german() -> None:
    mwi = MwiChanged(account="office", new=2, old=5, urgent_new=1)
    assert mwi_text(mwi) == "Mailbox von office: 2 neue Sprachnachrichten (1 dringend), 5 alte."
    one = MwiChanged(account="office", new=1, old=0)
    assert mwi_text(one) == "Mailbox von office: 1 neue Sprachnachricht, 0 alte."
    lunch = PresenceChanged(uri="sip:1002@pbx", state=PresenceState.LUNCH, note="back at 2")
    assert presence_text(lunch) == "sip:1002@pbx ist in der Mittagspause — back at 2."
    assert message_status_text(MESSAGE_404) == (
        "Nachricht 4 an sip:1003@127.0.0.1 nicht zugestellt: unbekannter Empfänger (404 Not Found)."
    )
    delivered = MessageStatus(4, "sip:1003@127.0.0.1", MessageDelivery.DELIVERED)
    assert message_status_text(delivered) == "Nachricht 4 an sip:1003@127.0.0.1: zugestellt."


@pytest.mark.usefixtures("german")
def test_json_line_keeps_its_codes_and_only_the_text_is_german(
    capsys: pytest.CaptureFixture[str],
) -> None:
    Console(None, as_json=True).print_event(WRONG_PASSWORD)  # type: ignore[arg-type]
    Console(None, as_json=True).print_event(BUSY_END)  # type: ignore[arg-type]
    account, ended = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert (account["event"], account["state"], account["cause"]) == (
        "account",
        "failed",
        "wrong password",
    )
    assert (account["status"], account["reason"]) == (401, "Unauthorized")
    assert account["text"].startswith("Registrierung des Kontos office fehlgeschlagen")
    assert (ended["state"], ended["cause"], ended["status"]) == ("ended", "rejected", 486)
    assert ended["text"] == "Besetzt"
    assert event_data(MESSAGE_404)["state"] == "failed"


def test_english_is_unchanged() -> None:
    assert account_text(REGISTERED) == "Registered as 1001 at 127.0.0.1 for 300 s."
    assert account_text(NO_RESPONSE) == (
        "Registration failed for user 1001 at 127.0.0.1: no answer over TCP — check the "
        "domain, port and transport, and that the PBX is reachable."
    )
    assert call_text(BUSY_END) == "Busy"
    assert call_text(call(CallPhase.DIALING)) == "Calling…"
    done = TransferProgress(3, TransferRole.TRANSFEROR, TransferState.DONE, "sip:1003@pbx", 200)
    assert transfer_text(done) == "Call 3 transferred to sip:1003@pbx."
    ringing = BlfChanged(uri="1003", state=BlfState.RINGING, caller="sip:1002@pbx")
    assert (
        blf_text(ringing) == "1003 is ringing: sip:1002@pbx calls — 'pickup 1003' takes the call."
    )
    mwi = MwiChanged(account="office", new=2, old=5, urgent_new=1)
    assert mwi_text(mwi) == "Voicemail of office: 2 new voice messages (1 urgent), 5 old."
    assert message_status_text(MESSAGE_404) == (
        "Message 4 to sip:1003@127.0.0.1 failed: unknown recipient (404 Not Found)."
    )
    # A status without words of its own is lower-cased inside the English sentence.
    odd = MessageStatus(4, "sip:1003@127.0.0.1", MessageDelivery.FAILED, 503, "Down")
    assert message_status_text(odd) == (
        "Message 4 to sip:1003@127.0.0.1 failed: service unavailable (503 Down)."
    )
    gone = MessageStatus(4, "sip:1003@127.0.0.1", MessageDelivery.FAILED, 422, "Small")
    assert message_status_text(gone) == (
        "Message 4 to sip:1003@127.0.0.1 failed: session interval too small (422 Small)."
    )


def test_switching_back_gives_english_again() -> None:
    set_language("de")
    assert call_text(BUSY_END) == "Besetzt"
    set_language("en")
    assert call_text(BUSY_END) == "Busy"
