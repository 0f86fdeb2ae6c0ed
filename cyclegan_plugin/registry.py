"""The plugin's registries: the one place where they are created.

Every registry is a child of MMEngine's root registry of the same kind, under the
scope ``cyclegan_plugin``. This lets configs with ``default_scope='cyclegan_plugin'``
build everything, lets other OpenMMLab scopes (e.g. ``mmagic``) reach a component
as ``'cyclegan_plugin.ResnetGenerator'``, and lets MMEngine's own components
(runners, loops, optimizer wrappers, schedulers) resolve from our scope through the
parent. Some register nothing of ours (loops, log processors, data samplers,
model wrappers, schedulers, evaluators, visualizers and their backends): MMEngine
builds those through the default scope's registry, and without one it warns on
every build. ``locations`` makes the registries import the modules that register
into them on first use, so ``custom_imports`` is optional.
"""

from typing import Any

from mmengine.registry import DATA_SAMPLERS as MMENGINE_DATA_SAMPLERS
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import EVALUATOR as MMENGINE_EVALUATOR
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import LOG_PROCESSORS as MMENGINE_LOG_PROCESSORS
from mmengine.registry import LOOPS as MMENGINE_LOOPS
from mmengine.registry import METRICS as MMENGINE_METRICS
from mmengine.registry import MODEL_WRAPPERS as MMENGINE_MODEL_WRAPPERS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import (
    OPTIM_WRAPPER_CONSTRUCTORS as MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS,
)
from mmengine.registry import OPTIM_WRAPPERS as MMENGINE_OPTIM_WRAPPERS
from mmengine.registry import OPTIMIZERS as MMENGINE_OPTIMIZERS
from mmengine.registry import PARAM_SCHEDULERS as MMENGINE_PARAM_SCHEDULERS
from mmengine.registry import RUNNERS as MMENGINE_RUNNERS
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import VISBACKENDS as MMENGINE_VISBACKENDS
from mmengine.registry import VISUALIZERS as MMENGINE_VISUALIZERS
from mmengine.registry import WEIGHT_INITIALIZERS as MMENGINE_WEIGHT_INITIALIZERS
from mmengine.registry import DefaultScope, Registry

__all__ = [
    'RUNNERS',
    'LOOPS',
    'HOOKS',
    'LOG_PROCESSORS',
    'DATASETS',
    'DATA_SAMPLERS',
    'TRANSFORMS',
    'MODELS',
    'MODEL_WRAPPERS',
    'WEIGHT_INITIALIZERS',
    'OPTIMIZERS',
    'OPTIM_WRAPPERS',
    'OPTIM_WRAPPER_CONSTRUCTORS',
    'PARAM_SCHEDULERS',
    'EVALUATOR',
    'METRICS',
    'VISUALIZERS',
    'VISBACKENDS',
]

_SCOPE = 'cyclegan_plugin'


def _child(parent: Registry, name: str, *locations: str) -> Registry:
    return Registry(
        name,
        parent=parent,
        scope=_SCOPE,
        locations=[f'{_SCOPE}.{loc}' for loc in locations],
    )


RUNNERS = _child(MMENGINE_RUNNERS, 'runner', 'engine')
LOOPS = _child(MMENGINE_LOOPS, 'loop', 'engine')
HOOKS = _child(MMENGINE_HOOKS, 'hook', 'engine')
LOG_PROCESSORS = _child(MMENGINE_LOG_PROCESSORS, 'log processor', 'engine')
OPTIMIZERS = _child(MMENGINE_OPTIMIZERS, 'optimizer', 'engine')
OPTIM_WRAPPERS = _child(MMENGINE_OPTIM_WRAPPERS, 'optim wrapper', 'engine')
OPTIM_WRAPPER_CONSTRUCTORS = _child(
    MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS, 'optimizer wrapper constructor', 'engine'
)
PARAM_SCHEDULERS = _child(MMENGINE_PARAM_SCHEDULERS, 'parameter scheduler', 'engine')

DATASETS = _child(MMENGINE_DATASETS, 'dataset', 'datasets')
DATA_SAMPLERS = _child(MMENGINE_DATA_SAMPLERS, 'data sampler', 'datasets')
TRANSFORMS = _child(MMENGINE_TRANSFORMS, 'transform', 'datasets.transforms')

MODELS = _child(MMENGINE_MODELS, 'model', 'models')
MODEL_WRAPPERS = _child(MMENGINE_MODEL_WRAPPERS, 'model wrapper', 'models')
WEIGHT_INITIALIZERS = _child(
    MMENGINE_WEIGHT_INITIALIZERS, 'weight initializer', 'models'
)

EVALUATOR = _child(MMENGINE_EVALUATOR, 'evaluator', 'evaluation')
METRICS = _child(MMENGINE_METRICS, 'metric', 'evaluation')

VISUALIZERS = _child(MMENGINE_VISUALIZERS, 'visualizer', 'visualization')
VISBACKENDS = _child(MMENGINE_VISBACKENDS, 'vis_backend', 'visualization')


def build_in_scope(registry: Registry, cfg: Any, **default_args: Any) -> Any:
    """Build ``cfg`` from ``registry`` with ``cyclegan_plugin`` as default scope.

    Sub-components of our models are named without a scope prefix in configs
    (``type='ResnetGenerator'``). Building them in our scope makes that work
    whatever the caller's default scope is (e.g. inside an MMagic config with
    ``default_scope='mmagic'``); names with another scope's prefix
    (``'mmagic.DataPreprocessor'``) still resolve to that scope.

    Args:
        registry (Registry): One of this module's registries.
        cfg (dict | Any): A config dict; anything else (an already built
            object) is returned unchanged.
        **default_args: Passed to ``registry.build``.

    Returns:
        Any: The built object.
    """
    if not isinstance(cfg, dict):
        return cfg
    with DefaultScope.overwrite_default_scope(_SCOPE):
        return registry.build(cfg, default_args=default_args or None)
