"""The xDSL Context that every aicc tool and pass runs in."""

from xdsl.context import Context
from xdsl.dialects.builtin import Builtin
from xdsl.dialects.func import Func

from aicc.dialects.aic import Aic
from aicc.dialects.aicc import make_aicc_dialect
from aicc.dialects.kernel import Kernel
from aicc.dialects.onnx import Onnx
from aicc.dialects.quant import Quant


def register_dialects(ctx: Context) -> None:
    """Load aicc's dialects; the aicc dialect (and its constant store) is per Context."""
    ctx.load_dialect(Builtin)
    ctx.load_dialect(Func)
    ctx.load_dialect(Onnx)
    ctx.load_dialect(Quant)
    ctx.load_dialect(Aic)
    ctx.load_dialect(Kernel)
    ctx.register_dialect("aicc", make_aicc_dialect)


def make_context() -> Context:
    ctx = Context()
    register_dialects(ctx)
    return ctx
