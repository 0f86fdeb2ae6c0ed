# FID/KID of A -> B only, for models that translate one way (CUT, FastCUT);
# testing adds the bootstrap spreads as fid_kid.py does.
val_evaluator = [
    dict(type='FID', directions=('AtoB',)),
    dict(type='KID', directions=('AtoB',)),
]
test_evaluator = [dict(metric, bootstrap=100) for metric in val_evaluator]
