#!/usr/bin/env python3
"""The inkguard benchmark harness: whole commands, timed against what a user would otherwise use.

    python3 bench/run.py [--runs N] [--skip-large]
    python3 bench/run.py --import-only --runs 5 [--before OLD/inkguard]   # the catalog import only

Builds the release binary, generates a deterministic catalog from the real CosIng substances
(bench/gen_catalog.py: 20,000 products, about 220,000 ingredient rows; and one ten times larger
for memory), then measures, alternating the commands of each comparison run by run:

  1. import substances of the CosIng inventory;
  2. import catalog of the generated file into a database that already holds CosIng, against
     `sqlite3 DB ".import --csv FILE rows"` (the raw floor: no validation at all) and against
     `sqlite-utils insert DB rows FILE --csv`;
  3. peak memory of the import (GNU time), and again with the file ten times larger;
  4. `check` and `safe-list` on that database against `sqlite3 DB "select 1"` (the floor of
     starting a process and opening the database);
  5. `serve`: the time from start to listening, and one verdict page, one product search and
     one safe-list page over HTTP (urllib, one connection each) beside the `check` command.

Prints medians and per-pair ratios (median of A_i/B_i, so that drift of the machine's speed
cancels) and writes bench/results.json. Needs: cargo, python3, sqlite3, sqlite-utils
(pip install sqlite-utils), GNU time (/usr/bin/time). Never run by CI.
"""
import argparse
import csv
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "bench", "data")
COSING = os.path.join(ROOT, "..", "shared", "realdata", "cosing", "COSING_Ingredients-Fragrance_Inventory_v2.csv")
BIN = os.path.join(ROOT, "target", "release", "inkguard")


def sh(args, env=None, check=True, quiet=True):
    out = subprocess.run(args, env=env, stdout=subprocess.PIPE if quiet else None, stderr=subprocess.PIPE)
    if check and out.returncode not in (0, 3, 4):
        sys.exit(f"failed: {' '.join(args)}\n{out.stderr.decode()}")
    return out


def fresh_copy(src, dst):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(dst + suffix):
            os.remove(dst + suffix)
    shutil.copyfile(src, dst)


