# The CPU-budget recipe (cyclegan_h2z_cpu.py) set up to choose settings
# without the test set: it trains on each training folder minus a held-out
# tenth (chosen by a hash of the file names, the same on every machine) and
# validates (FID/KID, both directions) on that tenth; test.py scores the same
# held-out images. Compare candidate settings with it, then train the chosen
# one with cyclegan_h2z_cpu.py on all training images and score it once on the
# test set. With --data-root any set in the authors' layout splits the same way.
_base_ = './cyclegan_h2z_cpu.py'

holdout_fraction = 0.1
train_dataloader = dict(dataset=dict(holdout=dict(fraction=holdout_fraction)))
val_dataloader = dict(
    dataset=dict(split='train', holdout=dict(fraction=holdout_fraction, part='holdout'))
)
test_dataloader = val_dataloader
