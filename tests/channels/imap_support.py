"""For the mail-polling tests: a private, real Dovecot on loopback, and a fake identity
provider (token endpoint and token introspection) that speaks OAuth 2.0 over HTTP.

Dovecot comes from Debian's ``dovecot-imapd`` (``make browser`` installs it); the packaged
service is never used. Each test session (each pytest-xdist worker) starts its own
instance from a config file in a temporary directory: plain IMAP (with STARTTLS) and
IMAPS on free ports of 127.0.0.1, a self-signed certificate made here, users in a
passwd-file, mail in maildirs, every run/state/log file in that directory, and an
``oauth2`` passdb whose introspection URL is the fake identity provider, so that XOAUTH2
sign-in is checked by Dovecot itself. Mail goes in by IMAP APPEND, as a sender's server
would deliver it, never by writing files.

Run as root, Dovecot refuses to run its login processes or to access mail as root: those
run as ``dovenull`` and ``nobody``. Run as anyone else, everything runs as that user.
"""

from __future__ import annotations

import datetime
import grp
import imaplib
import ipaddress
import itertools
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

DOVECOT_PATHS = ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot")
DH_PARAMS = Path("/usr/share/dovecot/dh.pem")
HOST = "127.0.0.1"
USERS = 500  # accounts per instance, one per test that needs one


def dovecot_binary() -> str | None:
    """Dovecot's master binary (in /usr/sbin, which an ordinary user's PATH may lack)."""
    found = shutil.which("dovecot")
    if found:
        return found
    return next((path for path in DOVECOT_PATHS if os.access(path, os.X_OK)), None)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


# --- the identity provider ----------------------------------------------------------------


