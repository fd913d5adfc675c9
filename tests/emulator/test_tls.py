"""The emulator over HTTPS: --tls-cert/--tls-key, Emulator.start(tls=True), run_with_emulator.py --tls."""

import os
import socket
import ssl
import subprocess
import sys

import pytest
import requests

from emulator_client import A, HERE, Client, password_body, USER_A
import harness

EMULATOR = os.path.join(HERE, "ims_emulator.py")
RUNNER = os.path.join(HERE, "run_with_emulator.py")


@pytest.fixture(scope="module")
def tls_emu():
    emu = harness.Emulator.start(tls=True)
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture
def temu(tls_emu):
    tls_emu.reset()
    return tls_emu


def test_https_url_and_ca_bundle(temu):
    assert temu.base_url.startswith("https://127.0.0.1:")
    assert os.path.isfile(temu.ca_bundle)
    env = temu.env()
    assert env["HW_IMS_ENDPOINT"] == env["HW_IAM_ENDPOINT"] == temu.base_url
    assert env["HW_CA_BUNDLE"] == temu.ca_bundle


def test_signed_api_call_and_iam_token_over_tls(temu):
    client = Client(temu)
    # Given per request: requests lets REQUESTS_CA_BUNDLE (set on many machines) override session.verify.
    temu.seed(name="over-tls", owner=A["project_id"])
    listed = client.request("GET", "/v2/images", params={"name": "over-tls"}, verify=temu.ca_bundle)
    assert listed.status_code == 200, listed.text
    assert [image["name"] for image in listed.json()["images"]] == ["over-tls"]
    token = client.session.post(temu.base_url + "/v3/auth/tokens",
                                json=password_body(USER_A, project_id=A["project_id"]), verify=temu.ca_bundle)
    assert token.status_code == 201 and token.headers["X-Subject-Token"]
    by_token = client.request("GET", "/v2/images", params={"name": "over-tls"}, auth="token",
                              token=token.headers["X-Subject-Token"], verify=temu.ca_bundle)
    assert by_token.status_code == 200
    assert temu.stats()["by_route"]["POST /v3/auth/tokens"] >= 1


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_certificate_names_the_loopback_address_and_localhost(temu, host):
    context = ssl.create_default_context(cafile=temu.ca_bundle)  # checks the host name too
    port = int(temu.base_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname=host) as tls:
            assert tls.version() in ("TLSv1.2", "TLSv1.3")
            names = [value for _kind, value in tls.getpeercert()["subjectAltName"]]
    assert "127.0.0.1" in names and "localhost" in names


def test_untrusted_client_is_refused_and_nothing_is_counted(temu):
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(temu.base_url + "/v2/images", timeout=10)
    with pytest.raises(requests.exceptions.SSLError):  # the system CAs do not hold the throwaway CA
        requests.get(temu.base_url + "/v2/images", timeout=10, verify=True)
    assert temu.stats()["total"] == 0
    assert temu.stderr() == ""  # a refused handshake is not an emulator error


def test_plain_http_to_the_tls_port_fails_and_the_server_carries_on(temu):
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(temu.base_url.replace("https://", "http://") + "/v2/images", timeout=10)
    # A client that connects and never says anything does not block the others either.
    port = int(temu.base_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10):
        response = requests.get(temu.base_url + "/_emulator/stats", verify=temu.ca_bundle, timeout=10)
        assert response.status_code == 200
    assert temu.stats()["total"] == 0
    assert temu.stderr() == ""


def test_insecure_client_is_served(temu):
    response = requests.get(temu.base_url + "/_emulator/faults", verify=False, timeout=10)
    assert response.status_code == 200


def _run_emulator(args, timeout=30):
    return subprocess.run([sys.executable, EMULATOR, "--port", "0"] + args, capture_output=True, text=True,
                          timeout=timeout, check=False)


def test_tls_cert_needs_tls_key():
    done = _run_emulator(["--tls-cert", "cert.pem"])
    assert done.returncode == 2 and "--tls-cert and --tls-key go together" in done.stderr
    assert done.stdout == ""


def test_unusable_certificate_files_stop_the_start(tmp_path):
    (tmp_path / "cert.pem").write_text("not a certificate\n")
    (tmp_path / "key.pem").write_text("not a key\n")
    done = _run_emulator(["--tls-cert", str(tmp_path / "cert.pem"), "--tls-key", str(tmp_path / "key.pem")])
    assert done.returncode == 2 and "cannot load --tls-cert/--tls-key" in done.stderr
    done = _run_emulator(["--tls-cert", str(tmp_path / "missing.pem"), "--tls-key", str(tmp_path / "key.pem")])
    assert done.returncode == 2 and "cannot load --tls-cert/--tls-key" in done.stderr
    assert "Traceback" not in done.stderr


def test_standalone_server_with_made_files(tmp_path):
    files = harness.make_tls_files(str(tmp_path))
    process = subprocess.Popen([sys.executable, EMULATOR, "--port", "0", "--tls-cert", files["cert"],
                                "--tls-key", files["key"]], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        line = process.stdout.readline().decode().strip()
        assert line.startswith("https://127.0.0.1:")
        assert requests.get(line + "/_emulator/stats", verify=files["ca"], timeout=10).status_code == 200
    finally:
        process.terminate()
        process.wait(10)
        process.stdout.close()
        process.stderr.close()


def test_openssl_command_makes_the_same_files(tmp_path):
    if not harness.shutil.which("openssl"):
        pytest.skip("no openssl command")
    files = {"ca": str(tmp_path / "ca.pem"), "cert": str(tmp_path / "server.pem"), "key": str(tmp_path / "server.key")}
    harness._tls_files_with_openssl(str(tmp_path), harness.TLS_HOSTS, files)  # pylint: disable=protected-access
    context = ssl.create_default_context(cafile=files["ca"])
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(files["cert"], files["key"])
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        client = socket.create_connection(listener.getsockname(), timeout=10)
        accepted, _address = listener.accept()
        with accepted:
            result = {}

            def serve():
                try:
                    with server_context.wrap_socket(accepted, server_side=True):
                        pass
                except ssl.SSLError as exc:
                    result["error"] = exc

            import threading  # pylint: disable=import-outside-toplevel
            thread = threading.Thread(target=serve)
            thread.start()
            with context.wrap_socket(client, server_hostname="localhost") as tls:
                assert tls.version()
            thread.join(10)
    assert "error" not in result


def test_run_with_emulator_tls():
    script = ("import os, urllib.request, ssl; "
              "ctx = ssl.create_default_context(cafile=os.environ['HW_CA_BUNDLE']); "
              "print(os.environ['HW_IMS_ENDPOINT']); "
              "print(urllib.request.urlopen(os.environ['HW_IMS_ENDPOINT'] + '/_emulator/stats', context=ctx).status)")
    done = subprocess.run([sys.executable, RUNNER, "--tls", "--", sys.executable, "-c", script],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    url, status = done.stdout.split()
    assert url.startswith("https://127.0.0.1:") and status == "200"
