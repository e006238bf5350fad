"""Official documents and work direction (quản lý văn bản và điều hành; NĐ 30/2020/NĐ-CP).

Outgoing documents (drafting, review, the officer's own signature, numbering and issue by the clerk),
incoming documents (arrivals from agencies in the platform and scanned paper), the registers, the
leader's assignments and their follow-up. See README.md in this folder.
"""
