"""The billing part of the spec: plans, prices, quotas, trials and feature gates."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from generator.spec import SpecError, parse_spec
from generator.spec.models import Spec


def spec(billing: dict[str, Any], entities: list[dict[str, Any]] | None = None) -> str:
    return yaml.safe_dump(
        {"project": {"name": "Billing Test"}, "billing": billing, "entities": entities or []}
    )


def problems(text: str) -> list[tuple[str, str]]:
    with pytest.raises(SpecError) as caught:
        parse_spec(text)
    return [(p.where, p.message) for p in caught.value.problems]


def entity(name: str, feature: str | None = None, **ref: str) -> dict[str, Any]:
    fields: list[dict[str, Any]] = [{"name": "title", "type": "string"}]
    fields += [{"name": field, "type": "ref", "to": to} for field, to in ref.items()]
    body: dict[str, Any] = {"name": name, "fields": fields}
    if feature is not None:
        body["feature"] = feature
    return body


STRIPE_PLANS = [
    {"id": "free", "features": ["notes"], "quotas": {"api_calls": 100}},
    {"id": "pro", "price_id": "price_pro", "features": ["notes", "reports"]},
]


def test_quotas_and_derived_plans() -> None:
    parsed = parse_spec(spec({"provider": "stripe", "trial_days": 7, "plans": STRIPE_PLANS}))
    billing = parsed.billing
    assert billing.plans[0].quotas == {"api_calls": 100}
    assert billing.free_plan is not None and billing.free_plan.id == "free"
    assert billing.plan_on_trial is not None and billing.plan_on_trial.id == "pro"
    assert billing.features == ["notes", "reports"]
    assert billing.enabled and billing.has_plans
    assert billing.credentials == ("stripe_api_key", "stripe_webhook_secret")


def test_plans_without_a_provider_are_allowed() -> None:
    plans = [{"id": "basic", "features": ["notes"]}, {"id": "team", "features": ["notes"]}]
    billing = parse_spec(spec({"provider": "none", "plans": plans})).billing
    assert billing.has_plans and not billing.enabled and billing.credentials == ()
    assert billing.free_plan is not None and billing.free_plan.id == "basic"


def test_no_billing_at_all() -> None:
    billing = Spec.model_validate({"project": {"name": "x"}}).billing
    assert not billing.has_plans and not billing.enabled and billing.free_plan is None


@pytest.mark.parametrize(
    ("quotas", "where"),
    [
        ({"API-calls": 5}, "billing.plans[0].quotas.API-calls.[key]"),
        ({"api_calls": -1}, "billing.plans[0].quotas.api_calls"),
        ({"api_calls": 2**31}, "billing.plans[0].quotas.api_calls"),
        ({"api_calls": "many"}, "billing.plans[0].quotas.api_calls"),
        ({"api_calls": True}, "billing.plans[0].quotas.api_calls"),
    ],
    ids=["bad-metric-name", "negative", "too-large", "text", "boolean"],
)
def test_quotas_are_validated(quotas: dict[str, Any], where: str) -> None:
    plans = [{"id": "free", "quotas": quotas}]
    found = problems(spec({"plans": plans}))
    assert [w for w, _ in found] == [where], found


def test_a_zero_quota_means_none_allowed() -> None:
    parsed = parse_spec(spec({"plans": [{"id": "free", "quotas": {"exports": 0}}]}))
    assert parsed.billing.plans[0].quotas == {"exports": 0}


def test_price_ids_are_unique() -> None:
    plans = [
        {"id": "pro", "price_id": "price_1"},
        {"id": "team", "price_id": "price_1"},
    ]
    found = problems(spec({"provider": "stripe", "plans": plans}))
    assert found == [
        (
            "billing.plans[1].price_id",
            "price_id 'price_1' belongs to another plan already; provider events name the "
            "plan by it, so it must be unique",
        )
    ]


def test_payfast_plans_carry_an_amount_not_a_price_id() -> None:
    plans = [{"id": "pro", "price_id": "price_1", "amount": 99.5}]
    found = problems(spec({"provider": "payfast", "plans": plans}))
    assert [w for w, _ in found] == ["billing.plans[0].price_id"]
    parsed = parse_spec(spec({"provider": "payfast", "plans": [{"id": "pro", "amount": 99.5}]}))
    assert parsed.billing.plans[0].paid
    assert parsed.billing.plans[0].amount_text == "99.50"


@pytest.mark.parametrize("provider", ["stripe", "razorpay", "none"])
def test_amount_is_for_payfast_only(provider: str) -> None:
    plans = [{"id": "pro", "price_id": "p", "amount": 10}]
    found = problems(spec({"provider": provider, "plans": plans}))
    assert [w for w, _ in found] == ["billing.plans[0].amount"]


@pytest.mark.parametrize("amount", [0, -5, 10.005])
def test_amounts_are_positive_with_cents_at_most(amount: float) -> None:
    found = problems(spec({"provider": "payfast", "plans": [{"id": "pro", "amount": amount}]}))
    assert [w for w, _ in found] == ["billing.plans[0].amount"]


def test_a_trial_needs_a_provider_and_a_paid_plan() -> None:
    assert [w for w, _ in problems(spec({"trial_days": 7, "plans": STRIPE_PLANS}))] == [
        "billing.trial_days"
    ]
    free_only = [{"id": "free"}]
    found = problems(spec({"trial_days": 7, "trial_plan": "free", "plans": free_only}))
    assert [w for w, _ in found] == ["billing.trial_days", "billing.trial_plan"]


def test_a_provider_needs_a_paid_plan() -> None:
    found = problems(spec({"provider": "payfast", "plans": [{"id": "free"}]}))
    assert found == [
        (
            "billing.plans",
            "billing.provider is 'payfast' but no plan has an 'amount', so there is nothing "
            "to sell; price a plan, or set provider: none",
        )
    ]


def test_trial_plan_names_a_paid_plan() -> None:
    billing = {"provider": "stripe", "trial_days": 7, "plans": STRIPE_PLANS}
    assert parse_spec(spec({**billing, "trial_plan": "pro"})).billing.plan_on_trial is not None
    unknown = problems(spec({**billing, "trial_plan": "por"}))
    assert unknown == [
        ("billing.trial_plan", "unknown plan 'por' (did you mean 'pro'?); plans are 'free', 'pro'")
    ]
    free = problems(spec({**billing, "trial_plan": "free"}))
    assert free == [("billing.trial_plan", "'free' is a free plan; a trial is for a paid plan")]
    no_days = problems(spec({**billing, "trial_days": 0, "trial_plan": "pro"}))
    assert [w for w, _ in no_days] == ["billing.trial_plan"]


def test_entity_features_must_be_offered() -> None:
    billing = {"provider": "stripe", "plans": STRIPE_PLANS}
    found = problems(spec(billing, [entity("Report", "report")]))
    assert found == [
        (
            "entities[0].feature",
            "feature 'report' is not offered by any plan in billing.plans (did you mean "
            "'reports'?)",
        )
    ]


def test_an_entity_and_what_it_refers_to_must_share_a_plan() -> None:
    plans = [
        {"id": "notes", "price_id": "p1", "features": ["notes"]},
        {"id": "reports", "price_id": "p2", "features": ["reports"]},
    ]
    entities = [entity("Note", "notes"), entity("Report", "reports", note="Note")]
    found = problems(spec({"provider": "stripe", "plans": plans}, entities))
    assert found == [
        (
            "entities[1].feature",
            "Report needs the features notes, reports (its own and those of the entities it "
            "refers to), but no plan offers all of them; add them to one plan",
        )
    ]
    plans.append({"id": "all", "price_id": "p3", "features": ["notes", "reports"]})
    parsed = parse_spec(spec({"provider": "stripe", "plans": plans}, entities))
    report = parsed.entity("Report")
    assert report is not None
    assert parsed.features_needed(report) == {"notes", "reports"}
    plan = parsed.plan_for(report)
    assert plan is not None and plan.id == "all"


def test_features_are_needed_through_chains_of_refs() -> None:
    plans = [{"id": "all", "price_id": "p", "features": ["a", "b"]}]
    entities = [
        entity("Alpha", "a"),
        entity("Beta", None, alpha="Alpha"),
        entity("Gamma", "b", beta="Beta"),
    ]
    parsed = parse_spec(spec({"provider": "stripe", "plans": plans}, entities))
    gamma, beta = parsed.entity("Gamma"), parsed.entity("Beta")
    assert gamma is not None and parsed.features_needed(gamma) == {"a", "b"}
    assert beta is not None and parsed.features_needed(beta) == {"a"}
    plain = parse_spec(spec({}, [entity("Plain")])).entity("Plain")
    assert plain is not None and parsed.plan_for(plain) is None


@pytest.mark.parametrize("name", ["Billing", "Usage", "UsageEvent", "PaymentEvent"])
def test_billing_modules_are_reserved(name: str) -> None:
    assert problems(spec({}, [entity(name)]))


@pytest.mark.parametrize("plural", ["webhooks", "usage", "billing"])
def test_billing_routes_are_reserved(plural: str) -> None:
    body = {**entity("Hook"), "plural": plural}
    assert problems(spec({}, [body]))


def test_a_plan_may_set_the_rate_of_its_api_keys() -> None:
    plans = [
        {"id": "free", "api_rate_limit": "100/minute"},
        {"id": "team", "api_rate_limit": "5000/15m"},
        {"id": "open"},
    ]
    parsed = parse_spec(spec({"plans": plans})).billing.plans
    assert [p.api_rate_limit for p in parsed] == ["100/minute", "5000/15m", None]


@pytest.mark.parametrize(
    "rate",
    ["1000", "1000/fortnight", "0/hour", "-5/hour", "10 per hour", "10/0m", "/hour", 1000],
)
def test_api_rate_limits_are_validated(rate: Any) -> None:
    found = problems(spec({"plans": [{"id": "free", "api_rate_limit": rate}]}))
    assert [w for w, _ in found] == ["billing.plans[0].api_rate_limit"], found
    if isinstance(rate, str):
        assert "a rate such as '1000/hour'" in found[0][1]
