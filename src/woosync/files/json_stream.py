"""A JSON product file read one product at a time: the list (or the ``products`` list of an
object) is never built whole, so a file of any length needs the memory of one product.

Each product is decoded by the standard library's decoder (``raw_decode``) from a window of the
file; only the punctuation between products is read here. Errors read as ``json.loads`` words
them, with the line and column in the whole file.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import IO, Any

from woosync.core.errors import ValidationError

_CHUNK = 1 << 20  # characters read at a time
_CUT = 64  # an error this close to the window's end may only be the window's end
_SPACE = " \t\r\n"
_PRODUCTS = "products"


class JsonProducts:
    """Iterate to get the products of a JSON file in order; afterwards :attr:`document` is the
    rest of the file: the object around the ``products`` list (without it), or the whole value
    when the file is neither a list nor such an object (one product, or something wrong).

    ``hook`` is the decoder's ``object_pairs_hook``. :attr:`streamed` says whether a list was met.
    """

    def __init__(
        self, handle: IO[str], source: str, hook: Callable[[list[tuple[str, Any]]], Any]
    ) -> None:
        self._handle = handle
        self._source = source
        self._hook = hook
        self._decoder = json.JSONDecoder(object_pairs_hook=hook)
        self._text = ""
        self._pos = 0
        self._eof = False
        self._line = 0  # newlines before the window
        self._column = 0  # characters between the last of them and the window
        self.document: Any = None
        self.streamed = False

    # the window ---------------------------------------------------------------------------
    def _fill(self) -> bool:
        if self._eof:
            return False
        chunk = self._handle.read(_CHUNK)
        if not chunk:
            self._eof = True
            return False
        done = self._text[: self._pos]
        newlines = done.count("\n")
        if newlines:
            self._line += newlines
            self._column = len(done) - done.rfind("\n") - 1
        else:
            self._column += len(done)
        self._text = self._text[self._pos :] + chunk
        self._pos = 0
        return True

    def _peek(self) -> str:
        """The next character that is not white space ('' at the end of the file)."""
        while True:
            text, pos = self._text, self._pos
            while pos < len(text) and text[pos] in _SPACE:
                pos += 1
            self._pos = pos
            if pos < len(text):
                return text[pos]
            if not self._fill():
                return ""

    def _error(self, message: str, pos: int) -> json.JSONDecodeError:
        """A decode error at ``pos`` of the window, placed in the whole file."""
        before = self._text[:pos]
        newlines = before.count("\n")
        line = self._line + newlines + 1
        column = len(before) - before.rfind("\n") if newlines else self._column + len(before) + 1
        error = json.JSONDecodeError(message, self._text, pos)
        error.lineno, error.colno = line, column
        return error

    def _value(self) -> Any:
        """Decode the value at the window's position (reading more of the file as it needs)."""
        self._peek()
        while True:
            try:
                value, end = self._decoder.raw_decode(self._text, self._pos)
            except json.JSONDecodeError as exc:
                # cut by the window's end (a value, an escape or a literal split in two)?
                cut = exc.pos >= len(self._text) - _CUT or exc.msg.startswith("Unterminated")
                if cut and self._fill():
                    continue
                raise self._error(exc.msg, exc.pos) from None
            except RecursionError:
                raise ValidationError(
                    f"{self._source}: nested too deeply to read (about 1,000 levels or more)",
                    hint="a product file needs only a few levels",
                ) from None
            if end >= len(self._text) and self._fill():
                continue  # a number may go on in the next chunk: decode it again whole
            self._pos = end
            return value

    def _expect(self, wanted: str, message: str) -> str:
        found = self._peek()
        if not found or found not in wanted:
            raise self._error(message, self._pos)
        self._pos += 1
        return found

    # the structure -------------------------------------------------------------------------
    def __iter__(self) -> Iterator[Any]:
        first = self._peek()
        if first == "[":
            self.streamed = True
            yield from self._list()
        elif first == "{":
            yield from self._object()
        else:
            if not first:
                raise self._error("Expecting value", self._pos)
            self.document = self._value()
        if self._peek():
            raise self._error("Extra data", self._pos)

    def _list(self) -> Iterator[Any]:
        self._pos += 1  # '['
        if self._peek() == "]":
            self._pos += 1
            return
        while True:
            if self._peek() == "]":
                raise self._error("Expecting value", self._pos)  # a trailing comma
            yield self._value()
            if self._expect(",]", "Expecting ',' delimiter") == "]":
                return

    def _object(self) -> Iterator[Any]:
        self._pos += 1  # '{'
        pairs: list[tuple[str, Any]] = []
        if self._peek() == "}":
            self._pos += 1
            self.document = self._hook(pairs)
            return
        while True:
            if self._peek() != '"':
                message = "Expecting property name enclosed in double quotes"
                raise self._error(message, self._pos)
            key = self._value()
            self._expect(":", "Expecting ':' delimiter")
            if key == _PRODUCTS and self._peek() == "[":
                if self.streamed:
                    raise ValidationError(f"{self._source}: key 'products' appears twice")
                self.streamed = True
                yield from self._list()
            else:
                pairs.append((key, self._value()))
            if self._expect(",}", "Expecting ',' delimiter") == "}":
                break
        self.document = self._hook(pairs)
