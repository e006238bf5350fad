"""Files written inside a failing service are removed with its rollback (``uploads.discarded_on_error``)."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from egov.core.uploads import discarded_on_error, remember_written


class _File:
    """What ``remember_written`` reads of a ``FieldFile``: its storage and its stored name."""

    def __init__(self, storage, name):
        self.storage, self.name = storage, name


@pytest.fixture
def storage(tmp_path):
    return FileSystemStorage(location=tmp_path)


def _write(storage, name):
    saved = storage.save(name, ContentFile(b"x"))
    remember_written(_File(storage, saved))
    return saved


def test_given_a_block_that_fails_when_it_ends_then_the_files_it_wrote_are_removed(storage):
    with pytest.raises(RuntimeError), discarded_on_error():
        first = _write(storage, "a.pdf")
        second = _write(storage, "b.pdf")
        raise RuntimeError("refused")

    assert not storage.exists(first)
    assert not storage.exists(second)


def test_given_a_block_that_succeeds_when_it_ends_then_its_files_stay(storage):
    with discarded_on_error():
        name = _write(storage, "a.pdf")

    assert storage.exists(name)


def test_given_an_inner_failure_caught_by_the_outer_block_then_files_stay_until_the_outer_block_fails(storage):
    with discarded_on_error():
        kept = _write(storage, "kept.pdf")
        with pytest.raises(ValueError), discarded_on_error():
            inner = _write(storage, "inner.pdf")
            raise ValueError

        assert storage.exists(inner)  # only the outermost block decides
    assert storage.exists(kept)


def test_given_no_block_when_a_file_is_written_then_nothing_is_tracked(storage):
    name = _write(storage, "free.pdf")
    with pytest.raises(RuntimeError), discarded_on_error():
        raise RuntimeError

    assert storage.exists(name)


def test_as_a_decorator_it_removes_what_the_function_wrote_when_it_raises(storage):
    written = []

    @discarded_on_error()
    def service():
        written.append(_write(storage, "c.pdf"))
        raise RuntimeError

    with pytest.raises(RuntimeError):
        service()
    assert not storage.exists(written[0])
