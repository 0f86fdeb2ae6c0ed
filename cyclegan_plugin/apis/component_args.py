"""What a config's ``type`` names, and which constructor arguments it takes."""

import inspect
from typing import Any

from mmengine.registry import DefaultScope

from cyclegan_plugin import registry

__all__ = ['accepts_arg', 'arg_default', 'component_class']


def component_class(type_name: Any) -> Any:
    """The class a config's ``type`` names, searched in every registry."""
    if inspect.isclass(type_name):
        return type_name
    with DefaultScope.overwrite_default_scope('cyclegan_plugin'):
        for name in registry.__all__:
            reg = getattr(registry, name)
            found = getattr(reg, 'get', lambda _: None)(type_name)
            if found is not None:
                return found
    return None


def accepts_arg(type_name: Any, key: str) -> bool:
    """Whether the component ``type_name`` takes a constructor arg ``key``."""
    cls = component_class(type_name)
    if not inspect.isclass(cls):
        return True  # unknown here (e.g. another scope): its build checks it
    for klass in cls.__mro__:
        init = klass.__dict__.get('__init__')
        if init is None:
            continue
        params = inspect.signature(init).parameters
        if key in params:
            return True
        if not any(p.kind is p.VAR_KEYWORD for p in params.values()):
            return False
    return True


def arg_default(type_name: Any, key: str) -> Any:
    """The default of the constructor arg ``key`` of ``type_name``, else None."""
    cls = component_class(type_name)
    if not inspect.isclass(cls):
        return None
    param = inspect.signature(cls.__init__).parameters.get(key)
    if param is None or param.default is inspect.Parameter.empty:
        return None
    return param.default
