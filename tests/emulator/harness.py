"""Start and stop IMS emulators from Python tests, and drive their control surface.

Standard library only. Typical use::

    from harness import Emulator

    with Emulator.start() as emu:
        emu.seed(count=3, name="img-{i}")
        os.environ.update(emu.env())
        ...  # run the code under test against emu.base_url
        assert emu.stats()["by_route"]["GET /v2/images"] == 1

See README.md beside this file for the emulator itself. ``Emulator.start(tls=True)`` serves
HTTPS with a throwaway CA made by :func:`make_tls_files` (the ``cryptography`` package, or
else the ``openssl`` command); everything else uses the standard library only.
"""

from __future__ import annotations

import atexit
import copy
import datetime
import ipaddress
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request

# The emulator's own defaults, so that the two never disagree.
from ims_emulator import (  # noqa: F401  pylint: disable=unused-import
    DEFAULT_ACCESS_KEY,
    DEFAULT_DOMAIN,
    DEFAULT_PASSWORD,
    DEFAULT_PROJECT_ID,
    DEFAULT_REGION,
    DEFAULT_SECRET_KEY,
    DEFAULT_USER,
    PUBLIC_OWNER,
)

# The account an emulator has when it is given none (the first of ``accounts`` otherwise).
DEFAULT_ACCOUNT = {"access_key": DEFAULT_ACCESS_KEY, "secret_key": DEFAULT_SECRET_KEY, "project_id": DEFAULT_PROJECT_ID}

HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR = os.path.join(HERE, "ims_emulator.py")

START_TIMEOUT = 15.0

_RUNNING = set()


def _stop_all():
    for emulator in list(_RUNNING):
        emulator.stop()


atexit.register(_stop_all)


def _account(value) -> dict:
    """An account as a dict, from a dict, an ``AK:SK:PROJECT_ID`` string or a 3-tuple.

    A dict may also give ``region_projects`` (``{region: project id}``), the projects of other
    regions that are not to be derived (``--account AK:SK:PID,REGION=PID``).
    """
    if isinstance(value, dict):
        account = {"access_key": value["access_key"], "secret_key": value["secret_key"],
                   "project_id": value["project_id"]}
        if value.get("region_projects"):
            account["region_projects"] = dict(value["region_projects"])
        return account
    if isinstance(value, str):
        access_key, _colon, rest = value.partition(":")
        secret_key, _colon, project_id = rest.rpartition(":")
        return {"access_key": access_key, "secret_key": secret_key, "project_id": project_id}
    access_key, secret_key, project_id = value
    return {"access_key": access_key, "secret_key": secret_key, "project_id": project_id}


