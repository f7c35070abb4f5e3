"""Schemathesis hooks: the input rules of tallylab's API that OpenAPI cannot state, so
generated bodies that break them are not sent as "schema-valid" examples.

- Every config of a run request must produce its own experiment name (`vote-extraction-`
  plus `name_suffix`, or plus `{model}-t{temperature}` when there is no suffix); the server
  refuses a request in which two collide (422 on `model_configs`). `uniqueItems` in the
  document only rules out equal configs.
- `stop_when_decided` needs two or more configs and `repetitions` 1 (422 otherwise).
- A plan request (its run under `run`) needs a `baseline` or a `pilot`.
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


def _run_is_valid(run):
    """Whether a run request keeps the rules above (True when it is not one)."""
    configs = run.get("model_configs")
    if not isinstance(configs, list) or not all(isinstance(c, dict) for c in configs):
        return True
    stop = run.get("stop_when_decided")
    if isinstance(stop, dict) and (len(configs) < 2 or run.get("repetitions") not in (None, 1)):
        return False
    try:
        names = [_experiment_name(c) for c in configs]
    except (TypeError, ValueError, ArithmeticError):
        return True
    return len(names) == len(set(names))


@schemathesis.hook
def filter_case(ctx, case):
    # A case hook (not a body hook): the coverage phase applies only case hooks.
    body = case.body
    if not isinstance(body, dict):
        return True
    if isinstance(body.get("run"), dict):
        if body.get("baseline") is None and body.get("pilot") is None:
            return False
        return _run_is_valid(body["run"])
    return _run_is_valid(body)
