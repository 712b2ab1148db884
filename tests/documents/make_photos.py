"""Synthetic phone photos of the permit documents owners send: NIB, SPP-IRT, halal certificate, BPOM label/approval.

Run as a script (`python -m tests.documents.make_photos [OUT_DIR]`) or import `make_set` / `make_pdf`.  Everything is
drawn with Pillow from a fixed seed, so the same call gives the same files.  Each page carries its permit number and
distractor numbers (KBLI codes, SPP-IRT letter numbers, the halal fatwa "KH" number, dates, phone numbers, an NIP),
and each photo is degraded like a cheap phone's picture: rotation, perspective, blur, uneven light, noise, JPEG.
"hard" photos are darker, blurrier, more tilted and smaller.  `manifest.json` holds, per photo, the permit and the
number as `conversations.understanding.permit_numbers` stores it.  The files go to a folder of the caller's choice
(default `artifacts/documents/`), never into the repository.
"""

from __future__ import annotations

import io
import json
import random
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from babel.dates import get_month_names
from PIL import Image, ImageDraw, ImageFilter, ImageFont

NORMAL = 35
HARD = 5
SEED = 21
PAGE = (1000, 1400)

_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
_PROVINCES = ("11", "12", "13", "16", "31", "32", "33", "34", "35", "36", "51", "52", "61", "63", "64", "73", "74")
_NAMES = (
    "KERIPIK GADING",
    "DODOL MANIS IBU SRI",
    "TEMPE BAROKAH",
    "KOPI LERENG MURIA",
    "SAMBAL JOSS",
    "ANYAMAN RIZKI",
    "KUE BASAH BU ATIK",
    "BUMBU PECEL MBAH SUM",
    "GULA AREN SEJAHTERA",
    "SARI NANAS SUBANG",
)
_PLACES = ("Kab. Banyumas", "Kab. Kudus", "Kab. Subang", "Kab. Gianyar", "Kota Malang", "Kab. Sleman", "Kab. Bantul")
_PRODUCTS = (
    "Keripik Singkong",
    "Dodol Durian",
    "Tempe Kedelai",
    "Kopi Bubuk",
    "Sambal Bawang",
    "Kue Lapis",
    "Bumbu Pecel",
    "Gula Aren Cair",
    "Sari Buah Nanas",
    "Peyek Kacang",
)
_MONTHS = tuple(get_month_names("wide", locale="id")[month] for month in range(1, 13))  # Januari ...
_KBLI = ("10794", "10796", "10391", "10761", "10772", "16291", "10792", "10722", "10330", "10710")


@dataclass(frozen=True)
class Photo:
    """One generated photo and the truth about it."""

    name: str
    permit: str  # "nib" | "pirt" | "halal" | "bpom" (PermitType values)
    number: str  # canonical value, as permit_numbers stores it
    hard: bool
    layout: str


