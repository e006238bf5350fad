"""Online submission, drafts, reuse, supplements and withdrawal, through the services."""

from __future__ import annotations

import pytest

from egov.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from egov.dossiers import services as dossier_services
from egov.dossiers.models import Dossier, DossierFile
from egov.dossiers.services import ComponentInput, UploadInput
from egov.dossiers.statuses import Channel, Status
from egov.notifications.models import OutboxMessage as Message
from egov.portal import services
from egov.portal.models import Draft, OnlineApplication, PersonalDocument, SubmissionForm
from egov.portal.tests.conftest import applicant, files_for, pdf, real_pdf, submit

pytestmark = pytest.mark.django_db

FORM = {
    "type": "object",
    "properties": {
        "full_name": {"title": "Họ và tên", "type": "string", "minLength": 2},
        "copies": {"title": "Số bản", "type": "integer", "minimum": 1, "maximum": 5},
        "identity_number": {"title": "Số định danh", "type": "string", "pattern": "^[0-9]{12}$"},
    },
    "required": ["full_name", "copies"],
    "additionalProperties": False,
}


def _errors(exc) -> dict[str, str]:
    return {e.field: e.message for e in exc.value.errors}


def test_an_online_submission_waits_at_status_1_with_its_files_kept_in_the_store_and_a_notification(
    world, citizen, clock
):
    dossier, created = submit(world, citizen)

    assert created
    assert (dossier.status, dossier.channel, dossier.applicant_user_id) == (Status.NEW, Channel.ONLINE, citizen.pk)
    assert dossier.due_at is None and dossier.received_at is None  # the clock starts at reception
    assert dossier.matter == "Chứng thực hợp đồng mua bán xe máy"
    application = OnlineApplication.objects.get(dossier=dossier)
    assert (application.idempotency_key, application.data) == ("khoa-0001-abcd", {"matter": dossier.matter})
    files = DossierFile.objects.filter(component__dossier=dossier)
    assert files.count() == 2 and not files.filter(reused=True).exists()
    kept = PersonalDocument.objects.filter(owner=citizen)
    assert sorted(kept.values_list("sha256", flat=True)) == sorted(files.values_list("sha256", flat=True))
    assert set(kept.values_list("dossier_code", flat=True)) == {dossier.code}
    assert Message.objects.filter(kind="dossier.submitted", reference=dossier.code).exists()


def test_the_same_key_again_returns_the_same_dossier_and_creates_nothing(world, citizen, clock):
    first, created = submit(world, citizen, key="double-click-1")
    again, created_again = submit(world, citizen, key="double-click-1")

    assert created and not created_again
    assert again.pk == first.pk
    assert Dossier.objects.count() == 1 and OnlineApplication.objects.count() == 1


def test_a_key_is_per_account_and_cannot_be_reused_for_another_procedure(world, citizen, other_citizen, clock):
    from egov.catalogue import services as catalogue
    from egov.catalogue.specs import ProcedureSpec

    mine, _ = submit(world, citizen, key="same-key-123")
    theirs, created = submit(world, other_citizen, key="same-key-123", applicant=applicant(name="Trần Thị Bình"))
    assert created and theirs.pk != mine.pk

    other = catalogue.create_procedure(
        by=None,
        spec=ProcedureSpec(
            code="2.000816.000.00.00.H98",
            name="Thủ tục khác",
            field="G09-TP01",
            levels=("department",),
            agencies=("H98.101",),
            online_level="toan_trinh",
            applicant_types=("citizen",),
            channels=(2,),
        ),
    )
    with pytest.raises(Conflict) as exc:
        submit(world, citizen, key="same-key-123", procedure=other, components=[])
    assert exc.value.details["dossier_code"] == mine.code


def test_bad_keys_are_refused(world, citizen, clock):
    with pytest.raises(ValidationFailed) as exc:
        submit(world, citizen, key="ngắn")
    assert "idempotency_key" in _errors(exc)


def test_every_problem_is_reported_at_once_and_nothing_is_written_so_the_key_can_be_used_again(world, citizen, clock):
    SubmissionForm.objects.create(procedure=world["procedure"], version=1, title="Tờ khai", schema=FORM, is_active=True)

    with pytest.raises(ValidationFailed) as exc:
        submit(
            world,
            citizen,
            key="retry-after-fix",
            applicant=applicant(name=" ", email="", phone=""),
            data={"full_name": "A", "copies": 9, "identity_number": "12ab", "extra": "x"},
            components=files_for(world["procedure"], which={0}),
        )

    errors = _errors(exc)
    assert errors["applicant.name"] == "Tên chủ hồ sơ không được để trống."
    assert "applicant.email" in errors
    assert errors["data.full_name"] == "Họ và tên cần ít nhất 2 ký tự."
    assert errors["data.copies"] == "Số bản không được lớn hơn 5."
    assert errors["data.identity_number"] == "Số định danh không đúng định dạng."
    assert errors["data.extra"] == "Trường 'extra' không có trong tờ khai."
    assert errors["components"].startswith("Thiếu thành phần hồ sơ: Bản sao giấy tờ tùy thân")
    assert not Dossier.objects.exists() and not OnlineApplication.objects.exists()
    assert not PersonalDocument.objects.exists() and not Message.objects.exists()

    dossier, created = submit(world, citizen, key="retry-after-fix", data={"full_name": "Nguyễn Văn An", "copies": 2})
    assert created and dossier.matter == "Tờ khai"  # no "matter" field: the form's title


