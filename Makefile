# Tailship: `make run` shows the demo, `make test` runs the whole suite.
SWIFT ?= swift
# Debian packages the build and the tests need.
DEBS_BUILD := zlib1g-dev libisal-dev pkg-config g++
# Go and lumberjack (kube-apiserver's rotation library) write real rotating logs; logrotate does copytruncate.
# openssl makes the test CA and certificates; python3 runs the test receiver (tools/test-receiver), pip installs PY_TEST.
# The packaging checks: binutils (strip, objdump), lintian, systemd (systemd-analyze verify and security).
# Real servers the tests start themselves on 127.0.0.1: clickhouse-server (queried with clickhouse-client),
# nginx (TLS, mTLS, 413, 503 in front of the test receiver), prometheus (for promtool check metrics).
DEBS_TEST := $(DEBS_BUILD) golang-go golang-gopkg-natefinch-lumberjack.v2-dev logrotate gzip procps openssl python3 python3-pip \
  binutils lintian systemd clickhouse-server clickhouse-client nginx prometheus
# PyPI: Prometheus's client (its text-format parser checks /metrics independently of Tailship's code),
# kubernetes-validate (the Kubernetes OpenAPI schemas, offline) for packaging/kubernetes/, and chDB
# (a current ClickHouse release in process) for the ClickHouse DDL and rows beside Debian's 18.16 server.
PY_TEST := prometheus_client==0.26.0 kubernetes-validate==1.37.0 chdb==4.4.0
LUMBERJACK_WRITER := .build/tools/lumberjack-writer
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test zlib-only build release deps-build deps-test demo clean tools bench deb image chaos sanitize fuzz

# Installs only what is missing, so repeated runs need no network.
deps-build:
	@missing=""; for p in $(DEBS_BUILD); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi

deps-test:
	@missing=""; for p in $(DEBS_TEST); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi
	@python3 -c 'import prometheus_client, kubernetes_validate, chdb' 2>/dev/null || { echo "installing: $(PY_TEST) (PyPI)"; \
	  python3 -m pip install -q $(PY_TEST) || python3 -m pip install -q --break-system-packages $(PY_TEST); }

build: deps-build
	$(SWIFT) build

# The Swift standard library, Foundation, libstdc++ and libgcc linked in: only libc and zlib are
# needed at run time (ldd). Swift's static link line asks for -lstdc++, so a directory holding only
# libstdc++.a is searched first.
# Memory: the toolchain's lld packs the ~120,000 PIE relocations (-z pack-relative-relocs, DT_RELR,
# glibc >= 2.36) and no symbols are exported (--no-export-dynamic): about 5 MiB less read at start
# and kept resident.
STATIC_LIBS := .build/static-libs
RELEASE_FLAGS := -c release --static-swift-stdlib -Xlinker -L$(CURDIR)/$(STATIC_LIBS) -Xswiftc -Xclang-linker -Xswiftc -static-libgcc \
  -Xswiftc -use-ld=lld -Xlinker -z -Xlinker pack-relative-relocs -Xlinker --no-export-dynamic
release: deps-build
	@mkdir -p $(STATIC_LIBS) && ln -sf "$$(gcc -print-file-name=libstdc++.a)" $(STATIC_LIBS)/libstdc++.a
	$(SWIFT) build $(RELEASE_FLAGS)

# build/deb/tailship_<version>_<arch>.deb (dpkg-deb; binary, unit, default config, examples).
deb: release
	@command -v strip >/dev/null && command -v objdump >/dev/null || { echo "installing: binutils"; $(SUDO) apt-get install -y -qq binutils; }
	packaging/debian/build-deb.sh .build/release/tailship build/deb

# The container image, where docker or podman can build one.
IMAGE ?= tailship:$(shell sed -n 's/.*static let current = "\(.*\)"/\1/p' Sources/Tailship/Pipeline/Daemon.swift)
image:
	@engine=$$(command -v podman || command -v docker || true); \
	if [ -z "$$engine" ]; then echo "make image: no podman or docker on this machine; install one, or build packaging/container/Containerfile elsewhere"; exit 1; fi; \
	if ! $$engine info >/dev/null 2>&1; then echo "make image: $$engine is installed but cannot reach its daemon/runtime ($$engine info fails); start it and retry"; exit 1; fi; \
	$$engine build -f packaging/container/Containerfile -t $(IMAGE) .

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
# The packaging tests install the .deb (dpkg -i, as root or with sudo -n) and remove it again.
test: deps-test tools deb zlib-only
	$(SWIFT) build --build-tests
	TAILSHIP_BIN=$$($(SWIFT) build --show-bin-path)/tailship LUMBERJACK_WRITER=$(CURDIR)/$(LUMBERJACK_WRITER) \
	  TAILSHIP_DEB=$$(ls -t $(CURDIR)/build/deb/tailship_*.deb | head -1) TAILSHIP_ZLIB_ONLY_BIN=$(CURDIR)/$(ZLIB_ONLY)/debug/tailship \
	  $(SWIFT) test --skip-build --no-parallel

