"""Every change to form templates goes through here: authorised, validated, atomic, audited.

Templates are never edited in place. :func:`update_template` writes a new version of the same
``(form_set, code)`` and keeps the old ones; :func:`set_template_active` turns a version off (the
previous active one takes over) or back on. A body or CSS that does not compile, fails on the sample
data, names a variable the form does not have, or holds CSS WeasyPrint rejects is refused with a
``ValidationFailed`` naming ``body`` or ``css`` (and the template line), and nothing is written.

Templates belong to no unit and serve every unit of the province, so managing them needs
``form.manage`` over a whole tree (an administrator placed at the root), not just somewhere.
"""

from __future__ import annotations

import hashlib
import logging
import re
from contextlib import contextmanager

from django.db import IntegrityError, transaction
from django.template import Context, Engine, TemplateDoesNotExist, TemplateSyntaxError

from egov.access import policy
from egov.audit import services as audit
from egov.core.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from egov.forms import defaults, rendering
from egov.forms.contexts import CONTEXT_CLASSES
from egov.forms.models import FormTemplate
from egov.forms.samples import sample_context

__all__ = [
    "check_template",
    "create_template",
    "update_template",
    "set_template_active",
    "restore_default",
]

_INVALID = "\u0000INVALID:%s\u0000"
_INVALID_RE = re.compile("\u0000INVALID:(.*?)\u0000")

# The same engine as rendering, except that an unknown variable prints a marker we can find.
_STRICT_ENGINE = Engine(
    dirs=[],
    app_dirs=False,
    debug=True,
    libraries={"vn": "egov.forms.templatetags.vn"},
    builtins=["egov.forms.templatetags.vn"],
    autoescape=True,
    string_if_invalid=_INVALID,
)


def _require_manage(by) -> None:
    if not policy.has_everywhere(by, "form.manage"):
        raise PermissionDenied(f"Bạn không có quyền: {policy.PERMISSIONS['form.manage'].lower()}.")


def _line_of(body: str, needle: str) -> int | None:
    for number, line in enumerate(body.splitlines(), start=1):
        if needle in line:
            return number
    return None


class _CaptureWarnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _weasyprint_warnings():
    handler = _CaptureWarnings()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)


def check_template(*, kind: str, body: str, css: str, paper: str = "A5", orientation: str = "portrait") -> None:
    """Refuse a body/CSS that would not produce a proper form; return quietly otherwise.

    Compiles the body, renders it with the sample data of its kind (``samples.py``), reports unknown
    variables, parses the CSS and renders a PDF. Raises ``ValidationFailed`` with every problem found.
    """
    errors: list[FieldError] = []
    if kind not in CONTEXT_CLASSES:
        raise ValidationFailed.field("kind", f"Loại biểu mẫu '{kind}' không hợp lệ.")
    if not (body or "").strip():
        raise ValidationFailed.field("body", "Nội dung mẫu không được để trống.")
    try:
        compiled = _STRICT_ENGINE.from_string(body)
    except TemplateSyntaxError as exc:
        raise ValidationFailed.field(
            "body", f"Mẫu không biên dịch được, {rendering.describe_template_error(exc)}"
        ) from exc
    sample = sample_context(kind)
    try:
        output = compiled.render(Context(sample.as_template_context(), autoescape=True))
    except TemplateDoesNotExist as exc:  # the engine has no loaders: nothing to include or extend
        raise ValidationFailed.field(
            "body",
            f"Mẫu biểu không được nhúng mẫu khác ({{% include %}}, {{% extends %}}), "
            f"{rendering.describe_template_error(exc)}",
        ) from exc
    except Exception as exc:
        raise ValidationFailed.field(
            "body", f"Mẫu lỗi khi điền dữ liệu mẫu, {rendering.describe_template_error(exc)}"
        ) from exc
    for name in dict.fromkeys(_INVALID_RE.findall(output)):
        line = _line_of(body, name)
        where = f" (dòng {line})" if line else ""
        errors.append(FieldError("body", f"Biến không có trong dữ liệu của biểu mẫu: {name}{where}."))
    if errors:
        raise ValidationFailed(errors)

    from weasyprint import CSS

    with _weasyprint_warnings() as warnings:
        try:
            CSS(string=css or "")
        except Exception as exc:  # tinycss2 is forgiving; this is a last resort
            errors.append(FieldError("css", f"CSS không đọc được: {exc}"))
    errors += [FieldError("css", f"CSS không hợp lệ: {message}") for message in warnings]
    if errors:
        raise ValidationFailed(errors)

    probe = FormTemplate(
        form_set="kiem_tra", code="00", kind=kind, name="(kiểm tra)", paper=paper, orientation=orientation,
        body=body, css=css or "", version=1,
    )  # fmt: skip
    try:
        rendering.render_template_pdf(probe, sample)
    except Exception as exc:
        raise ValidationFailed.field("body", f"Không tạo được PDF từ mẫu: {exc}") from exc


def _normalise(text: str | None) -> str:
    """Browsers post textareas with CRLF line endings; store LF so an unchanged form stays unchanged."""
    return (text or "").replace("\r\n", "\n")


def _digest(text: str) -> str:
    return hashlib.sha256((text or "").encode("utf-8")).hexdigest()


def _summary(template: FormTemplate) -> dict:
    return {
        "form_set": template.form_set,
        "code": template.code,
        "kind": template.kind,
        "name": template.name,
        "version": template.version,
        "is_active": template.is_active,
        "paper": template.page_size,
        "body_sha256": _digest(template.body),
        "css_sha256": _digest(template.css),
    }


