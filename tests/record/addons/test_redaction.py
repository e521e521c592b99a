import base64
import hashlib
import threading
import zipfile

from crawler.model import Citizen
from crawler.record.addons.redaction import MASK, Redactor, for_citizen
from crawler.record.evidence.redact_files import redact_folder
from crawler.testing import make_exchange

CPR = "0707614285"


def test_secrets_and_first_party_session_cookies_never_reach_the_record():
    redactor = Redactor(["hunter 2&x"], {"skat.test"})
    login = make_exchange(
        url="http://www.skat.test/login?pw=hunter+2%26x",
        method="POST",
        headers=(("Cookie", "session=abc123; lang=da"), ("Authorization", "Bearer tok")),
        body=b"user=jens&password=hunter+2%26x",
    )
    clean = redactor.exchange(login)
    assert clean.url == f"http://www.skat.test/login?pw={MASK}"
    assert clean.body == f"user=jens&password={MASK}".encode()
    assert dict(clean.headers) == {"Cookie": f"session={MASK}; lang={MASK}", "Authorization": MASK}


def test_third_party_cookies_are_kept_as_evidence():
    redactor = Redactor([], {"skat.test"})
    beacon = make_exchange(url="http://t.tracker.test/c", headers=(("Cookie", "uid=0707614285"),))
    assert redactor.exchange(beacon).headers == (("Cookie", "uid=0707614285"),)


def test_a_first_party_cookie_that_carries_the_cpr_is_kept_the_others_masked():
    """A first-party name can be a third party's (Adobe's smetrics CNAME): the portal's cookie
    with the CPR went to it, and masking it made the leak a clean result."""
    redactor = for_citizen(Citizen(cpr=CPR), {"skat.test"})
    beacon = make_exchange(
        url="http://metrics.skat.test/c.gif",
        headers=(("Cookie", f"session=abc123xyz; borger={CPR}"),),
    )
    assert dict(redactor.exchange(beacon).headers) == {"Cookie": f"session={MASK}; borger={CPR}"}


def test_every_written_form_of_a_password_is_masked():
    redactor = Redactor(["sæt kodeord&1"], {"skat.test"})
    for sent in (
        "pw=s%E6t+kodeord%261",  # a Latin-1 form
        "pw=s%c3%a6t%20kodeord%261",  # encodeURIComponent, lower-case hex
        '{"pw": "s\\u00e6t kodeord&1"}',  # JSON with ASCII escapes
        "<input value='sæt kodeord&amp;1'>",  # HTML
        "h=" + hashlib.sha256("sæt kodeord&1".encode()).hexdigest(),
        "b=" + base64.b64encode(b"x:s\xc3\xa6t kodeord&1").decode(),  # inside longer base64
    ):
        assert redactor.text(sent).count(MASK) == 1, sent
    assert redactor.data("pw=sæt kodeord&1".encode("latin-1")) == f"pw={MASK}".encode()


def test_session_headers_and_cookies_are_learned_and_masked_everywhere_after():
    redactor = Redactor([], {"skat.test"})
    api = make_exchange(
        url="http://www.skat.test/api",
        headers=(
            ("X-Session", "tok-12345678"),
            ("Cookie", "sid=c00k1e-abcdef"),
            (":authority", "www.skat.test"),
        ),
    )
    assert dict(redactor.exchange(api).headers) == {
        "X-Session": MASK,
        "Cookie": f"sid={MASK}",
        ":authority": "www.skat.test",
    }
    beacon = make_exchange(url="http://t.tracker.test/b?s=tok-12345678&c=c00k1e-abcdef")
    assert redactor.exchange(beacon).url == f"http://t.tracker.test/b?s={MASK}&c={MASK}"


def test_a_value_that_carries_the_cpr_is_never_masked():
    """Masking it would hide the leak the audit looks for: a false clean."""
    redactor = for_citizen(Citizen(cpr=CPR), {"skat.test"})
    token = base64.b64encode(f'{{"cpr": "{CPR}", "n": 1}}'.encode()).decode()
    login = make_exchange(
        url="http://www.skat.test/api",
        headers=(("X-Session", token), ("Authorization", f"Bearer {token}")),
    )
    assert redactor.exchange(login).headers == login.headers
    beacon = make_exchange(url=f"http://t.tracker.test/b?s={token}")
    assert redactor.exchange(beacon).url == beacon.url


