"""Demo province "Tỉnh Sơn Nam": its organisation tree, the 1/7/2025 commune mergers and district dissolutions.

Pure data, no Django: the demo seed command reads it and writes the organisation models. The province is
fictional; names are plausible Northern-Vietnam names, all strings in Unicode NFC, official (old-style)
tone placement as in legal texts ("hóa", "Hòa", "Thủy").

What is modelled
- ``PROVINCE`` (``H99`` / ``000.00.00.H99``) with, directly under it, the Trung tâm Phục vụ hành chính công
  tỉnh, 16 departments (sở, ban, ngành) as they stand after the March 2025 restructuring (Sở Kế hoạch và
  Đầu tư merged into Sở Tài chính, Sở Tài nguyên và Môi trường + Sở Nông nghiệp và PTNT into Sở Nông
  nghiệp và Môi trường, Sở Giao thông vận tải into Sở Xây dựng, Sở Thông tin và Truyền thông into Sở Khoa
  học và Công nghệ, Sở Lao động - TB&XH split between Sở Nội vụ and Sở Y tế). Sơn Nam is taken to be a
  border province with ethnic-minority areas, so it keeps Sở Ngoại vụ and has Sở Dân tộc và Tôn giáo.
  Công an tỉnh is not an agency of the UBND but is included because it receives many procedures
  (residence, ID cards, driving licences) through the provincial system; Bảo hiểm xã hội is left out.
  Departments carry no dates: history before 2025 is not modelled.
- Four districts (huyện / thành phố) valid until 30/6/2025, each with its old communes, wards and towns,
  also valid until 30/6/2025 (two-level local government from 1/7/2025 under the 2025 amendment of the
  Constitution and the 2025 Law on the Organisation of Local Government).
- Twenty new communes and wards, valid from 1/7/2025, directly under the province; each one is the
  successor of 2–3 old communes of one former district (``MERGERS``). The districts are in
  ``DISSOLUTIONS``.

Codes (see DOMAIN.md §2)
- ``code``: QĐ 20/2020/QĐ-TTg form, level 1 on the left. ``H99.1NN`` departments (``H99.100`` is the
  provincial service centre), ``H99.2NN`` districts, ``H99.2NN.CC`` old communes (``CC`` from 11),
  ``H99.3NN`` new communes. Internal units take ``<parent>.NN``; ``.01`` is always the one-stop unit and
  ``.02`` onwards the divisions, so a district's own units (``.01``–``.03``) never collide with its
  communes (``.11`` onwards).
- ``legacy_code``: QCVN 102:2016 form ``ddd.dd.dd.H99``, level 1 on the right; every unit has one.
  Departments ``000.00.NN.H99`` (NN = 01–16), service centre ``000.00.20.H99``, districts
  ``000.00.2N.H99`` (21–24, the same N as ``H99.20N``), old communes ``000.CC.DD.H99`` (CC = the commune's
  new-code suffix, DD = its district's), new communes ``000.00.NN.H99`` with NN = 61–80. An internal
  unit replaces the parent's level-4 ``000`` with ``0NN`` where NN is its new-code suffix, e.g.
  ``H99.103.02`` ↔ ``002.00.03.H99``.
- A parent's legacy code is always its child's legacy code with the leftmost non-zero group set to zero,
  and a child's new code always starts with its parent's code and a dot; the self-check asserts both.

Run ``python -m egov.demo.data`` to check the data and print the counts.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

__all__ = [
    "Unit",
    "Merger",
    "PROVINCE",
    "MERGERS",
    "DISSOLUTIONS",
    "PROVINCE_CODE",
    "PROVINCE_LEGACY_CODE",
    "REFORM_DATE",
    "OLD_REGIME_LAST_DAY",
    "KINDS",
    "iter_units",
    "units_by_code",
]


@dataclass(frozen=True)
class Unit:
    """One organisation of the demo tree (agency, internal division, one-stop unit...)."""

    code: str  # QĐ 20/2020 form, level 1 on the left, [0-9A-Z.], <= 35 chars
    legacy_code: str | None  # QCVN 102:2016 form "ddd.dd.dd.H99", level 1 on the right
    name: str
    short_name: str
    kind: str  # one of KINDS
    valid_from: date | None = None
    valid_to: date | None = None  # inclusive last day
    children: tuple[Unit, ...] = ()


@dataclass(frozen=True)
class Merger:
    """Old units merged into one successor on ``effective_on`` (their history stays with them)."""

    sources: tuple[str, ...]
    successor: str
    effective_on: date


KINDS = ("province", "department", "district", "commune", "division", "one_stop", "service_centre")

PROVINCE_CODE = "H99"
PROVINCE_LEGACY_CODE = "000.00.00.H99"
# Two-level local government: districts dissolved and communes merged on 1/7/2025.
REFORM_DATE = date(2025, 7, 1)
OLD_REGIME_LAST_DAY = date(2025, 6, 30)


# --------------------------------------------------------------------------------------------------
# Source tables
# --------------------------------------------------------------------------------------------------

# (NN, name, short name, ((division name, division short name), ...))
# NN gives code H99.1NN and legacy 000.00.NN.H99.
_DEPARTMENTS: tuple[tuple[int, str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        1,
        "Văn phòng UBND tỉnh",
        "VPUBND",
        (
            ("Phòng Tổng hợp", "Phòng TH"),
            ("Phòng Kinh tế", "Phòng KT"),
            ("Phòng Khoa giáo - Văn xã", "Phòng KGVX"),
            ("Phòng Hành chính - Tổ chức", "Phòng HCTC"),
        ),
    ),
    (
        2,
        "Sở Nội vụ",
        "SNV",
        (
            ("Phòng Tổ chức, biên chế và tổ chức phi chính phủ", "Phòng TCBC"),
            ("Phòng Công chức, viên chức", "Phòng CCVC"),
            ("Phòng Xây dựng chính quyền và công tác thanh niên", "Phòng XDCQ"),
            ("Phòng Lao động, tiền lương và bảo hiểm xã hội", "Phòng LĐTL"),
        ),
    ),
    (
        3,
        "Sở Tư pháp",
        "STP",
        (
            ("Phòng Hành chính tư pháp", "Phòng HCTP"),
            ("Phòng Bổ trợ tư pháp", "Phòng BTTP"),
            ("Phòng Xây dựng, kiểm tra và theo dõi thi hành pháp luật", "Phòng XDKTVB"),
        ),
    ),
    (
        4,
        "Sở Tài chính",
        "STC",
        (
            ("Phòng Đăng ký kinh doanh", "Phòng ĐKKD"),
            ("Phòng Quản lý ngân sách", "Phòng QLNS"),
            ("Phòng Quản lý giá và công sản", "Phòng QLG&CS"),
            ("Phòng Quản lý đầu tư", "Phòng QLĐT"),
        ),
    ),
    (
        5,
        "Sở Xây dựng",
        "SXD",
        (
            ("Phòng Quản lý hoạt động xây dựng", "Phòng QLHĐXD"),
            ("Phòng Quy hoạch - Kiến trúc", "Phòng QHKT"),
            ("Phòng Quản lý vận tải, phương tiện và người lái", "Phòng QLVT"),
            ("Phòng Phát triển đô thị và hạ tầng kỹ thuật", "Phòng PTĐT"),
        ),
    ),
    (
        6,
        "Sở Công Thương",
        "SCT",
        (
            ("Phòng Quản lý công nghiệp", "Phòng QLCN"),
            ("Phòng Quản lý thương mại", "Phòng QLTM"),
            ("Phòng Quản lý năng lượng", "Phòng QLNL"),
        ),
    ),
    (
        7,
        "Sở Nông nghiệp và Môi trường",
        "SNNMT",
        (
            ("Phòng Quản lý đất đai", "Phòng QLĐĐ"),
            ("Phòng Môi trường", "Phòng MT"),
            ("Phòng Tài nguyên nước và khoáng sản", "Phòng TNN&KS"),
            ("Phòng Trồng trọt và bảo vệ thực vật", "Phòng TT&BVTV"),
        ),
    ),
    (
        8,
        "Sở Giáo dục và Đào tạo",
        "SGDĐT",
        (
            ("Phòng Giáo dục phổ thông", "Phòng GDPT"),
            ("Phòng Quản lý chất lượng", "Phòng QLCL"),
            ("Phòng Tổ chức cán bộ", "Phòng TCCB"),
        ),
    ),
    (
        9,
        "Sở Y tế",
        "SYT",
        (
            ("Phòng Nghiệp vụ Y", "Phòng NVY"),
            ("Phòng Nghiệp vụ Dược", "Phòng NVD"),
            ("Phòng Bảo trợ xã hội và trẻ em", "Phòng BTXH&TE"),
        ),
    ),
    (
        10,
        "Sở Văn hóa, Thể thao và Du lịch",
        "SVHTTDL",
        (
            ("Phòng Quản lý văn hóa và gia đình", "Phòng QLVH&GĐ"),
            ("Phòng Quản lý thể dục thể thao", "Phòng QLTDTT"),
            ("Phòng Quản lý du lịch", "Phòng QLDL"),
        ),
    ),
    (
        11,
        "Sở Khoa học và Công nghệ",
        "SKHCN",
        (
            ("Phòng Quản lý khoa học", "Phòng QLKH"),
            ("Phòng Bưu chính, viễn thông", "Phòng BCVT"),
            ("Phòng Chuyển đổi số", "Phòng CĐS"),
            ("Phòng Quản lý tiêu chuẩn, đo lường, chất lượng", "Phòng TĐC"),
        ),
    ),
    (
        12,
        "Sở Dân tộc và Tôn giáo",
        "SDTTG",
        (
            ("Phòng Chính sách dân tộc", "Phòng CSDT"),
            ("Phòng Quản lý tôn giáo", "Phòng QLTG"),
        ),
    ),
    (
        13,
        "Sở Ngoại vụ",
        "SNgV",
        (
            ("Phòng Lãnh sự và người Việt Nam ở nước ngoài", "Phòng LS"),
            ("Phòng Hợp tác quốc tế", "Phòng HTQT"),
            ("Phòng Quản lý biên giới", "Phòng QLBG"),
        ),
    ),
    (
        14,
        "Thanh tra tỉnh",
        "TTT",
        (
            ("Phòng Tiếp công dân và xử lý đơn thư", "Phòng TCD&XLĐT"),
            ("Phòng Thanh tra kinh tế - xã hội", "Phòng TTKTXH"),
            ("Phòng Phòng, chống tham nhũng", "Phòng PCTN"),
        ),
    ),
    (
        15,
        "Ban Quản lý các khu công nghiệp tỉnh",
        "BQLKCN",
        (
            ("Phòng Quản lý đầu tư", "Phòng QLĐT"),
            ("Phòng Quản lý quy hoạch và xây dựng", "Phòng QLQH&XD"),
            ("Phòng Quản lý lao động và doanh nghiệp", "Phòng QLLĐ&DN"),
        ),
    ),
    (
        16,
        "Công an tỉnh",
        "CAT",
        (
            ("Phòng Cảnh sát quản lý hành chính về trật tự xã hội", "PC06"),
            ("Phòng Cảnh sát giao thông", "PC08"),
            ("Phòng Quản lý xuất nhập cảnh", "PA08"),
        ),
    ),
)

# Districts: (N, kind word, place name, short name, ((division name, short name), (division name, short name)),
#             ((CC, old commune "xã …"/"phường …"/"thị trấn …"), ...))
# N gives code H99.20N and legacy 000.00.2N.H99; CC gives H99.20N.CC and legacy 000.CC.2N.H99.
_DISTRICTS: tuple[tuple[int, str, str, str, tuple[tuple[str, str], ...], tuple[tuple[int, str], ...]], ...] = (
    (
        1,
        "thành phố",
        "Sơn Nam",
        "UBND TP Sơn Nam",
        (
            ("Phòng Quản lý đô thị", "Phòng QLĐT"),
            ("Phòng Tư pháp", "Phòng TP"),
        ),
        (
            (11, "phường Quang Trung"),
            (12, "phường Trần Phú"),
            (13, "phường Lê Lợi"),
            (14, "phường Minh Khai"),
            (15, "phường Ngọc Châu"),
            (16, "phường Đông Thành"),
            (17, "phường Nam Thành"),
            (18, "phường Tân Bình"),
            (19, "xã Hưng Đạo"),
            (20, "xã An Thịnh"),
            (21, "xã Phú Xuân"),
            (22, "xã Đại Đồng"),
        ),
    ),
    (
        2,
        "huyện",
        "Yên Khánh",
        "UBND huyện Yên Khánh",
        (
            ("Phòng Tài nguyên và Môi trường", "Phòng TN&MT"),
            ("Phòng Tư pháp", "Phòng TP"),
        ),
        (
            (11, "thị trấn Yên Ninh"),
            (12, "xã Khánh An"),
            (13, "xã Khánh Hòa"),
            (14, "xã Khánh Thiện"),
            (15, "xã Khánh Lợi"),
            (16, "xã Yên Mỹ"),
            (17, "xã Yên Phong"),
            (18, "xã Yên Thắng"),
            (19, "xã Đông Phong"),
            (20, "xã Gia Thủy"),
            (21, "xã Gia Trung"),
            (22, "xã Tiên Phong"),
        ),
    ),
    (
        3,
        "huyện",
        "Kim Thành",
        "UBND huyện Kim Thành",
        (
            ("Phòng Lao động - Thương binh và Xã hội", "Phòng LĐTBXH"),
            ("Phòng Tư pháp", "Phòng TP"),
        ),
        (
            (11, "thị trấn Phú Lộc"),
            (12, "xã Kim Lan"),
            (13, "xã Kim Đức"),
            (14, "xã Kim Bình"),
            (15, "xã Thành Công"),
            (16, "xã Thành Lợi"),
            (17, "xã Cẩm Hà"),
            (18, "xã Cẩm Vân"),
            (19, "xã Tam Đa"),
            (20, "xã Liên Hòa"),
            (21, "xã Ngũ Lão"),
        ),
    ),
    (
        4,
        "huyện",
        "Thanh Lâm",
        "UBND huyện Thanh Lâm",
        (
            ("Phòng Kinh tế và Hạ tầng", "Phòng KT&HT"),
            ("Phòng Tư pháp", "Phòng TP"),
        ),
        (
            (11, "thị trấn Hà Lâm"),
            (12, "xã Thanh Hải"),
            (13, "xã Lâm Hưng"),
            (14, "xã Thanh Tùng"),
            (15, "xã Thanh Xá"),
            (16, "xã Hồng Phong"),
            (17, "xã Hồng Quang"),
            (18, "xã Quyết Thắng"),
            (19, "xã Tân Dân"),
            (20, "xã Đoàn Kết"),
            (21, "xã Trung Hòa"),
        ),
    ),
)

# New communes and wards from 1/7/2025: (NN, "xã …"/"phường …", (old commune codes merged into it)).
# NN gives code H99.3NN and legacy 000.00.(60+NN).H99.
_NEW_COMMUNES: tuple[tuple[int, str, tuple[str, ...]], ...] = (
    # former thành phố Sơn Nam
    (1, "phường Sơn Nam", ("H99.201.11", "H99.201.12", "H99.201.13")),
    (2, "phường Châu Sơn", ("H99.201.14", "H99.201.15")),
    (3, "phường Thành Nam", ("H99.201.16", "H99.201.17", "H99.201.18")),
    (4, "phường Hưng Thịnh", ("H99.201.19", "H99.201.20")),
    (5, "xã Phú Đồng", ("H99.201.21", "H99.201.22")),
    # former huyện Yên Khánh
    (6, "xã Yên Khánh", ("H99.202.11", "H99.202.16", "H99.202.17")),
    (7, "xã Khánh Hội", ("H99.202.12", "H99.202.13")),
    (8, "xã Khánh Thành", ("H99.202.14", "H99.202.15")),
    (9, "xã Yên Đông", ("H99.202.18", "H99.202.19")),
    (10, "xã Gia Tiên", ("H99.202.20", "H99.202.21", "H99.202.22")),
    # former huyện Kim Thành
    (11, "xã Kim Thành", ("H99.203.11", "H99.203.12", "H99.203.13")),
    (12, "xã Bình Thành", ("H99.203.14", "H99.203.15")),
    (13, "xã Thành Hà", ("H99.203.16", "H99.203.17")),
    (14, "xã Vân Đa", ("H99.203.18", "H99.203.19")),
    (15, "xã Ngũ Liên", ("H99.203.20", "H99.203.21")),
    # former huyện Thanh Lâm
    (16, "xã Thanh Lâm", ("H99.204.11", "H99.204.12", "H99.204.13")),
    (17, "xã Thanh Xuân", ("H99.204.14", "H99.204.15")),
    (18, "xã Hồng Thái", ("H99.204.16", "H99.204.17")),
    (19, "xã Quyết Tiến", ("H99.204.18", "H99.204.19")),
    (20, "xã Đại Hòa", ("H99.204.20", "H99.204.21")),
)

# NĐ 150/2025/NĐ-CP (verify): a commune has the Văn phòng HĐND và UBND, the Phòng Văn hóa - Xã hội and
# the Phòng Kinh tế; a ward has the Phòng Kinh tế, Hạ tầng và Đô thị instead of the Phòng Kinh tế.
_NEW_COMMUNE_DIVISIONS = {
    "xã": (("Phòng Kinh tế", "Phòng KT"), ("Phòng Văn hóa - Xã hội", "Phòng VH-XH")),
    "phường": (("Phòng Kinh tế, Hạ tầng và Đô thị", "Phòng KT-HT-ĐT"), ("Phòng Văn hóa - Xã hội", "Phòng VH-XH")),
}


# --------------------------------------------------------------------------------------------------
# Building the tree
# --------------------------------------------------------------------------------------------------


def _child_legacy(parent_legacy: str, nn: int) -> str:
    """Legacy code of an internal unit: the parent's with level 4 (leftmost group) set to ``0NN``."""
    return f"{nn:03d}{parent_legacy[3:]}"


