"""The QR poster and table tents: the code decodes (zxing-cpp) to the join address, the
address, the code and the French and English instructions are printed, on A4 and letter."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from tests.factories import workshop_with_ideas
from workshop.core.export.poster import PAPERS, Sign, poster_pdf, poster_png, tents_pdf

SIGN = Sign(title="Journée « Agir ensemble » — été", address="http://192.168.1.20:5000/j/ABC234",
            code="ABC234", code_label="Code\u00a0:",
            lines=["Scannez le code avec l'appareil photo de votre cellulaire.",
                   "Scan the code with your phone's camera."])


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
                    .split())


@pytest.mark.parametrize("paper", sorted(PAPERS))
def test_the_png_poster_decodes_to_the_join_address(paper):
    image = Image.open(io.BytesIO(poster_png(SIGN, paper)))
    width_mm, height_mm = PAPERS[paper]
    assert image.size == (round(width_mm / 25.4 * 150), round(height_mm / 25.4 * 150))
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [SIGN.address]


@pytest.mark.parametrize("paper", sorted(PAPERS))
def test_the_pdf_poster_says_everything_on_one_page_of_its_paper(paper, tmp_path):
    body = poster_pdf(SIGN, paper)
    reader = PdfReader(io.BytesIO(body))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == \
        tuple(round(v) for v in PAPERS[paper])
    text = _text(body)
    for expected in (SIGN.title, SIGN.address, "ABC234", *SIGN.lines):
        assert expected in text, expected
    if shutil.which("pdftoppm"):  # the vector code, printed, decodes too
        (tmp_path / "p.pdf").write_bytes(body)
        subprocess.run(["pdftoppm", "-png", "-r", "100", str(tmp_path / "p.pdf"),
                        str(tmp_path / "p")], check=True)
        [page] = tmp_path.glob("p*.png")
        assert [r.text for r in zxingcpp.read_barcodes(Image.open(page))] == [SIGN.address]


def test_table_tents_print_the_face_twice_one_upside_down(tmp_path):
    body = tents_pdf(SIGN, "letter")
    text = _text(body)
    assert text.count("ABC234") >= 2 and text.count(SIGN.lines[1]) == 2
    if shutil.which("pdftoppm"):
        (tmp_path / "t.pdf").write_bytes(body)
        subprocess.run(["pdftoppm", "-png", "-r", "100", str(tmp_path / "t.pdf"),
                        str(tmp_path / "t")], check=True)
        [page] = tmp_path.glob("t*.png")
        image = Image.open(page)
        found = zxingcpp.read_barcodes(image)
        assert [r.text for r in found] == [SIGN.address] * 2


def test_the_facilitator_downloads_posters_and_tents(app, db):
    workshop, secret, _ideas = workshop_with_ideas(db)
    with app.test_client() as browser:
        page = browser.get(f"/f/{secret}").get_data(as_text=True)
        for name in ("poster-a4.pdf", "poster-letter.png", "tents-letter.pdf", "tents-a4.pdf"):
            assert f"/f/{secret}/{name}" in page
        answer = browser.get(f"/f/{secret}/poster-letter.png")
        assert answer.status_code == 200 and answer.mimetype == "image/png"
        [found] = zxingcpp.read_barcodes(Image.open(io.BytesIO(answer.data)))
        assert found.text.endswith(f"/j/{workshop.code}")
        text = _text(browser.get(f"/f/{secret}/poster-a4.pdf").data)
        assert "scannez le code" in text and "Scan the code" in text
        for bad in ("poster-a3.pdf", "poster-a4.svg", "tents-a4.png", "flyer-a4.pdf"):
            assert browser.get(f"/f/{secret}/{bad}").status_code == 404
        assert browser.get(f"/f/{'x' * 43}/poster-a4.pdf").status_code == 404
