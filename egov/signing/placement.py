"""Where a visible signature (or text added at issue) goes on a PDF page.

Shared by the renderer of official documents (which knows where the title, the signer's name and the
"Số:" line are) and the signers (which draw the officer's image, the seal, the number and the date).
No Django."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Placement"]


@dataclass(frozen=True)
class Placement:
    """A box on one page: ``page`` is 0-based; ``box`` is (x1, y1, x2, y2) in PDF points (1/72 inch),
    origin at the bottom left of the page, x1 < x2 and y1 < y2."""

    page: int
    box: tuple[float, float, float, float]

    def __post_init__(self) -> None:
        x1, y1, x2, y2 = self.box
        if self.page < 0 or not (x1 < x2 and y1 < y2):
            raise ValueError(f"invalid placement {self!r}")

    @property
    def width(self) -> float:
        return self.box[2] - self.box[0]

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]

    def as_json(self) -> dict:
        return {"page": self.page, "box": list(self.box)}

    @classmethod
    def from_json(cls, data: dict) -> Placement:
        return cls(page=int(data["page"]), box=tuple(float(v) for v in data["box"]))
