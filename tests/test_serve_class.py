"""The classroom launcher's nginx config: sticky sessions, websockets, remote upstreams, and a
body size that lets every upload Streamlit accepts through. `nginx -t` checks it where installed."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import serve_class  # noqa: E402

UPSTREAMS = ["127.0.0.1:8601", "127.0.0.1:8602", "10.0.0.7:8501"]  # two local, one on another host


def upstream_block(conf: str) -> list[str]:
    block = conf.split("upstream lstm_explorer {", 1)[1].split("}", 1)[0]
    return [line.strip() for line in block.strip().splitlines()]


@pytest.mark.parametrize(
    ("sticky", "balance"), [("ip", "ip_hash;"), ("cookie", "hash $lx_sticky consistent;")]
)
def test_every_upstream_is_served_stickily(tmp_path, sticky, balance):
    conf = serve_class.nginx_config(8600, UPSTREAMS, tmp_path, sticky)
    assert upstream_block(conf) == [balance, *(f"server {u} max_fails=0;" for u in UPSTREAMS)]


def test_websockets_are_upgraded_and_uploads_fit(tmp_path):
    conf = serve_class.nginx_config(8600, UPSTREAMS, tmp_path)
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
    assert "proxy_set_header Connection $connection_upgrade;" in conf
    assert "listen 8600;" in conf
    streamlit = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    body_mb = int(conf.split("client_max_body_size ", 1)[1].split("m;", 1)[0])
    assert body_mb > streamlit["server"]["maxUploadSize"] == serve_class.MAX_UPLOAD_MB


def test_bad_arguments_are_refused(tmp_path):
    with pytest.raises(ValueError, match="upstream"):
        serve_class.nginx_config(8600, [], tmp_path)
    with pytest.raises(ValueError, match="sticky"):
        serve_class.nginx_config(8600, UPSTREAMS, tmp_path, "round-robin")


@pytest.mark.skipif(shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(), reason="no nginx")
def test_nginx_accepts_the_config(tmp_path):
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / "tmp" / sub).mkdir(parents=True)
    conf = tmp_path / "nginx.conf"
    conf.write_text(serve_class.nginx_config(8600, UPSTREAMS, tmp_path))
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    result = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "e.log"), "-c", str(conf)],
                            capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stderr
