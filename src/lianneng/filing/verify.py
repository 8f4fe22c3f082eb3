"""`lianneng verify`: is this filing exactly what the unit built, and from which commit?"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lianneng.errors import UsageError
from lianneng.filing.archive import UnsafeArchive, read_zip
from lianneng.filing.package import CHECKSUM, FORMAT, MANIFEST, SIGNATURE, build, sha256
from lianneng.gitrepo import RegisterRepo


@dataclass(frozen=True)
class Finding:
    entry: str
    zh: str
    en: str

    def text(self, lang: str) -> str:
        return f"{self.entry}: {self.en if lang == 'en' else self.zh}"


@dataclass
class Verified:
    findings: list[Finding]
    manifest: dict[str, Any] | None
    notes: list[Finding]  # facts worth saying that are not failures (an unchecked signature)

    @property
    def ok(self) -> bool:
        return not self.findings


def verify(
    data: bytes, *, repo_root: Path | None = None, allowed_signers: Path | None = None
) -> Verified:
    try:
        entries = {entry.name: entry.data for entry in read_zip(data)}
    except UnsafeArchive as exc:
        return Verified(
            [Finding(exc.entry, f"拒绝:{exc.reason_zh}", f"refused: {exc.reason_en}")], None, []
        )
    findings: list[Finding] = []
    notes: list[Finding] = []
    if MANIFEST in entries and CHECKSUM in entries:
        recorded = entries[CHECKSUM].decode("ascii", "replace").strip()
        if sha256(entries[MANIFEST]) != recorded:
            findings.append(
                Finding(
                    MANIFEST,
                    "清单已被改动(与其校验值不符)",
                    "the manifest was changed (it does not match its checksum)",
                )
            )
            return Verified(findings, None, notes)
    manifest = _manifest(entries, findings)
    if manifest is None:
        return Verified(findings, None, notes)
    listed = {}
    for item in manifest.get("entries", []):
        if isinstance(item, dict) and isinstance(item.get("path"), str):
            listed[item["path"]] = item
    for name, item in sorted(listed.items()):
        if name not in entries:
            findings.append(
                Finding(name, "清单中有此条目,包中没有", "listed in the manifest but missing")
            )
        elif sha256(entries[name]) != item.get("sha256") or len(entries[name]) != item.get("size"):
            findings.append(
                Finding(
                    name,
                    "内容与清单中的 SHA-256 不符(已被改动)",
                    "content does not match its SHA-256 in the manifest",
                )
            )
    for name in sorted(set(entries) - set(listed) - {MANIFEST, CHECKSUM, SIGNATURE}):
        findings.append(
            Finding(name, "不在清单中的条目(被添加)", "entry not in the manifest (added)")
        )
    if SIGNATURE in entries:
        _signature(entries, allowed_signers, findings, notes)
    if repo_root is not None and not findings:
        _against_repo(manifest, repo_root, entries, findings)
    return Verified(findings, manifest, notes)


def _manifest(entries: dict[str, bytes], findings: list[Finding]) -> dict[str, Any] | None:
    if MANIFEST not in entries:
        findings.append(Finding(MANIFEST, "缺少清单", "the manifest is missing"))
        return None
    try:
        manifest = json.loads(entries[MANIFEST].decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        findings.append(Finding(MANIFEST, "清单不是有效的 JSON", "the manifest is not valid JSON"))
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        findings.append(Finding(MANIFEST, f"不是 {FORMAT} 格式的清单", f"not a {FORMAT} manifest"))
        return None
    return manifest


def _signature(
    entries: dict[str, bytes], allowed: Path | None, findings: list[Finding], notes: list[Finding]
) -> None:
    from lianneng.filing.signing import verify_signature

    if allowed is None:
        notes.append(
            Finding(
                SIGNATURE,
                "包已签名,未核验签名(请用 --allowed-signers 指定公钥清单)",
                "signed; signature not checked (give --allowed-signers)",
            )
        )
        return
    signer = verify_signature(entries[MANIFEST], entries[SIGNATURE], allowed)
    if signer is None:
        findings.append(
            Finding(
                SIGNATURE,
                "签名无效或签名人不在清单中",
                "the signature is invalid or its signer is not allowed",
            )
        )
    else:
        notes.append(Finding(SIGNATURE, f"签名有效:{signer}", f"good signature by {signer}"))


def _against_repo(
    manifest: dict[str, Any],
    root: Path,
    entries: dict[str, bytes],
    findings: list[Finding],
) -> None:
    """Rebuild the package from the commit it names, in this repository, and compare."""
    source = manifest.get("source") or {}
    commit = source.get("commit")
    if source.get("dirty"):
        findings.append(
            Finding(
                MANIFEST,
                "该包由未提交的工作区生成,无法与提交核对",
                "built from an uncommitted work tree: it matches no commit",
            )
        )
        return
    repo = RegisterRepo(root)
    try:
        repo.commit(str(commit))
    except UsageError:
        findings.append(
            Finding(
                MANIFEST, f"本仓库中没有提交 {commit}", f"commit {commit} is not in this repository"
            )
        )
        return
    previous = (manifest.get("previous") or {}).get("commit")
    rebuilt = build(repo, root, rev=str(commit), since=previous, period=manifest.get("period"))
    rebuilt_entries = {e.name: e.data for e in read_zip(rebuilt.data)}
    for name in sorted(set(entries) | set(rebuilt_entries)):
        if name == SIGNATURE:
            continue
        if entries.get(name) != rebuilt_entries.get(name):
            findings.append(
                Finding(
                    name,
                    f"与提交 {str(commit)[:10]} 重新生成的内容不同",
                    f"differs from a rebuild of commit {str(commit)[:10]}",
                )
            )
