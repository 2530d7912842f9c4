"""The LDAP contact source against a real slapd: a whole directory fetched in pages, and
search as you type, over plain LDAP, StartTLS and LDAPS; OpenLDAP's own `ldapsearch`
(C, the reference client) fetching the same directory side by side.

One slapd on 127.0.0.1 with a PBX-style phone book of `--entries` people (server size
limit 500, so both clients must page). Each round: Parley's `fetch_all` and
`ldapsearch -E pr=500/noprompt` per security mode (order alternating), then
`--searches` searches as you type (a name, a national number, a partial international
number, a common surname). Wall-clock times; medians over the rounds after one warm-up.
This is a benchmark, never a test: it asserts nothing.

Run from the repository root::

    .venv/bin/python bench/bench_ldap_directory.py --entries 10000 --rounds 5
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "src"))

from parley.contacts.ldap_directory import LdapConfig, fetch_all, search  # noqa: E402
from peers.certs import session_certs  # noqa: E402
from peers.slapd import BASE_DN, USER_DN, USER_PASSWORD, Slapd, pbx_phonebook  # noqa: E402

MODES = ("none", "starttls", "ldaps")
QUERIES = ("Anna", "030 1234567", "+4930660", "Albrecht")


def ldapsearch(server: Slapd, mode: str, ca_file: str) -> tuple[float, int]:
    url = f"ldaps://127.0.0.1:{server.ldaps_port}" if mode == "ldaps" else server.url
    argv = ["ldapsearch", "-x", "-LLL", "-H", url, "-D", USER_DN, "-w", USER_PASSWORD]
    argv += ["-b", BASE_DN, "-E", "pr=500/noprompt", "(objectClass=inetOrgPerson)"]
    argv += ["cn", "givenName", "sn", "o", "telephoneNumber", "mobile", "homePhone"]
    if mode == "starttls":
        argv.insert(2, "-ZZ")
    env = {**os.environ, "LDAPTLS_CACERT": ca_file}
    start = time.perf_counter()
    out = subprocess.run(argv, capture_output=True, env=env, check=False).stdout
    elapsed = time.perf_counter() - start
    return elapsed, out.count(b"\ndn: ") + out.startswith(b"dn: ")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--searches", type=int, default=20)
    args = parser.parse_args()
    if shutil.which("ldapsearch") is None:
        sys.exit("bench_ldap_directory: ldapsearch is not installed (ldap-utils)")
    certs = session_certs()
    ca = str(certs.ca_file)
    workdir = Path(tempfile.mkdtemp(prefix="bench-ldap-"))
    entries = pbx_phonebook(phonebook_size=300, archive_size=max(0, args.entries - 300))
    fetch: dict[tuple[str, str], list[float]] = {}
    typed: dict[str, list[float]] = {m: [] for m in MODES}
    counts: dict[tuple[str, str], int] = {}
    with Slapd(workdir, entries, certs=certs) as server:
        for round_no in range(args.rounds + 1):
            for mode in MODES if round_no % 2 else reversed(MODES):
                port = server.ldaps_port if mode == "ldaps" else server.port
                config = LdapConfig(
                    host=server.host,
                    port=port,
                    security=mode,  # type: ignore[arg-type]
                    ca_file=ca,
                    bind_dn=USER_DN,
                    password=USER_PASSWORD,
                    search_filter="(objectClass=inetOrgPerson)",
                    default_country="DE",
                )
                start = time.perf_counter()
                result = fetch_all(config)
                parley = time.perf_counter() - start
                reference, found = ldapsearch(server, mode, ca)
                counts[("parley", mode)] = len(result.contacts)
                counts[("ldapsearch", mode)] = found
                if round_no == 0:
                    continue  # warm-up
                fetch.setdefault(("parley", mode), []).append(parley)
                fetch.setdefault(("ldapsearch", mode), []).append(reference)
                for i in range(args.searches):
                    start = time.perf_counter()
                    search(config, QUERIES[i % len(QUERIES)])
                    typed[mode].append(time.perf_counter() - start)
    shutil.rmtree(workdir, ignore_errors=True)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{args.entries} entries, {args.rounds} rounds, load now {load}, max RSS {rss:.0f} MiB")
    print("| | plain LDAP | StartTLS | LDAPS |")
    print("|---|---|---|---|")
    for client in ("parley", "ldapsearch"):
        cells = [
            f"{statistics.median(fetch[(client, m)]):.2f} s ({counts[(client, m)]})" for m in MODES
        ]
        print(f"| whole directory, {client} | " + " | ".join(cells) + " |")
    for label, q in (("median", 0.5), ("90th percentile", 0.9)):
        cells = []
        for mode in MODES:
            times = sorted(typed[mode])
            cells.append(f"{times[min(len(times) - 1, int(q * len(times)))] * 1000:.1f} ms")
        print(f"| search as you type, {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