def timed(args, env=None):
    start = time.perf_counter()
    out = subprocess.run(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if out.returncode not in (0, 3, 4):
        sys.exit(f"failed: {' '.join(args)}\n{out.stderr.decode()}")
    return elapsed


def peak_mib(args, env=None):
    out = subprocess.run(["/usr/bin/time", "-f", "PEAK %M"] + args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    lines = [l for l in out.stderr.decode().splitlines() if l.startswith("PEAK ")]
    return int(lines[-1].split()[1]) / 1024


def inkguard_env(db):
    env = dict(os.environ)
    env["INKGUARD_DB"] = db
    env["INKGUARD_NOW"] = "2026-11-23T10:00:00Z"
    env["INKGUARD_USER"] = "bench"
    return env


def compare(name, commands, runs, results):
    """commands: list of (label, prepare, args, env); alternated run by run."""
    times = {label: [] for label, *_ in commands}
    for _ in range(runs):
        for label, prepare, args, env in commands:
            if prepare:
                prepare()
            times[label].append(timed(args, env))
    first = commands[0][0]
    row = {"medians_s": {label: statistics.median(t) for label, t in times.items()}, "runs": runs}
    row["ratios"] = {
        f"{first} / {label}": statistics.median(a / b for a, b in zip(times[first], t))
        for label, t in times.items()
        if label != first
    }
    results[name] = row
    print(f"\n{name} ({runs} alternating runs)")
    for label, t in times.items():
        print(f"  {label:<34} median {statistics.median(t):8.3f} s   (min {min(t):.3f}, max {max(t):.3f})")
    for pair, ratio in row["ratios"].items():
        print(f"  ratio {pair:<52} {ratio:6.2f}")


def verdicts(catalog, cosing_db, size, runs, results):
    """check, safe-list and screen on a database holding CosIng and `catalog`, for a client with
    three sensitivities and a negative patch test and for one with fifty sensitivities."""
    checked = os.path.join(DATA, "checked.db")
    fresh_copy(cosing_db, checked)
    env = inkguard_env(checked)
    sh([BIN, "import", "catalog", catalog, "--supplier", "Gen"], env=env)
    sh([BIN, "client", "add", "C-1", "--name", "Bench"], env=env)
    for target, source in (("nickel sulphate", "physician"), ("PPD", "declared"), ("formaldehyde releasers", "physician")):
        sh([BIN, "sensitivity", "add", "C-1", target, "--source", source], env=env)
    sh([BIN, "patch-test", "apply", "C-1", "--product", "GEN-0000100", "--at", "2026-11-20T10:00Z"], env=env)
    sh([BIN, "patch-test", "read", "1", "--grade=-", "--at", "2026-11-23T10:00Z"], env=env)
    # Fifty sensitivities to substances of the catalog, by their CAS numbers.
    sh([BIN, "client", "add", "C-50", "--name", "Bench Fifty"], env=env)
    added, seen = 0, set()
    with open(catalog, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if added == 50:
                break
            if row["cas"] in seen:
                continue
            seen.add(row["cas"])
            out = sh([BIN, "sensitivity", "add", "C-50", row["cas"], "--source", "physician"], env=env, check=False)
            added += out.returncode == 0
    results.setdefault("sensitivities_of_C-50", {})[size] = added
    sh(["sqlite3", checked, "PRAGMA wal_checkpoint(TRUNCATE)"])
    compare(
        f"check (one product, one client; {size} products)",
        [
            ("inkguard check", None, [BIN, "check", "C-1", "GEN-0000100"], env),
            ("inkguard check, 50 sensitivities", None, [BIN, "check", "C-50", "GEN-0000100"], env),
            ("sqlite3 select 1 (floor)", None, ["sqlite3", checked, "select 1"], None),
        ],
        runs * 4,
        results,
    )
    # What a listing of the same products prints: supplier, code, name, shade, kind and the
    # current formulation's version.
    listing = (
        "select s.name, p.code, p.name, p.shade, p.kind, f.version from products p "
        "join suppliers s on s.id = p.supplier_id join formulations f on f.product_id = p.id "
        "where f.version = (select max(version) from formulations where product_id = p.id) "
        "order by s.name, p.code"
    )
    compare(
        f"safe-list ({size} products, one client)",
        [
            ("inkguard safe-list", None, [BIN, "safe-list", "C-1"], env),
            ("inkguard safe-list, 50 sensitivities", None, [BIN, "safe-list", "C-50"], env),
            ("sqlite3 listing the products", None, ["sqlite3", checked, listing], None),
            ("sqlite3 select 1 (floor)", None, ["sqlite3", checked, "select 1"], None),
        ],
        runs,
        results,
    )
    serve_page(checked, env, size, runs, results)


def serve_page(db, env, size, runs, results):
    """`inkguard serve` on `db`: start-up until it prints its URL, then single requests."""
    starts, url, proc = [], None, None
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen([BIN, "serve", "--listen", "127.0.0.1:0"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        line = proc.stderr.readline()
        starts.append(time.perf_counter() - start)
        url = line.split("http://", 1)[1].split()[0]
        url = "http://" + url
        if len(starts) < runs:
            proc.kill()
            proc.wait()
    pages = {
        "verdict page (C-1, GEN-0000100)": "verdict?client=C-1&product=GEN-0000100",
        "verdict page, 50 sensitivities": "verdict?client=C-50&product=GEN-0000100",
        "product search 'GEN-00001'": "client?code=C-1&q=GEN-00001&partial=1",
        "safe-list page (C-1)": "safe-list?client=C-1",
    }
    row = {"startup_median_s": statistics.median(starts), "requests_median_s": {}, "runs": runs * 4}
    try:
        for label, path in pages.items():
            times = []
            for _ in range(runs * 4):
                start = time.perf_counter()
                with urllib.request.urlopen(url + path) as reply:
                    reply.read()
                times.append(time.perf_counter() - start)
            row["requests_median_s"][label] = statistics.median(times)
    finally:
        proc.kill()
        proc.wait()
    results[f"serve ({size} products)"] = row
    print(f"\nserve ({size} products)")
    print(f"  {'start-up until listening':<34} median {row['startup_median_s']:8.3f} s   ({runs} starts)")
    for label, median in row["requests_median_s"].items():
        print(f"  {label:<34} median {median:8.3f} s   ({runs * 4} requests)")


def installed_copy(binary, name):
    """A fresh copy of `binary` in bench/data/bin, as an installation would place it."""
    target_dir = os.path.join(DATA, "bin")
    os.makedirs(target_dir, exist_ok=True)
    target = os.path.join(target_dir, name)
    if os.path.exists(target):
        os.remove(target)
    shutil.copy2(binary, target)
    return target


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-large", action="store_true", help="skip the memory run on the tenfold file and the 60,000-product verdicts")
    parser.add_argument("--verdicts-only", action="store_true", help="measure check, safe-list and screen only (no import comparisons)")
    parser.add_argument("--import-only", action="store_true", help="measure the catalog import only: the comparison with --runs alternating runs (not halved) and peak memory")
    parser.add_argument("--before", help="an older inkguard binary to alternate with in the catalog import comparison (today against after in one run)")
    parser.add_argument("--bin", help="benchmark this inkguard binary (e.g. an older build) instead of building")
    parser.add_argument("--out", default=os.path.join(ROOT, "bench", "results.json"))
    opts = parser.parse_args()
    global BIN
    if opts.bin:
        BIN = os.path.abspath(opts.bin)
    for tool in ("sqlite3", "sqlite-utils"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing: apt-get install sqlite3; pip install sqlite-utils")
    if not os.path.exists(COSING):
        sys.exit(f"the CosIng inventory is missing: {COSING}")
    if not opts.bin:
        sh(["cargo", "build", "--release", "--quiet"], quiet=False)
    os.makedirs(DATA, exist_ok=True)
    # Every binary is timed as an installed copy (as `cargo install` leaves it), not as the
    # linker wrote it: the linker's file sits in the page cache in small pieces, and a check
    # started from it takes about 0.5 ms more (713 page faults against 656).
    BIN = installed_copy(BIN, "inkguard")
    if opts.before:
        opts.before = installed_copy(os.path.abspath(opts.before), "inkguard-before")
    catalog = os.path.join(DATA, "catalog_20k.csv")
    catalog_60k = os.path.join(DATA, "catalog_60k.csv")
    large = os.path.join(DATA, "catalog_200k.csv")
    gen = os.path.join(ROOT, "bench", "gen_catalog.py")
    if not os.path.exists(catalog):
        sh([sys.executable, gen, COSING, catalog, "20000"])
    if not opts.skip_large and not opts.import_only and not os.path.exists(catalog_60k):
        sh([sys.executable, gen, COSING, catalog_60k, "60000"])
    if not opts.skip_large and not opts.verdicts_only and not os.path.exists(large):
        sh([sys.executable, gen, COSING, large, "200000"])

    empty = os.path.join(DATA, "empty.db")
    cosing_db = os.path.join(DATA, "cosing.db")
    work = os.path.join(DATA, "work.db")
    for db in (empty, cosing_db):
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)
    sh([BIN, "init"], env=inkguard_env(empty))
    shutil.copyfile(empty, cosing_db)
    sh([BIN, "import", "substances", COSING], env=inkguard_env(cosing_db))
    sh(["sqlite3", cosing_db, "PRAGMA wal_checkpoint(TRUNCATE)"])

    results = {
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "date": time.strftime("%Y-%m-%d"),
        "catalog_rows": sum(1 for _ in open(catalog)) - 1,
    }
    print(f"catalog: {results['catalog_rows']} ingredient rows; machine: {os.cpu_count()} CPUs, {platform.platform()}")

    if opts.verdicts_only:
        verdicts(catalog, cosing_db, "20,000", opts.runs, results)
        if not opts.skip_large:
            verdicts(catalog_60k, cosing_db, "60,000", opts.runs, results)
        with open(opts.out, "w") as f:
            json.dump(results, f, indent=2)
        print(f"\nwritten: {opts.out}")
        return
    if not opts.import_only:
        compare(
            "import substances (CosIng inventory, 30,076 rows)",
            [("inkguard import substances", lambda: fresh_copy(empty, work), [BIN, "import", "substances", COSING], inkguard_env(work))],
            opts.runs,
            results,
        )
    catalog_commands = [
        ("inkguard import catalog", lambda: fresh_copy(cosing_db, work), [BIN, "import", "catalog", catalog, "--supplier", "Gen"], inkguard_env(work)),
        ("sqlite3 .import (raw floor)", lambda: fresh_copy(cosing_db, work), ["sqlite3", work, f".import --csv {catalog} rows"], None),
        ("sqlite-utils insert", lambda: fresh_copy(cosing_db, work), ["sqlite-utils", "insert", work, "rows", catalog, "--csv"], None),
    ]
    if opts.before:
        before = os.path.abspath(opts.before)
        catalog_commands.append(("inkguard before (--before)", lambda: fresh_copy(cosing_db, work), [before, "import", "catalog", catalog, "--supplier", "Gen"], inkguard_env(work)))
    compare(
        "import catalog (20,000 products) into a database holding CosIng",
        catalog_commands,
        opts.runs if opts.import_only else max(3, opts.runs // 2),
        results,
    )

    fresh_copy(cosing_db, work)
    results["peak_memory_mib"] = {"import catalog 20k": peak_mib([BIN, "import", "catalog", catalog, "--supplier", "Gen"], inkguard_env(work))}
    if not opts.skip_large:
        fresh_copy(cosing_db, work)
        results["peak_memory_mib"]["import catalog 200k"] = peak_mib([BIN, "import", "catalog", large, "--supplier", "Gen"], inkguard_env(work))
    if opts.before:
        fresh_copy(cosing_db, work)
        results["peak_memory_mib"]["import catalog 20k, before"] = peak_mib([before, "import", "catalog", catalog, "--supplier", "Gen"], inkguard_env(work))
    print("\npeak memory (GNU time, maximum resident set)")
    for label, mib in results["peak_memory_mib"].items():
        print(f"  {label:<34} {mib:8.1f} MiB")
    if opts.import_only:
        with open(opts.out, "w") as f:
            json.dump(results, f, indent=2)
        print(f"\nwritten: {opts.out}")
        return

    verdicts(catalog, cosing_db, "20,000", opts.runs, results)
    if not opts.skip_large:
        verdicts(catalog_60k, cosing_db, "60,000", opts.runs, results)
    with open(opts.out, "w") as f:
        json.dump(results, f, indent=2)
    print(f"\nwritten: {opts.out}")


if __name__ == "__main__":
    main()
