"""Logging as configured in config/settings.py."""

from __future__ import annotations

import logging

import weasyprint


def test_making_a_pdf_does_not_flood_the_log_with_font_subsetting(capfd, caplog, monkeypatch):
    # fontTools subsets the fonts where HarfBuzz's subsetter (libharfbuzz-subset0) is missing.
    monkeypatch.setattr("weasyprint.pdf.fonts.harfbuzz_subset", None)
    caplog.set_level(logging.INFO)
    weasyprint.HTML(string="<p>Résumé, año, naïve</p>").write_pdf()
    out, err = capfd.readouterr()
    assert "pruned" not in err + out
    assert not [r for r in caplog.records if r.name.startswith("fontTools")]
