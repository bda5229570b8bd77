#!/usr/bin/env python3
"""Writes a deterministic supplier catalog (one row per ingredient) made of real substances from
the EU CosIng inventory: each product has 6 to 16 ingredients with their CAS numbers and
concentrations written the ways suppliers write them.

usage: gen_catalog.py COSING_CSV OUT_CSV PRODUCTS [SEED]
"""
import csv
import random
import sys


def cas_ok(cas):
    parts = cas.split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts) or not 2 <= len(parts[0]) <= 7 or len(parts[1]) != 2 or len(parts[2]) != 1:
        return False
    digits = (parts[0] + parts[1])[::-1]
    return sum((i + 1) * int(d) for i, d in enumerate(digits)) % 10 == int(parts[2])


def substances(cosing_path):
    """CosIng entries with a name and exactly one valid CAS number."""
    found = []
    with open(cosing_path, newline="", encoding="utf-8") as f:
        rows = csv.reader(f)
        for row in rows:
            if len(row) < 5 or row[0] == "COSING Ref No":
                continue
            name, cas = row[1].strip(), row[4].strip()
            if name and cas_ok(cas):
                found.append((name, cas))
    return found


CONCENTRATIONS = ["{a}", "{a} %", "{a},5", "<{a}", "{a}-{b}", "{a}–{b} %", "max. {b}", "{c} ppm"]


def main():
    cosing, out, products = sys.argv[1], sys.argv[2], int(sys.argv[3])
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 20261123
    rng = random.Random(seed)
    pool = substances(cosing)
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["code", "name", "shade", "ingredient", "cas", "concentration", "lot", "expiry"])
        for p in range(products):
            code = f"GEN-{p:07d}"
            name = f"Generated Ink {p}"
            shade = rng.choice(["Black", "White", "Red", "Brown", "Blue", "Nude", "Taupe"])
            lot = f"L{p:07d}"
            for ingredient, cas in rng.sample(pool, rng.randint(6, 16)):
                a = rng.randint(1, 9)
                text = rng.choice(CONCENTRATIONS).format(a=a, b=a + rng.randint(1, 5), c=rng.randint(1, 50))
                w.writerow([code, name, shade, ingredient, cas, text, lot, "2030-12-31"])


if __name__ == "__main__":
    main()