def _font(size: int, bold: bool = False, serif: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    name = ("DejaVuSerif" if serif else "DejaVuSans") + ("-Bold" if bold else "") + ".ttf"
    for folder in _FONT_DIRS:
        if (folder / name).exists():
            return ImageFont.truetype(str(folder / name), size)
    return ImageFont.load_default(size=size)


# --- numbers -----------------------------------------------------------------------------------------------
def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _nib(rng: random.Random) -> str:
    return rng.choice(("02", "12", "91", "81", "13")) + _digits(rng, 11)


def _pirt(rng: random.Random) -> tuple[str, int]:
    # packaging (1) + food type (2) + kab/kota (4, starting with the province) + product (2) + producer (4)
    body = rng.choice("123456789") + _digits(rng, 2) + rng.choice(_PROVINCES) + _digits(rng, 2 + 2 + 4)
    year = rng.randint(2026, 2031)
    return f"{body}-{year % 100:02d}", year


def _halal(rng: random.Random) -> str:
    return "ID" + rng.choice(_PROVINCES) + _digits(rng, 15)


def _bpom(rng: random.Random) -> tuple[str, str]:
    code = rng.choice(("MD", "MD", "MD", "ML"))
    return code, _digits(rng, rng.choice((12, 15)))


def _phone(rng: random.Random) -> str:
    return "08" + rng.choice("12581") + _digits(rng, rng.choice((8, 9, 10)))


def _date(rng: random.Random, year: int | None = None) -> str:
    return f"{rng.randint(1, 28)} {rng.choice(_MONTHS)} {year or rng.randint(2019, 2025)}"


def _group_nib(nib: str) -> str:
    return f"{nib[:4]} {nib[4:8]} {nib[8:]}"


# --- pages -------------------------------------------------------------------------------------------------
def _nib_page(rng: random.Random) -> tuple[list[tuple[str, int, bool]], str, str]:
    nib = _nib(rng)
    shown = rng.choice((nib, _group_nib(nib)))
    lines = [
        ("PEMERINTAH REPUBLIK INDONESIA", 34, True),
        ("PERIZINAN BERUSAHA BERBASIS RISIKO", 30, True),
        (f"NOMOR INDUK BERUSAHA: {shown}", 34, True),
        ("", 20, False),
        ("Berdasarkan Undang-Undang Nomor 6 Tahun 2023 tentang Cipta Kerja,", 22, False),
        ("Pemerintah Republik Indonesia menerbitkan NIB kepada:", 22, False),
        (f"1. Nama Pelaku Usaha : {rng.choice(_NAMES)}", 24, False),
        (
            f"2. Alamat : Jl. Melati No. {rng.randint(1, 99)} RT 00{rng.randint(1, 9)}/RW 00{rng.randint(1, 9)}",
            24,
            False,
        ),
        (f"   {rng.choice(_PLACES)}", 24, False),
        (f"3. Nomor Telepon : {_phone(rng)}", 24, False),
        ("4. Email : usaha.kecil@gmail.com", 24, False),
        (f"5. Kode KBLI : {rng.choice(_KBLI)}, {rng.choice(_KBLI)}", 24, False),
        ("6. Skala Usaha : Usaha Mikro", 24, False),
        ("", 20, False),
        ("NIB ini berlaku di seluruh wilayah Republik Indonesia selama", 22, False),
        ("menjalankan kegiatan usaha sesuai ketentuan peraturan perundang-undangan.", 22, False),
        (f"Diterbitkan di Jakarta, tanggal: {_date(rng)}", 22, False),
        ("Menteri Investasi/Kepala BKPM", 22, False),
    ]
    return lines, "nib", nib


def _pirt_page(rng: random.Random) -> tuple[list[tuple[str, int, bool]], str, str]:
    number, _year = _pirt(rng)
    place = rng.choice(_PLACES)
    shown = rng.choice((f"P-IRT No. {number}", f"Nomor P-IRT : {number}", f"No. PIRT: {number}"))
    lines = [
        (f"PEMERINTAH {place.upper().replace('KAB.', 'KABUPATEN')}", 30, True),
        ("DINAS PENANAMAN MODAL DAN PTSP", 26, True),
        ("SERTIFIKAT PRODUKSI PANGAN", 32, True),
        ("INDUSTRI RUMAH TANGGA", 32, True),
        (f"Nomor: 503/{rng.randint(10, 999)}/SPP-IRT/{rng.randint(2020, 2025)}", 24, False),
        ("", 20, False),
        ("Diberikan kepada:", 22, False),
        (f"Nama Perusahaan : {rng.choice(_NAMES)}", 24, False),
        (f"NIB : {_nib(rng)}", 24, False) if rng.random() < 0.5 else (f"Kode KBLI : {rng.choice(_KBLI)}", 24, False),
        (f"Alamat : Dusun Krajan RT 0{rng.randint(1, 9)}/0{rng.randint(1, 9)}, {place}", 24, False),
        (f"Telp/HP : {_phone(rng)}", 24, False),
        (f"Jenis Pangan : {rng.randint(1, 16):02d} {rng.choice(_PRODUCTS)}", 24, False),
        (shown, 28, True),
        ("", 20, False),
        ("Sertifikat ini berlaku 5 (lima) tahun", 22, False),
        (f"{place}, {_date(rng)}", 22, False),
        ("Kepala Dinas", 22, False),
        (f"NIP. {_digits(rng, 8)} {_digits(rng, 6)} 1 00{rng.randint(1, 9)}", 22, False),
    ]
    return lines, "pirt", number


def _halal_page(rng: random.Random) -> tuple[list[tuple[str, int, bool]], str, str]:
    number = _halal(rng)
    year = rng.randint(2021, 2025)
    lines = [
        ("KEMENTERIAN AGAMA REPUBLIK INDONESIA", 26, True),
        ("BADAN PENYELENGGARA JAMINAN PRODUK HALAL", 26, True),
        ("SERTIFIKAT HALAL", 40, True),
        (f"Nomor: {number}", 30, True),
        ("", 20, False),
        ("Diberikan kepada:", 22, False),
        (f"Nama Pelaku Usaha : {rng.choice(_NAMES)}", 24, False),
        (f"Alamat : Jl. Kenanga No. {rng.randint(1, 99)}, {rng.choice(_PLACES)}", 24, False),
        (f"Nama Produk : {rng.choice(_PRODUCTS)}", 24, False),
        ("Jenis Produk : Makanan ringan", 24, False),
        (f"Nomor Ketetapan Halal : KH.{rng.randint(10, 999):03d}/{rng.randint(1, 12):02d}/{year}", 24, False),
        (f"Tanggal Terbit : {_date(rng, year)}", 24, False),
        ("Sertifikat ini berlaku sejak tanggal terbit selama tidak ada", 22, False),
        ("perubahan komposisi bahan dan/atau proses produk halal.", 22, False),
        (f"Jakarta, {_date(rng, year)}", 22, False),
        ("Kepala Badan", 22, False),
    ]
    return lines, "halal", number


def _bpom_page(rng: random.Random) -> tuple[list[tuple[str, int, bool]], str, str]:
    code, digits = _bpom(rng)
    if rng.random() < 0.5:
        lines = [
            (rng.choice(_PRODUCTS).upper(), 44, True),
            (rng.choice(_NAMES), 30, True),
            ("", 20, False),
            ("Komposisi: singkong, minyak sawit, garam, bawang putih,", 22, False),
            ("cabai, gula, penyedap rasa.", 22, False),
            (f"Berat bersih / Netto: {rng.choice((100, 150, 200, 250))} g", 26, False),
            (f"BPOM RI {code} {digits}", 32, True),
            ("", 20, False),
            ("Diproduksi oleh:", 22, False),
            (f"CV {rng.choice(_NAMES)}, {rng.choice(_PLACES)}", 22, False),
            (f"Telp. (0{rng.randint(21, 99)}) {_digits(rng, 7)}", 22, False),
            (f"Kode Produksi: {_digits(rng, 6)}", 22, False),
            (
                f"Baik digunakan sebelum: {rng.randint(1, 28):02d} {rng.randint(1, 12):02d} {rng.randint(2026, 2028)}",
                22,
                False,
            ),
        ]
        layout = "bpom-label"
    else:
        lines = [
            ("BADAN PENGAWAS OBAT DAN MAKANAN", 28, True),
            ("REPUBLIK INDONESIA", 28, True),
            ("PERSETUJUAN PENDAFTARAN PANGAN OLAHAN", 26, True),
            (
                f"Nomor: B-RG.01.06.{rng.randint(1, 9)}.{rng.randint(10, 99)}.{rng.randint(1, 12):02d}"
                f".{rng.randint(20, 25)}.{_digits(rng, 4)}",
                22,
                False,
            ),
            ("", 20, False),
            (f"Nama Produk : {rng.choice(_PRODUCTS)}", 24, False),
            (f"Merek : {rng.choice(_NAMES)}", 24, False),
            (f"Nama Pendaftar : PT {rng.choice(_NAMES)}", 24, False),
            (
                f"NPWP : {_digits(rng, 2)}.{_digits(rng, 3)}.{_digits(rng, 3)}.{_digits(rng, 1)}-{_digits(rng, 3)}.000",
                24,
                False,
            ),
            (f"Nomor Izin Edar : BPOM RI {code} {digits}", 28, True),
            (f"Berlaku sampai : {_date(rng, rng.randint(2026, 2030))}", 24, False),
            (f"Jakarta, {_date(rng)}", 22, False),
            ("Direktur Registrasi Pangan Olahan", 22, False),
        ]
        layout = "bpom-approval"
    return lines, layout, code + digits


_MAKERS = {"nib": _nib_page, "pirt": _pirt_page, "halal": _halal_page, "bpom": _bpom_page}


def _render_page(lines: list[tuple[str, int, bool]], rng: random.Random) -> Image.Image:
    page = Image.new("RGB", PAGE, (250, 249, 244))
    draw = ImageDraw.Draw(page)
    serif = rng.random() < 0.4
    y = 70
    for text, size, bold in lines:
        if text:
            font = _font(size, bold, serif)
            width = draw.textlength(text, font=font)
            while width > PAGE[0] - 100 and size > 14:
                size -= 1
                font = _font(size, bold, serif)
                width = draw.textlength(text, font=font)
            x = (PAGE[0] - width) / 2 if bold else 60
            draw.text((x, y), text, fill=(20, 20, 25), font=font)
        y += int(size * 1.6)
    # A phone frames the printed part: the page ends a little below the last line.
    height = min(PAGE[1], max(y + 80, 900))
    page = page.crop((0, 0, PAGE[0], height))
    ImageDraw.Draw(page).rectangle((20, 20, PAGE[0] - 20, height - 20), outline=(40, 90, 60), width=6)
    return page


def _perspective_coeffs(src: list[tuple[float, float]], dst: list[tuple[float, float]]) -> list[float]:
    """Coefficients for Image.transform(PERSPECTIVE) mapping output points `dst` to input points `src`."""
    import numpy as np

    rows = []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    a = np.array(rows, dtype=float)
    b = np.array([c for point in src for c in point], dtype=float)
    return list(np.linalg.solve(a, b))


def _photograph(page: Image.Image, rng: random.Random, hard: bool) -> bytes:
    import numpy as np

    w, h = page.size
    canvas_w, canvas_h = int(w * 1.25), int(h * 1.2)
    table = tuple(rng.randint(60, 140) for _ in range(3))
    photo = Image.new("RGB", (canvas_w, canvas_h), table)
    # Perspective: the page's corners land in a jittered quadrilateral inside the canvas.
    jitter = 0.09 if hard else 0.05
    ox, oy = (canvas_w - w) / 2, (canvas_h - h) / 2
    corners = [(ox, oy), (ox + w, oy), (ox + w, oy + h), (ox, oy + h)]
    dst = [(x + rng.uniform(-jitter, jitter) * w, y + rng.uniform(-jitter, jitter) * h) for x, y in corners]
    coeffs = _perspective_coeffs([(0, 0), (w, 0), (w, h), (0, h)], dst)
    warped = page.transform((canvas_w, canvas_h), Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC)
    mask = Image.new("L", page.size, 255).transform(
        (canvas_w, canvas_h), Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BILINEAR
    )
    photo.paste(warped, (0, 0), mask)
    angle = rng.uniform(-14, 14) if hard else rng.uniform(-4, 4)
    photo = photo.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=table)
    # Phone resolution: long side about 1600 (hard: 1100).
    scale = (1100 if hard else 1600) / max(photo.size)
    photo = photo.resize((int(photo.width * scale), int(photo.height * scale)), Image.Resampling.LANCZOS)
    photo = photo.filter(ImageFilter.GaussianBlur(rng.uniform(1.4, 2.0) if hard else rng.uniform(0.3, 1.0)))
    # Uneven light: a brightness gradient from one corner, darker overall when hard.
    pixels = np.asarray(photo, dtype=np.float32)
    yy, xx = np.mgrid[0 : photo.height, 0 : photo.width]
    cx, cy = rng.uniform(0, photo.width), rng.uniform(0, photo.height)
    distance = np.hypot(xx - cx, yy - cy) / max(photo.size)
    low = rng.uniform(0.35, 0.5) if hard else rng.uniform(0.6, 0.85)
    light = 1.0 - (1.0 - low) * np.clip(distance, 0, 1)
    pixels *= light[..., None] * (rng.uniform(0.6, 0.75) if hard else rng.uniform(0.9, 1.05))
    noise = np.random.default_rng(rng.randint(0, 2**31)).normal(0, 9 if hard else 4, pixels.shape)
    pixels = np.clip(pixels + noise, 0, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "JPEG", quality=rng.randint(22, 35) if hard else rng.randint(55, 80))
    return out.getvalue()


