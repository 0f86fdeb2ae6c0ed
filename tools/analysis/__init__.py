"""What ``tools/benchmark.py`` runs, outside the installed package.

The benchmark engine (:mod:`.benchmark`, :mod:`.benchmark_measures`,
:mod:`.benchmark_variant`) and the authors' CycleGAN in plain PyTorch
(:mod:`.plain_cyclegan`), which it times ours against and which the tests
check our model against. ``tools/benchmark.py`` imports them as ``analysis``
(its own folder is on ``sys.path``); the tests put ``tools/`` there.
"""
