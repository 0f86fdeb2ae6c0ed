"""One way of running a CycleGAN step in ``tools/benchmark.py``."""

from dataclasses import dataclass
from typing import Literal, Optional

import torch

Impl = Literal['ours', 'plain', 'onnxruntime']
AmpMode = Literal['none', 'bf16', 'fp16']

AMP_DTYPES = {'none': None, 'bf16': torch.bfloat16, 'fp16': torch.float16}
# Spec tokens: implementation, precision, options.
_IMPLS = ('ours', 'plain', 'onnxruntime')
_AMPS = {'fp32': 'none', 'none': 'none', 'bf16': 'bf16', 'fp16': 'fp16'}
_FLAGS = (
    'channels_last',
    'compile',
    'winograd',
    'thin_head',
    'fused_norm',
    'checkpointing',
    'checkpointing_all',
)


@dataclass(frozen=True)
class BenchmarkVariant:
    """Which implementation runs, in which precision, with which options.

    Written as a spec of ``+``-joined tokens: ``'plain'`` (the authors' step
    in plain PyTorch), ``'ours'`` (our ``CycleGAN.train_step``, the default),
    ``'onnxruntime'`` (inference only: our ``G_A`` exported to ONNX by
    :func:`~cyclegan_plugin.deploy.export_generator`, run by ONNX Runtime;
    ``'onnxruntime+fp16'`` exports the float16 graph of ``--fp16``),
    ``'fp32'``/``'bf16'``/``'fp16'`` (autocast dtype), ``'channels_last'``,
    ``'compile'``, and the three parts of ``model.cpu_kernels``
    (:func:`~cyclegan_plugin.ops.convert_to_cpu_kernels` of the
    generators): ``'winograd'`` (their 3x3 stride-1 convs as
    ``WinogradConv2d``), ``'thin_head'`` (their 7x7 head conv as
    ``ThinConv2d``), ``'fused_norm'`` (their instance norms + ReLU as
    ``FusedInstanceNorm2d``), ``'checkpointing'`` (``with_cp=True`` of the
    generators (each residual block) and the discriminators),
    ``'checkpointing_all'`` (the same with every generator stage,
    ``with_cp='all'``: stem, downsample, blocks, upsample, head). E.g.
    ``'bf16+channels_last'``, ``'plain+bf16'``,
    ``'winograd+thin_head+fused_norm'``.

    Args:
        impl (str): ``'ours'``, ``'plain'`` or ``'onnxruntime'``. Defaults to
            ``'ours'``.
        amp (str): ``'none'``, ``'bf16'`` or ``'fp16'``. Defaults to ``'none'``.
        channels_last (bool): Channels-last weights and images (ours only).
            Defaults to False.
        compile (bool): ``torch.compile`` the networks (ours only).
            Defaults to False.
        winograd (bool): ``convert_to_cpu_kernels(winograd=True)`` of the
            generators (ours only). Defaults to False.
        thin_head (bool): ``convert_to_cpu_kernels(thin_conv=True)`` of the
            generators (ours only). Defaults to False.
        fused_norm (bool): ``convert_to_cpu_kernels(fused_norm=True)`` of the
            generators (ours only). Defaults to False.
        checkpointing (bool): Activation checkpointing of the generators'
            residual blocks and the discriminators' layers (ours only).
            Defaults to False.
        checkpointing_all (bool): Activation checkpointing of every generator
            stage and the discriminators' layers (ours only). Defaults to
            False.

    Raises:
        ValueError: If the plain step or ONNX Runtime is asked for ours-only
            options.
    """

    impl: Impl = 'ours'
    amp: AmpMode = 'none'
    channels_last: bool = False
    compile: bool = False
    winograd: bool = False
    thin_head: bool = False
    fused_norm: bool = False
    checkpointing: bool = False
    checkpointing_all: bool = False

    def __post_init__(self) -> None:
        if self.impl not in _IMPLS:
            raise ValueError(f'impl must be one of {_IMPLS}, but got {self.impl!r}')
        if self.amp not in AMP_DTYPES:
            raise ValueError(
                f'amp must be one of {tuple(AMP_DTYPES)}, but got {self.amp!r}'
            )
        if self.impl == 'plain' and any(getattr(self, f) for f in _FLAGS):
            raise ValueError(
                'The plain baseline runs as the authors wrote it: '
                f'{", ".join(_FLAGS)} apply to ours only, but got {self.name!r}.'
            )
        if self.impl == 'onnxruntime' and (
            self.amp == 'bf16' or any(getattr(self, f) for f in _FLAGS)
        ):
            raise ValueError(
                'ONNX Runtime runs the exported fp32 graph (or with fp16 the '
                'float16 one of export --fp16): bf16 and '
                f'{", ".join(_FLAGS)} apply to ours only, but got {self.name!r}.'
            )

    @property
    def name(self) -> str:
        """The spec that :meth:`parse` reads back, e.g. ``'ours+bf16'``."""
        tokens = [self.impl, 'fp32' if self.amp == 'none' else self.amp]
        tokens += [flag for flag in _FLAGS if getattr(self, flag)]
        return '+'.join(tokens)

    @property
    def amp_dtype(self) -> Optional[torch.dtype]:
        """The autocast dtype, None for fp32."""
        return AMP_DTYPES[self.amp]

    @classmethod
    def parse(cls, spec: str) -> 'BenchmarkVariant':
        """Read a spec such as ``'bf16+channels_last'`` or ``'plain'``.

        Raises:
            ValueError: If a token is unknown or repeated.
        """
        fields: dict = {}
        for token in spec.split('+'):
            token = token.strip().lower().replace('-', '_')
            if token in _IMPLS:
                key, value = 'impl', token
            elif token in _AMPS:
                key, value = 'amp', _AMPS[token]
            elif token in _FLAGS:
                key, value = token, True
            else:
                raise ValueError(
                    f'Unknown token {token!r} in variant {spec!r}; use '
                    f'{"/".join(_IMPLS)}, {"/".join(_AMPS)}, {"/".join(_FLAGS)} '
                    "joined by '+', e.g. 'bf16+channels_last'."
                )
            if key in fields:
                raise ValueError(f'Variant {spec!r} sets {key} twice.')
            fields[key] = value
        return cls(**fields)
