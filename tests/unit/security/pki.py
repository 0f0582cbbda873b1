"""A throwaway certificate authority and client certificate for TLS tests."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class TestPki:
    ca_name: str
    cafile: Path
    certfile: Path
    keyfile: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(subject: str, issuer: str, public_key, signing_key, *, ca: bool):  # type: ignore[no-untyped-def]
    now = datetime.now(timezone.utc)
    return (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(_name(issuer))
            .public_key(public_key).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=1)).not_valid_after(now + timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .sign(signing_key, hashes.SHA256()))


def make_pki(directory: Path, ca_name: str = "postloan test ca") -> TestPki:
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = _certificate(ca_name, ca_name, ca_key.public_key(), ca_key, ca=True)
    client_key = ec.generate_private_key(ec.SECP256R1())
    client_cert = _certificate("postloan client", ca_name, client_key.public_key(), ca_key,
                               ca=False)
    pem = serialization.Encoding.PEM
    paths = TestPki(ca_name, directory / "ca.pem", directory / "client.pem",
                    directory / "client.key")
    paths.cafile.write_bytes(ca_cert.public_bytes(pem))
    paths.certfile.write_bytes(client_cert.public_bytes(pem))
    paths.keyfile.write_bytes(client_key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return paths
