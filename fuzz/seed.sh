#!/usr/bin/env bash
# Fills fuzz/corpus/ with seeds: the test fixtures and examples for the import, their label
# declarations and concentrations, and the real-world CAS strings when ../shared is there.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/import_csv corpus/label corpus/concentration corpus/identifiers
cp ../tests/fixtures/* ../examples/* corpus/import_csv/
n=0
for text in "Aqua, Glycerin, CI 77266 (Carbon Black), Iron Oxides (CI 77491, CI 77499). May contain: CI 77492" \
            "Talc, Mica [+/- CI 77491, CI 77499]" "Ingredients: Water, Glycerin*. *Organic" "Aqua, Kann enthalten (+/-): CI 77491"; do
    n=$((n + 1)); printf '%s' "$text" > "corpus/label/seed$n"
done
for text in "5" "5 %" "0,5" "<1" "≤ 1 %" "1-5" "1–5 %" "max. 2" "traces" "5 ppm" "5 mg/kg" "ad 100" "1,000 ppm" ">5"; do
    n=$((n + 1)); printf '%s' "$text" > "corpus/concentration/seed$n"
done
for text in "50-00-0" "0050–00–0" "64175" "CI 77499" "C.I. 77499" "231-111-4" "1309-37-1 / 1317-61-9" "Iron Oxides (Ci 77492, Ci 77491)"; do
    n=$((n + 1)); printf '%s' "$text" > "corpus/identifiers/seed$n"
done
real=../../shared/realdata/cas/realworld_nonconforming_cas_strings.csv
if [ -f "$real" ]; then
    tail -n +2 "$real" | cut -d, -f2 | head -200 | while read -r cas; do
        n=$((n + 1)); printf '%s' "$cas" > "corpus/identifiers/real$RANDOM$n"
    done
fi
echo "seeded: $(ls corpus/import_csv | wc -l) import, $(ls corpus/label | wc -l) label, $(ls corpus/concentration | wc -l) concentration, $(ls corpus/identifiers | wc -l) identifier inputs"
