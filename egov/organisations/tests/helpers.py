"""Helpers for the organisation tests: the Vietnamese messages spelled out for exact assertions,
and the parent of a unit as the database has it now."""

from egov.organisations.models import Organisation


def legacy_message(code: str) -> str:
    return f"Mã định danh '{code}' không đúng dạng QCVN 102:2016 (13 ký tự dạng 000.00.00.H41)."


def new_message(code: str) -> str:
    return (
        f"Mã định danh '{code}' không đúng dạng QĐ 20/2020/QĐ-TTg "
        "(tối đa 35 ký tự 0-9, A-Z và dấu chấm, cấp 1 bên trái, ví dụ H55.242)."
    )


DENIED_MANAGE = "Bạn không có quyền: thêm, sửa, hợp nhất, giải thể đơn vị."


def parent_pk(org: Organisation) -> int | None:
    """The id of ``org``'s parent, read afresh (moves rewrite paths)."""
    parent = Organisation.objects.get_parent(Organisation.objects.get(pk=org.pk))
    return parent.pk if parent else None
