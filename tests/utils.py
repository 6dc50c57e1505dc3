import re

from django.test import Client

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<[a-z][^>]*\sstyle=|<style[\s>]", re.I)
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+=", re.I)


class StrictClient(Client):
    """A test client that fails on a page breaking the CSP: inline script, inline style or event handler.

    (A missing template variable already fails through the test settings' `string_if_invalid`.)
    """

    def request(self, **request):
        response = super().request(**request)
        if request.get("PATH_INFO", "").startswith("/admin/"):
            return response
        if "text/html" in response.get("Content-Type", "") and not getattr(response, "streaming", False):
            html = response.content.decode()
            for name, pattern in (
                ("script", INLINE_SCRIPT),
                ("style", INLINE_STYLE),
                ("handler", INLINE_HANDLER),
            ):
                match = pattern.search(html)
                assert match is None, f"Inline {name} in {request['PATH_INFO']}: {match.group(0)[:120]}"
        return response
