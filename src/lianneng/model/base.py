"""The common shape of every record, and where it came from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from pydantic import PrivateAttr

from lianneng.model.fields import Id, Strict, Visibility, internal, public
from lianneng.source.yamldoc import KeyPath


@dataclass(frozen=True)
class Origin:
    """The file a record was read from and its key path inside the file's YAML."""

    file: str  # register-relative POSIX path
    path: KeyPath


class Record(Strict):
    KIND: ClassVar[str]
    LABEL_ZH: ClassVar[str]
    LABEL_EN: ClassVar[str]
    FOLDER: ClassVar[str]
    MARKDOWN_BODY: ClassVar[bool] = False
    """Kinds whose prose lives in a Markdown file's body (rules, commitments, plans…)."""
    REQUIRED_SECTIONS: ClassVar[tuple[str, ...]] = ()

    kind: str | None = public("记录类型(可省略:由所在文件夹决定)", None)
    id: Id = public("编号,全册唯一,如 RP-001")
    notes: str | None = internal("内部备注,任何对外文件都不显示", None)

    _origin: Origin | None = PrivateAttr(default=None)

    @property
    def origin(self) -> Origin | None:
        # Read from pydantic's private slot directly: `self._origin` goes through
        # BaseModel.__getattr__, which large registers ask hundreds of thousands of times.
        return self.__pydantic_private__["_origin"]  # type: ignore[index,no-any-return]

    def field_visibility(self, name: str, declared: Visibility) -> Visibility:
        """The visibility of a field for this record; a kind may raise it record by record."""
        return declared

    def label(self, lang: str) -> str:
        return self.LABEL_EN if lang == "en" else self.LABEL_ZH
