"""Typed errors of the reports app."""

from egov.core.errors import Conflict


class IndicatorSetPublished(Conflict):
    code = "indicator_set_published"
    default_message = "Bộ chỉ số đã ban hành không được sửa: hãy tạo phiên bản mới."
