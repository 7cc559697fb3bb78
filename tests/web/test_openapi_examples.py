"""The API documentation's worked request bodies: a ticket, an application's action or status push
and a complaint each show examples, every one valid for its body's schema (so an integrator can
send it as printed)."""

from __future__ import annotations

from satupintu.applications.schemas import ActionIn
from satupintu.feedback.complaint_schemas import ComplaintIn
from satupintu.queueing.schemas import IssueIn
from satupintu.web.openapi import REQUEST_EXAMPLES

MODELS = {"issue": IssueIn, "act": ActionIn, "file_complaint": ComplaintIn}


def test_every_example_is_valid_for_its_body():
    assert set(REQUEST_EXAMPLES) == set(MODELS)
    for op, examples in REQUEST_EXAMPLES.items():
        assert examples
        for example in examples.values():
            assert example["summary"]
            MODELS[op].model_validate(example["value"])


def test_the_document_shows_the_examples_on_their_operations(server):
    with server.client() as c:
        spec = c.get("/api/v1/openapi.json").json()
    found = {op["operationId"]: op["requestBody"]["content"].get("application/json", {}).get("examples")
             for item in spec["paths"].values() for op in item.values() if "requestBody" in op}
    for op, examples in REQUEST_EXAMPLES.items():
        assert found[op] == examples
