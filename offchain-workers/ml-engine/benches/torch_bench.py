#!/usr/bin/env python3
"""PyTorch (and Flower) side of `swarm-ml bench`; prints one JSON object per line.

  torch_bench.py p1 --threads 2 --batch-size 64 --infer-batch 256 --seconds 3 --repeat 3 --data-dir DIR
      Train-step and inference throughput of the same MLP and CNN as the Rust engine.
  torch_bench.py p3 --partition parts.json --rounds 20 --batch-size 64 --train-limit N --lr 0.05 --data-dir DIR
      FedAvg through Flower's strategy (flwr.server.strategy.FedAvg.aggregate_fit) on the given
      partition, and centralised training with the same total epochs, both PyTorch.

Needs `torch` (CPU is enough) and, for p3, `flwr`. Reads Fashion-MNIST from Debian's
`dataset-fashion-mnist` files; downloads nothing.
"""
import argparse
import gzip
import json
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load(data_dir, split):
    prefix = "train" if split == "train" else "t10k"
    def find(name):
        for candidate in (os.path.join(data_dir, name + ".gz"), os.path.join(data_dir, name)):
            if os.path.exists(candidate):
                return candidate
        raise SystemExit(f"{name} not found in {data_dir}: apt-get install dataset-fashion-mnist")
    images = read_idx(find(f"{prefix}-images-idx3-ubyte"))
    labels = read_idx(find(f"{prefix}-labels-idx1-ubyte"))
    # Same preprocessing as the engine: pixel / 255.
    x = torch.from_numpy(images.astype(np.float32) / 255.0).reshape(-1, 1, 28, 28)
    return x, torch.from_numpy(labels.astype(np.int64))


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))


def cnn():
    return nn.Sequential(
        nn.Conv2d(1, 8, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(256, 64), nn.ReLU(), nn.Linear(64, 10),
    )


def measure(batches, seconds, repeat, step):
    """Median samples/s over `repeat` runs of at least `seconds`, after a warm-up."""
    for b in range(3):
        step(batches[b % len(batches)])
    rates = []
    for _ in range(max(1, repeat)):
        start, samples, i = time.perf_counter(), 0, 0
        while time.perf_counter() - start < seconds or i < 5:
            samples += step(batches[i % len(batches)])
            i += 1
        rates.append(samples / (time.perf_counter() - start))
    return sorted(rates)[len(rates) // 2]


def p1(args):
    x, y = load(args.data_dir, "train")
    def batches(size, count):
        return [(x[b * size:(b + 1) * size].contiguous(), y[b * size:(b + 1) * size].contiguous()) for b in range(count)]
    train_batches, infer_batches = batches(args.batch_size, 16), batches(args.infer_batch, 8)
    for name, make in (("mlp", mlp), ("cnn", cnn)):
        torch.manual_seed(1)
        model = make()
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

        def train_step(batch):
            xs, ys = batch
            opt.zero_grad(set_to_none=True)
            F.cross_entropy(model(xs), ys).backward()
            opt.step()
            return len(ys)

        def infer_step(batch):
            with torch.inference_mode():
                model(batch[0])
            return len(batch[1])

        for what, step, bs in (("train", train_step, train_batches), ("infer", infer_step, infer_batches)):
            rate = measure(bs, args.seconds, args.repeat, step)
            print(json.dumps({"bench": "p1", "model": name, "what": what, "samples_per_s": rate,
                              "threads": torch.get_num_threads(), "torch": torch.__version__}), flush=True)


def train_epochs(model, x, y, epochs, batch_size, generator, lr, momentum):
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(y), generator=generator)
        for start in range(0, len(y), batch_size):
            idx = order[start:start + batch_size]
            opt.zero_grad(set_to_none=True)
            F.cross_entropy(model(x[idx]), y[idx]).backward()
            opt.step()


def accuracy(model, x, y):
    model.eval()
    with torch.inference_mode():
        return (model(x).argmax(1) == y).float().mean().item()


def p3(args):
    from flwr.common import Code, FitRes, Status, ndarrays_to_parameters, parameters_to_ndarrays
    from flwr.server.strategy import FedAvg

    x, y = load(args.data_dir, "train")
    x, y = x[: args.train_limit], y[: args.train_limit]
    tx, ty = load(args.data_dir, "test")
    with open(args.partition) as f:
        parts = json.load(f)
    generator = torch.Generator().manual_seed(2024)

    start = time.perf_counter()
    torch.manual_seed(2024)
    central = mlp()
    train_epochs(central, x, y, args.rounds, args.batch_size, generator, args.lr, args.momentum)
    central_acc = accuracy(central, tx, ty)
    print(json.dumps({"bench": "p3", "run": f"centralised ({args.rounds} epochs)", "accuracy": central_acc,
                      "of_centralised": 1.0, "seconds": time.perf_counter() - start}), flush=True)

    start = time.perf_counter()
    torch.manual_seed(2024)
    global_model = mlp()
    strategy = FedAvg()
    for rnd in range(1, args.rounds + 1):
        global_params = [p.detach().numpy().copy() for p in global_model.state_dict().values()]
        results = []
        for part in parts:
            local = mlp()
            local.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in zip(global_model.state_dict(), global_params)})
            idx = torch.tensor(part, dtype=torch.long)
            train_epochs(local, x[idx], y[idx], 1, args.batch_size, generator, args.lr, args.momentum)
            params = ndarrays_to_parameters([p.detach().numpy() for p in local.state_dict().values()])
            results.append((None, FitRes(status=Status(code=Code.OK, message=""), parameters=params,
                                         num_examples=len(part), metrics={})))
        aggregated, _ = strategy.aggregate_fit(rnd, results, [])
        new = parameters_to_ndarrays(aggregated)
        global_model.load_state_dict({k: torch.from_numpy(np.asarray(v, dtype=np.float32))
                                      for k, v in zip(global_model.state_dict(), new)})
    fed_acc = accuracy(global_model, tx, ty)
    print(json.dumps({"bench": "p3", "run": f"+ Flower FedAvg ({args.rounds} rounds)", "accuracy": fed_acc,
                      "of_centralised": fed_acc / central_acc, "seconds": time.perf_counter() - start}), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("which", choices=["p1", "p3"])
    parser.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--infer-batch", type=int, default=256)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--partition")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--train-limit", type=int, default=60000)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--momentum", type=float, default=0.9)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    {"p1": p1, "p3": p3}[args.which](args)


if __name__ == "__main__":
    main()
