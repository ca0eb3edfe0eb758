"""Notification e-mails: safe Markdown rendering and header checks (no AWS)."""
import pytest

from chalicelib.errors import DeliveryFailed
from chalicelib.service import notify_mail


@pytest.mark.parametrize("markdown, present, absent", [
    ("**bold** and _it_", ["<strong>bold</strong>", "<em>it</em>"], []),
    ("<script>alert(1)</script>", ["&lt;script&gt;"], ["<script"]),
    ("<div onclick='x()'>hi</div>", ["&lt;div"], ["<div"]),
    ("text <img src=x onerror=alert(1)>", ["&lt;img"], ["<img"]),
    ("[a](javascript:alert(1))", ["<a>a</a>"], ["javascript"]),
    ("[a](data:text/html,hi)", ["<a>a</a>"], ["data:"]),
    ("![i](javascript:alert(1))", ["<img"], ["javascript"]),
    ("[ok](https://example.com/x) <mailto:a@example.com>",
     ['href="https://example.com/x"', '<a href="&#109;&#97;&#105;&#108;&#116;&#111;&#58;'],
     []),  # Python-Markdown writes mail links as entities
])
def test_markdown_keeps_formatting_and_drops_html_and_unsafe_links(markdown, present, absent):
    html = notify_mail.render_markdown(markdown)
    for text in present:
        assert text in html
    for text in absent:
        assert text not in html


def test_the_message_has_text_and_html_and_a_quoted_sender_name():
    message = notify_mail.compose("wf@stepwise.test", ["a@example.com"], "Done", "# Title")
    assert message["From"] == "Stepwise <wf@stepwise.test>"
    assert message.get_body(("plain",)).get_content().startswith("# Title")
    assert "<h1>Title</h1>" in message.get_body(("html",)).get_content()


def test_a_custom_sender_name_is_quoted_and_reply_to_set():
    message = notify_mail.compose("wf@stepwise.test", ["a@example.com"], "Done", "ok",
                                  from_name='Ops, "Nightly"', reply_to="ops@example.com")
    assert message["From"] == '"Ops, \\"Nightly\\"" <wf@stepwise.test>'
    assert message["Reply-To"] == "ops@example.com"


@pytest.mark.parametrize("from_name", ["Ops\r\nBcc: x@example.com", "a\nb"])
def test_a_sender_name_with_a_line_break_is_refused(from_name):
    with pytest.raises(DeliveryFailed):
        notify_mail.compose("wf@stepwise.test", ["a@example.com"], "Done", "ok",
                            from_name=from_name)


@pytest.mark.parametrize("subject", ["a\r\nBcc: x@example.com", "a\nb", "a\rb"])
def test_a_subject_with_a_line_break_is_refused(subject):
    with pytest.raises(DeliveryFailed) as raised:
        notify_mail.compose("wf@stepwise.test", ["a@example.com"], subject, "body")
    assert not raised.value.retriable
