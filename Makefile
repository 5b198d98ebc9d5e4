# Fieldprint. `make run` opens the app, `make test` checks everything.
GO      ?= go
BIN     := bin/fieldprint
# What Fyne's GL/X11/Wayland build needs on Debian (gcc also serves go test -race).
APT_PKGS := gcc libc6-dev pkg-config libgl-dev libegl-dev libx11-dev libxcursor-dev \
	libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev libwayland-dev libxkbcommon-dev
# What the tests read PDFs back with (pdftotext).
TEST_PKGS := poppler-utils
# What the screenshot and letter checks use (make screenshots).
SHOT_PKGS := xvfb xauth x11-apps xdotool imagemagick poppler-utils
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run build test bench deps test-deps shot-deps screenshots clean fuzz

run: build
	./$(BIN) $(ARGS)

build: deps
	$(GO) build -o $(BIN) ./cmd/fieldprint

# Vet and race-test every package on Fyne's headless driver (-tags ci: no
# display, no GL), then build the real GUI so a broken GUI build cannot pass.
test: deps test-deps
	$(GO) vet -tags ci ./...
	$(GO) test -race -tags ci -count=1 ./...
	$(GO) build -o $(BIN) ./cmd/fieldprint

bench:
	$(GO) test -tags ci -run '^$$' -bench . -benchmem ./...

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

test-deps:
	$(call apt_install,$(TEST_PKGS),the tests use)

shot-deps:
	$(call apt_install,$(SHOT_PKGS),for screenshots)

# Real window under Xvfb on a demo database; writes docs/screenshots/*.png.
screenshots: build shot-deps
	./scripts/screenshots.sh

clean:
	rm -rf bin
