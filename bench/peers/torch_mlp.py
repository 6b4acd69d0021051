"""The PyTorch peer of the step suite: the same MLP (ReLU hidden layers, softmax cross-entropy,
Adam 1e-3) trained for whole epochs of shuffled mini-batches, in the plain loop a PyTorch user
writes (randperm, index, zero_grad, forward, backward, step). Prints one JSON line:
{"version", "threads", "samplesPerSecond": {batch: best epoch's samples/s}}.

    python3 torch_mlp.py '{"dims": [20, 16, 16, 2], "batches": [16, 128], "samples": 16384, "threads": 1, "epochs": 3}'

With "blocks" above 0, dims is [inputs, width, classes] of the residual MLP of
examples/residual-mlp.js: Linear (no bias), BatchNorm1d and ReLU to the width, then that many
blocks of the same three added to their input, then the output layer.
"""
import json
import sys
import time

import torch


def dense_bn_relu(inputs: int, width: int) -> torch.nn.Module:
    # Keras's momentum 0.99 is PyTorch's 0.01 (the weight of the new batch); epsilon as Keras's.
    return torch.nn.Sequential(torch.nn.Linear(inputs, width, bias=False), torch.nn.BatchNorm1d(width, eps=1e-3, momentum=0.01), torch.nn.ReLU())


class Residual(torch.nn.Module):
    def __init__(self, dims: list, blocks: int) -> None:
        super().__init__()
        inputs, width, classes = dims
        self.stem = dense_bn_relu(inputs, width)
        self.blocks = torch.nn.ModuleList(dense_bn_relu(width, width) for _ in range(blocks))
        self.out = torch.nn.Linear(width, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.stem(x)
        for block in self.blocks:
            h = h + block(h)
        return self.out(h)


def mlp(dims: list) -> torch.nn.Module:
    layers = []
    for i in range(len(dims) - 1):
        layers.append(torch.nn.Linear(dims[i], dims[i + 1]))
        if i < len(dims) - 2:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def main() -> None:
    spec = json.loads(sys.argv[1])
    dims, samples = spec["dims"], spec["samples"]
    torch.set_num_threads(spec["threads"])
    torch.manual_seed(42)
    x = torch.rand(samples, dims[0])
    y = torch.randint(0, dims[-1], (samples,))
    blocks = spec.get("blocks", 0)
    model = Residual(dims, blocks) if blocks > 0 else mlp(dims)
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
