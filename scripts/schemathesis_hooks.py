"""Schemathesis hooks: the one input rule of tallylab's API that OpenAPI cannot state.

Every config of a run request must produce its own experiment name (`vote-extraction-` plus
`name_suffix`, or plus `{model}-t{temperature}` when there is no suffix); the server refuses
a request in which two collide (422 on `model_configs`). `uniqueItems` in the document only
rules out equal configs, so generated bodies whose configs collide are not sent as
"schema-valid" examples.
"""

from decimal import Decimal

import schemathesis


def _rust_float(value):
    """The text Rust's `Display` gives an f64: shortest round-trip digits, no exponent."""
    text = format(Decimal(repr(float(value))), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _experiment_name(config):
    suffix = config.get("name_suffix") or ""
    if not isinstance(suffix, str):
        raise TypeError("name_suffix is not a string")
    suffix = suffix.strip()
    if suffix:
        return suffix
    return f"{config.get('model', '')}-t{_rust_float(config.get('temperature', 0.0))}"


@schemathesis.hook
def filter_case(ctx, case):
    # A case hook (not a body hook): the coverage phase applies only case hooks.
    body = case.body
    configs = body.get("model_configs") if isinstance(body, dict) else None
    if not isinstance(configs, list) or not all(isinstance(c, dict) for c in configs):
        return True
    try:
        names = [_experiment_name(c) for c in configs]
    except (TypeError, ValueError, ArithmeticError):
        return True
    return len(names) == len(set(names))
