"""BudgetManager(client_type="hosted") against the fake hosted budget API over real sockets."""

from __future__ import annotations

import socket

import pytest

from litegate.budget import DEFAULT_HOSTED_API_BASE, BudgetManager, BudgetServiceError
from litegate.testing.budget_server import FakeBudgetServer


@pytest.fixture
def srv():
    with FakeBudgetServer() as server:
        yield server


def hosted(srv, project="test_project", **kw) -> BudgetManager:
    return BudgetManager(project_name=project, client_type="hosted", api_base=srv.url, **kw)


def test_default_api_base_is_litellms():
    assert DEFAULT_HOSTED_API_BASE == "https://api.litellm.ai"


def test_init_loads_with_get_budget(srv):
    bm = hosted(srv)
    assert bm.get_users() == []
    [req] = srv.requests
    assert (req.method, req.path, req.json) == ("POST", "/get_budget", {"project_name": "test_project"})
    assert req.header("content-type") == "application/json"


def test_changes_are_stored_with_set_budget(srv, clock):
    bm = hosted(srv)
    bm.create_budget(total_budget=10, user="1234", duration="daily")
    assert srv.projects["test_project"] == {
        "1234": {"total_budget": 10.0, "duration": 1, "created_at": clock.now, "last_updated_at": clock.now}
    }
    set_req = srv.requests[-1]
    assert set_req.path == "/set_budget"
    assert set_req.json["project_name"] == "test_project"
    assert set_req.json["user_dict"] == srv.projects["test_project"]

    assert bm.update_cost("1234", 0.5, model="gpt-4o") is True
    assert srv.projects["test_project"]["1234"]["current_cost"] == 0.5
    assert srv.projects["test_project"]["1234"]["model_cost"] == {"gpt-4o": 0.5}
    assert bm.get_current_cost("1234") == 0.5
    assert bm.get_total_budget("1234") == 10.0
    assert bm.is_valid_user("1234")
    assert bm.check_cost_and_update("1234", 20.0) is False
    assert bm.check_cost_and_update("1234", 1.0) is True
    assert srv.projects["test_project"]["1234"]["current_cost"] == 1.5

    clock.advance(days=1)
    assert bm.update_budget_all_users() == ["1234"]
    assert srv.projects["test_project"]["1234"]["current_cost"] == 0.0
    assert bm.reset_on_duration("1234") is False


def test_each_change_rereads_so_two_clients_add_up(srv):
    a = hosted(srv)
    b = hosted(srv)
    a.create_budget(10, "u")
    b.update_cost("u", 0.25)  # b has not seen "u" yet: the change re-reads first
    a.update_cost("u", 0.5)
    assert srv.projects["test_project"]["u"]["current_cost"] == 0.75
    assert b.load_data()["u"]["current_cost"] == 0.75


def test_projects_are_separate(srv):
    hosted(srv, "one").create_budget(1, "u")
    hosted(srv, "two").create_budget(2, "u")
    assert srv.projects["one"]["u"]["total_budget"] == 1.0
    assert srv.projects["two"]["u"]["total_budget"] == 2.0
    assert hosted(srv, "one").get_total_budget("u") == 1.0


def test_save_data_posts_direct_edits_and_keeps_other_clients_changes(srv):
    bm = hosted(srv)
    other = hosted(srv)
    bm.create_budget(3, "u")
    other.create_budget(9, "v")  # stored by another client meanwhile
    bm.user_dict["u"]["total_budget"] = 4.0
    assert bm.save_data() == {"status": "success"}
    assert srv.requests[-1].path == "/set_budget"
    assert srv.projects["test_project"] == {"u": {"total_budget": 4.0}, "v": {"total_budget": 9.0}}
    assert bm.get_users() == ["u", "v"]


def test_close_and_reuse(srv):
    bm = hosted(srv)
    bm.close()
    bm.close()
    bm.create_budget(1, "u")  # a new connection is made on demand
    assert srv.projects["test_project"]["u"]["total_budget"] == 1.0
    bm.close()


def test_custom_headers_are_sent(srv):
    srv.require_headers = {"authorization": "Bearer budget-key"}
    with pytest.raises(BudgetServiceError, match="401"):
        hosted(srv)
    bm = hosted(srv, headers={"Authorization": "Bearer budget-key", "Content-Type": "application/json"})
    bm.create_budget(1, "u")
    assert all(r.header("authorization") == "Bearer budget-key" for r in srv.requests[1:])


def test_service_errors_raise_and_change_nothing(srv):
    bm = hosted(srv)
    bm.create_budget(10, "u")
    bm.update_cost("u", 1.0)
    srv.enqueue_error(500)
    with pytest.raises(BudgetServiceError, match="500"):
        bm.update_cost("u", 1.0)  # the re-read fails
    # the re-read works but storing fails
    bm_requests = srv.hits()
    srv.enqueue_error(200, body={"status": "success", "data": srv.projects["test_project"]})
    srv.enqueue_error(503)
    with pytest.raises(BudgetServiceError, match="503"):
        bm.update_cost("u", 1.0)
    assert srv.hits() == bm_requests + 2
    assert srv.projects["test_project"]["u"]["current_cost"] == 1.0
    assert bm.get_current_cost("u") == 1.0
    srv.enqueue_error(200, body={"status": "success", "data": srv.projects["test_project"]})
    srv.enqueue_error(200, body={"status": "error", "message": "quota"})
    with pytest.raises(BudgetServiceError, match="quota"):
        bm.update_cost("u", 1.0)
    bm.update_cost("u", 1.0)
    assert srv.projects["test_project"]["u"]["current_cost"] == 2.0


def test_unreachable_service():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(BudgetServiceError, match="unreachable"):
        BudgetManager("p", client_type="hosted", api_base=f"http://127.0.0.1:{port}", timeout=2)


def test_hosted_needs_a_project_name(srv):
    with pytest.raises(ValueError, match="project_name"):
        BudgetManager(client_type="hosted", api_base=srv.url)


def test_fake_server_routes(srv):
    import httpx

    assert httpx.post(srv.url + "/get_budget", json={"project_name": "x"}).json()["status"] == "error"
    assert httpx.post(srv.url + "/set_budget", json={"project_name": "x", "user_dict": {"u": {}}}).json() == {
        "status": "success"
    }
    assert httpx.post(srv.url + "/get_budget", json={"project_name": "x"}).json() == {
        "status": "success",
        "data": {"u": {}},
    }
    assert httpx.post(srv.url + "/nope", json={}).status_code == 404
    assert httpx.post(srv.url + "/set_budget", json={"project_name": "x"}).status_code == 400
    assert srv.hits("/get_budget") == 2
    srv.reset()
    assert srv.requests == [] and srv.projects == {}
