"""The child process of a step: ``python -m analysis.gpu_check.child NAME ARGS OUT``.

Runs the function ``NAME`` with the keyword arguments of the JSON ``ARGS`` and
writes what it returns to ``OUT`` (JSON, atomically). An exception ends the
process with its traceback on stderr, which the parent reads the reason from.
"""

import importlib
import json
import sys

# name -> 'module:function' of this package; imported on demand, so that a
# light step (env) does not pay for the heavy imports of the others.
FUNCTIONS = {
    'env': 'part_env:collect_environment',
    'checkpointing': 'part_checkpointing:measure_setting',
    'quality_train': 'part_quality:train_to_deadline',
    'quality_scores': 'part_quality:score_checkpoint',
}


def main(argv=None) -> None:
    name, kwargs, out = sys.argv[1:] if argv is None else argv
    if name not in FUNCTIONS:
        raise ValueError(f'unknown step function {name!r}; one of {sorted(FUNCTIONS)}')
    module, function = FUNCTIONS[name].split(':')
    fn = getattr(importlib.import_module(f'{__package__}.{module}'), function)
    result = fn(**json.loads(kwargs))

    from cyclegan_plugin.fileio import write_atomic

    write_atomic(out, json.dumps(result, indent=1).encode())


if __name__ == '__main__':
    main()