def _one_stop(
    parent_code: str, parent_legacy: str, name: str, short_name: str, valid_from: date | None, valid_to: date | None
) -> Unit:
    return Unit(
        code=f"{parent_code}.01",
        legacy_code=_child_legacy(parent_legacy, 1),
        name=name,
        short_name=short_name,
        kind="one_stop",
        valid_from=valid_from,
        valid_to=valid_to,
    )


def _divisions(
    parent_code: str,
    parent_legacy: str,
    divisions: tuple[tuple[str, str], ...],
    valid_from: date | None,
    valid_to: date | None,
) -> tuple[Unit, ...]:
    return tuple(
        Unit(
            code=f"{parent_code}.{nn:02d}",
            legacy_code=_child_legacy(parent_legacy, nn),
            name=name,
            short_name=short_name,
            kind="division",
            valid_from=valid_from,
            valid_to=valid_to,
        )
        for nn, (name, short_name) in enumerate(divisions, start=2)
    )


def _department(nn: int, name: str, short_name: str, divisions: tuple[tuple[str, str], ...]) -> Unit:
    code = f"{PROVINCE_CODE}.1{nn:02d}"
    legacy = f"000.00.{nn:02d}.H99"
    return Unit(
        code=code,
        legacy_code=legacy,
        name=name,
        short_name=short_name,
        kind="department",
        children=(
            _one_stop(code, legacy, f"Bộ phận Một cửa {name}", f"BPMC {short_name}", None, None),
            *_divisions(code, legacy, divisions, None, None),
        ),
    )


