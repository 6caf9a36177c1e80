"""papermill support for the splatbook TypeScript kernel.

Registers a translator that writes the ``injected-parameters`` cell as TypeScript ``let``
declarations, for kernel name ``splatbook`` and language ``typescript``. The splatbook kernel
lets a later cell redeclare a name, and ``let`` keeps types wide (``let mode = "fast"`` is a
``string``), so ``papermill in.ipynb out.ipynb -k splatbook -p steps 100`` yields::

    // Parameters
    let steps = 100;
"""

import json
import math
import re

from papermill.models import Parameter
from papermill.translators import Translator, papermill_translators

__all__ = ["TypeScriptTranslator", "SplatbookEngine", "register"]

_DECLARATION = re.compile(
    r"^\s*(?:export\s+)?(?:let|const|var)\s+([A-Za-z_$][\w$]*)\s*(?::\s*([^=;]+?))?\s*=\s*(.*?);?\s*(?://\s*(.*))?$"
)


class TypeScriptTranslator(Translator):
    """Python values → TypeScript literals (JSON for strings, objects and arrays)."""

    @classmethod
    def translate_escaped_str(cls, str_val):
        return json.dumps(str(str_val), ensure_ascii=False)

    @classmethod
    def translate_none(cls, val):
        return "null"

    @classmethod
    def translate_bool(cls, val):
        return "true" if val else "false"

    @classmethod
    def translate_int(cls, val):
        return str(val)

    @classmethod
    def translate_float(cls, val):
        if math.isnan(val):
            return "NaN"
        if math.isinf(val):
            return "Infinity" if val > 0 else "-Infinity"
        return repr(val)

    @classmethod
    def translate_dict(cls, val):
        return "{" + ", ".join(f"{json.dumps(str(k))}: {cls.translate(v)}" for k, v in val.items()) + "}"

    @classmethod
    def translate_list(cls, val):
        return "[" + ", ".join(cls.translate(v) for v in val) + "]"

    @classmethod
    def comment(cls, cmt_str):
        return f"// {cmt_str}".strip()

    @classmethod
    def assign(cls, name, str_val):
        return f"let {name} = {str_val};"

    @classmethod
    def inspect(cls, parameters_cell):
        """Lists the ``let``/``const`` declarations of a ``parameters`` cell (for ``--help-notebook``)."""
        params = []
        for line in str(parameters_cell.source).splitlines():
            m = _DECLARATION.match(line)
            if m:
                name, type_name, default, help_text = m.groups()
                params.append(
                    Parameter(
                        name=name,
                        inferred_type_name=(type_name or "None").strip(),
                        default=default.strip(),
                        help=(help_text or "").strip(),
                    )
                )
        return params


def _make_engine():
    from papermill.engines import NBClientEngine

    class SplatbookEngine(NBClientEngine):
        """papermill's default nbclient engine under the name ``splatbook``."""

    return SplatbookEngine


def register():
    """Registers the translator under the kernel name and the language (idempotent)."""
    papermill_translators.register("splatbook", TypeScriptTranslator)
    papermill_translators.register("typescript", TypeScriptTranslator)


register()


def __getattr__(name):
    # Built lazily: papermill.engines imports us while it is itself being imported.
    if name == "SplatbookEngine":
        engine = _make_engine()
        globals()["SplatbookEngine"] = engine
        return engine
    raise AttributeError(name)
