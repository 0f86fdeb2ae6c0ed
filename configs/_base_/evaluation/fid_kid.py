# FID/KID of each direction against the real test images of the target domain,
# with the offline pytorch-fid Inception weights (real-image features cached).
# Testing adds each score's spread over 100 bootstrap resamplings of the test
# images (e.g. FID-AtoB-bootstrap-std), to tell models apart.
val_evaluator = [
    dict(type='FID', directions=('AtoB', 'BtoA')),
    dict(type='KID', directions=('AtoB', 'BtoA')),
]
test_evaluator = [dict(metric, bootstrap=100) for metric in val_evaluator]
