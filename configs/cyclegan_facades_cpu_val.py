# The facades CPU recipe (cyclegan_facades_cpu.py) set up to choose settings
# without the test set: it trains on all 400 training pairs, as the recipe
# does, and validates (and test.py scores) on the 100 pairs of the val split,
# which the recipe never sees. Compare candidate settings with it, then train
# the chosen one with cyclegan_facades_cpu.py and score it once on the test set.
_base_ = './cyclegan_facades_cpu.py'

val_dataloader = dict(dataset=dict(split='val'))
test_dataloader = val_dataloader
