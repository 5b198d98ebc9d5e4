#!/usr/bin/env bash
# make dist: Fieldprint's packages, built here, offline once the modules are
# in the cache, into dist/:
#   fieldprint-VERSION.tar.gz          the source with vendored modules (builds without network)
#   fieldprint_VERSION_amd64.deb       Debian package: binary, .desktop, hicolor icons, AppStream metainfo
#   Fieldprint-VERSION-windows.zip     Fieldprint.exe to run from any folder
#   Fieldprint-VERSION.msi             Windows installer: Program Files\Fieldprint, Start-menu shortcut
#   SHA256SUMS
# Everything is built from the source tarball's tree (build/dist/src), not the
# work tree: what ships is what the tarball builds. Timestamps are the commit's
# (SOURCE_DATE_EPOCH), builds use -trimpath: docs/PACKAGING.md says which
# artefacts come out byte-identical from the same commit.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
GO=${GO:-go}
TAGS=${TAGS:-migrated_fynedo}
OUT=$ROOT/dist
WORK=$ROOT/build/dist
APP_ID=gov.uscis.fieldprint
export TZ=UTC LC_ALL=C.UTF-8
step() { printf '\n== %s (%ds)\n' "$*" "$SECONDS"; }

VERSION=$("$GO" run ./packaging/pkgtool version)
# The tracked files as they are now: HEAD, or HEAD plus uncommitted changes
# (then the artefacts are not those of a commit, and say so).
REV=$(git stash create)
if [ -n "$REV" ]; then
	echo "dist: the work tree has uncommitted changes: building them (not reproducible as a commit)"
else
	REV=HEAD
fi
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct HEAD)}
echo "dist: Fieldprint $VERSION from $(git rev-parse --short HEAD), dated $(date -u -d "@$SOURCE_DATE_EPOCH" +%FT%TZ)"

rm -rf "$WORK" "$OUT"
mkdir -p "$WORK/src" "$WORK/bin" "$OUT"
"$GO" build -o "$WORK/bin/pkgtool" ./packaging/pkgtool

step "source tarball with vendored modules"
SRC=$WORK/src/fieldprint-$VERSION
git archive --prefix="fieldprint-$VERSION/" "$REV" | tar -x -C "$WORK/src"
(cd "$SRC" && "$GO" mod vendor)
tar -C "$WORK/src" --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
	--mode='u+rw,go=rX' --format=gnu -cf - "fieldprint-$VERSION" | gzip -n -9 > "$OUT/fieldprint-$VERSION.tar.gz"

# From here on: the vendored tree, no module downloads.
export GOFLAGS="-mod=vendor -buildvcs=false" GOPROXY=off
cd "$SRC"

step "Linux binary"
# The flags fyne package --release uses (optimised, hardened C, stripped,
# -trimpath: no build paths in the binary), and a position-independent
# executable as Debian's are.
CGO_ENABLED=1 CGO_CFLAGS="-O3 -pipe -D_FORTIFY_SOURCE=3 -fcf-protection -fstack-protector-strong" \
	CGO_LDFLAGS="-Wl,-z,relro,-z,now -Wl,--as-needed" \
	"$GO" build -trimpath -buildmode=pie -ldflags="-s -w" -tags "$TAGS,release" -o "$WORK/linux/fieldprint" ./cmd/fieldprint

step "Debian package"
DEB=$WORK/deb/root
install -d "$DEB/DEBIAN" "$DEB/usr/bin" "$DEB/usr/share/applications" "$DEB/usr/share/metainfo" \
	"$DEB/usr/share/icons/hicolor" "$DEB/usr/share/doc/fieldprint"
