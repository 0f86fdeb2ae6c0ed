"""Read a field of a val/test data sample, with an error that says what to set."""


def get_field(sample, field: str, metric: str):
    """A field of a data sample (``BaseDataElement`` or dict), or a clear error.

    Args:
        sample (BaseDataElement | dict): One output of ``val_step``/``test_step``.
        field (str): Field name, e.g. ``fake_B``.
        metric (str): Name of the asking metric, for the message.

    Returns:
        Any: The field's value.

    Raises:
        KeyError: If the sample has no such field.
    """
    value = sample.get(field, None)
    if value is None:
        keys = sample.keys() if isinstance(sample, dict) else sample.all_keys()
        raise KeyError(
            f'{metric} needs the field {field!r} in each data sample, but the '
            f'sample has {sorted(keys)}; set directions= to the directions '
            'the model produces'
        )
    return value
