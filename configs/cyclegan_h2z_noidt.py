# horse2zebra without the identity loss (the paper's Fig. 9 ablation; MMagic's
# "id0" model). Identity keeps colours of the input (e.g. sky) intact.
_base_ = './cyclegan_h2z.py'

model = dict(identity_loss=None)
