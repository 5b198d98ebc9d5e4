# Fieldprint. `make run` opens the app, `make test` checks everything.
GO      ?= go
BIN     := bin/fieldprint
# What Fyne's GL/X11/Wayland build needs on Debian (gcc also serves go test -race).
APT_PKGS := gcc libc6-dev pkg-config libgl-dev libegl-dev libx11-dev libxcursor-dev \
	libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev libwayland-dev libxkbcommon-dev
# What the window needs to draw Chinese, Japanese and Korean names: Fyne's
# own font (Noto Sans) has no CJK characters and falls back to the system's
# fonts for them (go-text's fontscan); without one they show as �.
FONT_PKGS := fonts-noto-cjk
# What the tests read PDFs back with (pdftotext).
TEST_PKGS := poppler-utils
# What the real-window self-test runs on: a virtual X server (xvfb-run needs
# xauth), Mesa's software OpenGL (libgl1-mesa-dri: llvmpipe) and xwd
# (x11-apps), which captures the window from the X server.
SELFTEST_PKGS := xvfb xauth libgl1-mesa-dri x11-apps $(FONT_PKGS)
# What the letter pictures of make screenshots use (pdftoppm).
SHOT_PKGS := poppler-utils
# What make dist builds the packages with: the MinGW-w64 cross compiler for
# the Windows build's cgo, wixl and msibuild (msitools) for the .msi,
# faketime to date it, dpkg-shlibdeps (dpkg-dev) for the .deb's Depends.
DIST_PKGS := gcc-mingw-w64-x86-64-win32 wixl msitools faketime dpkg-dev
# What make dist-check checks them with: a Debian chroot, the AppStream and
# desktop-entry validators, unzip, file, and MinGW's objdump (imports).
DISTCHECK_PKGS := debootstrap appstream desktop-file-utils unzip file binutils-mingw-w64-x86-64
# What make dist-wine runs the Windows build on: Debian's Wine, a virtual X
# server with Mesa's OpenGL, and ImageMagick's import for the picture.
WINE_PKGS := wine wine64 xvfb xauth libgl1-mesa-dri imagemagick unzip
# FyneApp.toml declares the fyneDo migration (every callback from a goroutine
# goes through fyne.Do); a plain go build needs the tag that says so.
TAGS    := migrated_fynedo
GOFLAGS_APP := -tags $(TAGS)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# The real binary in a real window under Xvfb (fieldprint self-test), drawn
# by Mesa's llvmpipe and captured through the X server (xwd, from x11-apps):
# llvmpipe reads back black through OpenGL (Fyne's Capture reads the front
# buffer), and softpipe, which does not, takes 0.3 s to seconds a frame.
# Each size looks for a free X display from a number of its own (XN): two
# xvfb-run -a started at once can both take the first free one, and the
# first to finish then kills the other's server.
SELF_TEST = GALLIUM_DRIVER=llvmpipe xvfb-run -a -n $(XN) -s "-screen 0 1366x768x24" ./$(BIN) self-test --capture x11 --timeout 4m

.PHONY: run build build-gui test test-race test-norace self-test self-test-1366x768 self-test-1024x700 lint bench deps font-deps test-deps selftest-deps shot-deps screenshots clean fuzz dist dist-check dist-wine dist-deps distcheck-deps wine-deps

run: build font-deps
	./$(BIN) $(ARGS)

build: deps build-gui

# Formatting, a tidy go.mod, vet and staticcheck first (cheap, and what a
# reviewer sees first); then race-test every package on Fyne's headless
# driver (-tags ci: no display, no GL), beside the tests too slow under the
# race detector (the every-button crawl, the store's kills and tampering,
# the office server's soak test)
# and the real GUI's build, so that no core idles while the last package
# runs. The timeout leaves room on a busy 2-core machine: no package should
# come near it (each takes under 2 minutes warm). Last, that binary goes
# through every screen in a real window at the two sizes the screens must
# fit (a crash, a black window or a window that grows fails), both at once
# (about 45 s each).
test: deps test-deps selftest-deps lint
	$(MAKE) --no-print-directory -j3 --output-sync=target test-race test-norace build-gui
	$(MAKE) --no-print-directory -j2 --output-sync=target self-test-1366x768 self-test-1024x700

test-race:
	$(GO) test -race -tags ci,$(TAGS) -count=1 -timeout 8m ./...
test-norace:
	$(GO) test -tags ci,$(TAGS) -count=1 -timeout 5m -run 'TestEveryButton|TestBackupRestoreKilled|TestTamperRandomly|TestCrashSafety|TestSoakThreeDesks' ./ui ./store ./officedesk
build-gui:
	$(GO) build $(GOFLAGS_APP) -o $(BIN) ./cmd/fieldprint

# Only the real-window self-test, on a fresh build.
self-test: build selftest-deps
	$(MAKE) --no-print-directory -j2 --output-sync=target self-test-1366x768 self-test-1024x700

# (Explicit rules: make applies no pattern rule to a .PHONY target.)
self-test-1366x768: XN := 90
self-test-1366x768:
	$(SELF_TEST) --size 1366x768
