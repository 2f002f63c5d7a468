"""The report as PDF (WeasyPrint), laid out in a child process while a job writes its other
files."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor


def to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


# The child's whole program: HTML on standard input, the PDF on standard output.
PDF_CHILD = (
    "import sys; from weasyprint import HTML; "
    "sys.stdout.buffer.write(HTML(string=sys.stdin.buffer.read().decode()).write_pdf())"
)


class PendingPdf:
    """A PDF laid out by WeasyPrint in a child process, so that a job writes its other files on
    the other core meanwhile (a report's PDF is half of its job). `result()` waits for it; leaving
    the `with` block stops a child still running (on an error or the task's time limit)."""

    def __init__(self, html: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", PDF_CHILD],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        self.pool = ThreadPoolExecutor(1)
        self.output = self.pool.submit(self.process.communicate, html.encode("utf-8"))

    def result(self) -> bytes:
        pdf, errors = self.output.result()
        if self.process.returncode != 0 or not pdf.startswith(b"%PDF"):
            detail = errors.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
            raise RuntimeError(f"The PDF could not be made: {detail[0]}")
        return pdf

    def __enter__(self) -> PendingPdf:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.pool.shutdown(wait=True)


def preload() -> None:
    """Import the PDF, Word and XLSX libraries and let WeasyPrint load its fonts, as a worker
    does when it starts, so that its first report or summary does not pay for it (~1 s)."""
    import docx  # noqa: F401
    import openpyxl  # noqa: F401

    to_pdf("<p>ISCM</p>")
