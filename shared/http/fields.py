"""Field types for request bodies: text a store can hold as it came.

PostgreSQL refuses the NUL character in text, and no citizen types one; JSON can
escape half a character (a lone surrogate), which has no UTF-8 form to store or
publish. A body carrying either is answered as invalid (422), never failed in the
store or in the answer (500)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator


def _storable(value: str) -> str:
    if "\x00" in value:
        raise ValueError("text must not contain the NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text must be whole Unicode characters") from None
    return value


Text = Annotated[str, AfterValidator(_storable)]