def _old_commune(district_code: str, district_legacy: str, cc: int, place: str) -> Unit:
    code = f"{district_code}.{cc:02d}"
    legacy = f"000.{cc:02d}.{district_legacy[7:9]}.H99"
    name = f"UBND {place}"
    return Unit(
        code=code,
        legacy_code=legacy,
        name=name,
        short_name=name,
        kind="commune",
        valid_to=OLD_REGIME_LAST_DAY,
        children=(_one_stop(code, legacy, f"Bộ phận Một cửa {name}", f"BPMC {name}", None, OLD_REGIME_LAST_DAY),),
    )


def _district(
    n: int,
    kind_word: str,
    place: str,
    short_name: str,
    divisions: tuple[tuple[str, str], ...],
    communes: tuple[tuple[int, str], ...],
) -> Unit:
    code = f"{PROVINCE_CODE}.20{n}"
    legacy = f"000.00.2{n}.H99"
    name = f"UBND {kind_word} {place}"
    return Unit(
        code=code,
        legacy_code=legacy,
        name=name,
        short_name=short_name,
        kind="district",
        valid_to=OLD_REGIME_LAST_DAY,
        children=(
            _one_stop(code, legacy, f"Bộ phận Một cửa {name}", f"BPMC {short_name}", None, OLD_REGIME_LAST_DAY),
            *_divisions(code, legacy, divisions, None, OLD_REGIME_LAST_DAY),
            *(_old_commune(code, legacy, cc, commune_place) for cc, commune_place in communes),
        ),
    )


