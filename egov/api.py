"""The REST API root: ``/api/v1/``, OpenAPI at ``/api/v1/openapi.json``, docs at ``/api/v1/docs``."""

from ninja.renderers import JSONRenderer

from egov.calendar.api import router as calendar_router
from egov.core.api_errors import install as install_error_handlers
from egov.core.openapi import EgovNinjaAPI
from egov.documents.api import router as documents_router
from egov.dossiers.api import lookup_router, process_router, worklist_router
from egov.dossiers.api import router as dossiers_router
from egov.feedback.api import router as feedback_router
from egov.organisations.api import router as organisations_router
from egov.payments.api import router as payments_router
from egov.people.api import router as auth_router
from egov.signing.api import router as signing_router


class UTF8JSONRenderer(JSONRenderer):
    """Vietnamese text as UTF-8, not ``\\uXXXX`` escapes."""

    json_dumps_params = {"ensure_ascii": False}


api = EgovNinjaAPI(
    renderer=UTF8JSONRenderer(),
    title="API Hệ thống thông tin giải quyết thủ tục hành chính",
    version="1.0.0",
    description=(
        "API của nền tảng chính quyền điện tử cấp tỉnh. Lấy mã truy cập bằng `POST /api/v1/auth/token` "
        "rồi gửi trong tiêu đề `Authorization: Bearer <mã>`."
    ),
    urls_namespace="api-v1",
    docs_url="/docs",
)
install_error_handlers(api)
api.add_router("/auth", auth_router)
api.add_router("/calendar", calendar_router)
api.add_router("/organisations", organisations_router)
api.add_router("/procedures", "egov.catalogue.api.router")
api.add_router("/dossiers", dossiers_router)
api.add_router("/documents", documents_router)
api.add_router("/worklists", worklist_router)
api.add_router("/lookup", lookup_router)
api.add_router("/processes", process_router)
api.add_router("/payments", payments_router)
api.add_router("/feedback", feedback_router)
api.add_router("/signatures", signing_router)
api.add_router("/portal", "egov.portal.api.router")
