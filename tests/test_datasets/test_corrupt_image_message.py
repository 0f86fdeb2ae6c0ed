"""A corrupt training image: the error names the file and the skip option."""

import pytest

from cyclegan_plugin.datasets import UnpairedImageDataset
from cyclegan_plugin.datasets.transforms import CorruptImageError

PIPELINE = [
    dict(type='LoadTranslationImage', keys=['img_A', 'img_B']),
    dict(type='PackTranslationInputs'),
]


@pytest.mark.parametrize(
    'content, test_mode, loader',
    [
        (b'', False, 'train_dataloader'),
        (b'not an image', False, 'train_dataloader'),
        (b'', True, 'test_dataloader'),
    ],
)
def test_error_names_file_and_skip_corrupt(unpaired_root, content, test_mode, loader):
    split = 'test' if test_mode else 'train'
    bad = unpaired_root / f'{split}A' / '001.png'
    bad.write_bytes(content)
    dataset = UnpairedImageDataset(
        str(unpaired_root),
        split=split,
        pipeline=PIPELINE,
        serial=True,
        test_mode=test_mode,
    )
    with pytest.raises(CorruptImageError) as err:
        dataset[1]
    message = str(err.value)
    assert repr(str(bad)) in message and 'delete it' in message
    assert message.endswith(f'--cfg-options {loader}.dataset.skip_corrupt=True.')
