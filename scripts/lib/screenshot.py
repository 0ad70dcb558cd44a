"""Drive the development instance in headless Chromium: screenshot, break, check, screenshot.

Run by scripts/screenshot, which starts Home Assistant (scripts/develop) and
Chromium with a DevTools port; this side only needs HTTP and a websocket to
localhost, so it runs in .venv like everything else.

1. log in as the development user through the auth API and hand the tokens to
   the frontend the way it stores them itself (localStorage ``hassTokens``);
2. check that a newcomer is greeted by no repair and no failed integration
   that is not Heat Pump Health's own;
3. open "Add integration" for Heat Pump Health as an owner would, check the
   form is the heat-pump form, screenshot (the flow is then dropped);
4. open the dashboard, check it shows every fault sensor as OK, screenshot;
5. trip the simulated heat pump's breaker through its Fault select;
6. wait for Heat Pump Health to confirm power_loss (REST), check that the
   dashboard shows it as a problem and names the heat pump in the repairs
   card (DOM), check that the notification blueprint's automation fired,
   screenshot; open the notifications and screenshot them;
7. open Settings → Repairs, click the fault, and check that the dialog shows
   the evidence sentence and the first item of the checklist, screenshot;
8. open the heat pump's device page, screenshot;
9. restore normal operation and wait for power_loss to clear.

Any check that fails ends the run with exit status 1 and one line saying which.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import itertools
import json
from pathlib import Path
import sys
import time
from typing import Any

import aiohttp
import dev_instance as dev

FRONTEND = "http://localhost:8123"
DASHBOARD_URL = f"{FRONTEND}/heat-pump-health/health"
INTEGRATIONS_URL = f"{FRONTEND}/config/integrations/dashboard"
REPAIRS_URL = f"{FRONTEND}/config/repairs"
DOMAIN = "heat_pump_health"
ENGLISH = json.loads(
    (
        Path(__file__).resolve().parents[2]
        / "custom_components"
        / DOMAIN
        / "translations"
        / "en.json"
    ).read_text(encoding="utf-8")
)
# What the repair dialog must show: the title the issue list shows, the
# evidence sentence (up to its first number) and the first checklist item.
REPAIR_TITLE = ENGLISH["issues"]["fault_power_loss"]["title"].format(name=dev.ENTRY_TITLE)
EVIDENCE_START = ENGLISH["common"]["power_loss_no_power_heat"].split("{", 1)[0].strip()
FIRST_CHECK = ENGLISH["common"]["power_loss_check_1"]
ADD_FORM_TITLE = ENGLISH["config"]["step"]["user"]["title"]
ADD_FORM_DEVICES = ENGLISH["config"]["step"]["user"]["data"]["devices"]
POWER_LOSS = f"binary_sensor.{dev.DEVICE}_power_loss"
FAULT_SELECT = f"select.{dev.DEVICE}_fault"
AUTOMATION = "automation.heat_pump_faults_notification"
FAULT_SENSORS = {
    f"binary_sensor.{dev.DEVICE}_power_loss": "Power loss",
    f"binary_sensor.{dev.DEVICE}_ice_buildup": "Ice buildup",
    f"binary_sensor.{dev.DEVICE}_insufficient_heat": "Insufficient heat",
    f"binary_sensor.{dev.DEVICE}_abnormal_noise": "Abnormal noise",
}
WIDTH, HEIGHT = 1400, 1500

# Text of every entity row, keyed by entity id, looking through the shadow
# roots the frontend's web components live in.
ROWS_JS = """
(() => {
  const deepText = (node) => {
    let text = "";
    const visit = (n) => {
      if (n.nodeType === Node.TEXT_NODE) { text += " " + n.textContent; return; }
      if (n.shadowRoot) n.shadowRoot.childNodes.forEach(visit);
      n.childNodes.forEach(visit);
    };
    visit(node);
    return text.replace(/\\s+/g, " ").trim();
  };
  const rows = {};
  let markdown = "";
  const walk = (root) => {
    for (const el of root.querySelectorAll("*")) {
      const entity = el.config && typeof el.config.entity === "string" ? el.config.entity : null;
      if (entity && el.localName.endsWith("-entity-row")) rows[entity] = deepText(el);
      if (el.localName === "hui-markdown-card") markdown += " " + deepText(el);
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(document);
  return JSON.stringify({rows, markdown: markdown.trim()});
})()
"""


# The whole text of the page, through every shadow root (dialogs included).
PAGE_TEXT_JS = """
(() => {
  let text = "";
  const visit = (n) => {
    if (n.nodeType === Node.TEXT_NODE) { text += " " + n.textContent; return; }
    if (n.localName === "script" || n.localName === "style") return;
    if (n.shadowRoot) n.shadowRoot.childNodes.forEach(visit);
    n.childNodes.forEach(visit);
  };
  visit(document.body);
  return text.replace(/\\s+/g, " ").trim();
})()
"""

# The centre of the innermost visible element whose own text holds WANTED,
# through shadow roots (only inside a dialog when IN_DIALOG); null when none.
FIND_TEXT_JS = """
((wanted, inDialog) => {
  let best = null;
  const dialogAbove = (el) => {
    for (let at = el; at; at = at.parentElement) if (at.localName.includes("dialog")) return true;
    return false;
  };
  const visit = (root, inside) => {
    for (const el of root.querySelectorAll("*")) {
      const here = inside || dialogAbove(el);
      if (el.shadowRoot) visit(el.shadowRoot, here);
      if (inDialog && !here) continue;
      const own = Array.from(el.childNodes)
        .filter((n) => n.nodeType === Node.TEXT_NODE)
        .map((n) => n.textContent).join(" ").replace(/\\s+/g, " ");
      if (own.includes(wanted)) {
        const r = el.getBoundingClientRect();
        if (r.width > 0 && r.height > 0) best = {x: r.x + r.width / 2, y: r.y + r.height / 2};
      }
    }
  };
  visit(document, false);
  return best ? JSON.stringify(best) : null;
})
"""


class CheckError(Exception):
    """A check on the instance or the dashboard failed."""


def log(message: str) -> None:
    print(f"[screenshot] {message}", file=sys.stderr, flush=True)


class DevTools:
    """A minimal Chrome DevTools Protocol client for one page."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self._ws = ws
        self._ids = itertools.count(1)

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        call_id = next(self._ids)
        await self._ws.send_json({"id": call_id, "method": method, "params": params})
        while True:
            message = await self._ws.receive_json(timeout=60)
            if message.get("id") != call_id:
                continue  # an event; none is needed here
            if "error" in message:
                msg = f"DevTools {method}: {message['error']}"
                raise CheckError(msg)
            result: dict[str, Any] = message.get("result", {})
            return result

    async def evaluate(self, expression: str) -> Any:
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")

    async def navigate(self, url: str) -> None:
        await self.call("Page.navigate", url=url)

    async def text(self) -> str:
        shown = await self.evaluate(PAGE_TEXT_JS)
        return shown if isinstance(shown, str) else ""

    async def wait_for_text(self, wanted: list[str], timeout_s: float) -> str:
        """Wait until the page shows every string in ``wanted``; return its text."""
        deadline = time.monotonic() + timeout_s
        shown = ""
        while time.monotonic() < deadline:
            shown = await self.text()
            if all(item in shown for item in wanted):
                await asyncio.sleep(2)  # let animations settle before a picture
                return shown
            await asyncio.sleep(1)
        missing = [item for item in wanted if item not in shown]
        msg = f"the page did not show {missing} within {timeout_s:.0f} s; it showed: {shown[:600]}"
        raise CheckError(msg)

    async def click_text(
        self, wanted: str, timeout_s: float = 30, *, in_dialog: bool = False
    ) -> None:
        """Click, as a mouse would, the element that shows ``wanted`` (in a dialog, if asked)."""
        deadline = time.monotonic() + timeout_s
        # Dialogs open with an animation: click only once the element has
        # stopped moving, or the click lands on the scrim and closes it.
        previous: object = None
        while True:
            found = await self.evaluate(
                f"{FIND_TEXT_JS}({json.dumps(wanted)}, {json.dumps(in_dialog)})"
            )
            if isinstance(found, str) and found == previous:
                break
            previous = found
            if time.monotonic() > deadline:
                msg = f"nothing on the page shows {wanted!r} to click"
                raise CheckError(msg)
            await asyncio.sleep(0.5)
        point = json.loads(found)
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            await self.call(
                "Input.dispatchMouseEvent",
                type=kind,
                x=point["x"],
                y=point["y"],
                button="left",
                clickCount=1,
            )

    async def screenshot(self, path: Path, showing: list[str] | None = None) -> None:
        """Save a picture of the page; with ``showing``, only one that shows those texts.

        The frontend may reload itself (a finished start-up, a reconnect)
        between a check and the picture: then wait and take it again.
        """
        for _ in range(5):
            if showing:
                await self.wait_for_text(showing, 120)
            result = await self.call("Page.captureScreenshot", format="png")
            shown = await self.text() if showing else ""
            if not showing or all(text in shown for text in showing):
                await asyncio.to_thread(_write, path, base64.b64decode(result["data"]))
                log(f"Saved {path}.")
                return
        msg = f"the page kept changing; no picture of {showing} for {path.name}"
        raise CheckError(msg)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


async def open_page(session: aiohttp.ClientSession, port: int) -> aiohttp.ClientWebSocketResponse:
    deadline = time.monotonic() + 30
    while True:
        try:
            async with session.get(f"http://127.0.0.1:{port}/json/list") as response:
                targets = await response.json()
            pages = [t for t in targets if t.get("type") == "page"]
            if pages:
                return await session.ws_connect(pages[0]["webSocketDebuggerUrl"], max_msg_size=0)
        except aiohttp.ClientError:
            pass
        if time.monotonic() > deadline:
            msg = f"Chromium's DevTools did not answer on port {port}"
            raise CheckError(msg)
        await asyncio.sleep(0.5)


async def dashboard(page: DevTools) -> dict[str, Any]:
    raw = await page.evaluate(ROWS_JS)
    shown: dict[str, Any] = (
        json.loads(raw) if isinstance(raw, str) else {"rows": {}, "markdown": ""}
    )
    return shown


async def wait_for_dashboard(
    page: DevTools, expect: dict[str, str], markdown: str | None, timeout_s: float
) -> dict[str, Any]:
    """Wait until each entity row shows its expected text (and the repairs card ``markdown``)."""
    deadline = time.monotonic() + timeout_s
    shown: dict[str, Any] = {}
    while time.monotonic() < deadline:
        shown = await dashboard(page)
        rows: dict[str, str] = shown["rows"]
        if all(text in rows.get(entity, "") for entity, text in expect.items()) and (
            markdown is None or markdown in shown["markdown"]
        ):
            # Let charts finish drawing, and the "started" toast go, before
            # the picture is taken.
            await asyncio.sleep(6)
            return shown
        await asyncio.sleep(1)
    msg = (
        f"the dashboard did not show {expect} / {markdown!r} within {timeout_s:.0f} s;"
        f" it showed {shown}"
    )
    raise CheckError(msg)


async def wait_for(
    session: aiohttp.ClientSession, token: str, entity_id: str, state: str, timeout_s: float
) -> float:
    """Wait until an entity has ``state``; return how long that took."""
    started = time.monotonic()
    last = None
    while time.monotonic() - started < timeout_s:
        last = (await dev.api(session, token, "GET", f"/api/states/{entity_id}"))["state"]
        if last == state:
            return time.monotonic() - started
        await asyncio.sleep(10)
    msg = f"{entity_id} was still {last!r}, not {state!r}, after {timeout_s / 60:.0f} min"
    raise CheckError(msg)


async def select_fault(session: aiohttp.ClientSession, token: str, option: str) -> None:
    await dev.api(
        session,
        token,
        "POST",
        "/api/services/select/select_option",
        {"entity_id": FAULT_SELECT, "option": option},
    )


# How long entries may still be setting up before a newcomer's first look.
SETTLE_S = 120.0


async def check_first_start(session: aiohttp.ClientSession, token: str) -> None:
    """No repair and no failed integration greets a newcomer, other than our own."""
    foreign = [
        f"{issue['domain']}.{issue['issue_id']}"
        for issue in await dev.open_issues(session, token)
        if issue["domain"] != DOMAIN
    ]
    if foreign:
        msg = f"Settings → Repairs greets a newcomer with {foreign}"
        raise CheckError(msg)
    # An entry still setting up has not failed: on a busy machine a core
    # integration (backup) can still be starting when the frontend answers.
    deadline = time.monotonic() + SETTLE_S
    while True:
        entries = await dev.api(session, token, "GET", "/api/config/config_entries/entry")
        if time.monotonic() > deadline or all(
            entry["state"] != "setup_in_progress" for entry in entries
        ):
            break
        await asyncio.sleep(2.0)
    failed = [
        f"{entry['domain']} ({entry['state']})"
        for entry in entries
        if entry["state"] not in ("loaded", "not_loaded")
    ]
    if failed:
        msg = f"integrations that failed to set up: {failed}"
        raise CheckError(msg)


async def drop_open_flows(session: aiohttp.ClientSession, token: str) -> None:
    """Abort the Heat Pump Health config flows the add-form picture left open."""
    [progress] = await dev.websocket(session, token, [{"type": "config_entries/flow/progress"}])
    for flow in progress.get("result", []):
        if flow.get("handler") == DOMAIN:
            await dev.api(
                session, token, "DELETE", f"/api/config/config_entries/flow/{flow['flow_id']}"
            )


async def add_form(page: DevTools, out: Path) -> None:
    """Add integration → search "heat pump" → Heat Pump Health, as an owner would.

    Tried up to three times: a dialog that closes under a click (the frontend
    still settling after its first start) is the browser's hiccup, not ours.
    """
    for attempt in range(3):
        try:
            await page.navigate(INTEGRATIONS_URL)
            await page.wait_for_text(["Add integration", "Heat Pump Health"], 120)
            await page.click_text("Add integration")
            await page.wait_for_text(["Select brand"], 60)
            await page.call("Input.insertText", text="heat pump")
            # The search must find it, in the dialog (the integration's card
            # outside it shows the same name).
            await page.click_text("Heat Pump Health", 60, in_dialog=True)
            await page.screenshot(out / "add-form.png", [ADD_FORM_TITLE, ADD_FORM_DEVICES])
        except CheckError as err:
            if attempt == 2:
                raise
            log(f"The add form did not open ({err}); trying again.")
        else:
            return


async def device_page(session: aiohttp.ClientSession, token: str) -> str:
    [entity] = await dev.websocket(
        session, token, [{"type": "config/entity_registry/get", "entity_id": POWER_LOSS}]
    )
    device_id = entity.get("result", {}).get("device_id")
    if not device_id:
        msg = f"{POWER_LOSS} is on no device"
        raise CheckError(msg)
    return f"{FRONTEND}/config/devices/device/{device_id}"


async def open_frontend(
    session: aiohttp.ClientSession, port: int, tokens: dict[str, Any]
) -> tuple[aiohttp.ClientWebSocketResponse, DevTools]:
    """Open Chromium's page, logged in as the development user."""
    ws = await open_page(session, port)
    page = DevTools(ws)
    await page.call("Page.enable")
    await page.call(
        "Emulation.setDeviceMetricsOverride",
        width=WIDTH,
        height=HEIGHT,
        deviceScaleFactor=1,
        mobile=False,
    )
    # The frontend keeps its tokens in localStorage; put them there on the
    # instance's origin, then open the pages.
    await page.navigate(f"{FRONTEND}/manifest.json")
    await asyncio.sleep(1)
    stored = {
        **tokens,
        "hassUrl": FRONTEND,
        "clientId": dev.CLIENT_ID,
        "expires": int(time.time() * 1000) + int(tokens["expires_in"]) * 1000,
    }
    await page.evaluate(f"localStorage.setItem('hassTokens', {json.dumps(json.dumps(stored))})")
    return ws, page


async def run(port: int, out: Path, detect_timeout_s: float) -> None:
    async with aiohttp.ClientSession() as session:
        await dev.wait_until_up(session, 600)
        # On a first start scripts/develop's bootstrap creates the user.
        await dev.wait_until_onboarded(session, 300)
        tokens = await dev.login(session)
        token = tokens["access_token"]
        # scripts/develop's bootstrap adds the entry; on a first run it may
        # still be at it.
        await dev.wait_for_state(session, token, POWER_LOSS, 300)
        await check_first_start(session, token)

        # Start from a healthy unit, whatever an earlier session left.
        await select_fault(session, token, "none")
        for entity_id in FAULT_SENSORS:
            await wait_for(session, token, entity_id, "off", 30 * 60)

        ws, page = await open_frontend(session, port, tokens)

        await add_form(page, out)
        await drop_open_flows(session, token)

        await page.navigate(DASHBOARD_URL)
        await wait_for_dashboard(
            page, dict.fromkeys(FAULT_SENSORS, "OK"), "No open repair issues", 120
        )
        await page.screenshot(out / "dashboard-healthy.png")

        automation = await dev.api(session, token, "GET", f"/api/states/{AUTOMATION}")
        fired_before = automation["attributes"].get("last_triggered")
        log("Tripping the simulated heat pump's breaker (Fault: breaker_trip).")
        await select_fault(session, token, "breaker_trip")
        took = await wait_for(session, token, POWER_LOSS, "on", detect_timeout_s)
        log(f"Heat Pump Health confirmed power_loss after {took / 60:.1f} min.")
        await wait_for_dashboard(
            page, {POWER_LOSS: "Problem"}, f"{dev.ENTRY_TITLE}: Power loss", 120
        )
        automation = await dev.api(session, token, "GET", f"/api/states/{AUTOMATION}")
        if automation["attributes"].get("last_triggered") in (None, fired_before):
            msg = f"{AUTOMATION} (the notification blueprint) did not fire on the fault"
            raise CheckError(msg)
        await page.screenshot(out / "dashboard-power-loss.png")

        await page.click_text("Notifications")
        await page.screenshot(
            out / "notification.png", [f"{dev.ENTRY_TITLE}: power loss detected", EVIDENCE_START]
        )

        await page.navigate(REPAIRS_URL)
        await page.click_text(REPAIR_TITLE, 60)
        await page.wait_for_text([EVIDENCE_START, FIRST_CHECK], 60)
        log("The repair dialog shows the evidence and the checklist.")
        await page.screenshot(out / "repair-dialog.png", [EVIDENCE_START, FIRST_CHECK])

        await page.navigate(await device_page(session, token))
        await page.screenshot(out / "device-page.png", ["Power loss", "Problem"])
        await ws.close()

        log("Restoring normal operation (Fault: none).")
        await select_fault(session, token, "none")
        took = await wait_for(session, token, POWER_LOSS, "off", 30 * 60)
        log(f"power_loss cleared after {took / 60:.1f} min.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devtools-port", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--detect-timeout-min", type=float, default=45.0)
    args = parser.parse_args()
    try:
        asyncio.run(run(args.devtools_port, args.out, args.detect_timeout_min * 60))
    except (CheckError, dev.BootstrapError) as err:
        log(f"FAILED: {err}")
        return 1
    log("Passed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
