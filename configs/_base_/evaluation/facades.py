# The facades scores (A = photo, B = label map) against the true pairs: FID,
# PSNR/SSIM/L1 of each translation against its ground truth, and the paper's
# scores: per-pixel accuracy, per-class accuracy and mean IoU of the generated
# label maps (photo -> labels) and, given a segmentation model, the FCN score
# of the generated photos (labels -> photo). Testing adds the spread of FID and
# of the segmentation scores over 100 bootstrap resamplings of the test images
# (e.g. ClassAcc-AtoB-bootstrap-std), to tell models and baselines apart.
val_evaluator = [
    dict(type='FID', directions=('AtoB', 'BtoA')),
    dict(type='PSNR', directions=('AtoB', 'BtoA')),
    dict(type='SSIM', directions=('AtoB', 'BtoA')),
    dict(type='L1', directions=('AtoB', 'BtoA')),
    dict(type='LabelScore', direction='AtoB', palette='facades'),
    # Set model= to a TorchScript facade segmenter to score labels -> photo;
    # without one the metric logs that it is skipped (nothing is downloaded).
    dict(type='FCNScore', direction='BtoA', palette='facades', model=None),
]
test_evaluator = [
    dict(metric, bootstrap=100)
    if metric['type'] in ('FID', 'LabelScore', 'FCNScore')
    else metric
    for metric in val_evaluator
]
