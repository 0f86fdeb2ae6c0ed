"""CUT and FastCUT (Park et al. 2020): contrastive unpaired translation."""

from typing import Dict, Optional, Sequence, Tuple

import torch
from mmengine.optim import OptimWrapperDict
from torch import Tensor

from cyclegan_plugin.registry import MODELS, build_in_scope
from cyclegan_plugin.structures import Direction, check_direction

from .base_translation_model import BaseTranslationModel, frozen, unwrap

# The authors' --nce_layers 0,4,8,12,16 in our ResnetGenerator's names (their
# index i is ResnetGenerator.feature_layers()[i]): the padded input, the first
# and second downsampling convs (before their norm), residual blocks 1 and 5.
AUTHORS_NCE_LAYERS = (
    'stem.pad',
    'downsample.0.conv',
    'downsample.1.conv',
    'blocks.0',
    'blocks.4',
)


@MODELS.register_module()
class CUT(BaseTranslationModel):
    r"""CUT / FastCUT, trained as the authors' ``cut_model.py`` does.

    ========  ===================  ==========================================
    code      paper                role
    ========  ===================  ==========================================
    G         G (encoder + dec.)   ``generators.A``: A → B
    F         H (MLP heads)        ``generators.F``: :class:`PatchSampleF`
    D         D                    ``discriminators.A``: real B vs G(A)
    ========  ===================  ==========================================

    :meth:`train_step` is the authors' ``optimize_parameters``: the forward,
    a discriminator update, then one update of G and F together on

    .. math::
        L_G = \lambda_{GAN} L_{GAN}(D(G(x)), 1)
              + \tfrac{1}{2} (L_{PatchNCE}(G, H, X) + L_{PatchNCE}(G, H, Y))

    (paper Eq. 5 with :math:`\lambda_X = \lambda_Y`; without ``nce_idt``, the
    FastCUT setting, the NCE term is :math:`L_{PatchNCE}(G, H, X)` alone).
    Each :math:`L_{PatchNCE}` is the mean over ``nce_layers`` of
    :class:`PatchNCELoss` (``loss_weight`` = :math:`\lambda_{NCE}`) between
    the sampled features of the output and those of the input at the same
    locations. One optimizer serves G and F (``'generators'``): Adam's update
    is per parameter, so it equals the authors' separate Adam of F with the
    same settings. Everything else (inference, validation, the NaN guard, the
    divergence check) is :class:`BaseTranslationModel`'s, as for
    :class:`CycleGAN`; ``idt_A`` is ``G(B)``, the authors' ``idt_B``.
    CycleGAN's speed options (``channels_last``, ``compile_cfg``,
    ``cpu_kernels``) are not offered: the PatchNCE features
    come from :meth:`ResnetGenerator.encode`, which runs PyTorch's layers.

    Args:
        generator (dict): Config of G (a :class:`ResnetGenerator`).
        discriminator (dict): Config of D.
        sampler (dict): Config of F without ``in_channels``. Defaults to
            ``PatchSampleF`` with 256 channels (the authors' ``mlp_sample``).
        nce_layers (Sequence[str]): G's layers for PatchNCE. Defaults to the
            authors' 0, 4, 8, 12, 16 (``AUTHORS_NCE_LAYERS``).
        nce_loss (dict): Config of the PatchNCE loss. Defaults to
            :math:`\tau` 0.07, :math:`\lambda_{NCE}` 1 (CUT).
        gan_loss (dict): Adversarial loss. Defaults to LSGAN.
        gan_weight (float): :math:`\lambda_{GAN}`. Defaults to 1.0.
        nce_idt (bool): The identity term :math:`L_{PatchNCE}(G, H, Y)` (CUT;
            FastCUT has none). Defaults to True.
        num_patches (int): Patches per layer. Defaults to 256.
        flip_equivariance (bool): With probability 0.5 per iteration (drawn
            from torch's generator; the authors draw from NumPy's), flip G's
            inputs and the output's features back (FastCUT). Defaults to
            False.
        disc_loss_weight (float): Factor of the discriminator loss. Defaults
            to 0.5.
        max_nonfinite_streak (int): See :class:`CycleGAN`. Defaults to 20.
        divergence_cfg (dict): See :class:`CycleGAN`. Defaults to ``dict()``.
        data_preprocessor (dict, optional): Defaults to
            ``CycleGANDataPreprocessor``.
        init_cfg (dict, optional): Initialisation config. Defaults to None.

    Raises:
        ValueError: If ``num_patches`` < 1 or ``gan_weight`` < 0.
    """

    def __init__(
        self,
        generator: dict,
        discriminator: dict,
        sampler: dict = dict(type='PatchSampleF', num_channels=256),
        nce_layers: Sequence[str] = AUTHORS_NCE_LAYERS,
        nce_loss: dict = dict(type='PatchNCELoss', temperature=0.07, loss_weight=1.0),
        gan_loss: dict = dict(type='GANLoss', gan_type='lsgan'),
        gan_weight: float = 1.0,
        nce_idt: bool = True,
        num_patches: int = 256,
        flip_equivariance: bool = False,
        disc_loss_weight: float = 0.5,
        max_nonfinite_streak: int = 20,
        divergence_cfg: dict = dict(),
        data_preprocessor: Optional[dict] = dict(type='CycleGANDataPreprocessor'),
        init_cfg: Optional[dict] = None,
    ) -> None:
        super().__init__(
            disc_loss_weight=disc_loss_weight,
            max_nonfinite_streak=max_nonfinite_streak,
            divergence_cfg=divergence_cfg,
            channels_last=False,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg,
        )
        if num_patches < 1 or gan_weight < 0:
            raise ValueError(
                'num_patches must be >= 1 and gan_weight >= 0, but got '
                f'num_patches={num_patches}, gan_weight={gan_weight}'
            )
        self.generators = build_in_scope(
            MODELS,
            dict(
                type='CUTGenerators',
                generator=generator,
                sampler=sampler,
                nce_layers=nce_layers,
            ),
        )
        self.discriminators = build_in_scope(
            MODELS, dict(type='CUTDiscriminator', discriminator=discriminator)
        )
        self.gan_loss = build_in_scope(MODELS, gan_loss)
        self.nce_loss = build_in_scope(MODELS, nce_loss)
        self.gan_weight = float(gan_weight)
        self.nce_idt = nce_idt
        self.num_patches = num_patches
        self.flip_equivariance = flip_equivariance

    # ------------------------------------------------------------ training
    def train_step(
        self, data: dict, optim_wrapper: OptimWrapperDict
    ) -> Dict[str, Tensor]:
        """One CUT iteration, in the authors' order.

        1. Forward (:class:`CUTGenerators`): ``fake_B = G(A)`` (and
           ``idt_A = G(B)`` in the same batch), after FastCUT's random flip.
        2. Discriminator update on ``fake_B`` (detached):
           ``0.5 * (L_GAN(D(B), 1) + L_GAN(D(fake_B), 0))``.
        3. G and F update on :math:`L_G` (class docstring) with D frozen and
           already updated; the PatchNCE features
           (:meth:`CUTGenerators.nce_features`) are computed here, after the
           GAN term, as the authors' ``compute_G_loss``: the same graph, so
           the same order of gradient sums (the biases before instance norm
           have a zero gradient up to rounding, which Adam would amplify).

        Args:
            data (dict): A batch from the dataloader (see ``docs/design.md``).
            optim_wrapper (OptimWrapperDict): With ``'generators'`` (G and F)
                and ``'discriminators'`` wrappers.

        Returns:
            dict[str, Tensor]: ``loss_G``, ``loss_D`` and their terms.
        """
        data = self.data_preprocessor(data, True)
        real_A, real_B = self._require_both(data['inputs'])
        g_optim, d_optim = optim_wrapper['generators'], optim_wrapper['discriminators']
        guard = self.nonfinite_guard
        flip = self.flip_equivariance and bool(torch.rand(()) < 0.5)

        with g_optim.optim_context(self.generators):
            outputs = self.generators(
                real_A, real_B, with_identity=self.nce_idt, flip=flip
            )

        with d_optim.optim_context(self.discriminators):
            loss_D, d_terms = self._discriminator_losses(
                real_B, outputs['fake_B'].detach()
            )
        # The guard counts iterations with a skipped update in a row: here
        # two updates per iteration, the streak is decided once both ran.
        streak = guard.streak
        d_ok = self._update(d_optim, loss_D, d_terms, 'loss_D')
        guard.streak = streak

        # Frozen, D's gradients stay untouched by L_G.
        with frozen(self.discriminators), g_optim.optim_context(self.generators):
            loss_G, g_terms = self._generator_losses(real_A, real_B, outputs, flip)
        g_ok = self._update(g_optim, loss_G, g_terms, 'loss_G')
        guard.streak = 0 if d_ok and g_ok else streak + 1
        return self._log_vars(loss_G, g_terms, loss_D, d_terms)

    def _discriminator_losses(
        self, real_B: Tensor, fake_B: Tensor
    ) -> Tuple[Tensor, Dict[str, Tensor]]:
        """The authors' ``compute_D_loss`` and its terms by log key."""
        fake_pred, real_pred = self.discriminators([fake_B, real_B])
        w = self.disc_loss_weight
        loss_fake = w * self.gan_loss(fake_pred, False, is_disc=True)
        loss_real = w * self.gan_loss(real_pred, True, is_disc=True)
        return loss_fake + loss_real, dict(loss_D_fake=loss_fake, loss_D_real=loss_real)

    def _generator_losses(
        self, real_A: Tensor, real_B: Tensor, outputs: Dict[str, Tensor], flip: bool
    ) -> Tuple[Tensor, Dict[str, Tensor]]:
        """The authors' ``compute_G_loss`` and its terms by log key."""
        # Past any DDP wrapper: frozen, D has no gradients to synchronise.
        pred = unwrap(self.discriminators).A(outputs['fake_B'])
        loss_gan = self.gan_weight * self.gan_loss(pred, True, is_disc=False)
        loss_nce = self._nce(real_A, outputs['fake_B'], flip)
        terms = dict(loss_gan=loss_gan, loss_nce=loss_nce)
        if 'idt_A' in outputs:
            terms['loss_nce_idt'] = self._nce(real_B, outputs['idt_A'], flip)
            loss_nce = 0.5 * (loss_nce + terms['loss_nce_idt'])
        return loss_gan + loss_nce, terms

    def _nce(self, src: Tensor, tgt: Tensor, flip: bool) -> Tensor:
        """PatchNCE averaged over the layers (the authors' ``/ n_layers``)."""
        generators = unwrap(self.generators)
        queries, keys = generators.nce_features(src, tgt, self.num_patches, flip)
        total = sum(self.nce_loss(q, k) for q, k in zip(queries, keys))
        return total / len(queries)

    # ------------------------------------------------------------ inference
    def translate(self, images: Tensor, direction: Direction = 'AtoB') -> Tensor:
        """Translate a batch with G.

        Args:
            images (Tensor): ``(N, 3, H, W)`` float images in [-1, 1].
            direction (str): Only ``'AtoB'``: CUT has one generator.
                Defaults to ``'AtoB'``.

        Returns:
            Tensor: ``(N, 3, H, W)`` translations in [-1, 1].

        Raises:
            ValueError: If ``direction`` is not ``'AtoB'``.
        """
        check_direction(direction)
        if direction != 'AtoB':
            raise ValueError(
                f'CUT translates A to B only, but got direction={direction!r}'
            )
        return unwrap(self.generators).A(self._layout(images))

    def _translate_all(
        self, inputs: Dict[str, Tensor], direction: Optional[Direction]
    ) -> Dict[str, Tensor]:
        outputs: Dict[str, Tensor] = {}
        real_A = inputs.get('img_A') if direction != 'BtoA' else None
        if real_A is not None:
            outputs['real_A'] = real_A
            outputs['fake_B'] = unwrap(self.generators).A(self._layout(real_A))
        real_B = inputs.get('img_B')
        if real_B is not None and direction != 'AtoB':
            # The target domain's reals (FID/KID read them) and, with the
            # identity term, G(B): the authors' idt_B visual.
            outputs['real_B'] = real_B
            if self.nce_idt:
                outputs['idt_A'] = unwrap(self.generators).A(self._layout(real_B))
        return outputs
