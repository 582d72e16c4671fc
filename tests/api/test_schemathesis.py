"""Schemathesis against /api/openapi.json, as each role: no 500, responses as documented.

Seeded and bounded so that it runs in `make test` and gives the same cases every time.
The spec is read once from an app without a database; every case is then sent to the
test's own app, with its own freshly migrated database holding a copy of the same world.
"""

from __future__ import annotations

import random

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.core.parameters import ParameterLocation

from allocator import create_app
from allocator.extensions import db
from tests.conftest import bearer, make_app, make_tokens
from tests.support.database import own_database
from tests.support.workshop import make_world

MAX_EXAMPLES = 12
SPEC_APP = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
# Schema-valid data may still break a rule no schema can state (an end after the start,
# a sector from this event's taxonomy, a duplicate e-mail): 422 and 409 are answers too,
# and 412 for an If-Match naming a version the row no longer has.
CONFIG = schemathesis.Config.from_dict({"checks": {"positive_data_acceptance": {
    "expected-statuses": ["2xx", "401", "403", "404", "409", "412", "422"]}}})
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", SPEC_APP, config=CONFIG)
SETTINGS = settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None,
                    suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def built_world(tmp_path_factory, migrated):
    """An event with people, a rule and a published run for the cases to aim at, and a
    token per role: built once (through the API, as the tests used to for each of their
    270 operations and roles), then copied into each test's own database."""
    folder = tmp_path_factory.mktemp("world")
    with own_database(folder, migrated) as url:
        builder = make_app(url, folder)
        made = make_tokens(builder)
        world = make_world(builder.test_client(), bearer(made["organizer"]), "world")
        with builder.app_context():
            db.session.remove()
            db.engine.dispose()
        yield url, made, world


@pytest.fixture
def database_url(tmp_path, migrated, built_world):
    """The test's own database, holding a copy of the world's rows."""
    with own_database(tmp_path, migrated, copy_of=built_world[0]) as url:
        yield url


@pytest.fixture
def tokens(built_world):
    """The world's tokens, one per role (in the test's copy of the world)."""
    return built_world[1]


@pytest.fixture
def world(built_world):
    """The ids of the world's event, group, person, rule and run, and its theme's key."""
    return built_world[2]


def check(case, role, app, tokens, world):
    """Send the case as ``role`` to the test's app and validate the response."""
    # Most valid cases aim at objects that exist, so more than 404s get checked; a path
    # made invalid on purpose (negative testing) is left as generated.
    rng = random.Random(repr(case.path_parameters) + repr(case.query) + role)
    if not case.meta.is_negative_at(ParameterLocation.PATH):
        for name in list(case.path_parameters or {}):
            if name in world and rng.random() < 0.6:
                case.path_parameters[name] = world[name]
    # A header made invalid on purpose is the credential itself: send it as generated.
    headers = None if case.meta.is_negative_at(ParameterLocation.HEADER) else bearer(
        tokens[role])
    case.call_and_validate(headers=headers, app=app)


@schema.parametrize()
@SETTINGS
def test_spec_as_organizer(case, app, tokens, world):
    check(case, "organizer", app, tokens, world)


@schema.parametrize()
@SETTINGS
def test_spec_as_desk(case, app, tokens, world):
    check(case, "desk", app, tokens, world)


@schema.parametrize()
@SETTINGS
def test_spec_as_viewer(case, app, tokens, world):
    check(case, "viewer", app, tokens, world)


@pytest.mark.parametrize("seed", [1, 2])
def test_spec_statefully(app, tokens, world, seed):
    """Chains of calls (create, then read, change and delete what was created), with links
    inferred from the schema, under two seeds: no 500, every response as documented."""
    org = bearer(tokens["organizer"])

    class Workflow(schema.as_state_machine()):
        def get_call_kwargs(self, case):
            # a credential made invalid on purpose is sent as generated
            generated = {k.lower() for k in (case.headers or {})}
            return {"headers": {} if "authorization" in generated else org, "app": app}

    hypothesis.seed(seed)(Workflow)
    Workflow.run(settings=settings(max_examples=40, stateful_step_count=6, deadline=None,
                                   database=None, suppress_health_check=list(HealthCheck)))
