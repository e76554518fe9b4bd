# Swarmchain: the two commands a new machine needs are `make dev` and `make test`.
#
# Builds share one target directory (also used by CI), so a test run after a build, or CI after a
# session, only rebuilds what changed.

export CARGO_TARGET_DIR ?= $(HOME)/.cache/swarmchain/target
export SWARM_NODE ?= $(CARGO_TARGET_DIR)/release/swarm-node
NODE := $(SWARM_NODE)
# Extra flags for cargo's builds, e.g. `make test CARGO_BUILD_FLAGS=--timings` for build reports
# (in $(CARGO_TARGET_DIR)/cargo-timings/).
CARGO_BUILD_FLAGS ?=
E2E := node/e2e

.PHONY: help setup build dev example test lint test-rust test-benchmarks test-e2e test-zombienet \
	test-networks bench \
	fuzz weights

help:
	@echo "make dev    set up this machine, build swarm-node and run a dev chain (ws://127.0.0.1:9944,"
	@echo "            explorer on http://127.0.0.1:9955)"
	@echo "make example  beside make dev: publish a model with a lineage and run a paid job on it"
	@echo "make test   set up this machine and run the whole test suite (what CI runs)"
	@echo "make build  build the release node, swarm-ml and the upgrade-test runtime only"
	@echo "make lint   clippy on the runtime crates (part of make test)"
	@echo "make bench  run the benchmarks and print their figures (see BENCHMARKS.md)"
	@echo "make fuzz   fuzz the runtime: a million random calls from a random seed (FUZZ_SEED=0x... replays one)"
	@echo "make weights  regenerate the pallets' weights.rs from their benchmarks"

# Toolchain targets, system packages and npm packages; idempotent and quick once done.
setup:
	@bash .ci/setup

# The whole workspace (the node, and `swarm-ml`, the ML engine's command line), in one build whose
# dependency features are the ones the tests use too: `make test` after `make dev` then compiles
# only the test crates, not a second variant of the node's dependencies. The workspace includes
# `runtime/upgrade-test`, the runtime one spec_version later as wasm only, which the
# forkless-upgrade test sets as a running chain's code (about 45 s more when the runtime changed).
UPGRADE_WASM := $(CARGO_TARGET_DIR)/release/wbuild/swarm-runtime-upgrade-test/swarm_runtime_upgrade_test.compact.compressed.wasm
build: setup
	cargo build --release --locked $(CARGO_BUILD_FLAGS) --workspace
	@echo "upgrade-test runtime (spec_version + 1): $(UPGRADE_WASM)"

# A single-validator development chain: Alice authors and finalizes, the dev accounts are funded,
# RPC on 127.0.0.1:9944, state in a temporary directory that is removed on exit. The build is
# `make build`'s without the upgrade-test runtime, which only the tests use.
dev: setup
	cargo build --release --locked $(CARGO_BUILD_FLAGS) --workspace --exclude swarm-runtime-upgrade-test
	$(NODE) --dev

# Beside `make dev`, in a second terminal: something to look at in the explorer (a model with two
# fine-tunes and their merge, the dev node as a compute node, a paid inference job).
example: setup
	cd $(E2E) && node examples/explorer.mjs

# The release build, then, at the same time (.ci/test): end-to-end tests against the release node
# with polkadot.js beside the zombienet networks (`test-networks`), and, at the lowest CPU
# priority, clippy and the Rust tests (pallets, runtime, ML engine, node: `lint test-rust`) in
# the release profile, which shares its compiled dependencies with the node. The networks mostly
# wait for blocks; the Rust side uses the CPU they leave idle. (While working on a pallet,
# `SKIP_WASM_BUILD=1 cargo test -p pallet-x` is faster.)
test: setup build
	SWARM_UPGRADE_WASM=$(UPGRADE_WASM) bash .ci/test

