"""CycleGAN (Zhu et al. 2017): unpaired image-to-image translation."""

import logging
from typing import Dict, Optional, Tuple

import torch
import torch.nn as nn
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.optim import OptimWrapperDict

from cyclegan_plugin.ops import convert_to_cpu_kernels, keep_freed_cpu_memory
from cyclegan_plugin.registry import MODELS, build_in_scope
from cyclegan_plugin.structures import Direction, check_direction

from .base_translation_model import BaseTranslationModel, frozen, unwrap


def _compile_forward(module: nn.Module, compile_cfg: dict) -> None:
    # Compiling the bound forward rather than wrapping the module keeps the
    # state_dict keys, and DDP wraps the parent modules as usual.
    module.forward = torch.compile(module.forward, **compile_cfg)


@MODELS.register_module()
class CycleGAN(BaseTranslationModel):
    r"""CycleGAN, trained as the authors' ``cycle_gan_model.py`` does.

    ======  =====  ====================================================
    code    paper  role
    ======  =====  ====================================================
    G_A     G      ``generators.A``: A → B
    G_B     F      ``generators.B``: B → A
    D_A     D_Y    ``discriminators.A``: real B vs G_A(A)
    D_B     D_X    ``discriminators.B``: real A vs G_B(B)
    ======  =====  ====================================================

    :meth:`train_step` is the authors' ``optimize_parameters``: a generator
    update on paper Eq. 3 plus the identity term, then a discriminator update.

    Every loss term is logged on its own. A non-finite loss, or non-finite
    gradients of a finite one, skip the iteration's update (counted and
    warned about); ``max_nonfinite_streak`` such iterations in a row stop
    training. A finite blow-up (``loss_G`` or ``loss_D`` far above its
    running median for many iterations, see ``divergence_cfg``) warns, then
    stops training too (:class:`NonFiniteGuard`).

    Args:
        generator (dict): Config of G_A (and of G_B unless ``generator_B``).
        discriminator (dict): Config of D_A (and of D_B unless
            ``discriminator_B``).
        gan_loss (dict): Adversarial loss config. Defaults to LSGAN.
        cycle_loss (dict): Cycle-consistency loss config (weight = lambda).
            Defaults to ``L1Loss`` with weight 10.
        identity_loss (dict, optional): Identity loss config (weight =
            lambda_idt * lambda); None disables it. Defaults to ``L1Loss``
            with weight 5, the authors' ``lambda_identity=0.5``.
        gp_loss (dict, optional): Gradient penalty added to each
            discriminator loss (for ``gan_type='wgangp'``). Defaults to None.
        buffer (dict): Config of each image history buffer. Defaults to
            ``ImageBuffer`` with 50 images.
        generator_B (dict, optional): Config of G_B. Defaults to None.
        discriminator_B (dict, optional): Config of D_B. Defaults to None.
        disc_loss_weight (float): Factor of each discriminator loss.
            Defaults to 0.5.
        max_nonfinite_streak (int): Iterations in a row with a non-finite
            loss or gradient after which training stops with an error.
            Defaults to 20.
        divergence_cfg (dict): Overrides of the divergence check's
            thresholds: ``factor`` (1000; None turns it off), ``patience``
            (50), ``window`` (100), ``floor`` (1.0), as
            :class:`NonFiniteGuard`'s ``divergence_*`` arguments. Defaults to
            ``dict()``.
        channels_last (bool): Keep the networks' weights and the images in
            ``torch.channels_last`` memory format. Pays off with cuDNN and
            mixed precision on tensor-core GPUs, not on CPUs
            (``docs/benchmarks.md``). Defaults to False.
        compile_cfg (dict, optional): Keyword arguments of ``torch.compile``
            (e.g. ``dict(mode='max-autotune')``) applied to each generator and
            discriminator; ``dict()`` compiles with the defaults; None does
            not compile. Each network is compiled on its own: compiling the
            whole generator pass (G_B after G_A in one graph) under bf16
            autocast gave non-finite gradients with torch 2.13 on CPUs.
            Defaults to None.
        cpu_kernels (bool): Compute the generators by the plugin's CPU
            kernels (:func:`~cyclegan_plugin.ops.convert_to_cpu_kernels`:
            Winograd 3x3 convs, a direct 7x7 head, instance norm + ReLU fused)
            and keep freed CPU memory for reuse
            (:func:`~cyclegan_plugin.ops.keep_freed_cpu_memory`, process-wide:
            the kernels' large temporaries would page-fault every step). The
            parameters and state_dict do not change, so checkpoints load
            either way; on GPUs and under autocast the layers use PyTorch's
            ops. Defaults to False.
        data_preprocessor (dict, optional): Defaults to
            ``CycleGANDataPreprocessor``.
        init_cfg (dict, optional): Initialisation config. Defaults to None.
    """

    def __init__(
        self,
        generator: dict,
        discriminator: dict,
        gan_loss: dict = dict(type='GANLoss', gan_type='lsgan'),
        cycle_loss: dict = dict(type='L1Loss', loss_weight=10.0),
        identity_loss: Optional[dict] = dict(type='L1Loss', loss_weight=5.0),
        gp_loss: Optional[dict] = None,
        buffer: dict = dict(type='ImageBuffer', buffer_size=50),
        generator_B: Optional[dict] = None,
        discriminator_B: Optional[dict] = None,
        disc_loss_weight: float = 0.5,
        max_nonfinite_streak: int = 20,
        divergence_cfg: dict = dict(),
        channels_last: bool = False,
        compile_cfg: Optional[dict] = None,
        cpu_kernels: bool = False,
        data_preprocessor: Optional[dict] = dict(type='CycleGANDataPreprocessor'),
        init_cfg: Optional[dict] = None,
    ) -> None:
        super().__init__(
            disc_loss_weight=disc_loss_weight,
            max_nonfinite_streak=max_nonfinite_streak,
            divergence_cfg=divergence_cfg,
            channels_last=channels_last,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg,
        )
        self.generators = build_in_scope(
            MODELS,
            dict(
                type='CycleGenerators',
                generator_A=generator,
                generator_B=generator_B,
            ),
        )
        if cpu_kernels:
            convert_to_cpu_kernels(self.generators)
            if not keep_freed_cpu_memory():
                print_log(
                    'cpu_kernels: freed CPU memory is not kept for reuse (needs '
                    "glibc's mallopt); the kernels still work, slower.",
                    logger='current',
                    level=logging.WARNING,
                )
        self.discriminators = build_in_scope(
            MODELS,
            dict(
                type='CycleDiscriminators',
                discriminator_A=discriminator,
                discriminator_B=discriminator_B,
            ),
        )
        self.gan_loss = build_in_scope(MODELS, gan_loss)
        self.cycle_loss = build_in_scope(MODELS, cycle_loss)
        self.identity_loss = (
            build_in_scope(MODELS, identity_loss) if identity_loss is not None else None
        )
        self.gp_loss = build_in_scope(MODELS, gp_loss) if gp_loss is not None else None
        # image_buffers['fake_B'] holds G_A's outputs (for D_A), 'fake_A' G_B's.
        self.image_buffers = nn.ModuleDict(
            dict(
                fake_A=build_in_scope(MODELS, buffer),
                fake_B=build_in_scope(MODELS, buffer),
            )
        )
        if channels_last:
            self.generators.to(memory_format=torch.channels_last)
            self.discriminators.to(memory_format=torch.channels_last)
        if compile_cfg is not None:
            for module in (
                self.generators.A,
                self.generators.B,
                self.discriminators.A,
                self.discriminators.B,
            ):
                _compile_forward(module, dict(compile_cfg))

    # ------------------------------------------------------------ training
    def train_step(
        self, data: dict, optim_wrapper: OptimWrapperDict
    ) -> Dict[str, torch.Tensor]:
        r"""One CycleGAN iteration, in the authors' order.

        1. The cycle (six generator calls, :class:`CycleGenerators`):
           ``fake_B = G_A(A)``, ``rec_A = G_B(fake_B)``, ``fake_A = G_B(B)``,
           ``rec_B = G_A(fake_A)``, and for the identity loss
           ``idt_A = G_A(B)``, ``idt_B = G_B(A)``.
        2. Generator update, both discriminators frozen: paper Eq. 3 plus
           the identity term,

           .. math::
               L_G = L_{GAN}(D_A(G_A(A)), 1) + L_{GAN}(D_B(G_B(B)), 1)
                     + \lambda (|G_B(G_A(A)) - A|_1 + |G_A(G_B(B)) - B|_1)
                     + \lambda_{idt} \lambda (|G_A(B) - B|_1 + |G_B(A) - A|_1)

           with :math:`\lambda = 10` (``cycle_loss.loss_weight``) and
           :math:`\lambda_{idt}\lambda = 5` (``identity_loss.loss_weight``).
        3. Discriminator update on the fakes of step 1 passed through the
           image history buffers (detached), :math:`\tilde{A}` and
           :math:`\tilde{B}`:

           .. math::
               L_D = 0.5 (L_{GAN}(D_A(B), 1) + L_{GAN}(D_A(\tilde{B}), 0))
                     + 0.5 (L_{GAN}(D_B(A), 1) + L_{GAN}(D_B(\tilde{A}), 0))

           where 0.5 is ``disc_loss_weight``; plus the gradient penalties
           when ``gp_loss`` is set.

        Each update takes the steps of ``optim.update_params`` (the loss
        scaled for gradient accumulation, backward, then step and zero_grad
        when due); :meth:`NonFiniteGuard.backward_if_finite` checks the loss
        before backward and the gradients before the step. A skipped
        generator update skips the discriminator update too, so that
        non-finite fakes never enter the buffers.

        Args:
            data (dict): A batch from the dataloader (see ``docs/design.md``).
            optim_wrapper (OptimWrapperDict): With ``'generators'`` and
                ``'discriminators'`` wrappers.

        Returns:
            dict[str, Tensor]: ``loss_G``, ``loss_D`` and each of their
            terms, for logging.
        """
        data = self.data_preprocessor(data, True)
        real_A, real_B = map(self._layout, self._require_both(data['inputs']))
        g_optim, d_optim = optim_wrapper['generators'], optim_wrapper['discriminators']

        # Frozen, the discriminators' gradients stay untouched by L_G.
        with frozen(self.discriminators), g_optim.optim_context(self.generators):
            outputs = self.generators(
                real_A, real_B, with_identity=self.identity_loss is not None
            )
            loss_G, g_terms = self._generator_losses(real_A, real_B, outputs)
        if not self._update(g_optim, loss_G, g_terms, 'loss_G'):
            return self._log_vars(loss_G, g_terms)  # no D update on these fakes

        fake_B = self.image_buffers['fake_B'].query(outputs['fake_B'])
        fake_A = self.image_buffers['fake_A'].query(outputs['fake_A'])
        with d_optim.optim_context(self.discriminators):
            loss_D, d_terms = self._discriminator_losses(real_A, real_B, fake_A, fake_B)
        self._update(d_optim, loss_D, d_terms, 'loss_D')
        return self._log_vars(loss_G, g_terms, loss_D, d_terms)

    def _generator_losses(
        self,
        real_A: torch.Tensor,
        real_B: torch.Tensor,
        outputs: Dict[str, torch.Tensor],
    ) -> Tuple[torch.Tensor, Dict[str, torch.Tensor]]:
        """L_G of :meth:`train_step` and its terms by log key."""
        # Past any DDP wrapper: frozen, they have no gradients to synchronise.
        discriminators = unwrap(self.discriminators)
        gan_A = self.gan_loss(discriminators.A(outputs['fake_B']), True, is_disc=False)
        gan_B = self.gan_loss(discriminators.B(outputs['fake_A']), True, is_disc=False)
        cycle_A = self.cycle_loss(outputs['rec_A'], real_A)
        cycle_B = self.cycle_loss(outputs['rec_B'], real_B)
        loss_G = gan_A + gan_B + cycle_A + cycle_B
        terms = dict(
            loss_gan_A=gan_A,
            loss_gan_B=gan_B,
            loss_cycle_A=cycle_A,
            loss_cycle_B=cycle_B,
        )
        if self.identity_loss is not None:
            idt_A = self.identity_loss(outputs['idt_A'], real_B)
            idt_B = self.identity_loss(outputs['idt_B'], real_A)
            loss_G = loss_G + idt_A + idt_B
            terms.update(loss_idt_A=idt_A, loss_idt_B=idt_B)
        return loss_G, terms

    def _discriminator_losses(
        self,
        real_A: torch.Tensor,
        real_B: torch.Tensor,
        fake_A: torch.Tensor,
        fake_B: torch.Tensor,
    ) -> Tuple[torch.Tensor, Dict[str, torch.Tensor]]:
        """L_D of :meth:`train_step` and its terms by log key."""
        # One call of the (possibly DDP-wrapped) module: one forward/backward.
        (real_B_pred, fake_B_pred), (real_A_pred, fake_A_pred) = self.discriminators(
            [real_B, fake_B], [real_A, fake_A]
        )
        w = self.disc_loss_weight
        loss_D_A = w * (
            self.gan_loss(real_B_pred, True, is_disc=True)
            + self.gan_loss(fake_B_pred, False, is_disc=True)
        )
        loss_D_B = w * (
            self.gan_loss(real_A_pred, True, is_disc=True)
            + self.gan_loss(fake_A_pred, False, is_disc=True)
        )
        loss_D = loss_D_A + loss_D_B
        terms = dict(loss_D_A=loss_D_A, loss_D_B=loss_D_B)
        if self.gp_loss is not None:
            if is_model_wrapper(self.discriminators):
                raise NotImplementedError(
                    'gp_loss needs double backward, which DistributedDataParallel '
                    'does not support; train WGAN-GP on one device or use '
                    "gan_type='lsgan'."
                )
            gp_A = self.gp_loss(self.discriminators.A, real_B, fake_B)
            gp_B = self.gp_loss(self.discriminators.B, real_A, fake_A)
            loss_D = loss_D + gp_A + gp_B
            terms.update(loss_gp_A=gp_A, loss_gp_B=gp_B)
        return loss_D, terms

    # ------------------------------------------------------------ inference
    def translate(
        self, images: torch.Tensor, direction: Direction = 'AtoB'
    ) -> torch.Tensor:
        """Translate a batch with one generator.

        Args:
            images (Tensor): ``(N, 3, H, W)`` float images in [-1, 1].
            direction (str): ``'AtoB'`` uses G_A, ``'BtoA'`` uses G_B.
                Defaults to ``'AtoB'``.

        Returns:
            Tensor: ``(N, 3, H, W)`` translations in [-1, 1].
        """
        check_direction(direction)
        generators = unwrap(self.generators)
        generator = generators.A if direction == 'AtoB' else generators.B
        return generator(self._layout(images))

    def _translate_all(
        self, inputs: Dict[str, torch.Tensor], direction: Optional[Direction]
    ) -> Dict[str, torch.Tensor]:
        real_A = inputs.get('img_A') if direction != 'BtoA' else None
        real_B = inputs.get('img_B') if direction != 'AtoB' else None
        real_A = self._layout(real_A) if real_A is not None else None
        real_B = self._layout(real_B) if real_B is not None else None
        outputs = unwrap(self.generators)(
            real_A, real_B, with_identity=self.identity_loss is not None
        )
        if real_A is not None:
            outputs['real_A'] = real_A
        if real_B is not None:
            outputs['real_B'] = real_B
        return outputs
