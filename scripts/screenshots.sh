#!/usr/bin/env bash
# The screenshots in docs/screenshots: every screen of the real window as
# "fieldprint self-test" captures it under Xvfb (NAME-1366x768.png and
# NAME-1024x700.png), then an appointment letter and a stamped notice as the
# applicant gets them, and the office report's PDF (report-pdf-N.png).
# Needs: make selftest-deps shot-deps, and bin/fieldprint.
set -euo pipefail
cd "$(dirname "$0")/.."
out=docs/screenshots
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A failed check still leaves its pictures: write them all, then say so.
failed=0
for size in 1366x768 1024x700; do
	GALLIUM_DRIVER=llvmpipe xvfb-run -a -s "-screen 0 1366x768x24" \
		./bin/fieldprint self-test --capture x11 --size "$size" --screenshots "$out" --timeout 4m || failed=1
done
echo "wrote $out/*-1366x768.png and $out/*-1024x700.png"

# The letters, from a demo database of their own.
export FIELDPRINT_DB=$tmp/demo.db
# The office's data is encrypted: reading it signs in too (the demo clerk).
export FIELDPRINT_USER=clerk FIELDPRINT_PASSWORD=demo-only-not-secret
./bin/fieldprint demo --requests 80 >/dev/null
# A day of last week's collections, and a stamp printed then.
most=0
for i in 1 2 3 4 5 6 7 8 9; do
	d=$(date -d "-$i day" +%F)
	n=$(./bin/fieldprint today --date "$d" --format json | grep -c '"request"' || true)
	if [ "$n" -gt "$most" ]; then most=$n; day=$d; fi
done
stamp=$(./bin/fieldprint today --date "$day" --format json | grep -o '"stamp": "[A-Z2-7-]*"' | head -1 | cut -d'"' -f4)
# An appointment letter, first page, as the applicant gets it.
number=$(./bin/fieldprint list --status scheduled --format json | grep -o 'FP-[0-9]*-[0-9]*' | head -1)
FIELDPRINT_PASSWORD=demo-only-not-secret ./bin/fieldprint letter "$number" -o "$tmp/letter.pdf" --user clerk >/dev/null
pdftoppm -png -r 80 -f 1 -l 1 -singlefile "$tmp/letter.pdf" "$out/appointment-letter"
echo "wrote $out/appointment-letter.png"
# The stamped notice of one person collected that day.
facts=$(./bin/fieldprint verify "$stamp" --format json)
req=$(echo "$facts" | grep -o '"request": "FP-[0-9-]*"' | head -1 | cut -d'"' -f4)
person=$(echo "$facts" | grep -o '"person": "[^"]*"' | head -1 | cut -d'"' -f4)
FIELDPRINT_PASSWORD=demo-only-not-secret ./bin/fieldprint stamp "$req" --person "$person" -o "$tmp/stamp.pdf" --user clerk >/dev/null
pdftoppm -png -r 80 -singlefile "$tmp/stamp.pdf" "$out/stamped-notice"
echo "wrote $out/stamped-notice.png"
# The director's report of the last 30 days as the PDF prints it, each page.
FIELDPRINT_PASSWORD=demo-only-not-secret ./bin/fieldprint report --days 30 --format pdf -o "$tmp/report.pdf" --user director
rm -f "$out"/report-pdf-*.png
pdftoppm -png -r 60 "$tmp/report.pdf" "$out/report-pdf"
echo "wrote" "$out"/report-pdf-*.png
if [ "$failed" != 0 ]; then
	echo "the self-test failed (above): the pictures show where" >&2
	exit 1
fi
