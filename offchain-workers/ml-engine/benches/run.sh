#!/usr/bin/env bash
# Runs every ML-engine benchmark (P1 throughput, P2 det/fast, P3 federated, robustness) and
# prints the tables of BENCHMARKS.md. Extra arguments go to `swarm-ml bench all`, e.g.
#   offchain-workers/ml-engine/benches/run.sh --rounds 10 --train-limit 20000
#
# Needs Debian's `dataset-fashion-mnist`. The PyTorch and Flower columns need a Python with
# `torch` and `flwr`, outside the repository; create it once with
#   python3 -m venv ~/.cache/swarmchain/bench-venv
#   ~/.cache/swarmchain/bench-venv/bin/pip install torch flwr
# or point SWARM_ML_BENCH_PYTHON at another interpreter. THREADS (default 2) sets the thread
# count of both sides.
set -euo pipefail
cd "$(dirname "$0")/../../.."

python="${SWARM_ML_BENCH_PYTHON:-$HOME/.cache/swarmchain/bench-venv/bin/python}"
args=()
if [ -x "$python" ] && "$python" -c 'import torch' 2>/dev/null; then
	args+=(--python "$python")
else
	echo "note: no Python with torch at $python: PyTorch and Flower columns are skipped" >&2
fi
cargo build --release -p swarm-ml-engine --bin swarm-ml
exec "${CARGO_TARGET_DIR:-target}/release/swarm-ml" --threads "${THREADS:-2}" bench all "${args[@]}" "$@"
