"""Webhook signatures, retry times and refused targets (no AWS, no network)."""
import hashlib
import hmac

import pytest

from chalicelib.errors import DeliveryFailed
from chalicelib.service import notifications, webhooks


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body():
    body = '{"state":"succeeded"}'
    expected = hmac.new(b"whsec_k", b'1700000000.{"state":"succeeded"}',
                        hashlib.sha256).hexdigest()
    assert webhooks.signature("whsec_k", 1700000000, body) == f"v1={expected}"
    headers = webhooks.headers("whsec_k", 1700000000, body, "d-1", "execution.succeeded")
    assert headers["Stepwise-Timestamp"] == "1700000000"
    assert headers["Stepwise-Signature"] == f"v1={expected}"
    assert headers["Stepwise-Delivery"] == "d-1"
    assert webhooks.signature("other", 1700000000, body) != headers["Stepwise-Signature"]


def test_retries_back_off_to_an_hour_and_stop_after_a_day():
    gaps = [notifications.retry_at(tries, 0, 0) for tries in range(1, 9)]
    assert gaps == [60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert notifications.retry_at(20, 0, 24 * 3600 - 1800) is None
    assert notifications.retry_at(3, 0, 24 * 3600 - 300) == 24 * 3600 - 60


@pytest.mark.parametrize("url, addresses, reason", [
    ("http://hooks.internal.test/x", ["10.1.2.3"], "private"),
    ("http://rebind.test/x", ["93.184.216.34", "127.0.0.1"], "loopback"),
    ("http://127.0.0.1:9/x", [], "loopback"),
    ("http://[::ffff:169.254.169.254]/x", [], "link-local"),
    ("ftp://example.com/x", [], "scheme"),
])
def test_refused_targets_fail_without_retry(url, addresses, reason):
    with pytest.raises(DeliveryFailed) as raised:
        webhooks.post(url, "{}", {}, allow_loopback=False, resolver=lambda host: addresses)
    assert reason in raised.value.message and not raised.value.retriable


def test_a_host_that_does_not_resolve_is_retried():
    def nowhere(host):
        raise OSError("no such host")

    with pytest.raises(DeliveryFailed) as raised:
        webhooks.post("http://gone.test/x", "{}", {}, allow_loopback=False, resolver=nowhere)
    assert raised.value.retriable
