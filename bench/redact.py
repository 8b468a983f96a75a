"""Redaction cost with many registered secrets (hardening issue, item 12).

Registers 34,000 distinct API keys (the registry keeps the most recent MAX_SECRETS), then
redacts a 2 KB text 10,000 times: an error body without any secret, a 2 KB random base64-like
blob (the worst case for the sampled scan) and an error body that holds a registered key.

    python bench/redact.py            # API keys of providers' shapes (24 to 169 characters)
    python bench/redact.py --short    # secrets of 8 to 23 characters: the slowest case
"""

from __future__ import annotations

import random
import string
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from litegate.core import redact as R  # noqa: E402

KEYS = 34_000
REDACTIONS = 10_000


def main() -> None:
    rng = random.Random(12)
    alphabet = string.ascii_letters + string.digits
    short = "--short" in sys.argv

    def key() -> str:
        if short:  # the worst case: passwords of 8 to 23 characters (two slower index tiers)
            return "".join(rng.choices(alphabet + "-_", k=rng.randint(8, 23)))
        shape = rng.randrange(5)
        if shape == 0:
            return "sk-proj-" + "".join(rng.choices(alphabet + "-_", k=156))
        if shape == 1:
            return "sk-ant-api03-" + "".join(rng.choices(alphabet + "-_", k=95))
        if shape == 2:
            return "AIza" + "".join(rng.choices(alphabet + "-_", k=35))
        if shape == 3:
            return "".join(rng.choices("0123456789abcdef", k=32))  # Azure
        return "".join(rng.choices(alphabet + "+/", k=40))  # AWS secret access key

    keys = [key() for _ in range(KEYS)]
    R.clear_secrets()

    start = time.perf_counter()
    for key in keys:
        R.register_secret(key)
    registering = time.perf_counter() - start
    print(
        f"register {KEYS:,} keys: {registering:.3f} s ({registering / KEYS * 1e6:.2f} us each); "
        f"kept {len(R._registry):,} (MAX_SECRETS={R.MAX_SECRETS})"
    )

    body = (
        '{"error": {"message": "Incorrect API key provided. You can find your API key at '
        'https://platform.openai.com/account/api-keys.", "type": "invalid_request_error", '
        '"code": "invalid_api_key"}} '
    )
    texts = {
        "error body, no secret": (body * 20)[:2048],
        "random 2 KB blob": "".join(rng.choices(alphabet + "+/", k=2048)),
        "error body with a key": ((body * 20)[:1900] + " key " + keys[-1] + " end")[:2048],
    }
    total = registering
    for name, text in texts.items():
        start = time.perf_counter()
        for _ in range(REDACTIONS):
            out = R.redact(text)
        took = time.perf_counter() - start
        total += took
        assert keys[-1] not in out
        print(
            f"{REDACTIONS:,} redactions, {name}: {took:.3f} s ({took / REDACTIONS * 1e6:.1f} us each); "
            f"with the registrations: {registering + took:.3f} s"
        )
    R.clear_secrets()
    print(f"all of the above: {total:.3f} s")


if __name__ == "__main__":
    main()