@dataclass
class IdentityProvider:
    """The outside identity provider, faked on loopback: ``POST /token`` (the
    ``refresh_token`` grant, RFC 6749 §6) and ``POST /introspect`` (RFC 7662, which
    Dovecot's oauth2 passdb asks about each XOAUTH2 sign-in).

    ``grants`` maps each valid refresh token to its user; ``tokens`` each valid access
    token to its user. ``answers`` overrides the next token responses (status, body);
    ``rotate`` makes each refresh issue a new refresh token and revoke the old one."""

    port: int = 0
    client_id: str = "zhongtai-client"
    client_secret: str = "zhongtai-secret"
    expires_in: int = 3600
    rotate: bool = False
    grants: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    answers: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    introspections: list[str] = field(default_factory=list)
    _counter: Iterator[int] = field(default_factory=itertools.count)

    @property
    def token_url(self) -> str:
        return f"http://{HOST}:{self.port}/token"

    @property
    def introspection_url(self) -> str:
        return f"http://{HOST}:{self.port}/introspect"

    def grant(self, username: str) -> str:
        """A refresh token for ``username``, as the admin's sign-in would have given."""
        refresh = f"rt-{next(self._counter)}-{secrets.token_hex(4)}"
        self.grants[refresh] = username
        return refresh

    def issue(self, username: str) -> str:
        """A valid access token for ``username``."""
        token = f"at-{next(self._counter)}-{secrets.token_hex(4)}"
        self.tokens[token] = username
        return token

    def reset(self) -> None:
        self.expires_in, self.rotate = 3600, False
        for collection in (self.grants, self.tokens, self.answers, self.token_requests):
            collection.clear()
        self.introspections.clear()

    def _token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        self.token_requests.append(form)
        if self.answers:
            return self.answers.pop(0)
        if form.get("client_id") != self.client_id or (
            form.get("client_secret") != self.client_secret
        ):
            return 401, {"error": "invalid_client", "error_description": "Unknown client."}
        if form.get("grant_type") != "refresh_token":
            return 400, {"error": "unsupported_grant_type"}
        username = self.grants.get(form.get("refresh_token", ""))
        if username is None:
            return 400, {
                "error": "invalid_grant",
                "error_description": "AADSTS70008: The refresh token has expired.",
            }
        body: dict[str, Any] = {
            "access_token": self.issue(username),
            "token_type": "Bearer",
            "expires_in": self.expires_in,
        }
        if self.rotate:
            del self.grants[form["refresh_token"]]
            body["refresh_token"] = self.grant(username)
        return 200, body

    def _introspect(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        token = form.get("token", "")
        self.introspections.append(token)
        username = self.tokens.get(token)
        if username is None:
            return 200, {"active": False}
        return 200, {"active": True, "username": username, "scope": "IMAP"}

    def handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                parsed = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
                form = {key: values[0] for key, values in parsed.items()}
                if self.path == "/token":
                    status, body = provider._token(form)
                elif self.path == "/introspect":
                    status, body = provider._introspect(form)
                else:
                    status, body = 404, {"error": "not_found"}
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    @classmethod
    @contextmanager
    def running(cls) -> Iterator[IdentityProvider]:
        provider = cls()
        server = ThreadingHTTPServer((HOST, 0), provider.handler())
        server.daemon_threads = True
        provider.port = server.server_address[1]
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield provider
        finally:
            server.shutdown()
            server.server_close()


# --- Dovecot ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImapUser:
    username: str
    password: str


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, and its key (PEM files)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Zhongtai test IMAP")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(HOST))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


def _accounts() -> tuple[str, str, str, int, int]:
    """Login user, internal user and group, and the uid/gid that mail is accessed as."""
    me = pwd.getpwuid(os.getuid())
    if os.getuid() != 0:
        group = grp.getgrgid(me.pw_gid).gr_name
        return me.pw_name, me.pw_name, group, me.pw_uid, me.pw_gid
    login = "dovenull" if _user_exists("dovenull") else "nobody"
    nobody = pwd.getpwnam("nobody")
    return login, "root", "root", nobody.pw_uid, nobody.pw_gid


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


@dataclass
class Dovecot:
    """One private Dovecot instance. ``user()`` hands out a fresh account (one per test,
    so that tests never see each other's mail); ``append`` delivers a mail."""

    binary: str
    root: Path
    idp: IdentityProvider
    port: int = 0
    ssl_port: int = 0
    cert: Path = Path()
    _users: list[ImapUser] = field(default_factory=list, repr=False)

    @property
    def conf(self) -> Path:
        return self.root / "dovecot.conf"

    @property
    def log(self) -> Path:
        return self.root / "dovecot.log"

    def configure(self) -> None:
        login, internal, internal_group, mail_uid, mail_gid = _accounts()
        for sub in ("run", "state", "mail"):
            (self.root / sub).mkdir(exist_ok=True)
        self.root.chmod(0o711)  # the mail processes (another uid when root) reach mail/
        os.chown(self.root / "mail", mail_uid, mail_gid)
        self.cert, key = self_signed_certificate(self.root)
        self._users = [
            ImapUser(f"support{n}@example.com", secrets.token_hex(8)) for n in range(USERS)
        ]
        (self.root / "passwd").write_text(
            "".join(f"{u.username}:{{PLAIN}}{u.password}::::::\n" for u in self._users)
        )
        (self.root / "oauth2.conf.ext").write_text(
            "introspection_mode = post\n"
            f"introspection_url = {self.idp.introspection_url}\n"
            "username_attribute = username\n"
            "active_attribute = active\n"
            "active_value = true\n"
        )
        self.port, self.ssl_port = free_port(), free_port()
        dh = f"ssl_dh = <{DH_PARAMS}\n" if DH_PARAMS.exists() else ""
        self.conf.write_text(f"""# A private Dovecot for Zhongtai's tests (imap_support.py)
protocols = imap
listen = {HOST}
base_dir = {self.root}/run
state_dir = {self.root}/state
instance_name = zt-test-{os.getpid()}-{self.port}
log_path = {self.log}
default_login_user = {login}
default_internal_user = {internal}
default_internal_group = {internal_group}
first_valid_uid = 1
first_valid_gid = 1
ssl = yes
ssl_cert = <{self.cert}
ssl_key = <{key}
{dh}disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2 oauthbearer
auth_failure_delay = 0
mail_location = maildir:{self.root}/mail/%u
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {self.root}/oauth2.conf.ext
}}
passdb {{
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u {self.root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={self.root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = {HOST}
    port = {self.port}
  }}
  inet_listener imaps {{
    address = {HOST}
    port = {self.ssl_port}
    ssl = yes
  }}
}}
""")

    def start(self) -> None:
        # the daemon keeps its stdout and stderr: a file, not a pipe that never closes
        output = self.root / "start.out"
        with output.open("w") as out:
            started = subprocess.run(  # noqa: S603 (our own binary and config)
                [self.binary, "-c", str(self.conf)], stdout=out, stderr=out, timeout=30
            )
        if started.returncode != 0:
            raise RuntimeError(f"dovecot did not start: {output.read_text()}{self.log_tail()}")
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection((HOST, self.port), timeout=1) as probe:
                    if probe.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"dovecot does not answer on {self.port}{self.log_tail()}")
            time.sleep(0.05)

    def master_pid(self) -> int | None:
        try:
            return int((self.root / "run" / "master.pid").read_text().strip())
        except (OSError, ValueError):
            return None

    def stop(self) -> None:
        """Stop the master and its processes and wait until the port is free."""
        pid = self.master_pid()
        if pid is None:
            return
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            os.kill(pid, signal.SIGKILL)
        (self.root / "run" / "master.pid").unlink(missing_ok=True)

    def log_tail(self) -> str:
        try:
            return "\n" + "\n".join(self.log.read_text().splitlines()[-20:])
        except OSError:
            return ""

    # --- accounts and mail ---

    def user(self) -> ImapUser:
        """A fresh account with a password: one of those written into the passwd-file
        before Dovecot started (it re-reads the file lazily; a pool avoids waiting)."""
        return self._users.pop(0)

    @contextmanager
    def session(self, user: ImapUser, folder: str = "INBOX") -> Iterator[imaplib.IMAP4]:
        client = imaplib.IMAP4(HOST, self.port, timeout=10)
        try:
            client.login(user.username, user.password)
            if folder != "INBOX":
                client.create(folder)
            status, _ = client.select(folder)
            assert status == "OK"
            yield client
        finally:
            with suppress(imaplib.IMAP4.error, OSError):
                client.logout()

    def append(self, user: ImapUser, *raws: bytes, folder: str = "INBOX") -> list[int]:
        """Deliver mails (IMAP APPEND, unflagged); their UIDs."""
        uids = []
        with self.session(user) as client:
            if folder != "INBOX":
                client.create(folder)
            for raw in raws:
                status, data = client.append(folder, "", None, raw)
                assert status == "OK", data
                # [APPENDUID <uidvalidity> <uid>] Append completed
                text = data[0].decode() if isinstance(data[0], bytes) else str(data[0])
                uids.append(int(text.split("APPENDUID", 1)[1].split()[1].rstrip("]")))
        return uids

    def unseen(self, user: ImapUser, folder: str = "INBOX") -> list[int]:
        with self.session(user) as client:
            client.select(folder, readonly=True)
            status, data = client.uid("SEARCH", "UNSEEN")
            assert status == "OK", data
            return [int(uid) for uid in data[0].split()]

    def all_uids(self, user: ImapUser) -> list[int]:
        with self.session(user) as client:
            status, data = client.uid("SEARCH", "ALL")
            assert status == "OK", data
            return [int(uid) for uid in data[0].split()]

    def message_file(self, user: ImapUser, uid: int) -> Path:
        """Where Dovecot keeps a mail (to make the server fail to read it, not to write
        mail: mail goes in by APPEND)."""
        maildir = self.root / "mail" / user.username
        for line in (maildir / "dovecot-uidlist").read_text().splitlines()[1:]:
            number, _, base = line.partition(" :")
            if number.split()[0] == str(uid):
                for sub in ("cur", "new"):
                    matches = list((maildir / sub).glob(base + "*"))
                    if matches:
                        return matches[0]
        raise FileNotFoundError(f"no file for UID {uid}")


@contextmanager
def dovecot_running() -> Iterator[Dovecot]:
    binary = dovecot_binary()
    assert binary is not None
    with IdentityProvider.running() as idp:
        root = Path(tempfile.mkdtemp(prefix="zt-dovecot-"))
        dovecot = Dovecot(binary=binary, root=root, idp=idp)
        try:
            dovecot.configure()
            dovecot.start()
            yield dovecot
        finally:
            dovecot.stop()
            shutil.rmtree(root, ignore_errors=True)
