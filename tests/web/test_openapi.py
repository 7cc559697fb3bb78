"""The OpenAPI document an integrator reads: stable operation ids, the credentials each
operation takes, and the one error shape with every status the API really answers."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from satupintu.web.openapi import operation_security, unique_operation_ids
from tests.conftest import token_for

names = st.sampled_from(["track", "list_sites", "issue", "get_service", "me"])
routes = st.lists(st.tuples(st.sampled_from(["/a", "/b/{x}", "/c", "/d/{y}/e"]),
                            st.sampled_from(["get", "post", "put"]), names,
                            st.sampled_from(["queue", "feedback", "applications", ""])),
                  unique_by=lambda r: (r[0], r[1]), max_size=12)


@given(routes)
def test_operation_ids_are_unique_and_a_unique_name_is_kept_as_is(rs):
    ids = unique_operation_ids(rs)
    assert len(set(ids.values())) == len(rs)
    for path, method, name, _ in rs:
        if sum(1 for r in rs if r[2] == name) == 1:
            assert ids[(path, method)] == name


def test_a_shared_name_is_told_apart_by_its_tag():
    ids = unique_operation_ids([("/complaints/{code}", "get", "track", "feedback"),
                                ("/applications/track/{n}", "get", "track", "applications")])
    assert set(ids.values()) == {"feedback_track", "applications_track"}


def test_security_follows_the_dependencies_a_route_declares():
    assert operation_security("list_sites", set()) == [{}]
    people = operation_security("list_users", {"require_api_actor"})
    assert {"bearer": []} in people and {"apiKey": []} in people and {"deviceToken": []} not in people
    assert {"deviceToken": []} in operation_security("issue", {"issuer"})
    assert operation_security("device_me", set()) == [{"deviceToken": []}]


def _error_ok(body: dict) -> bool:
    err = body.get("error", {})
    return set(body) == {"error"} and isinstance(err.get("code"), str) and isinstance(err.get("message"), str) \
        and "field" in err


def test_the_served_document_states_ids_credentials_and_the_error_shape(server):
    with server.client() as c:
        spec = c.get("/api/v1/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    assert set(schemes) == {"bearer", "session", "apiKey", "deviceToken"}
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    ops = [(path, method, op) for path, item in spec["paths"].items() for method, op in item.items()]
    ids = [op["operationId"] for _, _, op in ops]
    assert len(ids) == len(set(ids)) and not [i for i in ids if "_api_v1_" in i]  # no generated ids
    by_id = {op["operationId"]: (path, method, op) for path, method, op in ops}
    assert by_id["list_services"][0] == "/api/v1/sites/{site}/services"
    assert by_id["issue"][2]["security"][0] == {"deviceToken": []}
    assert by_id["list_sites"][2]["security"] == [{}]  # the public catalogue
    for path, method, op in ops:
        responses = op["responses"]
        assert {"400", "401", "403", "422", "503"} <= set(responses), (method, path)
        assert responses["422"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
        if "{" in path:
            assert "404" in responses, (method, path)
        if method != "get":
            assert "409" in responses, (method, path)


def test_every_refusal_a_caller_meets_is_documented_for_its_operation(server):
    with server.client() as c:
        spec = c.get("/api/v1/openapi.json").json()
        manager = token_for(c, "pengelola")
        seen = {
            ("/api/v1/sites/{site}/services/{code}", "get"): c.get("/api/v1/sites/lahat/services/NOPE-99"),
            ("/api/v1/sites/{site}/counters/{number}/open", "post"): c.post("/api/v1/sites/lahat/counters/4/open"),
            ("/api/v1/sites/{site}/agencies", "post"): c.post("/api/v1/sites/lahat/agencies", headers=manager,
                                                               json={"code": ""}),
            ("/api/v1/users", "post"): c.post("/api/v1/users", json={}),
        }
    statuses = {key: r.status_code for key, r in seen.items()}
    assert statuses == {("/api/v1/sites/{site}/services/{code}", "get"): 404,
                        ("/api/v1/sites/{site}/counters/{number}/open", "post"): 401,
                        ("/api/v1/sites/{site}/agencies", "post"): 422,
                        ("/api/v1/users", "post"): 401}
    for (path, method), resp in seen.items():
        assert str(resp.status_code) in spec["paths"][path][method]["responses"]
        assert _error_ok(resp.json()), resp.text


def test_every_list_is_paged_and_says_so(server):
    with server.client() as c:
        spec = c.get("/api/v1/openapi.json").json()
        lists = [(path, op) for path, item in spec["paths"].items() for method, op in item.items()
                 if method == "get" and op["responses"]["200"].get("content", {}).get("application/json", {})
                 .get("schema", {}).get("type") == "array"]
        assert lists and all("Link" in op["responses"]["200"].get("headers", {}) for _, op in lists), \
            [p for p, op in lists if "Link" not in op["responses"]["200"].get("headers", {})]
        first = c.get("/api/v1/sites/lahat/services", params={"limit": 10})
        assert len(first.json()) == 10 and int(first.headers["x-total-count"]) > 10
        seen = [s["code"] for s in first.json()]
        link = first.headers["link"]
        while link:  # follow rel="next" to the end: every service once, in order
            url = link.split(";")[0].strip("<>")
            page = c.get(url)
            seen += [s["code"] for s in page.json()]
            link = page.headers.get("link", "")
        everything = c.get("/api/v1/sites/lahat/services").json()
        assert seen == [s["code"] for s in everything] and "link" not in c.get("/api/v1/sites/lahat/services").headers
        bad = c.get("/api/v1/sites/lahat/services", params={"cursor": "not-a-cursor"})
        assert bad.status_code == 422 and bad.json()["error"]["field"] == "cursor"
