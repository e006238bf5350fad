"""Template changes: new versions, validation that writes nothing, the permission matrix, the audit."""

from __future__ import annotations

import pytest

from egov.audit.models import AuditRecord
from egov.audit.services import verify_chain
from egov.core.errors import Conflict, PermissionDenied, ValidationFailed
from egov.forms import defaults, services
from egov.forms.models import FormTemplate
from egov.forms.rendering import render_pdf
from egov.forms.samples import sample_context
from egov.forms.selectors import current_template, versions
from egov.forms.tests.conftest import needs_pdftotext, pdf_flat_text

pytestmark = pytest.mark.django_db

DENIED = "Bạn không có quyền: quản lý mẫu biểu."


def receipt_template() -> FormTemplate:
    return current_template(form_set="tt01_2018", code="01")


def messages(exc: ValidationFailed) -> list[tuple[str, str]]:
    return [(e.field, e.message) for e in exc.errors]


def test_given_a_valid_body_when_updating_then_a_new_active_version_is_written_and_the_old_kept(administrator):
    v1 = receipt_template()
    body = v1.body.replace("Tiếp nhận hồ sơ của:", "Chủ hồ sơ:")

    v2 = services.update_template(by=administrator, template=v1, body=body, css=v1.css)

    assert (v2.form_set, v2.code, v2.kind, v2.version, v2.is_active) == ("tt01_2018", "01", "receipt", 2, True)
    assert (v2.name, v2.paper, v2.orientation) == (v1.name, v1.paper, v1.orientation)
    assert list(versions(form_set="tt01_2018", code="01").values_list("version", "is_active")) == [(2, True), (1, True)]
    v1.refresh_from_db()
    assert "Tiếp nhận hồ sơ của:" in v1.body  # untouched
    assert current_template(form_set="tt01_2018", code="01").pk == v2.pk


def test_the_update_is_audited_with_both_versions(administrator):
    v1 = receipt_template()
    v2 = services.update_template(by=administrator, template=v1, body=v1.body + "\n<!-- sửa -->", css=v1.css)

    record = AuditRecord.objects.order_by("-seq").first()
    assert (record.action, record.actor_id, record.target_type, record.target_id) == (
        "form_template.update",
        administrator.pk,
        "forms.formtemplate",
        str(v2.pk),
    )
    assert (record.before["version"], record.after["version"]) == (1, 2)
    assert record.after["body_sha256"] != record.before["body_sha256"]
    assert verify_chain().ok


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "<p>{{ applicant_name }}</p>\n<p>{% if %}</p>",
            [("body", "Mẫu không biên dịch được, dòng 2: Unexpected end of expression in if tag.")],
        ),
        (
            "<p>{{ applicant_name }}</p>\n{% for c in components %}\n<p>{{ c.nmae }}</p>\n{% endfor %}",
            [("body", "Biến không có trong dữ liệu của biểu mẫu: c.nmae (dòng 3).")],
        ),
        (
            "<p>{{ applicant_name|vn_dat }}</p>",
            [("body", "Mẫu không biên dịch được, dòng 1: Invalid filter: 'vn_dat'")],
        ),
        (
            '{% include "admin/base.html" %}',
            [("body", "Mẫu biểu không được nhúng mẫu khác ({% include %}, {% extends %}), dòng 1: admin/base.html")],
        ),
        (
            "<p>{{ officer_name }}</p>\n\n<p>{{ applicant_name|vn_date }}</p>",
            [("body", "Mẫu lỗi khi điền dữ liệu mẫu, dòng 3: Expected a date or datetime, got str")],
        ),
        ("   ", [("body", "Nội dung mẫu không được để trống.")]),
    ],
)
def test_given_a_broken_body_then_it_is_refused_naming_body_and_nothing_is_written(
    administrator, state, body, expected
):
    v1 = receipt_template()
    before = state()

    with pytest.raises(ValidationFailed) as caught:
        services.update_template(by=administrator, template=v1, body=body, css=v1.css)

    assert messages(caught.value) == expected
    assert state() == before


def test_given_css_weasyprint_rejects_then_it_is_refused_naming_css(administrator, state):
    v1 = receipt_template()
    before = state()

    css = v1.css + "\n.qr { colr: red; }"

    with pytest.raises(ValidationFailed) as caught:
        services.update_template(by=administrator, template=v1, body=v1.body, css=css)

    line = css.splitlines().index(".qr { colr: red; }") + 1
    assert messages(caught.value) == [("css", f"CSS không hợp lệ: Ignored `colr: red` at {line}:7, unknown property.")]
    assert state() == before


def test_an_update_that_changes_nothing_is_refused(administrator, state):
    v1 = receipt_template()
    before = state()

    with pytest.raises(ValidationFailed) as caught:
        services.update_template(by=administrator, template=v1, body=v1.body, css=v1.css)

    assert messages(caught.value) == [("body", "Nội dung giống hệt phiên bản 1: không có gì để lưu.")]
    assert state() == before


