# The one entry point. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
TOOLS_DIR := $(BUILD_DIR)/tools
BUF := $(TOOLS_DIR)/node_modules/.bin/buf
CTEST := ctest --test-dir $(BUILD_DIR) --output-on-failure -j$(JOBS)
FUZZ_SECONDS ?= 20
# The binaries load librdkafka 2.16.0 (scripts/librdkafka.sh) in place of Debian's 2.0.2: drains
# run up to 45% faster (tests/benchmarks/README.md, "librdkafka 2.16"), and SCRAM logs in to Kafka 4
# (librdkafka#4895, fixed in 2.6.1). RDKAFKA=debian, in a fresh build tree, keeps Debian's.
RDKAFKA ?= 2.16
ifeq ($(RDKAFKA),2.16)
RDKAFKA_LIBRARY := $(abspath $(TOOLS_DIR))/librdkafka/librdkafka.so.1
endif
CMAKE_OPTIONS := -DREFERRAL_RDKAFKA_LIBRARY=$(RDKAFKA_LIBRARY)

.PHONY: help deps build test test-unit test-sanitized test-asan test-fuzz lint-proto run bench format clean chart-docs image mutants

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

deps: ## Install the Debian packages and tools the build and tests need (idempotent)
	@scripts/deps.sh
	@[ -x $(BUF) ] || { mkdir -p $(TOOLS_DIR) && npm install --silent --no-audit --no-fund --prefix $(TOOLS_DIR) @bufbuild/buf@1.75.0 >/dev/null; }
	@scripts/python-deps.sh $(TOOLS_DIR)
	@[ "$(RDKAFKA)" != 2.16 ] || scripts/librdkafka.sh $(TOOLS_DIR)
	@scripts/grpcurl-deps.sh $(TOOLS_DIR)
	@scripts/go-tools.sh $(TOOLS_DIR)
	@scripts/k8s-schemas.sh $(TOOLS_DIR)

$(BUILD_DIR)/build.ninja:
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_OPTIONS) >/dev/null

build: deps $(BUILD_DIR)/build.ninja ## Build every binary into build/bin/
	@cmake --build $(BUILD_DIR) -j$(JOBS)

lint-proto: deps ## buf lint on proto/
	@$(BUF) lint && echo "buf lint: clean"

test: deps build lint-proto ## Run every test tier (unit, cli, integration, system), the unit tests under ASan+UBSan, fuzz smoke
	@$(CTEST)
	@$(MAKE) --no-print-directory test-sanitized

test-unit: build ## Unit tests only (fast)
	@$(CTEST) -L unit

# One clang tree serves both the sanitized unit tests and the fuzz targets: the libraries they share
# compile once (a second full build was about a quarter of `make test`).
SANITIZED_DIR := $(BUILD_DIR)/sanitized
$(SANITIZED_DIR)/build.ninja:
	@CXX=clang++ cmake -S . -B $(SANITIZED_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DREFERRAL_SANITIZE=ON -DREFERRAL_FUZZ=ON $(CMAKE_OPTIONS) >/dev/null

test-sanitized: deps $(SANITIZED_DIR)/build.ninja ## test-asan, then test-fuzz, from one build
	@cmake --build $(SANITIZED_DIR) -j$(JOBS) --target unit_tests fuzz_targets
	@ctest --test-dir $(SANITIZED_DIR) --output-on-failure -j$(JOBS) -L unit
	@tests/fuzz/run.sh $(SANITIZED_DIR)/bin $(FUZZ_SECONDS)

test-asan: deps $(SANITIZED_DIR)/build.ninja ## Unit tests built with AddressSanitizer and UndefinedBehaviorSanitizer (clang)
	@cmake --build $(SANITIZED_DIR) -j$(JOBS) --target unit_tests
	@ctest --test-dir $(SANITIZED_DIR) --output-on-failure -j$(JOBS) -L unit

test-fuzz: deps $(SANITIZED_DIR)/build.ninja ## Build the libFuzzer targets (clang, ASan+UBSan) and run each for FUZZ_SECONDS on the seed corpus
	@cmake --build $(SANITIZED_DIR) -j$(JOBS) --target fuzz_targets
	@tests/fuzz/run.sh $(SANITIZED_DIR)/bin $(FUZZ_SECONDS)

mutants: build ## Test strength: each mutation of tests/mutations.tsv alone must fail its tests (a few minutes)
	@scripts/mutate.py $(BUILD_DIR) tests/mutations.tsv

run: build ## The live pipeline: embedded Kafka, standardiser, router, simulated feed (KAFKA_BOOTSTRAP= to use a cluster)
	@scripts/run.sh $(BUILD_DIR)/bin

bench: build ## Benchmarks: the core and codecs; the pipeline vs a passthrough, the feed vs a plain reader, the pipeline vs the Kafka Streams peer, on a real broker
	@$(BUILD_DIR)/bin/standardise_route_bench --benchmark_counters_tabular=true
	@tests/benchmarks/run_pipeline_bench.sh $(BUILD_DIR)
	@tests/benchmarks/peer_bench.sh $(BUILD_DIR)

image: build ## The OCI image of every service, without a container engine (root): build/image/oci
	@scripts/image.sh $(BUILD_DIR)/bin $(BUILD_DIR)/image

chart-docs: deps ## Regenerate the chart's README (helm-docs) and deploy/README.md's ACL table
	@$(TOOLS_DIR)/bin/helm-docs --chart-search-root helm/referral-gateway \
	  --template-files README.md.gotmpl --output-file README.md --log-level warning
	@python3 scripts/acl_table.py $(TOOLS_DIR)/bin/helm --write deploy/README.md

format: ## clang-format every C++ source in place
	@git ls-files '*.cc' '*.h' | xargs clang-format -i

clean: ## Remove the build tree
	@rm -rf $(BUILD_DIR)
