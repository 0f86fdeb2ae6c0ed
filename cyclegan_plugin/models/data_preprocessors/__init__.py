"""Data preprocessors."""

from .cyclegan_data_preprocessor import CycleGANDataPreprocessor

__all__ = ['CycleGANDataPreprocessor']