def _new_commune(nn: int, place: str) -> Unit:
    code = f"{PROVINCE_CODE}.3{nn:02d}"
    legacy = f"000.00.{60 + nn:02d}.H99"
    name = f"UBND {place}"
    return Unit(
        code=code,
        legacy_code=legacy,
        name=name,
        short_name=name,
        kind="commune",
        valid_from=REFORM_DATE,
        children=(
            _one_stop(
                code, legacy, f"Trung tâm Phục vụ hành chính công {place}", f"TTPVHCC {place}", REFORM_DATE, None
            ),
            *_divisions(code, legacy, _NEW_COMMUNE_DIVISIONS[place.split(" ", 1)[0]], REFORM_DATE, None),
        ),
    )


PROVINCE: Unit = Unit(
    code=PROVINCE_CODE,
    legacy_code=PROVINCE_LEGACY_CODE,
    name="UBND tỉnh Sơn Nam",
    short_name="UBND tỉnh",
    kind="province",
    children=(
        Unit(
            code=f"{PROVINCE_CODE}.100",
            legacy_code="000.00.20.H99",
            name="Trung tâm Phục vụ hành chính công tỉnh Sơn Nam",
            short_name="TTPVHCC tỉnh",
            kind="service_centre",
        ),
        *(_department(*row) for row in _DEPARTMENTS),
        *(_district(*row) for row in _DISTRICTS),
        *(_new_commune(nn, place) for nn, place, _sources in _NEW_COMMUNES),
    ),
)

