"""Help formatting shared by the commands."""

from __future__ import annotations

import argparse


class DefaultsOnceFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Show each option's default once: appended, unless the help already says it or there is
    none to show (``None``, a flag that is off)."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if "default" in text or any(action.default is empty
                                     for empty in (None, False, argparse.SUPPRESS)):
            return text
        return super()._get_help_string(action)


class RecipesFormatter(DefaultsOnceFormatter, argparse.RawDescriptionHelpFormatter):
    """:class:`DefaultsOnceFormatter` that keeps the line breaks of the epilog (the recipes)."""
