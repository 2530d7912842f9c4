"""Recording calls at the phone level (`parley.phone.recording`): two real `Phone`s back
to back (`phonepair.py`), the files written by the real recorder. File names from the
template (every field, any case, unsafe characters replaced, never overwriting), parts
on each start, record_all_calls, and the end of the call ending the recording."""

from __future__ import annotations

import time
import wave
from pathlib import Path

import pytest
from phonepair import PhonePair, Side
from test_phone_pair import connected

from parley.phone.events import PhoneError, RecordingChanged, RecordingState
from parley.phone.recording import RecordingError, file_name, safe_file_name


def recording_events(side: Side) -> list[RecordingChanged]:
    return [e for e in side.events if isinstance(e, RecordingChanged)]


def wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / w.getframerate()


def settled_seconds(path: Path, expected: float) -> float:
    """The file's length once its writer thread is done (the loop's time is virtual)."""
    for _ in range(100):
        seconds = wav_seconds(path)
        if seconds >= expected:
            return seconds
        time.sleep(0.02)
    return wav_seconds(path)


# ------------------------------------------------------------------ the template


def test_template_fields_any_case() -> None:
    fields = {
        "DNID": "1002",
        "name": "Bob",
        "phone": "1002",
        "number": "1002",
        "account": "office",
        "YYYY": "2024",
        "MM": "03",
        "DD": "09",
        "hh": "07",
        "NN": "05",
        "ss": "01",
        "recording_part": "2",
    }
    template = (
        "rec_{YYYY}-{mm}-{dd}-{HH}_{nn}_{SS}_{Account}_{NUMBER}_{name}_{dnid}_part{Recording_Part}"
    )
    assert file_name(template, fields) == "rec_2024-03-09-07_05_01_office_1002_Bob_1002_part2"


def test_unsafe_characters_are_replaced() -> None:
    fields = {"name": 'A/B\\C:D*E?"F<G>H|I\x01', "number": "+49 30 123"}
    assert file_name("{name} {number}", fields) == "A_B_C_D_E__F_G_H_I_ +49 30 123"
    assert safe_file_name("  ... ") == "recording"
    assert safe_file_name("x" * 300) == "x" * 180
    assert file_name("call_{name}_{phone}.", {}) == "call__"


# ------------------------------------------------------------------ parts, names, end


def test_parts_names_and_end_of_call(make_phone_pair: type[PhonePair], tmp_path: Path) -> None:
    template = "{DNID}_{name}_{phone}_{account}_{YYYY}{MM}{DD}-{hh}{NN}{ss}_part{recording_part}"
    pair = make_phone_pair(
        a={
            "functions": {
                "recording_dir": str(tmp_path),
                "recording_name": template,
                "recording_channels": "stereo",
            }
        }
    )
    a = pair.a

    async def scenario() -> None:
        a_call, _ = await connected(pair)
        a.phone.recordings.configure(name_of=lambda n: "Bob: the far end" if n == "1002" else None)
        first = a.phone.recordings.start(a_call)
        assert a.phone.recordings.start(a_call) == first  # on twice: the same file
        await pair.settle(1.5)
        assert await a.phone.recordings.stop(a_call.id) == first
        assert await a.phone.recordings.stop(a_call.id) is None  # off twice: nothing
        a.phone.recordings.start(a_call)
        await pair.settle(1.0)
        a_call.hangup()
        await pair.until(lambda: len(recording_events(a)) == 4)

    pair.run(scenario())
    events = recording_events(a)
    assert [e.state for e in events] == [RecordingState.STARTED, RecordingState.STOPPED] * 2
    first, second = Path(events[0].file), Path(events[2].file)
    assert events[1].file == str(first) and events[3].file == str(second)
    started = next(e.at for e in a.call_events())
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(started))
    assert first.name == f"1002_Bob_ the far end_1002_alice_{stamp}_part1.wav"
    assert second.name == f"1002_Bob_ the far end_1002_alice_{stamp}_part2.wav"
    assert settled_seconds(first, 1.4) == pytest.approx(1.5, abs=0.1)
    assert settled_seconds(second, 0.9) == pytest.approx(1.0, abs=0.15)
    with wave.open(str(first), "rb") as w:
        assert (w.getnchannels(), w.getframerate()) == (2, 16000)