MERGERS: tuple[Merger, ...] = tuple(
    Merger(sources=sources, successor=f"{PROVINCE_CODE}.3{nn:02d}", effective_on=REFORM_DATE)
    for nn, _place, sources in _NEW_COMMUNES
)

DISSOLUTIONS: tuple[tuple[str, date], ...] = tuple((f"{PROVINCE_CODE}.20{row[0]}", REFORM_DATE) for row in _DISTRICTS)


def iter_units(root: Unit | None = None) -> Iterator[tuple[Unit, Unit | None]]:
    """Yield ``(unit, parent)`` depth-first, every parent before its children; the root's parent is None.

    ``root`` defaults to ``PROVINCE``.
    """
    stack: list[tuple[Unit, Unit | None]] = [(root or PROVINCE, None)]
    while stack:
        unit, parent = stack.pop()
        yield unit, parent
        stack.extend((child, unit) for child in reversed(unit.children))


def units_by_code(root: Unit | None = None) -> dict[str, Unit]:
    """Every unit of the tree (``PROVINCE`` by default) keyed by its new-form code."""
    return {unit.code: unit for unit, _parent in iter_units(root)}


# --------------------------------------------------------------------------------------------------
# Self-check: python -m egov.demo.data
# --------------------------------------------------------------------------------------------------

