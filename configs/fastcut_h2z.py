# FastCUT on horse2zebra: CUT without PatchNCE on Y, lambda_NCE 10 and flip
# equivariance, 150 + 50 epochs (the authors' FastCUT defaults).
_base_ = './cut_h2z.py'

model = dict(
    nce_idt=False,
    nce_loss=dict(loss_weight=10.0),
    flip_equivariance=True,
)
train_cfg = dict(max_iters=266800)  # 200 epochs of 1334 iterations
param_scheduler = dict(begin=200100, end=266800)  # decay over the last 50
