"""Downloads against a local HTTP server on 127.0.0.1: resume, checksum, errors, CLI."""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from geoplan.cli import main
from geoplan.errors import InputError
from geoplan.io.datainfo import data_inventory, read_provenance
from geoplan.io.download import download, fetch, srtm_tile_names, worldpop_url

PAYLOAD = bytes(range(256)) * 1000  # 256 kB, several chunks


@dataclass
class Server:
    """Files served by path; what the server saw; how it misbehaves."""

    url: str
    files: dict[str, bytes]
    ranges: list[str | None] = field(default_factory=list)
    honour_range: bool = True
    cut_next_at: int | None = None


@pytest.fixture
def server() -> Iterator[Server]:
    state = Server("", {})

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.ranges.append(self.headers.get("Range"))
            body = state.files.get(self.path)
            if body is None:
                self.send_error(404, "Not Found")
                return
            start = 0
            header = self.headers.get("Range")
            if header and state.honour_range:
                start = int(header.removeprefix("bytes=").rstrip("-"))
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
            else:
                self.send_response(200)
            self.send_header("Content-Length", str(len(body) - start))
            self.end_headers()
            chunk = body[start:]
            if state.cut_next_at is not None:  # drop the connection part-way
                chunk, state.cut_next_at = chunk[: state.cut_next_at], None
            self.wfile.write(chunk)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield state
    httpd.shutdown()
    httpd.server_close()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_download_checks_and_records_the_checksum(server: Server, tmp_path: Path) -> None:
    server.files["/f.bin"] = PAYLOAD
    result = download(f"{server.url}/f.bin", tmp_path / "f.bin", sha(PAYLOAD), quiet=True)
    assert result.path.read_bytes() == PAYLOAD
    assert result.sha256 == sha(PAYLOAD) and not result.from_cache
    assert (tmp_path / "f.bin.sha256").read_text().split()[0] == sha(PAYLOAD)
    again = download(f"{server.url}/f.bin", tmp_path / "f.bin", sha(PAYLOAD), quiet=True)
    assert again.from_cache and len(server.ranges) == 1  # not fetched twice


def test_download_resumes_a_partial_file(server: Server, tmp_path: Path) -> None:
    server.files["/f.bin"] = PAYLOAD
    (tmp_path / "f.bin.part").write_bytes(PAYLOAD[:100_000])
    result = download(f"{server.url}/f.bin", tmp_path / "f.bin", sha(PAYLOAD), quiet=True)
    assert server.ranges == ["bytes=100000-"]
    assert result.resumed_from_bytes == 100_000
    assert result.path.read_bytes() == PAYLOAD
    assert not (tmp_path / "f.bin.part").exists()


def test_download_restarts_when_the_server_ignores_ranges(server: Server, tmp_path: Path):
    server.files["/f.bin"] = PAYLOAD
    server.honour_range = False
    (tmp_path / "f.bin.part").write_bytes(b"stale bytes")
    result = download(f"{server.url}/f.bin", tmp_path / "f.bin", sha(PAYLOAD), quiet=True)
    assert result.resumed_from_bytes == 0
    assert result.path.read_bytes() == PAYLOAD


def test_interrupted_download_resumes_on_the_next_run(server: Server, tmp_path: Path) -> None:
    server.files["/f.bin"] = PAYLOAD
    server.cut_next_at = 70_000
    with pytest.raises(InputError, match=r"run the same command again to resume"):
        download(f"{server.url}/f.bin", tmp_path / "f.bin", sha(PAYLOAD), quiet=True)
    assert not (tmp_path / "f.bin").exists()
    assert (tmp_path / "f.bin.part").stat().st_size == 70_000
    result = download(f"{server.url}/f.bin", tmp_path / "f.bin", sha(PAYLOAD), quiet=True)
    assert server.ranges[-1] == "bytes=70000-"
    assert result.path.read_bytes() == PAYLOAD


def test_checksum_mismatch_leaves_no_file(server: Server, tmp_path: Path) -> None:
    server.files["/f.bin"] = PAYLOAD
    with pytest.raises(InputError, match=r"SHA-256 mismatch.*deleted"):
        download(f"{server.url}/f.bin", tmp_path / "f.bin", "0" * 64, quiet=True)
    assert list(tmp_path.iterdir()) == []


def test_not_found_is_a_clear_error(server: Server, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"HTTP 404.*--base-url"):
        download(f"{server.url}/missing.tif", tmp_path / "x.tif", quiet=True)
    assert list(tmp_path.iterdir()) == []


def test_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"cannot connect"):
        download("http://127.0.0.1:9/x.tif", tmp_path / "x.tif", quiet=True, timeout_s=5)


