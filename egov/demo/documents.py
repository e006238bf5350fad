"""Demo official documents (văn bản) for the province "Tỉnh Sơn Nam".

Abbreviations for the organisations (ký hiệu văn bản), the signers' personal certificates (a SoftHSM2
token per officer, PIN = the demo password; one remote signer when ``EGOV_DEMO_CSC`` is on) and a
dozen documents in every state, each taken there through the documents services. Idempotent: an
abbreviation already set, an officer with an active certificate and a document whose subject exists
are left alone. Each scenario runs in its own savepoint: one that cannot complete is reported and
skipped, the others still run.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from datetime import timedelta
from unittest import mock

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import DatabaseError, transaction
from django.utils import timezone

from egov.core.errors import DomainError
from egov.documents import services
from egov.documents.models import DocumentType, IncomingDocument, OutgoingDocument
from egov.organisations import services as org_services
from egov.organisations.models import Organisation
from egov.people.models import User
from egov.signing.officers import active_credential, enrol_officer

_SKIPPABLE = (DomainError, ObjectDoesNotExist, DatabaseError)

# Organisation code → abbreviation used in document symbols (NĐ 30/2020, Phụ lục VI).
ABBREVIATIONS = {
    "H99": "UBND",
    "H99.101": "VP",
    "H99.101.02": "TH",
    "H99.101.03": "KT",
    "H99.101.04": "KGVX",
    "H99.101.05": "HCTC",
    "H99.103": "STP",
    "H99.103.02": "HCTP",
    "H99.103.03": "BTTP",
    "H99.103.04": "XDKTVB",
    "H99.104": "STC",
    "H99.104.02": "ĐKKD",
    "H99.104.03": "QLNS",
}

# (username, title on the certificate, unit code): every demo signer gets a token (PIN = demo password).
TOKEN_SIGNERS = [
    ("giamdoc.stp", "Giám đốc", "H99.103"),
    ("lanhdao.stp", "Phó Giám đốc", "H99.103"),
    ("chutich.tinh", "Chủ tịch", "H99"),
    ("giamdoc.stc", "Giám đốc", "H99.104"),
]
# The officer who signs through the stand-in remote signing service (only with EGOV_DEMO_CSC).
REMOTE_SIGNER = ("phochutich.tinh", "Phó Chủ tịch", "H99")

PLACE = "Sơn Nam"

BODY_DECISION = (
    "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;\n\n"
    "Theo đề nghị của Trưởng phòng Hành chính tư pháp.\n\n"
    "Điều 1. {subject}.\n\n"
    "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.\n\n"
    "Điều 3. Chánh Văn phòng, Trưởng các phòng và cá nhân có liên quan chịu trách nhiệm thi hành Quyết định này."
)
BODY_LETTER = "Sở Tư pháp tỉnh Sơn Nam đề nghị Quý cơ quan phối hợp thực hiện nội dung nêu trên.\n\nTrân trọng."

# Subjects: the key that makes a scenario idempotent.
DRAFT = "Tờ trình phê duyệt Kế hoạch kiểm tra công tác chứng thực năm 2027"
UNDER_REVIEW = "Ban hành Quy chế tiếp công dân của Sở Tư pháp"
RETURNED = "Ban hành Quy trình nội bộ giải quyết thủ tục hành chính lĩnh vực hộ tịch"
APPROVED = "V/v đôn đốc báo cáo kết quả công tác phổ biến, giáo dục pháp luật"
SIGNED = "Báo cáo kết quả công tác bổ trợ tư pháp năm 2026"
ISSUED = "Ban hành Quy chế công tác văn thư, lưu trữ của Sở Tư pháp"
ANSWER = "V/v triển khai Quy chế công tác văn thư, lưu trữ"
SECRET = "Phương án bảo vệ bí mật nhà nước trong công tác tư pháp"
PAPER = "V/v hướng dẫn nghiệp vụ chứng thực bản sao điện tử"
OVERDUE = "V/v báo cáo tình hình thi hành pháp luật về xử lý vi phạm hành chính"


class _World:
    def __init__(self):
        self.users = {u.username: u for u in User.objects.filter(username__in=_USERNAMES)}
        self.units: dict[str, Organisation] = {}

    def user(self, username: str) -> User:
        if username not in self.users:
            raise User.DoesNotExist(f"Không có tài khoản {username}.")
        return self.users[username]

    def unit(self, code: str) -> Organisation:
        if code not in self.units:
            self.units[code] = Organisation.objects.get(code=code)
        return self.units[code]


_USERNAMES = {
    "chuyenvien.stp",
    "truongphong.stp",
    "giamdoc.stp",
    "lanhdao.stp",
    "vanthu.stp",
    "truongphong.bttp",
    "chuyenvien.bttp",
    "chutich.tinh",
    "phochutich.tinh",
    "vanthu.tinh",
    "chanhvanphong.tinh",
    "vanthu.stc",
    "giamdoc.stc",
    "truongphong.stc",
    "chuyenvien.stc",
}


def load(*, password: str, problem: Callable[[str], None]) -> int:
    """Abbreviations, signers' certificates and the demo documents; how many things were added."""
    world = _World()
    added = 0
    added += _abbreviations(problem)
    added += _certificates(world, password, problem)
    for subject, scenario in SCENARIOS:
        if (
            OutgoingDocument.objects.filter(subject=subject).exists()
            or IncomingDocument.objects.filter(subject=subject, source=IncomingDocument.Source.PAPER).exists()
        ):
            continue
        try:
            with transaction.atomic():
                scenario(world, password)
        except _SKIPPABLE as exc:
            problem(f"Bỏ qua văn bản «{subject}»: {_describe(exc)}")
            continue
        added += 1
    return added