install -m 0755 "$WORK/linux/fieldprint" "$DEB/usr/bin/fieldprint"
install -m 0644 packaging/linux/$APP_ID.desktop "$DEB/usr/share/applications/"
install -m 0644 packaging/linux/$APP_ID.metainfo.xml "$DEB/usr/share/metainfo/"
"$WORK/bin/pkgtool" icons "$DEB/usr/share/icons/hicolor"
install -m 0644 packaging/linux/copyright "$DEB/usr/share/doc/fieldprint/copyright"
# Depends: the shared libraries the binary links, as Debian's symbol files name them.
mkdir -p "$WORK/deb/shlibs/debian"
printf 'Source: fieldprint\n\nPackage: fieldprint\nArchitecture: amd64\n' > "$WORK/deb/shlibs/debian/control"
DEPENDS=$(cd "$WORK/deb/shlibs" && dpkg-shlibdeps -O "$DEB/usr/bin/fieldprint" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$DEPENDS" ] || { echo "dist: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
# And the libraries GLFW opens only once running (dlopen), for X11 and
# Wayland windows and OpenGL: packaging/linux/dlopen.txt, by package here.
DLOPEN=$(grep -v '^#' packaging/linux/dlopen.txt | while read -r so; do
	dpkg -S "*/$so" | sed -n '1s/:.*//p'; done | sort -u |
	grep -vxF -f <(echo "$DEPENDS" | tr ',' '\n' | sed 's/^ *//; s/ .*//') | paste -sd, | sed 's/,/, /g')
sed -e "s/@VERSION@/$VERSION/" -e "s/@DEPENDS@/$DEPENDS/" -e "s/@DLOPEN@/$DLOPEN/" \
	-e "s/@SIZE@/$(du -sk --exclude=DEBIAN "$DEB" | cut -f1)/" packaging/linux/control > "$DEB/DEBIAN/control"
find "$DEB" -type d -exec chmod 0755 {} +
find "$DEB" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
dpkg-deb --root-owner-group -Zxz --build "$DEB" "$OUT/fieldprint_${VERSION}_amd64.deb" >/dev/null

step "Windows executable (fyne package)"
"$GO" build -o "$WORK/bin/fyne" fyne.io/tools/cmd/fyne
# fyne package reads FyneApp.toml beside the main package, and adds one to
# its Build when done: it works on a copy there, never on the repository's.
sed 's|^Icon = .*|Icon = "../../assets/icon.png"|' FyneApp.toml > cmd/fieldprint/FyneApp.toml
(cd cmd/fieldprint && CC=x86_64-w64-mingw32-gcc CXX=x86_64-w64-mingw32-g++ GOOS=windows GOARCH=amd64 \
	"$WORK/bin/fyne" package --target windows --release --tags "$TAGS")
rm cmd/fieldprint/FyneApp.toml
mkdir -p "$WORK/windows"
mv cmd/fieldprint/Fieldprint.exe "$WORK/windows/Fieldprint.exe"

step "Windows zip"
mkdir -p "$WORK/zip"
cp "$WORK/windows/Fieldprint.exe" "$WORK/zip/"
sed "s/@VERSION@/$VERSION/; s/\$/\r/" packaging/windows/README.txt > "$WORK/zip/README.txt"
"$WORK/bin/pkgtool" zip "$OUT/Fieldprint-$VERSION-windows.zip" "$WORK/zip"

step "Windows installer (wixl)"
MSI=$WORK/msi
mkdir -p "$MSI"
cp "$WORK/windows/Fieldprint.exe" packaging/windows/fieldprint.wxs "$MSI/"
"$WORK/bin/pkgtool" ico "$MSI/Fieldprint.ico"
touch -d "@$SOURCE_DATE_EPOCH" "$MSI"/*
# A product code per version (a new version is a new product that replaces
# the old one: MajorUpgrade), a package code per distinct .msi. wixl stamps
# the time and a random package code: faketime and msibuild fix both.
PRODUCT=$("$WORK/bin/pkgtool" guid "$APP_ID product $VERSION")
PACKAGE=$("$WORK/bin/pkgtool" guid "$APP_ID package $VERSION $(sha256sum "$MSI/Fieldprint.exe" | cut -c1-64)")
WHEN=$(date -u -d "@$SOURCE_DATE_EPOCH" '+%Y-%m-%d %H:%M:%S')
(cd "$MSI" && faketime -f "@$WHEN" wixl -a x64 -D Version="$VERSION" -D ProductCode="$PRODUCT" -D PackageCode="$PACKAGE" \
	-D ExeSource=Fieldprint.exe -D IconSource=Fieldprint.ico -o Fieldprint.msi fieldprint.wxs &&
	faketime -f "@$WHEN" msibuild Fieldprint.msi -s "Fieldprint $VERSION installer" Fieldprint "x64;1033" "{$PACKAGE}")
mv "$MSI/Fieldprint.msi" "$OUT/Fieldprint-$VERSION.msi"

cd "$OUT"
sha256sum -- * > SHA256SUMS
step "done"
ls -l "$OUT"