def make_set(out_dir: str | Path, seed: int = SEED, normal: int = NORMAL, hard: int = HARD) -> list[Photo]:
    """Write `normal` + `hard` photos and manifest.json into `out_dir`; return their descriptions."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    kinds = list(_MAKERS)
    photos: list[Photo] = []
    for index in range(normal + hard):
        is_hard = index >= normal
        kind = kinds[index % len(kinds)]
        lines, layout, number = _MAKERS[kind](rng)
        layout = layout if layout.startswith("bpom") else kind
        name = f"{index:02d}-{'hard' if is_hard else 'normal'}-{layout}.jpg"
        (out / name).write_bytes(_photograph(_render_page(lines, rng), rng, is_hard))
        photos.append(Photo(name, kind, number, is_hard, layout))
    (out / "manifest.json").write_text(json.dumps([asdict(p) for p in photos], indent=1), encoding="utf-8")
    return photos


def make_pdf(out_dir: str | Path, seed: int = SEED) -> Photo:
    """An OSS-style NIB print-out as a PDF with a text layer (fpdf2); returns its truth."""
    from fpdf import FPDF

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    lines, _, nib = _nib_page(random.Random(seed + 1))
    pdf = FPDF(format="A4")
    pdf.add_page()
    regular = _FONT_DIRS[0] / "DejaVuSans.ttf"
    if regular.exists():
        pdf.add_font("DejaVu", "", str(regular))
        pdf.add_font("DejaVu", "B", str(_FONT_DIRS[0] / "DejaVuSans-Bold.ttf"))
        family = "DejaVu"
    else:
        family = "Helvetica"
    for text, size, bold in lines:
        pdf.set_font(family, "B" if bold else "", size * 0.5)
        pdf.cell(0, size * 0.35, text, new_x="LMARGIN", new_y="NEXT", align="C" if bold else "L")
    name = "nib-oss.pdf"
    pdf.output(str(out / name))
    return Photo(name, "nib", nib, False, "nib-pdf")


def main(argv: list[str]) -> None:
    out = Path(argv[1]) if len(argv) > 1 else Path("artifacts/documents")
    photos = make_set(out)
    pdf = make_pdf(out)
    print(f"{len(photos)} photos and {pdf.name} in {out}")


if __name__ == "__main__":
    main(sys.argv)