def _describe(exc: Exception) -> str:
    from egov.core.errors import ValidationFailed

    if isinstance(exc, ValidationFailed):
        return "; ".join(f"{e.field}: {e.message}" for e in exc.errors)
    if isinstance(exc, DomainError):
        return exc.message
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _abbreviations(problem) -> int:
    changed = 0
    for org in Organisation.objects.filter(code__in=ABBREVIATIONS, abbreviation=""):
        try:
            with transaction.atomic():
                org_services.update_organisation(by=None, organisation=org, abbreviation=ABBREVIATIONS[org.code])
        except _SKIPPABLE as exc:
            problem(f"Bỏ qua chữ viết tắt của {org.name}: {_describe(exc)}")
            continue
        changed += 1
    return changed


def _certificates(world: _World, password: str, problem) -> int:
    added = 0
    for username, title, unit_code in TOKEN_SIGNERS:
        try:
            user = world.user(username)
            if active_credential(user) is not None:
                continue
            with transaction.atomic():
                enrol_officer(by=None, user=user, unit=world.unit(unit_code), title=title, pin=password)
        except _SKIPPABLE as exc:
            problem(f"Bỏ qua chứng thư số của {username}: {_describe(exc)}")
            continue
        added += 1
    if settings.EGOV_DEMO_CSC and "egov.demo_csc" in settings.INSTALLED_APPS:
        username, title, unit_code = REMOTE_SIGNER
        try:
            user = world.user(username)
            if active_credential(user) is None:
                from egov.demo_csc.services import enrol_remote_signer

                unit = world.unit(unit_code)
                with transaction.atomic():
                    remote = enrol_remote_signer(user=user, title=title, agency_name=unit.name, pin=password)
                    enrol_officer(
                        by=None,
                        user=user,
                        unit=unit,
                        title=title,
                        method="csc",
                        csc_credential_id=remote.credential_id,
                        certificate=remote.certificate_pem,
                    )
                added += 1
        except _SKIPPABLE as exc:
            problem(f"Bỏ qua chứng thư ký từ xa của {username}: {_describe(exc)}")
    return added


# --------------------------------------------------------------------------------------------------
# Scenarios (one document each, taken to its state through the services)
# --------------------------------------------------------------------------------------------------


def _type(code: str) -> DocumentType:
    return DocumentType.objects.get(code=code)


def _draft(w: _World, subject: str, *, type_code: str = "quyet-dinh", **extra) -> OutgoingDocument:
    data = {
        "by": w.user("chuyenvien.stp"),
        "drafting_unit": w.unit("H99.103.02"),
        "doc_type": _type(type_code),
        "subject": subject,
        "body": BODY_DECISION.format(subject=subject) if type_code == "quyet-dinh" else BODY_LETTER,
        "signer": w.user("giamdoc.stp"),
        "signer_title": "Giám đốc",
        "recipients": [w.unit("H99"), w.unit("H99.104")],
        "place": PLACE,
    }
    data.update(extra)
    return services.create_draft(**data)


def _to_signing(w: _World, document: OutgoingDocument, drafter: str = "chuyenvien.stp", head: str = "truongphong.stp"):
    services.submit(by=w.user(drafter), document=document)
    return services.approve(by=w.user(head), document=document, note="Đồng ý, trình lãnh đạo ký.")