self-test-1024x700: XN := 110
self-test-1024x700:
	$(SELF_TEST) --size 1024x700

lint:
	@bad=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$bad" ]; then echo "gofmt would change:"; echo "$$bad"; exit 1; fi
	@$(GO) mod tidy -diff || { echo "go.mod/go.sum are not tidy: run 'go mod tidy'"; exit 1; }
	$(GO) vet -tags ci,$(TAGS) ./...
	GOOS=windows $(GO) vet -tags ci,$(TAGS) ./...
	$(GO) tool staticcheck -tags ci,$(TAGS) ./...

# The store's benchmarks run on an office of BENCH_REQUESTS requests (built
# once per run, kept in BENCH_DB when set): make bench BENCH_REQUESTS=10000,
# 100000 (the default) or 1000000 shows how each cost grows.
BENCH_REQUESTS ?= 100000
bench:
	FIELDPRINT_BENCH_REQUESTS=$(BENCH_REQUESTS) FIELDPRINT_BENCH_DB=$(BENCH_DB) \
		$(GO) test -tags ci -run '^$$' -bench . -benchmem -timeout 3h ./...

# Short fuzzing runs of every parser (the seed corpora also run in make test).
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParseReceiptNumber -fuzztime 30s .
	$(GO) test -run '^$$' -fuzz FuzzParseANumber -fuzztime 30s .
	$(GO) test -run '^$$' -fuzz FuzzParseImportCSV -fuzztime 30s .
	$(GO) test -run '^$$' -fuzz FuzzParseDate -fuzztime 30s .
	$(GO) test -run '^$$' -fuzz FuzzParseMRZ -fuzztime 30s .
	$(GO) test -run '^$$' -fuzz FuzzSniffFile -fuzztime 30s .
	$(GO) test -run '^$$' -fuzz FuzzParseProfile -fuzztime 30s .
	$(GO) test -run '^$$' -fuzz FuzzParseWindows -fuzztime 30s .
	$(GO) test -run '^$$' -fuzz FuzzParseQRText -fuzztime 30s .
	$(GO) test -run '^$$' -fuzz FuzzCSVCell -fuzztime 30s .
	$(GO) test -run '^$$' -fuzz FuzzWriteCSVRoundTrip -fuzztime 30s .
	$(GO) test -run '^$$' -fuzz '^FuzzParseMessage$$' -fuzztime 30s .
	$(GO) test -run '^$$' -fuzz '^FuzzHTMLText$$' -fuzztime 30s .
	$(GO) test -run '^$$' -fuzz '^FuzzReadTracker$$' -fuzztime 30s .
	$(GO) test -run '^$$' -fuzz '^FuzzTrackerMapping$$' -fuzztime 30s .
	$(GO) test -run '^$$' -fuzz '^FuzzParseMsg$$' -fuzztime 30s ./outlookmsg
	$(GO) test -tags ci -run '^$$' -fuzz '^FuzzDecodeXWD$$' -fuzztime 30s ./ui

# Installs only the Debian packages that are missing, and says which.
define apt_install
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages $(2):" $$missing; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

deps:
	$(call apt_install,$(APT_PKGS),that Fyne's build needs)

font-deps:
	$(call apt_install,$(FONT_PKGS),for names in Chinese and other CJK scripts)

test-deps:
	$(call apt_install,$(TEST_PKGS),the tests use)

selftest-deps:
	$(call apt_install,$(SELFTEST_PKGS),for the real-window self-test)

shot-deps:
	$(call apt_install,$(SHOT_PKGS),for screenshots)

# The self-test's captures of the real window at 1366x768 and 1024x700, and
# an appointment letter and a stamped notice: docs/screenshots/*.png.
screenshots: build selftest-deps shot-deps
	./scripts/screenshots.sh

# The packages for the desks, into dist/ (docs/PACKAGING.md): a .deb, a
# Windows .msi and .zip, and the source with vendored modules. Slow cold
# (the Linux and the Windows cgo builds); not part of make test.
dist: deps dist-deps
	GO=$(GO) TAGS=$(TAGS) ./packaging/dist.sh

# make dist, then check what it built: the .deb installed in a clean Debian
# chroot, the tarball built offline, the .msi's tables, the .exe's kind.
dist-check: dist distcheck-deps
	GO=$(GO) TAGS=$(TAGS) ./packaging/check.sh

# The Windows artefacts under Wine: the .exe's commands, the .msi installed
# and upgraded, the self-test in a window, a picture of the first run
# (SHOT=1 puts it in docs/screenshots/). Optional: Wine is not Windows.
dist-wine: dist wine-deps
	GO=$(GO) SHOT=$(SHOT) ./packaging/wine-check.sh

dist-deps:
	$(call apt_install,$(DIST_PKGS),to build the packages)

distcheck-deps:
	$(call apt_install,$(DISTCHECK_PKGS),to check the packages)

wine-deps:
	$(call apt_install,$(WINE_PKGS),to run the Windows build under Wine)

clean:
	rm -rf bin build dist
