#!/usr/bin/env bash
# make dist-wine: the Windows artefacts in dist/ run under Debian's Wine, in a
# fresh prefix (build/wine), on a virtual X server:
#   - Fieldprint.exe version; demo and check on a database in a folder with
#     spaces and a non-ASCII user name; the default database in %LOCALAPPDATA%;
#   - the .msi installs (msiexec /qn): Program Files\Fieldprint\Fieldprint.exe
#     and the Start-menu shortcut; a newer .msi (the same .wxs at VERSION+1)
#     replaces it in place, and the older one is then refused;
#   - the self-test in a real window (Wine's OpenGL on Mesa), every screen;
#   - a picture of the first-run screen in the Wine desktop:
#     build/wine/first-run.png (SHOT=1 copies it to docs/screenshots/).
# Debian's Wine 8.0 lacks bcryptprimitives.dll, which Go's runtime needs: a
# stand-in built from packaging/windows/wine/bcryptprimitives.c goes into the
# prefix (never into a package). Not part of make dist-check: Wine is not
# Windows, and is large.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
GO=${GO:-go}
VERSION=$("$GO" run ./packaging/pkgtool version)
WINE=/usr/lib/wine/wine64
[ -x "$WINE" ] || WINE=$(command -v wine64 || command -v wine)
W=$ROOT/build/wine
export WINEPREFIX=$W/prefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=;bcryptprimitives=n" LC_ALL=C.UTF-8
fails=0
ok() { printf 'ok    %s\n' "$*"; }
bad() { printf 'FAIL  %s\n' "$*"; fails=$((fails + 1)); }
check() { local what=$1; shift; if "$@" >"$W/out" 2>&1; then ok "$what"; else bad "$what"; tail -20 "$W/out" | sed 's/^/      /'; fi; }
wine() { timeout 600 "$WINE" "$@"; }
XPID=
cleanup() {
	"$(dirname "$WINE")/wineserver" -k 2>/dev/null || true
	[ -z "$XPID" ] || kill "$XPID" 2>/dev/null || true
}
trap cleanup EXIT

rm -rf "$W" && mkdir -p "$W/zip"
# A virtual X server of our own for everything below.
for n in $(seq 90 140); do [ -e "/tmp/.X$n-lock" ] || { DISP=:$n; break; }; done
Xvfb "$DISP" -screen 0 1400x860x24 -nolisten tcp >/dev/null 2>&1 & XPID=$!
export DISPLAY=$DISP
sleep 1
echo "Fieldprint $VERSION under $("$WINE" --version) (prefix $WINEPREFIX, display $DISPLAY)"
"$WINE" wineboot -i >/dev/null 2>&1 || true
SYS32=$WINEPREFIX/drive_c/windows/system32
x86_64-w64-mingw32-gcc -shared -O2 -o "$SYS32/bcryptprimitives.dll" packaging/windows/wine/bcryptprimitives.c -ladvapi32
(cd "$W/zip" && unzip -q "$ROOT/dist/Fieldprint-$VERSION-windows.zip")
EXE=$W/zip/Fieldprint.exe

echo "-- the zip's Fieldprint.exe"
check "version says $VERSION, the database in %LOCALAPPDATA%\\Fieldprint" sh -c "'$WINE' '$EXE' version > '$W/v' && cat '$W/v' && head -1 '$W/v' | grep -qx 'fieldprint $VERSION' &&
	grep -q '^database C:\\\\users\\\\[^\\\\]*\\\\AppData\\\\Local\\\\Fieldprint\\\\fieldprint.db' '$W/v'"
check "demo and check in the default database" sh -c "'$WINE' '$EXE' demo --requests 20 && '$WINE' '$EXE' check"
mkdir -p "$WINEPREFIX/drive_c/users/José Müller/My Data"
check "demo, list and check at C:\\users\\José Müller\\My Data\\office.db" sh -c "
	'$WINE' '$EXE' demo --requests 5 --db 'C:\\users\\José Müller\\My Data\\office.db' &&
	'$WINE' '$EXE' list --format csv --db 'C:\\users\\José Müller\\My Data\\office.db' | grep -c '^FP-' | grep -qx 5 &&
	'$WINE' '$EXE' check --db 'C:\\users\\José Müller\\My Data\\office.db' &&
	test -f '$WINEPREFIX/drive_c/users/José Müller/My Data/office.db-stamp.key'"

