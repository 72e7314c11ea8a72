"""Field types for request bodies: text a store can hold as it came.

PostgreSQL refuses the NUL character in text, and no citizen types one, so a body
carrying it is answered as invalid (422) rather than failing in the store (500)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator


def _without_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("text must not contain the NUL character")
    return value


Text = Annotated[str, AfterValidator(_without_nul)]
