"""The development instance on http://localhost:8123: onboard it, configure it, log in.

``python scripts/lib/dev_instance.py bootstrap`` is run by scripts/develop next
to Home Assistant.  It waits until Home Assistant answers, then, only for what
is missing:

- finishes onboarding with the local development user ``dev`` / ``dev``
  through the onboarding API, as the first-run screens would, with a country
  and metric units (the first-run screens ask for them);
- removes the integrations onboarding adds that need the internet;
- confirms the HTTP settings from configuration.yaml, which keep it on
  127.0.0.1 (Home Assistant would otherwise revert them after five minutes);
- ignores the core repairs that describe this development set-up itself
  (a Python virtual environment, HTTP settings from YAML), so that what a
  newcomer sees in Settings → Repairs is Heat Pump Health's own;
- adds Heat Pump Health on the simulated heat pump through the integration's
  real config flow (the REST API the UI uses).

The simulator itself comes from ``heat_pump_sim:`` in configuration.yaml.
Everything goes to 127.0.0.1: the instance listens nowhere else.
"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Any

import aiohttp

BASE_URL = "http://127.0.0.1:8123"
# The frontend's client id: the tokens below are the ones the browser would get.
CLIENT_ID = "http://localhost:8123/"
USERNAME = "dev"
PASSWORD = "dev"
DEVICE = "simulated_heat_pump"
ENTRY_TITLE = "Simulated heat pump"
# The sources, named as the simulator's device and entity names make them.
SOURCES = {
    "power_entity": f"sensor.{DEVICE}_power",
    "coil_temperature_entity": f"sensor.{DEVICE}_outdoor_coil_temperature",
    "outdoor_temperature_entity": f"sensor.{DEVICE}_outdoor_temperature",
    "supply_temperature_entity": f"sensor.{DEVICE}_supply_air_temperature",
    "return_temperature_entity": f"sensor.{DEVICE}_return_air_temperature",
    "defrost_entity": f"binary_sensor.{DEVICE}_defrost",
    "climate_entity": f"climate.{DEVICE}",
    "noise_entity": f"sensor.{DEVICE}_noise_level",
}
# Quicker than the product's defaults (5-30 min to confirm, 3-60 to clear) so
# that a demonstration does not wait on persistence; the evidence each fault
# needs is the product's own.
TUNING = {"sensitivity": "normal", "confirm_minutes": 2, "clear_minutes": 5}
# What the first-run screens would have asked.
CORE_CONFIG = {"country": "GB", "unit_system": "metric", "currency": "GBP", "language": "en"}
# Repairs that describe how this development instance runs, not a problem a
# newcomer should act on: Home Assistant in a virtual environment (the
# "Core" installation type), and the HTTP settings in configuration.yaml that
# keep it on 127.0.0.1 (migrated to storage on the first start).
DEVELOPMENT_SETUP_ISSUES = (
    ("homeassistant", "deprecated_method"),
    ("http", "deprecated_yaml"),
    ("http", "yaml_still_present_after_migration"),
)


class BootstrapError(Exception):
    """The instance could not be set up; the message says what failed."""


def log(message: str) -> None:
    print(f"[dev-instance] {message}", file=sys.stderr, flush=True)


async def wait_until_up(session: aiohttp.ClientSession, timeout_s: float) -> None:
    """Wait until the HTTP API answers (onboarding answers before any login)."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            async with session.get(f"{BASE_URL}/api/onboarding") as response:
                if response.status in (200, 401, 404):
                    return
        except aiohttp.ClientError:
            pass
        if time.monotonic() > deadline:
            msg = f"Home Assistant did not answer on {BASE_URL} within {timeout_s:.0f} s"
            raise BootstrapError(msg)
        await asyncio.sleep(2)


async def onboarding_steps(session: aiohttp.ClientSession) -> list[dict[str, Any]]:
    """The onboarding steps; none once onboarding is over (the API then answers 404)."""
    async with session.get(f"{BASE_URL}/api/onboarding") as response:
        if response.status == 404:
            return []
        steps: list[dict[str, Any]] = await _json(response, "onboarding")
    return steps


