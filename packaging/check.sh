#!/usr/bin/env bash
# make dist-check: are the packages in dist/ right? (make dist builds them.)
#   - every artefact there, SHA256SUMS holds;
#   - the .deb: its version, the files it installs (packaging/linux/layout.txt),
#     each icon the size of its folder, appstreamcli validate, desktop-file-validate;
#     then installed in a clean Debian chroot (debootstrap, kept in a cache and
#     copied fresh each time) with apt and without recommended packages, where
#     fieldprint version and fieldprint demo run from /usr/bin, every library
#     the window opens is there, and then the window's self-test passes;
#   - the source tarball builds offline (no module cache, no proxy) in another
#     folder, and gives the .deb's binary byte for byte;
#   - the .msi: version, the file, the Start-menu shortcut and the upgrade code
#     in its tables (msiinfo), and the same Fieldprint.exe as the zip;
#   - Fieldprint.exe: a PE32+ GUI executable, with the version resource, built
#     with the app's tags, needing no DLL beyond Windows' own.
set -euo pipefail
# debootstrap, chroot and mount need root.
[ "$(id -u)" = 0 ] || exec sudo -E "$0" "$@"
cd "$(dirname "$0")/.."
ROOT=$PWD
GO=${GO:-go}
TAGS=${TAGS:-migrated_fynedo}
export TZ=UTC LC_ALL=C.UTF-8
VERSION=$("$GO" run ./packaging/pkgtool version)
D=$ROOT/dist
DEB=$D/fieldprint_${VERSION}_amd64.deb
MSI=$D/Fieldprint-$VERSION.msi
ZIP=$D/Fieldprint-$VERSION-windows.zip
SRC=$D/fieldprint-$VERSION.tar.gz
UPGRADE_CODE=C0D894FF-6966-471C-9411-4C883257D4A4
T=$(mktemp -d /var/tmp/fieldprint-check.XXXXXX)
CHROOT=
cleanup() {
	if [ -n "$CHROOT" ]; then umount "$CHROOT/proc" 2>/dev/null || true; rm -rf "$CHROOT"; fi
	rm -rf "$T"
}
trap cleanup EXIT
fails=0
ok() { printf 'ok    %s\n' "$*"; }
bad() { printf 'FAIL  %s\n' "$*"; fails=$((fails + 1)); }
check() { local what=$1; shift; if "$@" >"$T/out" 2>&1; then ok "$what"; else bad "$what"; sed 's/^/      /' "$T/out" | tail -20; fi; }

echo "Checking dist/ for Fieldprint $VERSION"
for f in "$DEB" "$MSI" "$ZIP" "$SRC" "$D/SHA256SUMS"; do
	[ -s "$f" ] && ok "${f#"$ROOT"/} ($(du -h "$f" | cut -f1))" || bad "${f#"$ROOT"/} missing"
done
check "SHA256SUMS" sh -c "cd '$D' && sha256sum --quiet -c SHA256SUMS"
[ "$fails" = 0 ] || { echo "$fails failed: run make dist first"; exit 1; }

