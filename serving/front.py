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
# In the 503's error text: the front, not a worker, refused. HAProxy gives the same answer when no
# worker answers at all (it cannot tell the two apart in its error page), hence "no worker slot".
FRONT_SHED_REASON = "front: no worker slot in time"


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
    body = error_body(refusal_message(FRONT_SHED_REASON, config.overload.retry_after_s)).decode("utf-8")
    environment = Environment(loader=PackageLoader("serving", "templates"), undefined=StrictUndefined,
                              keep_trailing_newline=True, autoescape=False)
    return environment.get_template("haproxy.cfg.j2").render(
        front=config.front,
        read_timeouts=config.read_timeouts,
        timeout_s=config.timeout_s,
        scoring_paths=SCORING_PATHS,
        refusal_body=haproxy_string(body),
        retry_after_s=config.overload.retry_after_s,
        received_header=config.overload.received_header,
    )
