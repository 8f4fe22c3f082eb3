"""Signing a filing's manifest with the SSH keys git already uses (`ssh-keygen -Y`)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from lianneng.errors import UsageError

NAMESPACE = "lianneng-filing"


def signing_key(repo_config: str | None, key_config: str | None) -> tuple[str, str]:
    """(key file, principal) from git's settings; refuses unless gpg.format is ssh."""
    if shutil.which("ssh-keygen") is None:
        raise UsageError("找不到 ssh-keygen,无法签名 / ssh-keygen is not available for signing")
    if repo_config != "ssh" or not key_config:
        raise UsageError(
            "签名需要 git config gpg.format ssh 和 user.signingkey / signing needs "
            "`git config gpg.format ssh` and `git config user.signingkey`"
        )
    return key_config, "lianneng"


def sign_bytes(data: bytes, key: str, _principal: str) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        message = Path(folder) / "manifest.json"
        message.write_bytes(data)
        result = subprocess.run(
            ["ssh-keygen", "-Y", "sign", "-f", key, "-n", NAMESPACE, str(message)],
            capture_output=True,
            check=False,
        )
        if result.returncode != 0:
            raise UsageError(
                "签名失败 / signing failed: " + result.stderr.decode("utf-8", "replace").strip()
            )
        return (Path(folder) / "manifest.json.sig").read_bytes()


def verify_signature(data: bytes, signature: bytes, allowed_signers: Path) -> str | None:
    """The principal whose key made `signature`, if it is in `allowed_signers`; else None."""
    if shutil.which("ssh-keygen") is None:
        raise UsageError("找不到 ssh-keygen,无法核验签名 / ssh-keygen is not available")
    with tempfile.TemporaryDirectory() as folder:
        sig = Path(folder) / "manifest.json.sig"
        sig.write_bytes(signature)
        principals = subprocess.run(
            ["ssh-keygen", "-Y", "find-principals", "-s", str(sig), "-f", str(allowed_signers)],
            capture_output=True,
            check=False,
        )
        if principals.returncode != 0:
            return None
        for principal in principals.stdout.decode().split():
            checked = subprocess.run(
                [
                    "ssh-keygen",
                    "-Y",
                    "verify",
                    "-f",
                    str(allowed_signers),
                    "-I",
                    principal,
                    "-n",
                    NAMESPACE,
                    "-s",
                    str(sig),
                ],
                input=data,
                capture_output=True,
                check=False,
            )
            if checked.returncode == 0:
                return principal
        return None