def test_cli_fetches_worldpop_from_the_configured_mirror(
    server: Server, tmp_path: Path, capsys
) -> None:
    url = worldpop_url("VNM", 2020, "100m", base=server.url)
    server.files[url.removeprefix(server.url)] = PAYLOAD
    out = tmp_path / "pop.tif"
    code = main(
        [
            "-q",
            "data",
            "fetch",
            "worldpop",
            "--iso3",
            "vnm",
            "--resolution",
            "100m",
            "--base-url",
            server.url,
            "--cache",
            str(tmp_path / "cache"),
            "--sha256",
            sha(PAYLOAD),
            "--out",
            str(out),
        ]
    )
    assert code == 0
    assert out.read_bytes() == PAYLOAD
    assert (tmp_path / "cache" / "worldpop" / "vnm_ppp_2020.tif").read_bytes() == PAYLOAD
    assert "wrote" in capsys.readouterr().out
    code = main(
        [
            "-q",
            "data",
            "fetch",
            "worldpop",
            "--iso3",
            "VNM",
            "--resolution",
            "100m",
            "--base-url",
            server.url,
            "--cache",
            str(tmp_path / "cache"),
            "--out",
            str(out),
        ]
    )
    assert code == 2 and "already exists" in capsys.readouterr().err


def test_cli_fetch_errors_are_one_line(server: Server, tmp_path: Path, capsys) -> None:
    code = main(["data", "fetch", "boundaries", "--base-url", server.url, "--cache", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and "HTTP 404" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_srtm_tiles_from_environment_base_url(server: Server, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("GEOPLAN_SRTM_URL", server.url)
    monkeypatch.setenv("GEOPLAN_CACHE", str(tmp_path))
    tiles = srtm_tile_names((105.9, 21.0, 107.0, 21.6))
    assert tiles == ["N21E105", "N21E106"]
    for tile in tiles:
        server.files[f"/{tile[:3]}/{tile}.hgt.gz"] = gzip.compress(tile.encode())
    results = fetch("srtm", bbox=(105.9, 21.0, 107.0, 21.6), quiet=True)
    assert [r.path.name for r in results] == ["N21E105.hgt", "N21E106.hgt"]  # ready for --dem
    assert [r.path.read_bytes() for r in results] == [b"N21E105", b"N21E106"]
    assert all(r.path.parent == tmp_path / "srtm" for r in results)
    assert (tmp_path / "srtm" / "N21E105.hgt.gz").exists()


def test_damaged_srtm_archive_is_a_clear_error(server: Server, tmp_path: Path) -> None:
    server.files["/N21/N21E106.hgt.gz"] = b"not gzip at all"
    with pytest.raises(InputError, match=r"not a readable gzip file.*fetch again"):
        fetch("srtm", bbox=(106.1, 21.1, 106.2, 21.2), base=server.url, cache=tmp_path,
              quiet=True)  # fmt: skip
    assert not (tmp_path / "srtm" / "N21E106.hgt").exists()


def test_data_info_lists_inputs_with_provenance(capsys) -> None:
    assert main(["data", "info"]) == 0
    out = capsys.readouterr().out
    assert "CC BY 4.0" in out and "MIT" in out
    entries = data_inventory()
    assert [e.kind for e in entries][:4] == ["boundaries", "population", "stations", "4g sites"]
    assert "SYNTHETIC" in entries[3].title  # the 4G layer's own provenance, labelled
    own = [e.kind for e in data_inventory(stations=entries[2].path)]
    assert "4g sites" not in own  # a station file of one's own: its 4G layer comes in apart
    population = entries[1]
    assert population.sha256 == sha(population.path.read_bytes())
    assert population.size_bytes == population.path.stat().st_size


def test_data_info_lists_dem_tiles(tmp_path: Path, capsys) -> None:
    tiles = [tmp_path / "N21E106.hgt", tmp_path / "N21E105.hgt"]
    for tile in tiles:
        tile.write_bytes(tile.stem.encode())
    args = ["data", "info", "--dem", str(tiles[0]), "--dem", str(tiles[1])]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert f"dem: {tiles[0]}" in out and sha(b"N21E105") in out
    assert main(["data", "info", "--dem", str(tmp_path / "none.hgt")]) == 2
    assert "none.hgt: file not found" in capsys.readouterr().err


def test_provenance_without_a_file(tmp_path: Path) -> None:
    assert read_provenance(tmp_path) == ("", "")
    (tmp_path / "PROVENANCE.md").write_text("# Title here\n\nLicence: CC0. Done.\n")
    assert read_provenance(tmp_path) == ("Title here", "CC0")