def test_a_file_that_cannot_be_read_to_be_redacted_is_removed(tmp_path):
    trace = tmp_path / "trace.zip"
    with zipfile.ZipFile(trace, "w") as archive:
        archive.writestr("trace.trace", "password hunter2-secret " * 1000)
    trace.write_bytes(trace.read_bytes()[:-200])  # cut short, as by a full disk
    problems = redact_folder(tmp_path, Redactor(["hunter2-secret"], set()))
    assert not trace.exists() and problems == [
        "trace.zip removed: it could not be redacted (File is not a zip file)"
    ]


def test_a_stream_is_masked_across_its_windows(tmp_path):
    import io

    redactor = Redactor(["hemmeligt-kodeord"], set())
    data = b"".join(b"x" * n + b"hemmeligt-kodeord" for n in range(1, 60))
    for window in (7, 16, 17, 64, 1 << 20):
        out = io.BytesIO()
        redactor.copy(io.BytesIO(data), out, window)
        assert out.getvalue() == redactor.data(data), window
        assert b"hemmeligt" not in out.getvalue() and out.getvalue().count(MASK.encode()) == 59


def test_a_password_that_is_a_piece_of_the_cpr_is_masked_only_where_it_stands_alone():
    """A PIN of the CPR's last digits, masked inside the CPR, took it out of the record (and the
    audit found no leak); the CPR stays whole in every form the detector finds it."""
    import io

    citizen = Citizen(cpr="0707614285", credentials={"password": "4285"})
    redactor = for_citizen(citizen, {"skat.test"})
    b64 = base64.b64encode(b"0707614285").decode()
    sent = f"id=0707614285&d=070761-4285&b={b64}&pin=4285"
    masked = f"id=0707614285&d=070761-4285&b={b64}&pin={MASK}"
    assert redactor.text(sent) == masked
    assert redactor.data(sent.encode()) == masked.encode()
    data = b"".join(b"x" * n + sent.encode() for n in range(1, 30))
    for window in (5, 11, 16, 64, 1 << 20):
        out = io.BytesIO()
        redactor.copy(io.BytesIO(data), out, window)
        assert out.getvalue() == redactor.data(data), window
        assert out.getvalue().count(b"0707614285") == 29 and b"pin=4285" not in out.getvalue()


def test_a_pin_that_is_the_serial_number_stays_beside_the_birth_date_of_a_split_cpr():
    """Masked there, the serial number left the birth date alone, and a CPR split over two
    fields was not found; where no birth date stands, the PIN is masked."""
    citizen = Citizen(cpr="0707614285", credentials={"password": "4285"})
    redactor = for_citizen(citizen, {"skat.test"})
    split = "http://px.tracker.test/p?b=07-07-1961&s=4285"
    assert redactor.text(split) == split
    assert redactor.data(b'{"fdato": "070761", "lbnr": "4285"}').endswith(b'"4285"}')
    assert redactor.text("pin=4285&b=0706") == f"pin={MASK}&b=0706"


def test_a_password_that_is_the_birth_date_is_not_masked_a_cpr_split_in_two_fields_shows_it():
    citizen = Citizen(cpr="0707614285", credentials={"password": "070761"})
    redactor = for_citizen(citizen, {"skat.test"})
    split = "http://px.tracker.test/p?b=070761&s=4285"
    assert redactor.text(split) == split


def test_a_password_that_holds_a_piece_of_the_cpr_is_masked_whole():
    citizen = Citizen(cpr="0707614285", credentials={"password": "x070761x"})
    redactor = for_citizen(citizen, {"skat.test"})
    assert redactor.text("pw=x070761x&id=0707614285") == f"pw={MASK}&id=0707614285"


def _mask_until(redactor: Redactor, done: threading.Event, failures: list) -> None:
    try:
        while not done.is_set():
            redactor.text("user=typed-secret-1")
            redactor.data(b"user=typed-secret-1")
    except BaseException as exc:
        failures.append(exc)


def test_masking_while_a_password_is_learned_on_another_thread_never_fails():
    """A password typed by hand is learned on the scenario's thread while the capture's thread
    masks what it records: a mask never sees half of what was learned."""
    failures: list[BaseException] = []
    for attempt in range(100):
        redactor, done = Redactor([], set()), threading.Event()
        masking = threading.Thread(target=_mask_until, args=(redactor, done, failures))
        masking.start()
        redactor.learn([f"typed-secret-{attempt}"])
        done.set()
        masking.join()
        assert not failures, failures[0]
        assert MASK in redactor.text(f"user=typed-secret-{attempt}")
