"""Feature samplers: CUT's patch sampler with its projection heads."""

from .patch_sample_f import PatchSampleF

__all__ = ['PatchSampleF']