def _draft_only(w, password):
    _draft(w, DRAFT, type_code="to-trinh", recipients=[w.unit("H99")], signer_title="Giám đốc")


def _under_review(w, password):
    document = _draft(w, UNDER_REVIEW, recipients=[])
    services.submit(by=w.user("chuyenvien.stp"), document=document, note="Kính trình Trưởng phòng xem xét.")


def _returned(w, password):
    document = _draft(w, RETURNED, recipients=[])
    services.submit(by=w.user("chuyenvien.stp"), document=document)
    services.return_(
        by=w.user("truongphong.stp"),
        document=document,
        note="Bổ sung căn cứ Luật Hộ tịch năm 2014 và rà soát lại thời hạn giải quyết ở Điều 2.",
    )


def _approved(w, password):
    document = _draft(
        w,
        APPROVED,
        type_code="cong-van",
        signer=w.user("lanhdao.stp"),
        signer_title="Phó Giám đốc",
        signer_authority="KT.",
        answer_due=timezone.localdate() + timedelta(days=20),
    )
    _to_signing(w, document)
    services.approve(by=w.user("lanhdao.stp"), document=document, note="Đồng ý nội dung.")


def _signed(w, password):
    document = _draft(
        w,
        SIGNED,
        type_code="bao-cao",
        drafting_unit=w.unit("H99.103.03"),
        by=w.user("chuyenvien.bttp"),
        recipients=[w.unit("H99")],
    )
    _to_signing(w, document, drafter="chuyenvien.bttp", head="truongphong.bttp")
    services.sign(by=w.user("giamdoc.stp"), document=document, pin=password)


def _issued_and_answered(w, password):
    """Returned once, revised, signed, issued to UBND tỉnh and Sở Tài chính; each assigns a lead and a
    cooperating unit with a deadline; Sở Tài chính answers with a công văn in reply and completes."""
    specialist, head = w.user("chuyenvien.stp"), w.user("truongphong.stp")
    document = _draft(w, ISSUED)
    services.submit(by=specialist, document=document)
    services.return_(by=head, document=document, note="Bổ sung căn cứ Luật Lưu trữ năm 2024.")
    services.add_version(
        by=specialist,
        document=document,
        body="Căn cứ Luật Lưu trữ năm 2024;\n\n" + BODY_DECISION.format(subject=ISSUED),
        note="Đã bổ sung căn cứ theo ý kiến Trưởng phòng.",
    )
    _to_signing(w, document)
    services.sign(by=w.user("giamdoc.stp"), document=document, pin=password)
    services.issue(by=w.user("vanthu.stp"), document=document)
    deadline = timezone.localdate() + timedelta(days=10)
    # UBND tỉnh: Văn phòng leads, Sở Tư pháp cooperates.
    province_copy = IncomingDocument.objects.get(outgoing=document, agency=w.unit("H99"))
    services.accept_incoming(by=w.user("vanthu.tinh"), incoming=province_copy)
    services.assign(
        by=w.user("chutich.tinh"),
        incoming=province_copy,
        lead=w.unit("H99.101"),
        cooperating=[w.unit("H99.103")],
        deadline=deadline,
        instruction="Văn phòng chủ trì theo dõi việc thực hiện.",
    )
    # Sở Tài chính: Phòng Đăng ký kinh doanh leads, Phòng Quản lý ngân sách cooperates, and answers.
    finance_copy = IncomingDocument.objects.get(outgoing=document, agency=w.unit("H99.104"))
    services.accept_incoming(by=w.user("vanthu.stc"), incoming=finance_copy)
    services.assign(
        by=w.user("giamdoc.stc"),
        incoming=finance_copy,
        lead=w.unit("H99.104.02"),
        cooperating=[w.unit("H99.104.03")],
        deadline=deadline,
        instruction="Triển khai và báo cáo kết quả.",
    )
    lead = finance_copy.assignments.get(role="lead")
    services.assign_to_specialist(by=w.user("truongphong.stc"), assignment=lead, specialist=w.user("chuyenvien.stc"))
    answer = services.create_draft(
        by=w.user("chuyenvien.stc"),
        drafting_unit=w.unit("H99.104.02"),
        doc_type=_type("cong-van"),
        subject=ANSWER,
        body="Sở Tài chính đã phổ biến Quy chế đến các phòng chuyên môn và triển khai thực hiện.\n\nTrân trọng.",
        signer=w.user("giamdoc.stc"),
        signer_title="Giám đốc",
        recipients=[w.unit("H99.103")],
        in_reply_to=finance_copy,
        place=PLACE,
    )
    _to_signing(w, answer, drafter="chuyenvien.stc", head="truongphong.stc")
    services.sign(by=w.user("giamdoc.stc"), document=answer, pin=password)
    services.issue(by=w.user("vanthu.stc"), document=answer)
    services.complete(by=w.user("chuyenvien.stc"), incoming=finance_copy, answer=answer, note="Đã trả lời.")