def _user_arg(value) -> str:
    """``NAME:PASSWORD:DOMAIN:PROJECT_ID`` from a string, a dict or a 4-tuple."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        value = (value["name"], value["password"], value["domain"], value["project_id"])
    return ":".join(value)


class EmulatorError(RuntimeError):
    """The emulator did not start, or a control call failed."""


TLS_HOSTS = ("127.0.0.1", "::1", "localhost")


def make_tls_files(directory, hosts=TLS_HOSTS) -> dict:
    """A throwaway CA and a server certificate it signed, for ``hosts``, as PEM files in ``directory``.

    Returns ``{"ca": ca.pem, "cert": server.pem, "key": server.key}``. The server
    certificate names every host as a subject alternative name (IP addresses as IP
    entries, names as DNS entries) and is valid for a day. Made with the
    ``cryptography`` package when it can be imported, else with the ``openssl`` command.
    """
    files = {"ca": os.path.join(directory, "ca.pem"), "cert": os.path.join(directory, "server.pem"),
             "key": os.path.join(directory, "server.key")}
    try:
        import cryptography  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
    except ImportError:
        _tls_files_with_openssl(directory, hosts, files)
    else:
        _tls_files_with_cryptography(hosts, files)
    return files


def _san_entries(hosts):
    entries = []
    for host in hosts:
        try:
            entries.append(("IP", ipaddress.ip_address(host)))
        except ValueError:
            entries.append(("DNS", host))
    return entries


def _tls_files_with_cryptography(hosts, files):
    # pylint: disable=import-outside-toplevel
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    start, end = now - datetime.timedelta(minutes=5), now + datetime.timedelta(days=1)

    def name(common_name):
        return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "hwcloud.ims emulator"),
                          x509.NameAttribute(NameOID.COMMON_NAME, common_name)])

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = name("hwcloud.ims emulator test CA")
    ca_cert = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
               .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(start).not_valid_after(end)
               .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                            content_commitment=False, key_encipherment=False,
                                            data_encipherment=False, key_agreement=False,
                                            encipher_only=False, decipher_only=False), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
               .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    san = [x509.IPAddress(value) if kind == "IP" else x509.DNSName(value) for kind, value in _san_entries(hosts)]
    cert = (x509.CertificateBuilder().subject_name(name(hosts[0])).issuer_name(ca_name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.SubjectAlternativeName(san), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    with open(files["ca"], "wb") as handle:
        handle.write(ca_cert.public_bytes(serialization.Encoding.PEM))
    with open(files["cert"], "wb") as handle:
        handle.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(os.open(files["key"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))


def _tls_files_with_openssl(directory, hosts, files):
    openssl = shutil.which("openssl")
    if not openssl:
        raise EmulatorError("a TLS emulator needs the Python package cryptography or the openssl command")
    ca_key = os.path.join(directory, "ca.key")
    csr = os.path.join(directory, "server.csr")
    ext = os.path.join(directory, "server.ext")
    san = ",".join("%s:%s" % (kind, value) for kind, value in _san_entries(hosts))
    with open(ext, "w", encoding="ascii") as handle:
        handle.write("basicConstraints=critical,CA:FALSE\nsubjectAltName=%s\nextendedKeyUsage=serverAuth\n" % san)
    commands = [
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", ca_key, "-out", files["ca"], "-days", "1", "-subj", "/O=hwcloud.ims emulator/CN=hwcloud.ims emulator test CA",
         "-addext", "basicConstraints=critical,CA:TRUE,pathlen:0", "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
        [openssl, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", files["key"], "-out", csr, "-subj", "/O=hwcloud.ims emulator/CN=%s" % hosts[0]],
        [openssl, "x509", "-req", "-in", csr, "-CA", files["ca"], "-CAkey", ca_key, "-CAcreateserial",
         "-out", files["cert"], "-days", "1", "-extfile", ext],
    ]
    for command in commands:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode:
            raise EmulatorError("%s failed: %s" % (" ".join(command[:3]), done.stderr))


class Emulator:
    """One emulator process (``ims_emulator.py --port 0``) and its control surface."""

    region_name = None  # a view of one region (``region()``): its control calls go to /<region>/_emulator/...
    _prefix = ""

    def __init__(self, process, base_url, accounts, workdir, stderr_path, ca_bundle=None):
        self._regions = None  # GET /_emulator/regions, once asked
        self.process = process
        self.base_url = base_url
        self.accounts = accounts
        self.default_account = accounts[0]
        self._workdir = workdir
        self._stderr_path = stderr_path
        # With tls=True: the PEM file of the CA that signed the emulator's certificate.
        self.ca_bundle = ca_bundle
        self._ssl_context = ssl.create_default_context(cafile=ca_bundle) if ca_bundle else None

    # -- life cycle --------------------------------------------------------------------
    @classmethod
    def start(cls, accounts=None, users=None, state=None, extra_args=(), host="127.0.0.1",
              port=0, tls=False, regions=None) -> "Emulator":
        """Launch an emulator (on a free port by default); return once it accepts connections.

        ``accounts``: dicts (``access_key``, ``secret_key``, ``project_id``), ``AK:SK:PID``
        strings or tuples; ``users``: dicts (``name``, ``password``, ``domain``,
        ``project_id``), ``NAME:PASSWORD:DOMAIN:PID`` strings or tuples; ``state``: the
        ``--state`` file; ``extra_args``: more command line arguments; ``tls``: serve HTTPS
        with a certificate for 127.0.0.1, ::1 and localhost signed by a throwaway CA, whose
        PEM file is ``ca_bundle`` (all in the emulator's temporary folder); ``regions``: the region
        names, the default first (``--regions``; None: the emulator's six).
        """
        account_list = [_account(a) for a in accounts] if accounts else [dict(DEFAULT_ACCOUNT)]
        command = [sys.executable, EMULATOR, "--port", str(port), "--host", host]
        if accounts:
            for account in account_list:
                extra = "".join(",%s=%s" % pair for pair in account.get("region_projects", {}).items())
                command += ["--account", "%(access_key)s:%(secret_key)s:%(project_id)s" % account + extra]
        if regions:
            command += ["--regions", ",".join(regions)]
        for user in users or ():
            command += ["--user", _user_arg(user)]
        if state:
            command += ["--state", os.fspath(state)]
        command += [str(arg) for arg in extra_args]

        workdir = tempfile.mkdtemp(prefix="ims-emulator-harness-")
        stderr_path = os.path.join(workdir, "stderr.log")
        ca_bundle = None
        if tls:
            try:
                tls_files = make_tls_files(workdir)
            except BaseException:
                shutil.rmtree(workdir, ignore_errors=True)
                raise
            ca_bundle = tls_files["ca"]
            command += ["--tls-cert", tls_files["cert"], "--tls-key", tls_files["key"]]
        with open(stderr_path, "wb") as stderr:
            # A session of its own: a Ctrl-C in the terminal reaches the code under test,
            # not the emulator it still talks to; stop() ends the emulator.
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                       stderr=stderr, start_new_session=True)
        line = cls._first_line(process, START_TIMEOUT)
        if not line.startswith("http"):
            process.kill()
            process.wait()
            with open(stderr_path, encoding="utf-8", errors="replace") as handle:
                errors = handle.read()
            shutil.rmtree(workdir, ignore_errors=True)
            raise EmulatorError("the emulator did not start (exit status %s, stdout %r):\n%s"
                                % (process.returncode, line, errors))
        emulator = cls(process, line, account_list, workdir, stderr_path, ca_bundle)
        _RUNNING.add(emulator)
        return emulator

    @staticmethod
    def _first_line(process, timeout) -> str:
        """The first stdout line, or "" when none comes within ``timeout`` seconds."""
        result = []
        reader = threading.Thread(target=lambda: result.append(process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        if not result:
            return ""
        return result[0].decode("utf-8", "replace").strip()

    def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL after 5 s) and remove its temporary folder."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()
        _RUNNING.discard(self)
        shutil.rmtree(self._workdir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def stderr(self) -> str:
        """What the emulator wrote to stderr so far (empty once stopped)."""
        try:
            with open(self._stderr_path, encoding="utf-8", errors="replace") as handle:
                return handle.read()
        except FileNotFoundError:
            return ""

    def env(self, region=None) -> dict:
        """Environment variables for the collection, with the first account (and the CA, with TLS).

        ``region`` (default: this view's region, else none): the endpoint of that region
        (``<base_url>/<region>``), its name and the first account's project there.
        """
        account = self.default_account
        region = region or self.region_name
        env = {
            "HW_IMS_ENDPOINT": self.base_url if region is None else self.base_url + "/" + region,
            "HW_IAM_ENDPOINT": self.base_url,
            "HW_ACCESS_KEY": account["access_key"],
            "HW_SECRET_KEY": account["secret_key"],
            "HW_PROJECT_ID": account["project_id"] if region is None else self.project_id(region),
            "HW_REGION_NAME": region or DEFAULT_REGION,
        }
        if self.ca_bundle:
            env["HW_CA_BUNDLE"] = self.ca_bundle
        return env

    # -- regions (README "Regions") ------------------------------------------------------
    def regions(self) -> dict:
        """``{"default", "regions": [names], "accounts": [{"access_key", "projects": {region: id}}], "users": [...]}``."""
        if self._regions is None:
            self._regions = self._call("GET", "/_emulator/regions")
        return self._regions

    def region(self, name: str) -> "Emulator":
        """A view of the same process for region ``name``: its per-region control calls (seed, images,
        resources, jobs, configure_jobs, finish_jobs, quota, set_quota) act on that region, ``env()``
        gives that region's variables; the rest is shared (stopping a view stops the emulator)."""
        if name not in self.regions()["regions"]:
            raise EmulatorError("no region %s (the emulator's: %s)" % (name, ", ".join(self.regions()["regions"])))
        view = copy.copy(self)
        view.region_name, view._prefix = name, "/" + name
        return view

    def project_id(self, region=None, access_key=None) -> str:
        """The project of an account (default: the first) in ``region`` (default: this view's, else the default)."""
        access_key = access_key or self.default_account["access_key"]
        region = region or self.region_name or self.regions()["default"]
        for account in self.regions()["accounts"]:
            if account["access_key"] == access_key:
                return account["projects"][region]
        raise EmulatorError("no account %s" % access_key)

    def endpoint_template(self) -> str:
        """``<base_url>/{region}``: the ``{region}`` form of ``ims_endpoint`` for this emulator."""
        return self.base_url + "/{region}"

    def agencies(self) -> dict:
        """``{account's default project id: [agency...]}`` (``ims_admin_agency`` first)."""
        return self._call("GET", "/_emulator/agencies")["agencies"]

    def seed_agencies(self, *agencies) -> list:
        """Seed agencies: dicts of ``name`` and optionally ``project_id`` (any project of the account),
        ``description``, ``duration``, ``trust_domain_name``."""
        return self._call("POST", "/_emulator/agencies", {"agencies": list(agencies)})["agencies"]

    # -- control surface ---------------------------------------------------------------
    def _call(self, method: str, path: str, body=None):
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(self.base_url + self._prefix + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60, context=self._ssl_context) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            raise EmulatorError("%s %s: %s %s" % (method, path, exc.code, exc.read().decode(
                "utf-8", "replace"))) from None

    def stats(self) -> dict:
        return self._call("GET", "/_emulator/stats")

    def reset_stats(self) -> None:
        self._call("POST", "/_emulator/stats/reset", {})

    def set_faults(self, plan: dict) -> dict:
        return self._call("POST", "/_emulator/faults", plan)

    def clear_faults(self) -> None:
        self._call("DELETE", "/_emulator/faults")

    def faults(self) -> dict:
        return self._call("GET", "/_emulator/faults")

    def seed(self, **spec) -> list:
        """Create images directly (``seed(count=3, name="x-{i}")`` or ``seed(images=[...])``)."""
        return self._call("POST", "/_emulator/seed", spec)["ids"]

    def images(self) -> list:
        """Every stored image, as stored (all projects)."""
        return self._call("GET", "/_emulator/images")["images"]

    def members(self) -> dict:
        """Every stored member, as stored: ``{image id: [member, ...]}`` (project, domain and organisation ones)."""
        return self._call("GET", "/_emulator/images")["members"]

    def reset(self) -> None:
        self._call("POST", "/_emulator/reset", {})

    def clock(self, offset_seconds) -> dict:
        return self._call("POST", "/_emulator/clock", {"offset_seconds": offset_seconds})

    def expire_tokens(self) -> None:
        self._call("POST", "/_emulator/tokens/expire", {})

    # -- the native API's fakes and jobs (README "The native create API", "Jobs") -----------
    def seed_resources(self, **kinds) -> dict:
        """Seed fakes: ``seed_resources(servers=[...], volumes=[...], vaults=[...], backups=[...],
        obs_objects=[...])`` -> ``{kind: [ids]}`` (an OBS object's id is ``bucket:key``)."""
        return self._call("POST", "/_emulator/seed", kinds)

    def resources(self) -> dict:
        return self._call("GET", "/_emulator/resources")

    def jobs(self) -> list:
        """Every job in the ShowJob shape, with its ``project_id``."""
        return self._call("GET", "/_emulator/jobs")["jobs"]

    def configure_jobs(self, job_seconds) -> None:
        """The duration of the jobs started from now on (``--job-seconds``)."""
        self._call("POST", "/_emulator/jobs/config", {"job_seconds": job_seconds})

    def finish_jobs(self, job_id=None) -> list:
        """End a job (or every unfinished one) now; the ids ended."""
        return self._call("POST", "/_emulator/jobs/finish", {} if job_id is None else {"job_id": job_id})["finished"]

    def set_quota(self, quota, project_id=None) -> dict:
        """The private-image quota: the default, or ``project_id``'s own (None drops it)."""
        body = {"quota": quota} if project_id is None else {"project_id": project_id, "quota": quota}
        return self._call("POST", "/_emulator/quota", body)

    def quota(self) -> dict:
        """``{"default": N, "projects": {PROJECT_ID: N}}``."""
        return self._call("GET", "/_emulator/quota")