async def wait_until_onboarded(session: aiohttp.ClientSession, timeout_s: float) -> None:
    """Wait until onboarding is finished (the development user exists from then on)."""
    deadline = time.monotonic() + timeout_s
    while True:
        if all(step.get("done") for step in await onboarding_steps(session)):
            return
        if time.monotonic() > deadline:
            msg = f"onboarding did not finish within {timeout_s:.0f} s"
            raise BootstrapError(msg)
        await asyncio.sleep(2)


async def _json(response: aiohttp.ClientResponse, what: str) -> Any:
    if response.status >= 400:
        text = await response.text()
        msg = f"{what}: HTTP {response.status}: {text[:300]}"
        raise BootstrapError(msg)
    return await response.json()


async def tokens_from_code(session: aiohttp.ClientSession, code: str) -> dict[str, Any]:
    """Exchange an authorization code for access and refresh tokens."""
    async with session.post(
        f"{BASE_URL}/auth/token",
        data={"grant_type": "authorization_code", "code": code, "client_id": CLIENT_ID},
    ) as response:
        tokens: dict[str, Any] = await _json(response, "token exchange")
    return tokens


async def login(session: aiohttp.ClientSession) -> dict[str, Any]:
    """Log in as the development user through the login flow the frontend uses."""
    async with session.post(
        f"{BASE_URL}/auth/login_flow",
        json={
            "client_id": CLIENT_ID,
            "handler": ["homeassistant", None],
            "redirect_uri": CLIENT_ID,
        },
    ) as response:
        flow = await _json(response, "login flow")
    async with session.post(
        f"{BASE_URL}/auth/login_flow/{flow['flow_id']}",
        json={"client_id": CLIENT_ID, "username": USERNAME, "password": PASSWORD},
    ) as response:
        result = await _json(response, "login")
    if result.get("type") != "create_entry":
        msg = (
            f"logging in as {USERNAME!r} failed ({result.get('errors')}); was the password changed?"
        )
        raise BootstrapError(msg)
    return await tokens_from_code(session, result["result"])


async def onboard(session: aiohttp.ClientSession) -> dict[str, Any] | None:
    """Finish whatever onboarding step is open; return tokens if the user was created here."""
    steps = {step["step"]: step["done"] for step in await onboarding_steps(session)}
    tokens: dict[str, Any] | None = None
    if not steps.get("user", True):
        log(f"Creating the development user {USERNAME!r} (password {PASSWORD!r}).")
        async with session.post(
            f"{BASE_URL}/api/onboarding/users",
            json={
                "client_id": CLIENT_ID,
                "name": "Developer",
                "username": USERNAME,
                "password": PASSWORD,
                "language": "en",
            },
        ) as response:
            created = await _json(response, "creating the user")
        tokens = await tokens_from_code(session, created["auth_code"])
    pending = [
        step for step in ("core_config", "analytics", "integration") if not steps.get(step, True)
    ]
    if pending:
        tokens = tokens or await login(session)
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        bodies: dict[str, dict[str, Any]] = {
            "core_config": {},
            "analytics": {},
            "integration": {"client_id": CLIENT_ID, "redirect_uri": CLIENT_ID},
        }
        for step in pending:
            async with session.post(
                f"{BASE_URL}/api/onboarding/{step}", json=bodies[step], headers=headers
            ) as response:
                await _json(response, f"onboarding step {step}")
        log("Onboarding finished.")
    return tokens


async def api(
    session: aiohttp.ClientSession, token: str, method: str, path: str, body: Any = None
) -> Any:
    """Call the REST API with a bearer token."""
    async with session.request(
        method, f"{BASE_URL}{path}", json=body, headers={"Authorization": f"Bearer {token}"}
    ) as response:
        return await _json(response, f"{method} {path}")


async def wait_for_state(
    session: aiohttp.ClientSession, token: str, entity_id: str, timeout_s: float
) -> dict[str, Any]:
    """Wait until an entity exists; return its state object."""
    deadline = time.monotonic() + timeout_s
    while True:
        async with session.get(
            f"{BASE_URL}/api/states/{entity_id}", headers={"Authorization": f"Bearer {token}"}
        ) as response:
            if response.status == 200:
                state: dict[str, Any] = await response.json()
                return state
        if time.monotonic() > deadline:
            msg = f"{entity_id} did not appear within {timeout_s:.0f} s"
            raise BootstrapError(msg)
        await asyncio.sleep(2)