def test_only_citizen_and_business_accounts_submit_online(world, officers, clock):
    with pytest.raises(PermissionDenied):
        submit(world, officers["desk"])
    assert not Dossier.objects.exists()


def test_a_document_from_the_store_is_reused_and_the_reuse_recorded(world, citizen, other_citizen, clock):
    doc = services.add_personal_document(
        by=citizen, name="CCCD (bản số hóa)", upload=UploadInput("cccd.pdf", pdf("cccd"))
    )
    components = list(world["procedure"].components.order_by("order", "pk"))
    reused = services.resolve_reuse(citizen, f"document:{doc.pk}", field="x")
    inputs = [
        ComponentInput(components[0].pk, True, (UploadInput("hop-dong.pdf", pdf("hd")),)),
        ComponentInput(components[1].pk, True, (reused,)),
    ]

    dossier, _ = submit(world, citizen, components=inputs)

    stored = DossierFile.objects.get(component__dossier=dossier, component__procedure_component=components[1])
    assert (stored.reused, stored.reused_from, stored.sha256) == (True, f"document:{doc.pk}", doc.sha256)
    # Someone else's document is not theirs to reuse.
    refused = services.resolve_reuse(other_citizen, f"document:{doc.pk}", field="components.1.files")
    assert refused.field == "components.1.files" and "kho dữ liệu" in refused.message


def test_a_signed_result_of_an_earlier_dossier_is_reusable(world, citizen, officers, clock):
    from egov.dossiers.models import DossierResult
    from egov.portal.selectors import reusable_documents

    dossier, _ = submit(world, citizen)
    dossier_services.accept(by=officers["desk"], dossier=dossier.code)
    dossier_services.forward(by=officers["desk"], dossier=dossier.code)
    result = dossier_services.attach_result(
        by=officers["specialist"],
        code=dossier.code,
        name="Hợp đồng đã chứng thực",
        upload=UploadInput("kq.pdf", real_pdf("Kết quả")),
    )

    refs = [item.ref for item in reusable_documents(citizen)]
    assert f"result:{result.pk}" in refs
    upload = services.resolve_reuse(citizen, f"result:{result.pk}", field="x")
    assert upload.content == DossierResult.objects.get(pk=result.pk).pdf.open("rb").read()
    assert upload.reused_from == f"result:{result.pk}"


def test_a_draft_keeps_data_and_good_files_refuses_bad_ones_and_is_submitted_whole(world, citizen, clock):
    procedure = world["procedure"]
    first, second, _optional = procedure.components.order_by("order", "pk")
    draft, refused = services.save_draft(
        by=citizen,
        procedure=procedure,
        agency_id=str(world["justice"].pk),
        applicant={"name": "Nguyễn Văn An", "email": "an@example.vn"},
        raw_data={"matter": "  Chứng thực hợp đồng  "},
        uploads={first.pk: [UploadInput("hd.pdf", pdf("hd")), UploadInput("virus.exe", b"MZ\x90\x00binary")]},
    )
    assert [e.field for e in refused] == ["components.0.files"]
    assert "virus.exe" in refused[0].message
    assert draft.data == {"matter": "Chứng thực hợp đồng"}
    assert list(draft.files.values_list("original_name", flat=True)) == ["hd.pdf"]

    # Submitting an incomplete draft keeps it, files and all.
    with pytest.raises(ValidationFailed) as exc:
        services.submit_draft(by=citizen, procedure=procedure, idempotency_key="draft-submit-1")
    assert "components" in _errors(exc)
    assert Draft.objects.filter(pk=draft.pk).exists() and not Dossier.objects.exists()

    services.save_draft(by=citizen, procedure=procedure, uploads={second.pk: [UploadInput("cccd.pdf", pdf("cccd"))]})
    dossier, created = services.submit_draft(by=citizen, procedure=procedure, idempotency_key="draft-submit-1")
    assert created and dossier.components.filter(provided=True).count() == 2
    assert not Draft.objects.exists()
    assert services.submit_draft(by=citizen, procedure=procedure, idempotency_key="draft-submit-1") == (dossier, False)


