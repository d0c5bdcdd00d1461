# Tailship: `make run` shows the demo, `make test` runs the whole suite.
SWIFT ?= swift
# Debian packages the build and the tests need.
DEBS_BUILD := zlib1g-dev pkg-config
DEBS_TEST := $(DEBS_BUILD)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test build release deps-build deps-test demo clean

# Installs only what is missing, so repeated runs need no network.
deps-build:
	@missing=""; for p in $(DEBS_BUILD); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi

deps-test:
	@missing=""; for p in $(DEBS_TEST); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi

build: deps-build
	$(SWIFT) build

release: deps-build
	$(SWIFT) build -c release

# The demo: a rotating audit log shipped to ./tailship-demo-out/, checked for loss.
run: release
	./.build/release/tailship demo

# The whole suite (debug build; integration tests start the real binary).
test: deps-test
	$(SWIFT) build --build-tests
	TAILSHIP_BIN=$$($(SWIFT) build --show-bin-path)/tailship $(SWIFT) test --skip-build

clean:
	rm -rf .build tailship-demo-out
