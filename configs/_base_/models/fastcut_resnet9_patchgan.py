# FastCUT (the authors' FastCUT options): CUT's networks and loss without
# PatchNCE on Y, with lambda_NCE 10 and flip-equivariance augmentation.
_base_ = './cut_resnet9_patchgan.py'

model = dict(
    nce_idt=False,
    nce_loss=dict(loss_weight=10.0),
    flip_equivariance=True,
)