_NEW_CODE_RE = re.compile(r"^[0-9A-Z.]{1,35}$")
_LEGACY_CODE_RE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.H99$")


def _legacy_parent(legacy: str) -> str:
    """The legacy code one level up: the leftmost non-zero group set to zero."""
    groups = legacy.split(".")
    for i, group in enumerate(groups[:3]):
        if int(group):
            groups[i] = "0" * len(group)
            return ".".join(groups)
    raise ValueError(f"{legacy} is a level-1 code")


def _active_on(unit: Unit, day: date) -> bool:
    return (unit.valid_from is None or unit.valid_from <= day) and (unit.valid_to is None or day <= unit.valid_to)


def _self_check() -> Counter[str]:
    pairs = list(iter_units())
    units = [unit for unit, _parent in pairs]
    by_code = units_by_code()

    # Codes: unique, well-formed, hierarchical.
    duplicate_codes = [c for c, n in Counter(unit.code for unit in units).items() if n > 1]
    assert not duplicate_codes, f"duplicate codes: {duplicate_codes}"
    duplicate_legacy = [c for c, n in Counter(unit.legacy_code for unit in units).items() if c is not None and n > 1]
    assert not duplicate_legacy, f"duplicate legacy codes: {duplicate_legacy}"
    for unit, parent in pairs:
        assert _NEW_CODE_RE.match(unit.code) and unit.code.startswith(PROVINCE_CODE), unit.code
        assert unit.legacy_code is not None and _LEGACY_CODE_RE.match(unit.legacy_code), unit
        assert unit.kind in KINDS, unit
        if parent is not None:
            assert unit.code.startswith(parent.code + "."), (unit.code, parent.code)
            assert parent.legacy_code == _legacy_parent(unit.legacy_code), (unit.legacy_code, parent.legacy_code)
            # A unit cannot outlive its parent or predate it.
            if parent.valid_to is not None:
                assert unit.valid_to is not None and unit.valid_to <= parent.valid_to, unit.code
            if parent.valid_from is not None:
                assert unit.valid_from is not None and unit.valid_from >= parent.valid_from, unit.code
        for text in (unit.name, unit.short_name):
            assert unicodedata.is_normalized("NFC", text), f"not NFC: {text!r}"
            assert text == text.strip() and "  " not in text, f"stray spaces: {text!r}"
    assert PROVINCE.kind == "province" and PROVINCE.code == "H99" and PROVINCE.legacy_code == "000.00.00.H99"
    assert sum(unit.kind == "province" for unit in units) == 1

    # Every agency has exactly one one-stop unit, and no internal unit has children.
    for unit in units:
        if unit.kind in ("department", "district", "commune"):
            one_stops = [child for child in unit.children if child.kind == "one_stop"]
            assert len(one_stops) == 1, f"{unit.code} has {len(one_stops)} one-stop units"
        if unit.kind in ("division", "one_stop", "service_centre"):
            assert not unit.children, unit.code

    parent_of = {unit.code: parent for unit, parent in pairs}
    departments = [u for u in units if u.kind == "department"]
    districts = [u for u in units if u.kind == "district"]
    communes = [u for u in units if u.kind == "commune"]
    old_communes = [u for u in communes if u.valid_to == OLD_REGIME_LAST_DAY]
    new_communes = [u for u in communes if u.valid_from == REFORM_DATE]
    assert len(old_communes) + len(new_communes) == len(communes)

    assert sum(u.kind == "service_centre" and parent_of[u.code] is PROVINCE for u in units) == 1
    assert len(departments) >= 15 and all(parent_of[u.code] is PROVINCE for u in departments)
    assert all(2 <= sum(c.kind == "division" for c in u.children) <= 4 for u in departments)
    assert len(districts) >= 2 and all(u.valid_to == OLD_REGIME_LAST_DAY for u in districts)
    for district in districts:
        assert 10 <= sum(c.kind == "commune" for c in district.children) <= 14, district.code
    assert all(parent_of[u.code].kind == "district" for u in old_communes)
    assert all(parent_of[u.code] is PROVINCE and u.valid_to is None for u in new_communes)
    assert all(1 <= sum(c.kind == "division" for c in u.children) <= 2 for u in new_communes)
    assert len(new_communes) >= 16 and len(communes) >= 40

    # Names of communes active on the same day are distinct.
    for day in (OLD_REGIME_LAST_DAY, REFORM_DATE):
        names = Counter(u.name for u in communes if _active_on(u, day))
        assert not [n for n, k in names.items() if k > 1], f"duplicate commune names on {day}"

    # Mergers and dissolutions.
    merged = Counter(source for merger in MERGERS for source in merger.sources)
    for merger in MERGERS:
        assert merger.effective_on == REFORM_DATE
        assert 2 <= len(merger.sources) <= 3, merger
        successor = by_code[merger.successor]
        assert successor.kind == "commune" and successor.valid_from == merger.effective_on, merger
        for source in merger.sources:
            old = by_code[source]
            assert old.kind == "commune" and old.valid_to == OLD_REGIME_LAST_DAY, source
    assert set(merged) == {u.code for u in old_communes}, "an old commune is not merged"
    assert all(n == 1 for n in merged.values()), "an old commune is merged twice"
    successors = Counter(merger.successor for merger in MERGERS)
    assert all(n == 1 for n in successors.values()) and set(successors) == {u.code for u in new_communes}
    assert {code for code, _day in DISSOLUTIONS} == {u.code for u in districts}
    assert all(day == REFORM_DATE for _code, day in DISSOLUTIONS)

    counts = Counter(unit.kind for unit in units)
    counts["commune (until 2025-06-30)"] = len(old_communes)
    counts["commune (from 2025-07-01)"] = len(new_communes)
    counts["units in all"] = len(units)
    counts["mergers"] = len(MERGERS)
    counts["dissolutions"] = len(DISSOLUTIONS)
    return counts


if __name__ == "__main__":
    for label, count in _self_check().items():
        print(f"{label:28} {count}")
    print("OK")
