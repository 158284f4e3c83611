import hashlib
import hmac

from bot.web.signature import is_valid, sign


def test_signature_is_hmac_sha1_of_the_raw_bytes():
    raw = b'{"id":"x",  "data": {"id": "\\u00e9"}}'
    assert sign(raw, "k") == hmac.new(b"k", raw, hashlib.sha1).hexdigest()
    assert is_valid(raw, "k", sign(raw, "k"))
    assert is_valid(raw, "k", sign(raw, "k").upper())


def test_missing_wrong_or_reserialised_signatures_fail():
    raw = b'{"a": 1,  "b": 2}'
    assert not is_valid(raw, "k", None)
    assert not is_valid(raw, "k", "")
    assert not is_valid(raw, "k", sign(raw, "other"))
    assert not is_valid(raw, "k", sign(b'{"a":1,"b":2}', "k"))