def test_record_all_calls_and_no_overwrite(
    make_phone_pair: type[PhonePair], tmp_path: Path
) -> None:
    """Bob records every call: started when the call connects, once (off stays off
    through hold and resume); an existing file of the same name is kept."""
    pair = make_phone_pair(
        b={
            "functions": {
                "record_all_calls": True,
                "recording_dir": str(tmp_path),
                "recording_name": "{number}_{DNID}_part{recording_part}",
            }
        }
    )
    b = pair.b
    (tmp_path / "1001_1002_part1.wav").write_bytes(b"an older recording")

    async def scenario() -> None:
        a_call, b_call = await connected(pair)
        await pair.until(lambda: len(recording_events(b)) == 1)
        assert b.phone.recordings.is_active(b_call.id)
        await pair.settle(0.5)
        await b.phone.recordings.stop(b_call.id)
        a_call.hold()
        await pair.settle(1.0)
        a_call.resume()
        await pair.settle(1.0)
        assert not b.phone.recordings.is_active(b_call.id)
        b.phone.recordings.start(b_call)
        await pair.settle(0.5)
        a_call.hangup()
        await pair.until(lambda: len(recording_events(b)) == 4)

    pair.run(scenario())
    events = recording_events(b)
    assert [Path(e.file).name for e in events] == [
        "1001_1002_part1-2.wav",
        "1001_1002_part1-2.wav",
        "1001_1002_part2.wav",
        "1001_1002_part2.wav",
    ]
    assert (tmp_path / "1001_1002_part1.wav").read_bytes() == b"an older recording"
    assert settled_seconds(Path(events[0].file), 0.45) == pytest.approx(0.5, abs=0.1)


def test_only_a_call_in_progress_and_a_folder(
    make_phone_pair: type[PhonePair], tmp_path: Path
) -> None:
    pair = make_phone_pair(b={"media": {"call_waiting": True}})
    a, b = pair.a, pair.b

    async def scenario() -> None:
        from test_phone_pair import registered

        await registered(pair)
        a_call = await a.phone.dial(b.uri)
        with pytest.raises(RecordingError, match="not in progress"):
            a.phone.recordings.start(a_call)
        await pair.until(lambda: bool(b.calls()))
        b.only_call().answer()
        await pair.until(lambda: a_call.state == "connected")
        with pytest.raises(RecordingError, match="no folder"):
            a.phone.recordings.start(a_call)  # no recording_dir, no default folder
        a.phone.recordings.configure(default_dir=tmp_path / "data" / "recordings")
        path = a.phone.recordings.start(a_call)
        assert path.parent == tmp_path / "data" / "recordings"
        a_call.hangup()
        await pair.until(lambda: len(recording_events(a)) == 2)

    pair.run(scenario())


def test_folder_removed_mid_call_stops_the_recording(
    make_phone_pair: type[PhonePair], tmp_path: Path
) -> None:
    """The recordings folder vanishes (an unplugged drive): an error says so, the
    recording stops, the call goes on."""
    folder = tmp_path / "usb-stick"
    pair = make_phone_pair(a={"functions": {"recording_dir": str(folder)}})
    a = pair.a

    async def scenario() -> None:
        a_call, _ = await connected(pair)
        path = a.phone.recordings.start(a_call)
        await pair.settle(0.2)
        path.unlink()
        folder.rmdir()
        await pair.until(lambda: len(recording_events(a)) == 2, within=300)
        assert not a.phone.recordings.is_active(a_call.id)
        assert a_call.state == "connected"
        a_call.hangup()

    pair.run(scenario())
    errors = [e for e in a.events if isinstance(e, PhoneError)]
    assert len(errors) == 1 and "folder is gone" in errors[0].text, errors
    assert recording_events(a)[1].state is RecordingState.STOPPED