@pytest.mark.parametrize("who", ["commune_administrator", "specialist", "receiving_officer", "anonymous"])
def test_only_a_whole_tree_administrator_manages_templates(request, state, who):
    from django.contrib.auth.models import AnonymousUser

    actor = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)
    v1 = receipt_template()
    before = state()

    for call in (
        lambda: services.update_template(by=actor, template=v1, body=v1.body + " ", css=v1.css),
        lambda: services.set_template_active(by=actor, template=v1, is_active=False),
        lambda: services.restore_default(by=actor, template=v1),
        lambda: services.create_template(
            by=actor, form_set="moi_2026", code="01", kind="receipt", name="X", body=v1.body
        ),
    ):
        with pytest.raises(PermissionDenied) as caught:
            call()
        assert caught.value.message == DENIED
    assert state() == before


def test_the_platform_itself_and_the_province_administrator_may(administrator):
    v1 = receipt_template()
    assert services.update_template(by=None, template=v1, body=v1.body + " ", css=v1.css).version == 2
    assert services.update_template(by=administrator, template=v1, body=v1.body + "  ", css=v1.css).version == 3


def test_turning_the_newest_version_off_rolls_back_and_the_last_active_cannot_be_turned_off(administrator, state):
    v1 = receipt_template()
    v2 = services.update_template(by=administrator, template=v1, body=v1.body + " ", css=v1.css)

    services.set_template_active(by=administrator, template=v2, is_active=False)
    assert current_template(form_set="tt01_2018", code="01").pk == v1.pk
    assert AuditRecord.objects.order_by("-seq").first().action == "form_template.deactivate"

    before = state()
    with pytest.raises(ValidationFailed) as caught:
        services.set_template_active(by=administrator, template=v1, is_active=False)
    assert messages(caught.value) == [
        ("is_active", "Mẫu số 01 của bộ tt01_2018 phải còn ít nhất một phiên bản đang dùng.")
    ]
    assert state() == before

    services.set_template_active(by=administrator, template=v2, is_active=True)
    assert current_template(form_set="tt01_2018", code="01").pk == v2.pk


@needs_pdftotext
def test_a_new_form_set_is_data_only(administrator):
    """A province (or a future circular) adds a set through the service; no code changes."""
    base = receipt_template()

    created = services.create_template(
        by=administrator,
        form_set="sonnam_2026",
        code="01",
        kind="receipt",
        name="Giấy biên nhận hồ sơ",
        body=base.body.replace("Giấy tiếp nhận hồ sơ và hẹn trả kết quả", "Giấy biên nhận hồ sơ"),
        css=base.css,
    )

    assert (created.version, created.paper, created.orientation) == (1, "A5", "portrait")
    text = pdf_flat_text(render_pdf(form_set="sonnam_2026", code="01", context=sample_context("receipt")))
    assert "GIẤY BIÊN NHẬN HỒ SƠ" in text
    assert AuditRecord.objects.order_by("-seq").first().action == "form_template.create"


def test_creating_a_form_that_exists_or_with_bad_fields_is_refused(administrator, state):
    base = receipt_template()
    before = state()

    with pytest.raises(ValidationFailed) as caught:
        services.create_template(
            by=administrator, form_set="tt01_2018", code="01", kind="receipt", name="X", body=base.body
        )
    assert messages(caught.value) == [("code", "Bộ tt01_2018 đã có Mẫu số 01: hãy sửa mẫu đó (tạo phiên bản mới).")]

    with pytest.raises(ValidationFailed) as caught:
        services.create_template(
            by=administrator, form_set="TT 2026", code="", kind="receipt_x", name="", body=base.body, paper="A3"
        )
    assert [field for field, _ in messages(caught.value)] == ["form_set", "code", "kind", "name", "paper"]
    assert state() == before


def test_restore_default_writes_the_shipped_body_as_a_new_version(administrator):
    v1 = receipt_template()
    v2 = services.update_template(by=administrator, template=v1, body=v1.body + "<p>thêm</p>", css=v1.css)

    v3 = services.restore_default(by=administrator, template=v2)

    shipped = defaults.default_form("tt01_2018", "01")
    assert (v3.version, v3.body, v3.css) == (3, shipped.body, shipped.css)


def test_a_concurrent_create_of_the_same_form_is_a_conflict(administrator, monkeypatch):
    base = receipt_template()
    original = FormTemplate.objects.filter

    def racing_filter(*args, **kwargs):
        # The existence check sees nothing, as if the other editor's row were not committed yet.
        if kwargs == {"form_set": "tt01_2018", "code": "02"}:
            return original(pk=-1)
        return original(*args, **kwargs)

    monkeypatch.setattr(FormTemplate.objects, "filter", racing_filter)
    supplement = current_template(form_set="tt01_2018", code="02")
    with pytest.raises(Conflict):
        services.create_template(
            by=administrator, form_set="tt01_2018", code="02", kind="supplement", name="X", body=supplement.body,
            css=base.css,
        )  # fmt: skip