echo "-- the installer"
cp "dist/Fieldprint-$VERSION.msi" "$W/"
products() { "$WINE" uninstaller --list 2>/dev/null | tr -d '\r' | grep '|||Fieldprint$' || true; }
check "msiexec /i Fieldprint-$VERSION.msi /qn" wine msiexec /i "$W/Fieldprint-$VERSION.msi" /qn
PF="$WINEPREFIX/drive_c/Program Files/Fieldprint/Fieldprint.exe"
check "Program Files\\Fieldprint\\Fieldprint.exe is the zip's" cmp "$PF" "$EXE"
check "a Start-menu shortcut" sh -c "find '$WINEPREFIX/drive_c' -path '*Start Menu/Programs/Fieldprint.lnk' | grep ."
check "the installed Fieldprint runs" sh -c "'$WINE' 'C:\\Program Files\\Fieldprint\\Fieldprint.exe' version | head -1 | grep -qx 'fieldprint $VERSION'"
# A newer version of the same .wxs, as the next release's would be.
NEXT=$(echo "$VERSION" | awk -F. '{print $1"."$2"."$3+1}')
mkdir -p "$W/next" && cp build/dist/msi/Fieldprint.exe build/dist/msi/Fieldprint.ico packaging/windows/fieldprint.wxs "$W/next/"
NEXTCODE=$(build/dist/bin/pkgtool guid "gov.uscis.fieldprint product $NEXT")
(cd "$W/next" && wixl -a x64 -D Version="$NEXT" -D ProductCode="$NEXTCODE" -D PackageCode="$(../../dist/bin/pkgtool guid test "$NEXT")" \
	-D ExeSource=Fieldprint.exe -D IconSource=Fieldprint.ico -o "Fieldprint-$NEXT.msi" fieldprint.wxs)
check "Fieldprint-$NEXT.msi upgrades in place (one Fieldprint installed, the new one)" sh -c "
	timeout 600 '$WINE' msiexec /i '$W/next/Fieldprint-$NEXT.msi' /qn &&
	'$WINE' uninstaller --list 2>/dev/null | tr -d '\r' | grep '|||Fieldprint\$' > '$W/products'; cat '$W/products';
	test \"\$(wc -l < '$W/products')\" = 1 && grep -q '^{$NEXTCODE}|||Fieldprint\$' '$W/products'"
check "Fieldprint-$VERSION.msi is then refused (no downgrade)" sh -c "! timeout 600 '$WINE' msiexec /i '$W/Fieldprint-$VERSION.msi' /qn"

echo "-- the window"
# Wine's own desktop window: without it Wine's X11 driver stops on an X
# error (BadMatch in GetImage) under Xvfb. softpipe: Fyne reads back what
# Mesa drew (llvmpipe reads back black).
check "self-test: every screen of every role (a few minutes)" sh -c "
	GALLIUM_DRIVER=softpipe '$WINE' explorer /desktop=Fieldprint,1366x800 '$EXE' self-test --timeout 8m > '$W/self-test.txt' 2>&1;
	tail -1 '$W/self-test.txt'; tail -1 '$W/self-test.txt' | grep -q '^self-test at 1366x768 passed'"
check "the self-test left the user's Fyne preferences alone" sh -c "! find '$WINEPREFIX/drive_c/users/${USER:-$(id -un)}/AppData/Roaming' -path '*/fyne/*' -type f | grep ."
"$(dirname "$WINE")/wineserver" -k 2>/dev/null || true
# The first-run screen as a desk sees it: a new database, Wine's window frame.
rm -rf "$WINEPREFIX/drive_c/users/${USER:-$(id -un)}/AppData/Local/Fieldprint"
GALLIUM_DRIVER=softpipe "$WINE" explorer /desktop=Fieldprint,1280x800 "$EXE" > "$W/window.txt" 2>&1 &
sleep 20
import -window root -crop 1280x800+0+0 +repage -strip "$W/first-run.png"
"$(dirname "$WINE")/wineserver" -k 2>/dev/null || true
check "a picture of the first-run screen (build/wine/first-run.png)" sh -c "test \"\$(identify -format '%k' '$W/first-run.png')\" -gt 50"
if [ "${SHOT:-}" = 1 ]; then cp "$W/first-run.png" docs/screenshots/windows-first-run-wine.png; echo "      copied to docs/screenshots/windows-first-run-wine.png"; fi

if [ "$fails" != 0 ]; then echo "$fails check(s) failed"; exit 1; fi
echo "every check passed"