def test_the_applicant_hands_in_a_supplement_online_and_the_dossier_goes_back(
    world, citizen, other_citizen, officers, clock
):
    dossier, _ = submit(world, citizen)
    dossier_services.request_supplement(
        by=officers["desk"], dossier=dossier.code, items=["Bản sao giấy tờ tùy thân rõ nét"], reason="Bản chụp mờ"
    )
    row = dossier.components.order_by("order").all()[1]
    supplement = [ComponentInput(row.procedure_component_id, True, (UploadInput("cccd-ro.pdf", pdf("ro")),))]

    with pytest.raises(NotFound):
        dossier_services.submit_supplement(by=other_citizen, code=dossier.code, components=supplement)
    with pytest.raises(ValidationFailed) as exc:
        dossier_services.submit_supplement(by=citizen, code=dossier.code, components=[])
    assert _errors(exc) == {"components": "Cần đính kèm ít nhất một tệp hồ sơ bổ sung."}

    dossier_services.submit_supplement(by=citizen, code=dossier.code, components=supplement, note="Đã chụp lại")

    dossier.refresh_from_db()
    assert dossier.status == Status.NEW  # not received yet: back to the desk's list
    added = DossierFile.objects.get(component=row, original_name="cccd-ro.pdf")
    assert added.supplement
    assert dossier.supplement_requests.get().fulfilled_at is not None
    # Not waiting for a supplement any more: a second one is a conflict.
    from egov.core.errors import InvalidTransition

    with pytest.raises(InvalidTransition):
        dossier_services.submit_supplement(by=citizen, code=dossier.code, components=supplement)


def test_the_applicant_withdraws_their_own_dossier_but_not_someone_elses(world, citizen, other_citizen, clock):
    dossier, _ = submit(world, citizen)
    with pytest.raises(PermissionDenied):
        dossier_services.withdraw(by=other_citizen, dossier=dossier.code, reason="x")
    dossier_services.withdraw(by=citizen, dossier=dossier.code, reason="Nộp nhầm")
    dossier.refresh_from_db()
    assert (dossier.status, dossier.closed_reason) == (Status.WITHDRAWN, "Nộp nhầm")


def test_a_citizen_cannot_perform_officer_actions_on_their_dossier(world, citizen, officers, clock):
    dossier, _ = submit(world, citizen)
    with pytest.raises(PermissionDenied):
        dossier_services.accept(by=citizen, dossier=dossier.code)
    dossier_services.request_supplement(by=officers["desk"], dossier=dossier.code, items=["A"], reason="B")
    # Marking the supplement as received without handing in files is the desk's action.
    with pytest.raises(PermissionDenied):
        dossier_services.receive_supplement(by=citizen, dossier=dossier.code)
    assert Dossier.objects.get(pk=dossier.pk).status == Status.WAITING_SUPPLEMENT


def test_form_versions_are_checked_and_one_is_active(world, admin_user):
    with pytest.raises(ValidationFailed) as exc:
        services.create_form_version(
            by=admin_user,
            procedure=world["procedure"],
            title="Tờ khai",
            schema={"type": "object", "properties": {"Họ tên": {"type": "date"}}, "required": ["x"]},
        )
    messages = [e.message for e in exc.value.errors]
    assert any("chữ thường không dấu" in m for m in messages)
    assert any('"type" phải là' in m for m in messages)
    assert any("'x'" in m for m in messages)

    v1 = services.create_form_version(
        by=admin_user, procedure=world["procedure"], title="Tờ khai", schema=FORM, activate=True
    )
    v2 = services.create_form_version(by=admin_user, procedure=world["procedure"], title="Tờ khai mới", schema=FORM)
    assert (v1.version, v2.version) == (1, 2)
    services.activate_form(by=admin_user, form=v2)
    assert list(SubmissionForm.objects.filter(is_active=True)) == [v2]


def test_the_store_refuses_duplicates_and_bad_files_and_deletes_only_ones_own(citizen, other_citizen, world):
    doc = services.add_personal_document(by=citizen, name="Giấy khai sinh", upload=UploadInput("ks.pdf", pdf("ks")))
    with pytest.raises(ValidationFailed) as exc:
        services.add_personal_document(by=citizen, name="", upload=UploadInput("ks.pdf", pdf("ks")))
    assert set(_errors(exc)) == {"name", "file"}
    with pytest.raises(ValidationFailed) as exc:
        services.add_personal_document(by=citizen, name="Tệp lạ", upload=UploadInput("a.pdf", b"not a pdf at all"))
    assert "nhận dạng theo nội dung" in _errors(exc)["file"]
    with pytest.raises(NotFound):
        services.delete_personal_document(by=other_citizen, pk=doc.pk)
    services.delete_personal_document(by=citizen, pk=doc.pk)
    assert not PersonalDocument.objects.exists()
