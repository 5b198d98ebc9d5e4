#!/usr/bin/env bash
# Opens the real app under Xvfb on a fresh demo database and saves the
# screenshots in docs/screenshots. Needs: make shot-deps (xvfb, xdotool, imagemagick).
set -euo pipefail
cd "$(dirname "$0")/.."
out=docs/screenshots
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'kill $app $xvfb 2>/dev/null || true; sleep 0.5; rm -rf "$tmp"' EXIT
export FIELDPRINT_DB=$tmp/demo.db XDG_CONFIG_HOME=$tmp/config DISPLAY=:97
./bin/fieldprint demo --requests 80 >/dev/null
# A day of last week's collections, and a stamp printed then (for Today and Check a stamp).
most=0
for i in 1 2 3 4 5 6 7 8 9; do
	d=$(date -d "-$i day" +%F)
	n=$(./bin/fieldprint today --date "$d" --format json | grep -c '"request"' || true)
	if [ "$n" -gt "$most" ]; then most=$n; day=$d; fi
done
stamp=$(./bin/fieldprint today --date "$day" --format json | grep -o '"stamp": "[A-Z2-7-]*"' | head -1 | cut -d'"' -f4)
Xvfb :97 -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 & xvfb=$!
sleep 1
./bin/fieldprint >/dev/null 2>&1 & app=$!
sleep 3
wid=$(xdotool search --sync --name '^Fieldprint' | head -1)
xdotool windowsize "$wid" 1280 800 windowmove "$wid" 0 0
sleep 1
shot() { sleep 1; import -window root "$out/$1.png"; echo "wrote $out/$1.png"; }
shot signin
xdotool type --delay 20 'clerk'; xdotool key Return
xdotool type --delay 20 'demo-only-not-secret'; xdotool key Return
shot queue
# Search as you type: accents and case ignored.
xdotool key ctrl+f; xdotool type --delay 40 'dang'
shot search
# An existing request: click the first row.
xdotool mousemove 420 162 click 1
shot request
# Documents: the checklist beside the scan being checked (demo request 2 has
# a rejected passport and two to check), then the missing-documents request.
xdotool key ctrl+f ctrl+a; xdotool type --delay 30 'FP-2026-00002'; sleep 1
xdotool mousemove 420 162 click 1; sleep 1
xdotool mousemove 340 133 click 1             # the Documents tab
shot documents
xdotool mousemove 585 236 click 1             # Ask for missing documents
shot ask-documents
xdotool mousemove 404 645 click 1; sleep 0.5  # Close
# Appointments: a request marked eligible opens on its Appointments tab;
# "Next available" proposes slots for everyone (demo request 38 waits for them).
xdotool key ctrl+f ctrl+a; xdotool type --delay 30 'FP-2026-00038'; sleep 1
xdotool mousemove 420 162 click 1; sleep 1
xdotool mousemove 548 296 click 1             # Next available
shot appointments
# The calendar: next month, a day in its second week.
xdotool mousemove 80 169 click 1; sleep 1     # Calendar
xdotool mousemove 291 88 click 1; sleep 1     # next month
xdotool mousemove 320 300 click 1
shot calendar
# The collection day: last week's, with its collected and missed people.
xdotool mousemove 80 129 click 1; sleep 1     # Today
xdotool mousemove 495 49 click 1; xdotool key ctrl+a; xdotool type --delay 20 "$day"; xdotool key Return
shot today
xdotool mousemove 80 209 click 1; sleep 1     # Check a stamp
xdotool type --delay 30 "$stamp"; xdotool key Return
shot verify
# The intake form: Ctrl+N, a few fields and a save attempt show the field messages.
xdotool key ctrl+n; sleep 1
xdotool type --delay 20 'Jose Muller'
xdotool key Tab; xdotool type --delay 20 '1985-04-12'
xdotool key Tab Tab Tab Tab Tab Tab Tab Tab Tab Tab Tab Tab Tab; xdotool type --delay 20 'GUZ2018123456'
xdotool key ctrl+s
shot form
# Leaving a form with unsaved changes asks first.
xdotool key ctrl+f
shot form-unsaved
# The director's review screen.
xdotool key Escape; sleep 0.5
xdotool mousemove 700 437 click 1; sleep 1   # "Discard changes" in the unsaved-changes dialog
xdotool mousemove 80 777 click 1; sleep 1     # Switch user
xdotool type --delay 20 'director'; xdotool key Return
xdotool type --delay 20 'demo-only-not-secret'; xdotool key Return
sleep 1
xdotool mousemove 90 209 click 1              # Director review
shot review
xdotool mousemove 90 249 click 1              # Audit trail
sleep 1
shot audit
# The administrator's office settings.
xdotool mousemove 80 777 click 1; sleep 1     # Switch user
xdotool type --delay 20 'admin'; xdotool key Return
xdotool type --delay 20 'demo-only-not-secret'; xdotool key Return
sleep 1
xdotool mousemove 64 169 click 1              # Settings
shot settings
# A brand-new database opens on the first-run screen.
kill $app; sleep 0.5
# An appointment letter, first page, as the applicant gets it.
number=$(./bin/fieldprint list --status scheduled --format json | grep -o 'FP-[0-9]*-[0-9]*' | head -1)
FIELDPRINT_PASSWORD=demo-only-not-secret ./bin/fieldprint letter "$number" -o "$tmp/letter.pdf" --user clerk >/dev/null
pdftoppm -png -r 80 -f 1 -l 1 -singlefile "$tmp/letter.pdf" "$out/appointment-letter"
echo "wrote $out/appointment-letter.png"
# The stamped notice and the day sheet of that day.
facts=$(./bin/fieldprint verify "$stamp" --format json)
req=$(echo "$facts" | grep -o '"request": "FP-[0-9-]*"' | head -1 | cut -d'"' -f4)
person=$(echo "$facts" | grep -o '"person": "[^"]*"' | head -1 | cut -d'"' -f4)
FIELDPRINT_PASSWORD=demo-only-not-secret ./bin/fieldprint stamp "$req" --person "$person" -o "$tmp/stamp.pdf" --user clerk >/dev/null
pdftoppm -png -r 80 -singlefile "$tmp/stamp.pdf" "$out/stamped-notice"
echo "wrote $out/stamped-notice.png"
FIELDPRINT_DB=$tmp/new.db ./bin/fieldprint >/dev/null 2>&1 & app=$!
sleep 3
wid=$(xdotool search --sync --name '^Fieldprint' | head -1)
xdotool windowsize "$wid" 1280 800 windowmove "$wid" 0 0
shot first-run