@transaction.atomic
def create_template(
    *,
    by,
    form_set: str,
    code: str,
    kind: str,
    name: str,
    body: str,
    css: str = "",
    paper: str = FormTemplate.Paper.A5,
    orientation: str = FormTemplate.Orientation.PORTRAIT,
) -> FormTemplate:
    """Version 1 of a new form (for instance a form of a new set). Existing forms get versions instead."""
    _require_manage(by)
    body, css = _normalise(body), _normalise(css)
    errors: list[FieldError] = []
    if not re.fullmatch(r"[a-z0-9_]{1,40}", form_set or ""):
        errors.append(FieldError("form_set", "Mã bộ biểu mẫu chỉ gồm chữ thường không dấu, số và dấu gạch dưới."))
    if not re.fullmatch(r"[0-9A-Za-z.]{1,8}", code or ""):
        errors.append(FieldError("code", "Số mẫu chỉ gồm chữ, số và dấu chấm (tối đa 8 ký tự)."))
    if kind not in FormTemplate.Kind.values:
        errors.append(FieldError("kind", f"Loại biểu mẫu '{kind}' không hợp lệ."))
    if not (name or "").strip():
        errors.append(FieldError("name", "Tên biểu mẫu không được để trống."))
    if paper not in FormTemplate.Paper.values:
        errors.append(FieldError("paper", f"Khổ giấy '{paper}' không hợp lệ."))
    if orientation not in FormTemplate.Orientation.values:
        errors.append(FieldError("orientation", f"Hướng giấy '{orientation}' không hợp lệ."))
    if not errors and FormTemplate.objects.filter(form_set=form_set, code=code).exists():
        errors.append(FieldError("code", f"Bộ {form_set} đã có Mẫu số {code}: hãy sửa mẫu đó (tạo phiên bản mới)."))
    if errors:
        raise ValidationFailed(errors)
    check_template(kind=kind, body=body, css=css, paper=paper, orientation=orientation)
    try:
        with transaction.atomic():
            template = FormTemplate.objects.create(
                form_set=form_set, code=code, kind=kind, name=name.strip(), paper=paper, orientation=orientation,
                body=body, css=css or "", version=1, is_active=True,
            )  # fmt: skip
    except IntegrityError as exc:
        raise Conflict(f"Mẫu số {code} của bộ {form_set} vừa được tạo bởi người khác.") from exc
    audit.record(actor=by, action="form_template.create", target=template, after=_summary(template))
    return template


@transaction.atomic
def update_template(*, by, template: FormTemplate, body: str, css: str, name: str | None = None) -> FormTemplate:
    """Write ``body``/``css`` as a new, active version of ``template``'s form; older versions are kept.

    The new version takes the kind, paper and orientation of the latest one, and becomes the one in
    use. Refused (nothing written) if the body/CSS fail :func:`check_template` or change nothing.
    """
    _require_manage(by)
    body, css = _normalise(body), _normalise(css)
    family = FormTemplate.objects.filter(form_set=template.form_set, code=template.code)
    latest = family.order_by("-version").first()
    if latest is None:
        raise NotFound("Không tìm thấy mẫu biểu.")
    new_name = (name if name is not None else latest.name).strip()
    if not new_name:
        raise ValidationFailed.field("name", "Tên biểu mẫu không được để trống.")
    if body == latest.body and css == latest.css and new_name == latest.name:
        raise ValidationFailed.field("body", f"Nội dung giống hệt phiên bản {latest.version}: không có gì để lưu.")
    check_template(kind=latest.kind, body=body, css=css, paper=latest.paper, orientation=latest.orientation)
    # Lock the family so two editors saving at once get consecutive versions.
    latest = family.select_for_update().order_by("-version").first()
    try:
        with transaction.atomic():
            new = FormTemplate.objects.create(
                form_set=latest.form_set,
                code=latest.code,
                kind=latest.kind,
                name=new_name,
                paper=latest.paper,
                orientation=latest.orientation,
                body=body,
                css=css,
                version=latest.version + 1,
                is_active=True,
            )
    except IntegrityError as exc:  # SQLite has no row locks: another editor took the number first
        raise Conflict(f"Mẫu số {latest.code} vừa được người khác sửa; hãy tải lại và thử lại.") from exc
    audit.record(
        actor=by,
        action="form_template.update",
        target=new,
        before=_summary(latest),
        after=_summary(new),
    )
    return new


@transaction.atomic
def set_template_active(*, by, template: FormTemplate, is_active: bool) -> FormTemplate:
    """Turn a version on or off. The form in use is the latest active version, so turning the newest
    off rolls back to the one before. The last active version of a form cannot be turned off."""
    _require_manage(by)
    family = list(
        FormTemplate.objects.select_for_update().filter(form_set=template.form_set, code=template.code).order_by("pk")
    )
    row = next((t for t in family if t.pk == template.pk), None)
    if row is None:
        raise NotFound("Không tìm thấy mẫu biểu.")
    if row.is_active == is_active:
        return row
    if not is_active and not any(t.is_active for t in family if t.pk != row.pk):
        raise ValidationFailed.field(
            "is_active", f"Mẫu số {row.code} của bộ {row.form_set} phải còn ít nhất một phiên bản đang dùng."
        )
    before = _summary(row)
    row.is_active = is_active
    row.save(update_fields=["is_active", "updated_at"])
    audit.record(
        actor=by,
        action="form_template.activate" if is_active else "form_template.deactivate",
        target=row,
        before=before,
        after=_summary(row),
    )
    return row


def restore_default(*, by, template: FormTemplate) -> FormTemplate:
    """A new version with the body and CSS shipped with the platform (``default_templates/``)."""
    _require_manage(by)
    default = defaults.default_form(template.form_set, template.code)
    if default is None:
        raise NotFound(f"Mẫu số {template.code} của bộ {template.form_set} không có bản mặc định.")
    return update_template(by=by, template=template, body=default.body, css=default.css, name=default.name)
