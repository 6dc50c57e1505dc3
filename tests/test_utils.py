import pytest

from tests.utils import INLINE_HANDLER, INLINE_SCRIPT, INLINE_STYLE


@pytest.mark.parametrize(
    ("html", "pattern"),
    [
        ("<script>alert(1)</script>", INLINE_SCRIPT),
        ('<script type="module">import x</script>', INLINE_SCRIPT),
        ('<div style="color:red">', INLINE_STYLE),
        ("<style>p{}</style>", INLINE_STYLE),
        ('<button onclick="go()">', INLINE_HANDLER),
    ],
)
def test_strict_client_patterns_catch_inline_code(html, pattern):
    assert pattern.search(html)


@pytest.mark.parametrize(
    ("html", "pattern"),
    [
        ('<script type="module" src="/static/dsfr.module.min.js" nonce="x"></script>', INLINE_SCRIPT),
        ('<script type="application/json" id="data">{}</script>', INLINE_SCRIPT),
        ('<p class="fr-text">style="x" in text</p>', INLINE_STYLE),
        ("<p>online</p>", INLINE_HANDLER),
    ],
)
def test_strict_client_patterns_accept_external_code(html, pattern):
    assert not pattern.search(html)