async def ensure_heat_pump_health(session: aiohttp.ClientSession, token: str) -> None:
    """Add Heat Pump Health on the simulated heat pump, unless an entry exists."""
    entries = await api(
        session, token, "GET", "/api/config/config_entries/entry?domain=heat_pump_health"
    )
    if entries:
        return
    # The config flow checks the sources' units: wait for them to exist.
    for entity_id in SOURCES.values():
        await wait_for_state(session, token, entity_id, 120)
    flow = await api(
        session, token, "POST", "/api/config/config_entries/flow", {"handler": "heat_pump_health"}
    )
    path = f"/api/config/config_entries/flow/{flow['flow_id']}"
    # As an owner: the name, the system type and the heat pump's device first;
    # then the sources, which the flow suggests from that device.
    device = await device_of(session, token, SOURCES["climate_entity"])
    first = {"name": ENTRY_TITLE, "system_type": "air_to_air"}
    if device:
        first["devices"] = [device]
    step = await api(session, token, "POST", path, first)
    if step.get("step_id") != "sources":
        msg = f"the Heat Pump Health config flow did not ask for the sources: {step}"
        raise BootstrapError(msg)
    result = await api(session, token, "POST", path, {**SOURCES, "tuning": TUNING})
    if result.get("type") != "create_entry":
        msg = f"the Heat Pump Health config flow did not create an entry: {result}"
        raise BootstrapError(msg)
    log("Added Heat Pump Health on the simulated heat pump.")


