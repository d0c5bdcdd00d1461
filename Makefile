# Tailship: `make run` shows the demo, `make test` runs the whole suite.
SWIFT ?= swift
# Debian packages the build and the tests need.
DEBS_BUILD := zlib1g-dev pkg-config
# Go and lumberjack (kube-apiserver's rotation library) write real rotating logs; logrotate does copytruncate.
# openssl makes the test CA and certificates; python3 runs the test receiver (tools/test-receiver), pip installs PY_TEST.
DEBS_TEST := $(DEBS_BUILD) golang-go golang-gopkg-natefinch-lumberjack.v2-dev logrotate gzip openssl python3 python3-pip
# PyPI's Prometheus client: its text-format parser checks /metrics independently of Tailship's own code.
PY_TEST := prometheus_client==0.26.0
LUMBERJACK_WRITER := .build/tools/lumberjack-writer
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test build release deps-build deps-test demo clean tools bench

# Installs only what is missing, so repeated runs need no network.
deps-build:
	@missing=""; for p in $(DEBS_BUILD); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi

deps-test:
	@missing=""; for p in $(DEBS_TEST); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi
	@python3 -c 'import prometheus_client' 2>/dev/null || { echo "installing: $(PY_TEST) (PyPI)"; \
	  python3 -m pip install -q $(PY_TEST) || python3 -m pip install -q --break-system-packages $(PY_TEST); }

build: deps-build
	$(SWIFT) build

release: deps-build
	$(SWIFT) build -c release

# The demo: a rotating audit log shipped to ./tailship-demo-out/, checked for loss.
run: release
	./.build/release/tailship demo

# Test helpers written in Go, built against Debian's lumberjack (GOPATH mode, no network).
tools: deps-test
	mkdir -p .build/tools
	GOPATH=/usr/share/gocode GO111MODULE=off GOCACHE=$(CURDIR)/.build/tools/gocache \
	  go build -o $(LUMBERJACK_WRITER) ./tools/lumberjack-writer/main.go

# The whole suite (debug build; integration tests start the real binary).
# Serial: the integration tests time real processes, signals and receivers, and
# running them side by side on 2 cores starves their timers.
test: deps-test tools
	$(SWIFT) build --build-tests
	TAILSHIP_BIN=$$($(SWIFT) build --show-bin-path)/tailship LUMBERJACK_WRITER=$(CURDIR)/$(LUMBERJACK_WRITER) \
	  $(SWIFT) test --skip-build --no-parallel

# Benchmarks (release build): backfill of >= 1 GiB of gzipped backups next to zcat;
# the audit policy processor next to Foundation's JSONDecoder over 1 GiB of real events.
bench: release tools
	bench/backfill.sh 1
	bench/policy.sh 1

clean:
	rm -rf .build tailship-demo-out
