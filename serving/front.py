"""The HAProxy front's config, written from ``configs/serving.yaml`` (``yunmao front-config``).

Why a proxy: a worker refuses a request past ``overload.max_in_flight`` in Python, and under a
flood those refusals take the event loop from the requests it is scoring (at 256 flood clients the
workers scored a fifth of their 16-client rate; docs/benchmarks.md, "Overload"). HAProxy holds the
connections, passes at most ``front.max_in_flight`` scoring requests to the workers and answers the
rest in C with the same 503 a worker would give. It is an existing, well-kept engine, configured
here, not a proxy of our own.

The config is rendered, not hand-written, so its limits, timeouts and refusal body follow the
serving config they must agree with (``front.max_in_flight <= workers * overload.max_in_flight`` is
validated there).
"""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, StrictUndefined

from configs.serving import ServingConfig
from serving.errors import error_body
from serving.overload import refusal_message

SCORING_PATHS = ("/v1/sms/score", "/v1/call/score")
# In the 503s' error text: the front, not a worker, answered. HAProxy gives the first when no
# worker answers at all too (it cannot tell the two apart in its error page), hence "no worker slot".
FRONT_SHED_REASON = "front: no worker slot in time"
FRONT_LATE_REASON = "front: no worker answer by the deadline"  # the hook's deadline (or timeout_s) passed at the worker


class FrontPolicyError(ValueError):
    """The serving config asks for an answer the front cannot give."""


def haproxy_string(text: str) -> str:
    """``text`` escaped for a double-quoted HAProxy config argument (``\\``, ``"`` and ``$``, which
    would start an environment variable)."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")


def render_front_config(config: ServingConfig) -> str:
    """HAProxy's config for a front of the service that ``config`` describes.

    Refused for ``overload.policy: allow``: a fail-open answer names every record of the request,
    which HAProxy does not read, so the front could only answer 503 where the carrier asked for
    ``allow``; such a carrier keeps the workers' own admission (or its hook treats 503 as allow).
    """
    if config.overload.policy != "unavailable":
        raise FrontPolicyError(
            f"overload.policy is {config.overload.policy!r}: the HAProxy front answers only 503 + Retry-After "
            "(it does not read the records a fail-open answer must name); use policy 'unavailable' with the front"
        )
    overload = config.overload

    def body(reason: str) -> str:
        return haproxy_string(error_body(refusal_message(reason, overload.retry_after_s)).decode("utf-8"))

    environment = Environment(loader=PackageLoader("serving", "templates"), undefined=StrictUndefined,
                              keep_trailing_newline=True, autoescape=False)
    return environment.get_template("haproxy.cfg.j2").render(
        front=config.front,
        read_timeouts=config.read_timeouts,
        timeout_s=config.timeout_s,
        scoring_paths=SCORING_PATHS,
        refusal_body=body(FRONT_SHED_REASON),
        late_body=body(FRONT_LATE_REASON),
        retry_after_s=overload.retry_after_s,
        received_header=overload.received_header,
        deadline_header=overload.deadline_header,
        answer_margin_ms=overload.answer_margin_ms,
    )
