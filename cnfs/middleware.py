"""Headers every response gets, error pages included (SPEC §18): placed outside the other middlewares."""

# The browser features no page of the service uses (DSFR needs none), denied to the site and to anything
# injected in it. WebAuthn stays open to the site itself, for the strong authentication of SPEC §14. Only
# features Chromium knows: an unknown one is an error in the browser's console.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}={allowed}"
    for feature, allowed in {
        "accelerometer": "()",
        "autoplay": "()",
        "bluetooth": "()",
        "browsing-topics": "()",
        "camera": "()",
        "display-capture": "()",
        "encrypted-media": "()",
        "fullscreen": "()",
        "geolocation": "()",
        "gyroscope": "()",
        "hid": "()",
        "idle-detection": "()",
        "magnetometer": "()",
        "microphone": "()",
        "midi": "()",
        "payment": "()",
        "picture-in-picture": "()",
        "publickey-credentials-get": "(self)",
        "screen-wake-lock": "()",
        "serial": "()",
        "sync-xhr": "()",
        "usb": "()",
        "xr-spatial-tracking": "()",
    }.items()
)


class SecurityHeadersMiddleware:
    """The Permissions-Policy on every response; no cache for any download (exports, CSV, documents, ZIP)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        # A download is someone's data, read through his scope: neither a shared cache nor the browser keeps
        # it. What makes a response a download is its Content-Disposition (FileResponse sets it, the exports
        # too); static files, public and cached for long, have none.
        if response.has_header("Content-Disposition"):
            response["Cache-Control"] = "private, no-store"
        return response