echo "-- the Debian package"
check "its version is $VERSION" test "$(dpkg-deb -f "$DEB" Version)" = "$VERSION"
check "package fieldprint, amd64" test "$(dpkg-deb -f "$DEB" Package Architecture | tr '\n' ' ')" = "Package: fieldprint Architecture: amd64 "
dpkg-deb -c "$DEB" | awk '$1 !~ /^d/ {print $6}' | sed 's|^\./|/|' | sort > "$T/files"
check "its files are packaging/linux/layout.txt" diff -u <(sort packaging/linux/layout.txt) "$T/files"
dpkg-deb -x "$DEB" "$T/deb"
icons() {
	for p in "$T"/deb/usr/share/icons/hicolor/*/apps/*.png; do
		n=$(basename "$(dirname "$(dirname "$p")")")
		file -b "$p" | grep -q "PNG image data, ${n/x/ x }," || { echo "$p is not $n: $(file -b "$p")"; return 1; }
	done
}
check "each hicolor icon is its folder's size" icons
check "appstreamcli validate" appstreamcli validate --no-net --strict "$T/deb/usr/share/metainfo/gov.uscis.fieldprint.metainfo.xml"
check "desktop-file-validate" desktop-file-validate "$T/deb/usr/share/applications/gov.uscis.fieldprint.desktop"
check "the binary: ELF x86-64, stripped" sh -c "file -b '$T/deb/usr/bin/fieldprint' | grep 'ELF 64-bit LSB pie executable, x86-64.*stripped' | grep -v 'not stripped'"
check "the binary: built with -trimpath and the app's tags" sh -c "'$GO' version -m '$T/deb/usr/bin/fieldprint' | grep -q -- '-trimpath=true' && '$GO' version -m '$T/deb/usr/bin/fieldprint' | grep -q -- '-tags=$TAGS,release'"

echo "-- installed in a clean Debian chroot"
MIRROR=${DEBIAN_MIRROR:-$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SUITE=$(. /etc/os-release && echo "$VERSION_CODENAME")
BASE=${XDG_CACHE_HOME:-$HOME/.cache}/fieldprint-dist/chroot-$SUITE
if [ ! -x "$BASE/usr/bin/apt-get" ]; then
	echo "      making the base chroot with debootstrap ($SUITE from $MIRROR, once; kept in $BASE)"
	rm -rf "$BASE.new" && mkdir -p "$(dirname "$BASE")"
	debootstrap --variant=minbase "$SUITE" "$BASE.new" "$MIRROR" > "$T/debootstrap.log" 2>&1 || { tail "$T/debootstrap.log"; exit 1; }
	rm -rf "$BASE" && mv "$BASE.new" "$BASE"
fi
CHROOT=$T/chroot
cp -a "$BASE" "$CHROOT"
cp /etc/resolv.conf "$CHROOT/etc/resolv.conf"
mount -t proc proc "$CHROOT/proc"
cp "$DEB" "$CHROOT/tmp/"
in_chroot() { chroot "$CHROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }
check "apt-get install ./$(basename "$DEB") (no recommended packages)" \
	in_chroot sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends /tmp/$(basename "$DEB")"
check "every shared library found (ldd)" sh -c "! chroot '$CHROOT' ldd /usr/bin/fieldprint | grep 'not found'"
dlopen() {
	chroot "$CHROOT" ldconfig -p > "$T/ldconfig"
	grep -v '^#' packaging/linux/dlopen.txt | while read -r so; do
		grep -q "^[[:space:]]*$so " "$T/ldconfig" || echo "$so is not installed"
	done | grep . && return 1 || return 0
}
check "every library the window opens once running (packaging/linux/dlopen.txt)" dlopen
in_chroot dpkg -L fieldprint | while read -r f; do [ -d "$CHROOT$f" ] || echo "$f"; done | sort > "$T/installed"
check "dpkg -L fieldprint is the layout" diff -u <(sort packaging/linux/layout.txt) "$T/installed"
check "fieldprint version says $VERSION" sh -c "chroot '$CHROOT' env -i HOME=/root /usr/bin/fieldprint version | tee /dev/stderr | head -1 | grep -qx 'fieldprint $VERSION'"
check "fieldprint demo fills a database" in_chroot sh -c "fieldprint demo --requests 25 --db /root/demo.db && fieldprint list --db /root/demo.db --format csv | wc -l | grep -qx 26 && fieldprint check --db /root/demo.db"
check "the default database is under ~/.local/share/fieldprint" in_chroot sh -c "fieldprint version | grep -qx 'database /root/.local/share/fieldprint/fieldprint.db'"
# The window itself, as a desk would start it: the installed binary's
# self-test (every screen of every role in a real window) under Xvfb, with
# Mesa's software OpenGL. Xvfb comes in only now, so that it cannot have
# brought a library the checks above found.
check "the window: fieldprint self-test under Xvfb (a few minutes)" in_chroot sh -c \
	"DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends xvfb xauth libgl1-mesa-dri >/dev/null &&
	GALLIUM_DRIVER=softpipe xvfb-run -a -s '-screen 0 1366x768x24' fieldprint self-test --timeout 6m"
umount "$CHROOT/proc"; rm -rf "$CHROOT"; CHROOT=

echo "-- the source tarball"
mkdir -p "$T/src" "$T/gomodcache"
tar -xzf "$SRC" -C "$T/src"
check "it has vendor/ and FyneApp.toml" test -f "$T/src/fieldprint-$VERSION/vendor/modules.txt" -a -f "$T/src/fieldprint-$VERSION/FyneApp.toml"
# Offline: no proxy, an empty module cache. The flags are make dist's.
check "it builds offline, in another folder, the same Linux binary as the .deb's" sh -c "cd '$T/src/fieldprint-$VERSION' &&
	GOPROXY=off GOMODCACHE='$T/gomodcache' GOFLAGS='-mod=vendor -buildvcs=false' CGO_ENABLED=1 \
	CGO_CFLAGS='-O3 -pipe -D_FORTIFY_SOURCE=3 -fcf-protection -fstack-protector-strong' CGO_LDFLAGS='-Wl,-z,relro,-z,now -Wl,--as-needed' \
	'$GO' build -trimpath -buildmode=pie -ldflags='-s -w' -tags '$TAGS,release' -o '$T/fieldprint' ./cmd/fieldprint &&
	cmp '$T/fieldprint' '$T/deb/usr/bin/fieldprint'"

echo "-- the Windows installer"
msiinfo export "$MSI" Property | tr -d '\r' > "$T/property"
check "ProductVersion is $VERSION" grep -qx "ProductVersion	$VERSION" "$T/property"
check "UpgradeCode is {$UPGRADE_CODE}" grep -qx "UpgradeCode	{$UPGRADE_CODE}" "$T/property"
check "File table: Fieldprint.exe" sh -c "msiinfo export '$MSI' File | grep -q '^FieldprintExe	FieldprintExe	Fieldprint.exe	'"
check "Shortcut table: Fieldprint in the Start menu, to Fieldprint.exe" sh -c "msiinfo export '$MSI' Shortcut | grep -q '^FieldprintShortcut	ProgramMenuFolder	Fieldprint	StartMenuShortcut	\[#FieldprintExe\]'"
check "Directory table: Program Files\\Fieldprint" sh -c "msiinfo export '$MSI' Directory | grep -q '^INSTALLDIR	ProgramFiles64Folder	Fieldprint'"
check "Upgrade table: the upgrade code, older versions replaced" sh -c "msiinfo export '$MSI' Upgrade | grep -q '^{$UPGRADE_CODE}		$VERSION		1		WIX_UPGRADE_DETECTED'"
check "64-bit package (x64;1033)" sh -c "msiinfo suminfo '$MSI' | grep -qx 'Template: x64;1033'"
mkdir -p "$T/msi" "$T/zip"
(cd "$T/msi" && msiextract "$MSI" >/dev/null)
(cd "$T/zip" && unzip -q "$ZIP")
EXE=$T/zip/Fieldprint.exe
check "the .msi and the zip hold the same Fieldprint.exe" cmp "$(find "$T/msi" -name Fieldprint.exe)" "$EXE"

echo "-- Fieldprint.exe"
check "a PE32+ GUI executable for x86-64" sh -c "file -b '$EXE' | grep -q '^PE32+ executable (GUI) x86-64'"
check "its version resource says $VERSION" sh -c "strings -el '$EXE' | grep -A1 -x ProductVersion | grep -q '^$VERSION\.[0-9]*\$'"
check "built with -trimpath and the app's tags" sh -c "'$GO' version -m '$EXE' | grep -q -- '-trimpath=true' && '$GO' version -m '$EXE' | grep -q -- '-tags=.*$TAGS'"
x86_64-w64-mingw32-objdump -p "$EXE" | sed -n 's/^\s*DLL Name: //p' | sort -u > "$T/dlls"
check "it needs only Windows' own DLLs ($(tr '\n' ' ' < "$T/dlls"))" sh -c "! grep -iv '^\(kernel32\|user32\|gdi32\|opengl32\|msvcrt\|advapi32\|shell32\|ole32\|oleaut32\|ws2_32\|winmm\|ntdll\|bcrypt\|dwmapi\|imm32\|shlwapi\|comdlg32\|uxtheme\|powrprof\|version\|setupapi\|dbghelp\|crypt32\|secur32\|userenv\|iphlpapi\|dnsapi\|netapi32\|mswsock\|api-ms-win-[a-z0-9-]*\)\.dll$' '$T/dlls'"

if [ "$fails" != 0 ]; then
	echo "$fails check(s) failed"
	exit 1
fi
echo "every check passed"
