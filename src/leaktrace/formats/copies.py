"""Writing one recipient's copy as a file: in the original's format, as PDF, or for e-mail."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from ..errors import InputError
from ..marks.sites import Site
from . import COPY_FORMATS, NO_COPY_AS


_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u2060\ufeff"))


class CopyWriter:
    """Writes copies of one document in one output format; the template is parsed once."""

    def __init__(self, doc_format: str, out_format: str | None, title: str, blob: bytes | None):
        allowed = COPY_FORMATS[doc_format]
        out_format = (out_format or allowed[0]).lower().lstrip(".")
        if out_format not in allowed:
            why = NO_COPY_AS.get((doc_format, out_format))
            raise InputError(f"a {doc_format} document can be written as {', '.join(allowed)}, "
                             f"not {out_format!r}" + (f": {why}" if why else ""))
        self.doc_format, self.format, self.title = doc_format, out_format, title
        self.template = None
        if doc_format in ("docx", "html"):
            if blob is None:
                raise InputError(f"the original {doc_format} file of this document is not in the workspace")
            if doc_format == "docx":
                from . import docx

                self.template = docx.Template(blob, f"the registered original of {title!r}")
            else:
                from . import htmldoc

                self.template = htmldoc.Template(blob, f"the registered original of {title!r}")
        self.kinds = None
        if doc_format == "docx" and out_format == "pdf":
            from . import docx

            self.kinds = docx.paragraph_kinds(blob)
        self.laid_out = None          # formats.pdftemplate.PdfTemplate, once lay_out made one
        self.unavailable: str | None = None
        self.written: Counter = Counter()   # PDF copies: "layout" (written into one layout) or "rendered"

    def lay_out(self, base: str, sites: Sequence[Site]) -> bool:
        """Lay the whole document out once, so that its PDF copies are written into that layout
        (formats.pdftemplate) instead of each being laid out anew; False (and `unavailable` says
        why) where this document's copies are laid out one by one. An HTML original is always
        laid out per copy: its markup, not leaktrace, decides the page."""
        if self.format != "pdf" or self.laid_out is not None:
            return self.laid_out is not None
        from . import pdftemplate, pdfwrite

        if self.doc_format == "html":
            self.unavailable = "an HTML original is laid out per copy"
            return False
        try:
            self.laid_out = pdftemplate.PdfTemplate(
                base, sites, lambda text: self._body(text, None), lambda body: pdfwrite.page(body, self.title),
                pdfwrite.stylesheet(None), pdfwrite.refuse)
        except pdftemplate.Unavailable as e:
            self.unavailable = str(e)
            return False
        return True

    def native(self, text: str, edits: Sequence[tuple[int, int, str]], stamp: str | None,
               keep: Sequence[tuple[int, int]] | None = None) -> bytes:
        """The copy in the original's own format (the attachment of an e-mail copy)."""
        if self.template is not None:
            return self.template.render(edits, stamp, keep)
        return text.encode("utf-8")

    def write(self, text: str, edits: Sequence[tuple[int, int, str]], *, stamp: str | None = None,
              footer: str | None = None, keep: Sequence[tuple[int, int]] | None = None,
              codeword: np.ndarray | None = None) -> bytes:
        """The copy as bytes of the output format (e-mail copies are assembled by formats.mailcopy).

        text: the copy's text; edits: the same copy as edits of the original's text, which the
        structured formats apply inside their runs or text nodes; keep: for a copy of some
        sections, their spans in the original's text (the structured formats drop the rest);
        codeword: the copy's variants as a PDF carries them, which a PDF copy of the whole
        document without a footer is written from when `lay_out` laid the document out."""
        if self.format == "pdf":
            if self.laid_out is not None and codeword is not None and keep is None and not footer:
                data = self.laid_out.write(codeword, stamp)
                if data is not None:
                    self.written["layout"] += 1
                    return data
            self.written["rendered"] += 1
            return self._pdf(text, edits, stamp, footer, keep)
        if self.format in ("txt", "md"):
            return text.encode("utf-8")
        if self.doc_format == "md" and self.format == "docx":     # one document, a copy in another format
            from . import docx

            return docx.from_markdown(text, self.title, stamp)
        if self.doc_format == "md" and self.format == "html":
            from . import htmldoc, pdfwrite

            page = pdfwrite.page(pdfwrite.markdown_html(text), self.title).encode("utf-8")
            return htmldoc.Template(page).render((), stamp)
        return self.native(text, edits, stamp, keep)

    def _kinds(self, keep: Sequence[tuple[int, int]] | None) -> list[str] | None:
        """The paragraph kinds of a Word original's copy: all of them, or those of the kept spans."""
        if self.kinds is None or keep is None:
            return self.kinds
        out, pos = [], 0
        for para in self.template.text.split("\n\n"):
            if para.strip():
                out.append((pos, pos + len(para)))
            pos += len(para) + 2
        return [k for k, (a, b) in zip(self.kinds, out) if any(s < b and e > a for s, e in keep)]

    def _pdf(self, text, edits, stamp, footer, keep=None) -> bytes:
        """A PDF copy. Zero-width characters cannot be read back from a PDF's text and nudge the
        line fitting, so they are left out: a PDF copy carries the typographic, lexical and
        declared marks and the stamp, and looks exactly like the unmarked original otherwise."""
        from . import pdfwrite

        text = text.translate(_ZERO_WIDTH)
        edits = [(s, e, rep.translate(_ZERO_WIDTH)) for s, e, rep in edits]

        if self.doc_format == "html":
            html_copy = self.template.render(edits, None, keep).decode("utf-8")
            return pdfwrite.render(html_copy, stamp=stamp, footer=footer)
        return pdfwrite.render(pdfwrite.page(self._body(text, keep), self.title), stamp=stamp, footer=footer)

    def _body(self, text: str, keep: Sequence[tuple[int, int]] | None) -> str:
        """The HTML body of a PDF copy of a Markdown, plain-text, Word or PDF original."""
        from . import pdfwrite

        if self.doc_format == "md":
            return pdfwrite.markdown_html(text)
        paras = [p for p in text.split("\n\n") if p.strip()]
        kinds = self._kinds(keep)
        kinds = kinds if kinds and len(kinds) == len(paras) else ["p"] * len(paras)
        return pdfwrite.blocks_html(list(zip(kinds, paras)))