# The binary a machine without libisal-dev builds (TAILSHIP_ISAL=0: zlib alone), in a scratch
# directory of its own (SwiftPM caches the manifest per build directory); ZlibOnlyBuildTests run it.
ZLIB_ONLY := .build-zlib-only
zlib-only: deps-build
	TAILSHIP_ISAL=0 $(SWIFT) build --scratch-path $(ZLIB_ONLY) --product tailship

# Long chaos runs on three seeds: 25 SIGKILLs each while kube-apiserver's rotation library writes
# 150,000 events (1 MiB files, 100 gzipped backups kept) and the receiver fails at random; each
# prints written/received/missing/duplicated.
# (`make test` runs one short round.) CHAOS_SEEDS=... picks the seeds.
CHAOS_SEEDS ?= 1 2 3
chaos: deps-test tools
	$(SWIFT) build --build-tests
	@for seed in $(CHAOS_SEEDS); do \
	  TAILSHIP_BIN=$$($(SWIFT) build --show-bin-path)/tailship LUMBERJACK_WRITER=$(CURDIR)/$(LUMBERJACK_WRITER) \
	  TAILSHIP_CHAOS_SEED=$$seed TAILSHIP_CHAOS_KILLS=25 TAILSHIP_CHAOS_EVENTS=150000 TAILSHIP_CHAOS_RATE=2500 TAILSHIP_CHAOS_BACKUPS=100 \
	  $(SWIFT) test --skip-build --filter ChaosTests > .build/chaos-$$seed.log 2>&1; status=$$?; \
	  grep -E 'chaos:|✘' .build/chaos-$$seed.log; [ $$status -eq 0 ] || exit 1; \
	done

# ThreadSanitizer and AddressSanitizer builds (their own build directories) running the unit suites
# and the integration tests that start the sanitized binary (chaos and the rotation model left out:
# too slow under the sanitizers). Not part of make test; the last run is in docs/RELIABILITY.md.
SANITIZE_FILTER := TailshipShipTests|TailshipTailTests|TailshipJSONTests|TailshipPolicyTests|ConfigChangesTests|TopUsersTests|StageTimestampTests|AuditInsightsConfigTests|SystemdNotifierTests|MonitoringTests|ReloadAndSystemdTests|AuditInsightsTests|RegistryRecoveryTests|HTTPDeliveryTests|PolicyDaemonTests|HostileInputTests|RestartTests|DiskFullTests|ReadErrorTests|FuzzCorpusTests
sanitize: deps-test tools
	@for s in thread address; do \
	  d=.build-$$(echo $$s | cut -c1)san; \
	  $(SWIFT) build --build-tests --sanitize=$$s --scratch-path $$d || exit 1; \
	  TAILSHIP_BIN=$(CURDIR)/$$d/debug/tailship LUMBERJACK_WRITER=$(CURDIR)/$(LUMBERJACK_WRITER) \
	    $(SWIFT) test --skip-build --sanitize=$$s --scratch-path $$d --no-parallel --filter '$(SANITIZE_FILTER)' \
	    > .build/sanitize-$$s.log 2>&1; status=$$?; \
	  echo "$$s: exit $$status, $$(grep -c 'WARNING: ThreadSanitizer\|ERROR: AddressSanitizer' .build/sanitize-$$s.log) reports; log in .build/sanitize-$$s.log"; \
	done

# libFuzzer (with AddressSanitizer) on the line framer, the audit field scanner and policy reduction,
# the policy loader, the config loader and the registry loader, FUZZ_SECONDS (600) each, two at a
# time; new coverage is merged into fuzz/corpus/, crashes land in fuzz/regressions/ (replayed by make test).
FUZZ_SECONDS ?= 600
fuzz: deps-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run.sh

# Benchmarks (release build). bench/run.sh: pigz -1 -p CORES, igzip -1 -T CORES and gzip -1 next to
# Tailship (`run` catching up, and `backfill`) shipping a generated 1 GiB log (seeded, shaped like
# Tests/Fixtures/real) to a loopback HTTP receiver that counts every event, and to the file sink;
# the delay at a steady 2,000 events/s, idle RSS, backfill of gzipped backups next to zcat, a perf
# profile and micro-benchmarks; it prints the table and the targets and writes bench-results.json.
# Then: the policy processor next to JSONDecoder; audit metrics on and off; redaction on and off.
DEBS_BENCH := pigz isal time linux-perf
bench: release tools
	@missing=""; for p in $(DEBS_BENCH); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi
	bench/run.sh
	bench/policy.sh 1
	bench/insights.sh 1
	bench/redact.sh 1

clean:
	rm -rf .build $(ZLIB_ONLY) build tailship-demo-out
