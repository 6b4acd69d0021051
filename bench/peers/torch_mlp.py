"""The PyTorch peer of the step suite: the same MLP (ReLU hidden layers, softmax cross-entropy,
Adam 1e-3) trained for whole epochs of shuffled mini-batches, in the plain loop a PyTorch user
writes (randperm, index, zero_grad, forward, backward, step). Prints one JSON line:
{"version", "threads", "samplesPerSecond": {batch: best epoch's samples/s}}.

    python3 torch_mlp.py '{"dims": [20, 16, 16, 2], "batches": [16, 128], "samples": 16384, "threads": 1, "epochs": 3}'
"""
import json
import sys
import time

import torch


def main() -> None:
    spec = json.loads(sys.argv[1])
    dims, samples = spec["dims"], spec["samples"]
    torch.set_num_threads(spec["threads"])
    torch.manual_seed(42)
    x = torch.rand(samples, dims[0])
    y = torch.randint(0, dims[-1], (samples,))
    layers = []
    for i in range(len(dims) - 1):
        layers.append(torch.nn.Linear(dims[i], dims[i + 1]))
        if i < len(dims) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()

    def epoch(batch: int) -> float:
        start = time.perf_counter()
        order = torch.randperm(samples)
        for i in range(0, samples, batch):
            rows = order[i : i + batch]
            optimizer.zero_grad()
            loss = loss_fn(model(x[rows]), y[rows])
            loss.backward()
            optimizer.step()
        return time.perf_counter() - start

    rates = {}
    for batch in spec["batches"]:
        epoch(batch)  # warm-up: allocator, Adam's state
        best = min(epoch(batch) for _ in range(spec["epochs"]))
        rates[str(batch)] = samples / best
    print(json.dumps({"version": torch.__version__, "threads": torch.get_num_threads(), "samplesPerSecond": rates}))


if __name__ == "__main__":
    main()
