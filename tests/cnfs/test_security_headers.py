import re


def test_pages_carry_a_strict_csp_with_the_nonce_of_their_scripts(db, client):
    response = client.get("/")

    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    scripts = re.findall(r"<script[^>]*>", response.content.decode())
    assert scripts, "the DSFR scripts are expected on every page"
    assert all(f'nonce="{nonce}"' in tag for tag in scripts)
    assert "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy


def test_each_response_gets_its_own_nonce(db, client):
    first = client.get("/")["Content-Security-Policy"]
    second = client.get("/")["Content-Security-Policy"]

    assert first != second


def test_clickjacking_and_referrer_headers(db, client):
    response = client.get("/")

    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