# The runtime crates under the workspace's lints (no unwrap, expect, unchecked indexing or
# arithmetic that can overflow; tests exempt), in the release profile so that clippy reuses the
# build's proc macros and build scripts. Warnings fail it too.
RUNTIME_CRATES := swarm-primitives swarm-pallet-testing swarm-worker-interface pallet-compute-nodes \
	pallet-compute-nodes-runtime-api pallet-inference pallet-inference-runtime-api pallet-model-registry \
	pallet-model-registry-runtime-api pallet-rewards pallet-rewards-runtime-api pallet-training \
	pallet-training-runtime-api pallet-validator-set pallet-weights-store pallet-weights-store-runtime-api \
	swarm-runtime swarm-runtime-upgrade-test
lint: build
	cargo clippy --release --locked $(CARGO_BUILD_FLAGS) $(addprefix -p ,$(RUNTIME_CRATES)) \
		--all-targets -- -D warnings

# Every pallet benchmark runs once in its pallet's mock (`impl_benchmark_test_suite`), so that
# benchmarks keep compiling and their setups stay valid between `make weights` runs. The pallets
# with benchmarks build their tests once, with `runtime-benchmarks` on (which only adds code), and
# run all of them there; the rest of the workspace is tested without the feature, as it runs.
# Leaving a pallet out of the first `cargo test` would also drop its `default` feature, so that
# the runtime and the pallets would build again natively with another feature set (half a minute
# of a fresh clone): `--features pallet-x/default` keeps the release build's libraries.
BENCHMARKED_PALLETS := pallet-compute-nodes pallet-inference pallet-model-registry pallet-rewards \
	pallet-training pallet-validator-set pallet-weights-store
comma := ,
space := $(subst ,, )
BENCHMARKED_DEFAULTS := $(subst $(space),$(comma),$(addsuffix /default,$(BENCHMARKED_PALLETS)))
test-rust: build
	cargo test --release --locked $(CARGO_BUILD_FLAGS) --workspace \
		$(addprefix --exclude ,$(BENCHMARKED_PALLETS)) --features $(BENCHMARKED_DEFAULTS)
	SKIP_WASM_BUILD=1 cargo test --release --locked $(CARGO_BUILD_FLAGS) \
		$(addprefix -p ,$(BENCHMARKED_PALLETS)) --features runtime-benchmarks

# Only the benchmarks' tests (part of `make test-rust`).
test-benchmarks:
	SKIP_WASM_BUILD=1 cargo test --release --locked $(CARGO_BUILD_FLAGS) \
		$(addprefix -p ,$(BENCHMARKED_PALLETS)) --features runtime-benchmarks --lib benchmarking

test-e2e: build
	cd $(E2E) && npm test

# Zombienet networks (native provider), both at once: Alice and Bob up, peered, authoring and
# finalizing; and four validators that keep finalizing when one is killed, which then restarts,
# catches up and authors again (zombienet/README.md).
test-zombienet: build
	cd zombienet && npm test

# Both of the above at the same time (.ci/networks): they mostly wait for blocks, not for the CPU.
test-networks: build
	bash .ci/networks

# Benchmarks print figures; they are never part of `make test`. BENCHMARKS.md has the latest.
bench: build
	cd $(E2E) && node bench/lineage.mjs && node bench/throughput.mjs && node bench/weights-io.mjs \
		&& node bench/inference.mjs && node bench/training.mjs && node bench/p3.mjs && node bench/load.mjs

# The runtime's fuzzer (runtime/tests/fuzz.rs), a long run: blocks of random calls to every
# pallet with every pallet's invariants checked after each block, from a random seed that it
# prints (`make fuzz FUZZ_SEED=0x...` runs that seed again). `make test` runs 20,000 calls of a
# fixed seed. Figures in BENCHMARKS.md.
FUZZ_CALLS ?= 1000000
FUZZ_SEED ?= random
fuzz:
	FUZZ_CALLS=$(FUZZ_CALLS) FUZZ_SEED=$(FUZZ_SEED) SKIP_WASM_BUILD=1 cargo test --release --locked \
		$(CARGO_BUILD_FLAGS) -p swarm-runtime --test fuzz -- --exact random_blocks_keep_every_invariant \
		--nocapture

# Regenerates every pallet's weights.rs with frame-omni-bencher (see .ci/weights).
weights:
	bash .ci/weights