def _secret(w, password):
    document = _draft(w, SECRET, type_code="quyet-dinh", secrecy="mat", recipients=[w.unit("H99")])
    _to_signing(w, document)
    services.sign(by=w.user("giamdoc.stp"), document=document, pin=password)
    services.issue(by=w.user("vanthu.stp"), document=document, electronic=False)


def _scan(text: str) -> tuple[str, bytes]:
    """A scanned page: an image when ocrmypdf can read it, else a PDF (OCR is then skipped)."""
    if shutil.which("ocrmypdf"):
        from PIL import Image, ImageDraw, ImageFont

        image = Image.new("L", (1240, 1754), 255)
        draw = ImageDraw.Draw(image)
        try:
            font = ImageFont.truetype("DejaVuSans.ttf", 34)
        except OSError:
            font = ImageFont.load_default()
        for i, line in enumerate(text.split("\n")):
            draw.text((110, 140 + 60 * i), line, fill=0, font=font)
        out = io.BytesIO()
        image.save(out, format="PNG", dpi=(150, 150))
        return "ban-quet.png", out.getvalue()
    from weasyprint import HTML

    html = "".join(f"<p>{line}</p>" for line in text.split("\n"))
    return "ban-quet.pdf", HTML(string=f"<html lang='vi'><body>{html}</body></html>").write_pdf()


def _paper(w, password):
    name, content = _scan(
        "BỘ TƯ PHÁP\nSố: 1234/BTP-HCTP\nV/v hướng dẫn nghiệp vụ chứng thực bản sao điện tử\n"
        "Kính gửi: Sở Tư pháp các tỉnh, thành phố"
    )
    incoming = services.register_paper_incoming(
        by=w.user("vanthu.stp"),
        agency=w.unit("H99.103"),
        file_name=name,
        file_content=content,
        sender_name="Bộ Tư pháp",
        subject=PAPER,
        symbol="1234/BTP-HCTP",
        document_date=timezone.localdate() - timedelta(days=3),
        doc_type=_type("cong-van"),
        signer_name="Nguyễn Thanh Tịnh",
    )
    if incoming.status == "received":
        services.accept_incoming(by=w.user("vanthu.stp"), incoming=incoming)


def _overdue(w, password):
    """A paper công văn registered and assigned three weeks ago with a two-week deadline: the services
    run on a clock set back, so the assignment is now overdue."""
    back = timezone.now() - timedelta(days=21)
    name, content = _scan("SỞ NỘI VỤ\nSố: 845/SNV-XDCQ\nV/v báo cáo tình hình thi hành pháp luật")
    with mock.patch("django.utils.timezone.now", return_value=back):
        incoming = services.register_paper_incoming(
            by=w.user("vanthu.stp"),
            agency=w.unit("H99.103"),
            file_name=name,
            file_content=content,
            sender_name="Sở Nội vụ tỉnh Sơn Nam",
            subject=OVERDUE,
            symbol="845/SNV-XDCQ",
            document_date=timezone.localdate(back) - timedelta(days=1),
            doc_type=_type("cong-van"),
        )
        if incoming.status == "received":
            services.accept_incoming(by=w.user("vanthu.stp"), incoming=incoming)
        services.assign(
            by=w.user("giamdoc.stp"),
            incoming=incoming,
            lead=w.unit("H99.103.04"),
            cooperating=[w.unit("H99.103.02")],
            deadline=timezone.localdate(back) + timedelta(days=14),
            instruction="Tổng hợp, báo cáo đúng hạn.",
        )


SCENARIOS = [
    (DRAFT, _draft_only),
    (UNDER_REVIEW, _under_review),
    (RETURNED, _returned),
    (APPROVED, _approved),
    (SIGNED, _signed),
    (ISSUED, _issued_and_answered),
    (SECRET, _secret),
    (PAPER, _paper),
    (OVERDUE, _overdue),
]