async def websocket(
    session: aiohttp.ClientSession, token: str, messages: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Send websocket API commands one after the other; return their results."""
    results: list[dict[str, Any]] = []
    async with session.ws_connect(f"{BASE_URL.replace('http', 'ws', 1)}/api/websocket") as ws:
        await ws.receive_json()  # auth_required
        await ws.send_json({"type": "auth", "access_token": token})
        if (await ws.receive_json()).get("type") != "auth_ok":
            msg = "the websocket API refused the development user's token"
            raise BootstrapError(msg)
        for number, message in enumerate(messages, 1):
            await ws.send_json({"id": number, **message})
            while (result := await ws.receive_json()).get("id") != number:
                pass
            results.append(result)
    return results


async def device_of(session: aiohttp.ClientSession, token: str, entity_id: str) -> str | None:
    """The device an entity belongs to, from the entity registry."""
    [entry] = await websocket(
        session, token, [{"type": "config/entity_registry/get", "entity_id": entity_id}]
    )
    device: str | None = (entry.get("result") or {}).get("device_id")
    return device


async def keep_localhost_binding(session: aiohttp.ClientSession, token: str) -> None:
    """Confirm the HTTP settings migrated from configuration.yaml.

    Home Assistant moves ``http:`` from YAML into storage on first start as a
    trial and reverts it, binding every interface, unless it is confirmed
    within five minutes; an unattended development instance must keep
    listening on 127.0.0.1 only.
    """
    [result] = await websocket(session, token, [{"type": "http/config/promote"}])
    if result.get("success"):
        log("Confirmed the HTTP settings (127.0.0.1:8123).")
    # Otherwise there was nothing pending: the settings are confirmed already.


async def set_core_config(session: aiohttp.ClientSession, token: str) -> None:
    """Set the country and units, as the first-run screens would."""
    config = await api(session, token, "GET", "/api/config")
    if config.get("country") == CORE_CONFIG["country"]:
        return
    [result] = await websocket(session, token, [{"type": "config/core/update", **CORE_CONFIG}])
    if not result.get("success"):
        msg = f"setting the country failed: {result.get('error')}"
        raise BootstrapError(msg)
    log(f"Set the country ({CORE_CONFIG['country']}) and metric units.")


async def wait_until_running(session: aiohttp.ClientSession, token: str, timeout_s: float) -> None:
    """Wait until start-up has finished (the core repairs are raised then)."""
    deadline = time.monotonic() + timeout_s
    while (await api(session, token, "GET", "/api/config")).get("state") != "RUNNING":
        if time.monotonic() > deadline:
            msg = f"Home Assistant did not finish starting within {timeout_s:.0f} s"
            raise BootstrapError(msg)
        await asyncio.sleep(2)


async def all_issues(session: aiohttp.ClientSession, token: str) -> list[dict[str, Any]]:
    """Every repair issue, ignored ones included."""
    [listed] = await websocket(session, token, [{"type": "repairs/list_issues"}])
    issues: list[dict[str, Any]] = listed.get("result", {}).get("issues", [])
    return issues


async def open_issues(session: aiohttp.ClientSession, token: str) -> list[dict[str, Any]]:
    """The repair issues Settings → Repairs lists (not ignored)."""
    return [issue for issue in await all_issues(session, token) if not issue.get("ignored")]


async def ignore_development_setup_issues(session: aiohttp.ClientSession, token: str) -> None:
    """Ignore the repairs about this development set-up (see DEVELOPMENT_SETUP_ISSUES)."""
    # The installation check runs just after start-up: give it a moment.
    deadline = time.monotonic() + 30
    while True:
        issues = await all_issues(session, token)
        raised = {(issue["domain"], issue["issue_id"]) for issue in issues}
        if DEVELOPMENT_SETUP_ISSUES[0] in raised or time.monotonic() > deadline:
            break
        await asyncio.sleep(2)
    showing = {(i["domain"], i["issue_id"]) for i in issues if not i.get("ignored")}
    wanted = [key for key in DEVELOPMENT_SETUP_ISSUES if key in showing]
    if not wanted:
        return
    await websocket(
        session,
        token,
        [
            {"type": "repairs/ignore_issue", "domain": domain, "issue_id": issue_id, "ignore": True}
            for domain, issue_id in wanted
        ],
    )
    log(f"Ignored the repairs about the development set-up: {', '.join(i for _, i in wanted)}.")


# Onboarding adds these; offline they only retry and fill the log.
ONLINE_ONLY_DOMAINS = frozenset({"radio_browser", "met", "google_translate"})


async def remove_online_only_entries(session: aiohttp.ClientSession, token: str) -> int:
    """Remove the integrations onboarding added that need the internet; return how many."""
    removed = 0
    entries = await api(session, token, "GET", "/api/config/config_entries/entry")
    for entry in entries:
        if entry.get("domain") in ONLINE_ONLY_DOMAINS:
            await api(
                session, token, "DELETE", f"/api/config/config_entries/entry/{entry['entry_id']}"
            )
            log(f"Removed {entry['domain']} (added by onboarding; it needs the internet).")
            removed += 1
    return removed


async def settle_onboarding_entries(session: aiohttp.ClientSession, token: str) -> None:
    """Onboarding adds its integrations in the background: remove them as they come."""
    quiet = 0
    deadline = time.monotonic() + 60
    while quiet < 5 and time.monotonic() < deadline:
        quiet = 0 if await remove_online_only_entries(session, token) else quiet + 1
        await asyncio.sleep(2)


async def bootstrap(timeout_s: float = 600) -> None:
    async with aiohttp.ClientSession() as session:
        await wait_until_up(session, timeout_s)
        onboarded_here = await onboard(session)
        tokens = onboarded_here or await login(session)
        token = tokens["access_token"]
        await wait_until_running(session, token, timeout_s)
        await set_core_config(session, token)
        if onboarded_here:
            await settle_onboarding_entries(session, token)
        else:
            await remove_online_only_entries(session, token)
        await keep_localhost_binding(session, token)
        await ignore_development_setup_issues(session, token)
        await ensure_heat_pump_health(session, token)
    log(
        "Ready: open http://localhost:8123 and log in as "
        f"{USERNAME} / {PASSWORD}; the Heat pump health dashboard is in the sidebar."
    )


def main() -> int:
    if sys.argv[1:] != ["bootstrap"]:
        print("usage: dev_instance.py bootstrap", file=sys.stderr)
        return 2
    try:
        asyncio.run(bootstrap())
    except BootstrapError as err:
        log(f"error: {err}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
