"""``POST /v1/admin/templates``: an analyst confirms (or clears) a message's template.

An explicit admin route rather than a field of ``POST /v1/feedback``: feedback's ``source`` is
whatever the client says, and any holder of the ordinary API key (victim-report pipelines,
carrier hooks) may send feedback. A block-level floor stops every copy of a template, so only a
holder of the admin key (``auth.admin_api_key``, the analysts' tooling) may set one.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from configs.serving import load_serving_config
from serving.reputation import template_refusal
from serving.schemas import RequestLabel, check_fraud_type, visible_text
from serving.taxonomy_fields import FraudType
from serving.template_store import TemplateEntry

TEMPLATES_ROUTE = "/v1/admin/templates"
_LIMITS = load_serving_config().limits


def confirmable_text(text: str) -> str:
    """``text`` unchanged when it can stand for a template; a clear error naming why not."""
    problem = template_refusal(text)
    if problem is not None:
        raise ValueError(f"text {problem}")
    return text


class TemplateConfirmRequest(BaseModel):
    """One message whose template the analyst confirms as fraud (``label`` 1) or clears (0)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    text: Annotated[str, AfterValidator(visible_text), AfterValidator(confirmable_text)] = Field(
        ..., min_length=1, max_length=_LIMITS.max_text_chars,
        examples=["【顺丰】尊敬的张伟：您的快递丢失，我司将赔偿您368元，请联系理赔专员13812345678办理"],
    )
    label: RequestLabel = Field(..., description="1 (fraud, or a label word such as fraud/诈骗) or 0 (normal).", examples=[1])
    fraud_type: FraudType = Field(None, description="One of configs/taxonomy.yaml's fraud types (as feedback's).",
                                  examples=["冒充电商物流客服"])

    @model_validator(mode="after")
    def _consistent(self) -> TemplateConfirmRequest:
        check_fraud_type(self.label, self.fraud_type)
        return self


class ConfirmedTemplate(BaseModel):
    id: int = Field(..., examples=[812])
    label: int = Field(..., examples=[1])
    floor: str = Field(..., description="Least action a matching message gets (allow: cleared).", examples=["block"])
    seen: int = Field(..., description="Messages matched so far (written in batches).", examples=[1204])
    expires_at: str = Field(..., examples=["2027-02-28T09:00:00+00:00"])


class TemplateConfirmResponse(BaseModel):
    """Every stored template the verdict now applies to (a new one when none matched)."""

    templates: list[ConfirmedTemplate]
    created: bool = Field(..., description="True when no stored template matched and one was created.")


def confirm_response(entries: list[TemplateEntry], created: bool) -> TemplateConfirmResponse:
    return TemplateConfirmResponse(
        templates=[
            ConfirmedTemplate(
                id=entry.id,  # type: ignore[arg-type] - stored entries have ids
                label=entry.label,
                floor=entry.floor,
                seen=entry.seen,
                expires_at=entry.expires,
            )
            for entry in entries
        ],
        created=created,
    )
