"""Install the CycleGAN plugin: ``pip install -e .[tests,eval]``."""

import os
import subprocess
import sys
from typing import List

from setuptools import find_packages, setup

HERE = os.path.dirname(os.path.abspath(__file__))


def read_requirements(name: str) -> List[str]:
    """Read ``requirements/<name>.txt``, dropping comments and blank lines."""
    path = os.path.join(HERE, 'requirements', f'{name}.txt')
    with open(path, encoding='utf-8') as f:
        lines = (line.split('#', 1)[0].strip() for line in f)
        return [line for line in lines if line and not line.startswith('-')]


def full_mmcv_installed() -> bool:
    """Whether the target environment already has the full (compiled) mmcv.

    pip builds in an isolated environment that hides the target's packages, so
    ask the target interpreter itself, without the isolation's path settings.
    """
    choice = os.environ.get('CYCLEGAN_PLUGIN_MMCV', '').lower()
    if choice in ('full', 'lite'):
        return choice == 'full'
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ('PYTHONPATH', 'PYTHONNOUSERSITE', 'PYTHONHOME')
    }
    probe = (
        'import importlib.metadata as m, sys\n'
        'try:\n    m.distribution("mmcv")\nexcept Exception:\n'
        '    sys.exit(1)\n'
    )
    try:
        return (
            subprocess.run(
                [sys.executable, '-c', probe], env=env, check=False
            ).returncode
            == 0
        )
    except OSError:
        return False


def runtime_requirements() -> List[str]:
    reqs = read_requirements('runtime')
    # mmcv.transforms is pure Python: mmcv-lite provides it without compiling.
    # A full mmcv (as MMagic needs) provides the same module, so keep it.
    reqs.append(
        'mmcv>=2.0.0,<2.2.0' if full_mmcv_installed() else 'mmcv-lite>=2.0.0,<2.2.0'
    )
    return reqs


def get_version() -> str:
    scope: dict = {}
    with open(os.path.join(HERE, 'cyclegan_plugin', 'version.py')) as f:
        exec(f.read(), scope)
    return scope['__version__']


with open(os.path.join(HERE, 'README.md'), encoding='utf-8') as f:
    long_description = f.read()

extras = {
    'tests': read_requirements('tests'),
    'eval': read_requirements('eval'),
    'mmagic': read_requirements('mmagic'),
    'deploy': read_requirements('deploy'),
    'demo': read_requirements('demo'),
}
extras['all'] = sorted(
    {r for k in ('tests', 'eval', 'deploy', 'demo') for r in extras[k]}
)

setup(
    name='cyclegan-plugin',
    version=get_version(),
    description='CycleGAN (unpaired image-to-image translation) components '
    'for MMEngine and MMagic',
    long_description=long_description,
    long_description_content_type='text/markdown',
    license='Apache-2.0',
    python_requires='>=3.8',
    packages=find_packages(include=['cyclegan_plugin', 'cyclegan_plugin.*']),
    include_package_data=True,
    # C++ sources built on first use (cyclegan_plugin/ops/winograd.py).
    package_data={'cyclegan_plugin.ops': ['csrc/*.cpp', 'csrc/*.h']},
    install_requires=runtime_requirements(),
    extras_require=extras,
    classifiers=[
        'Programming Language :: Python :: 3',
        'Topic :: Scientific/Engineering :: Artificial Intelligence',
    ],
)
