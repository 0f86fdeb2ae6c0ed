"""Suite-wide settings."""

import torch

# The test networks are tiny: one thread avoids oversubscribing the shared
# 2-core CI machine (measured: ~15 ms vs ~2.5 s per tiny generator step when
# several processes each spin two OpenMP threads).
torch.set_num_threads(1)
