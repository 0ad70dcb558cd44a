"""Drive the development instance in headless Chromium: screenshot, break, check, screenshot.

Run by scripts/screenshot, which starts Home Assistant (scripts/develop) and
Chromium with a DevTools port; this side only needs HTTP and a websocket to
localhost, so it runs in .venv like everything else.

1. log in as the development user through the auth API and hand the tokens to
   the frontend the way it stores them itself (localStorage ``hassTokens``);
2. open the dashboard, check it shows every fault sensor as OK, screenshot;
3. trip the simulated heat pump's breaker through its Fault select;
4. wait for Heat Pump Health to confirm power_loss (REST), check that the
   dashboard shows it as a problem and lists the repair issue (DOM), check
   that the notification blueprint's automation fired, screenshot;
5. restore normal operation and wait for power_loss to clear.

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

DASHBOARD_URL = "http://localhost:8123/heat-pump-health/health"
POWER_LOSS = f"binary_sensor.{dev.DEVICE}_power_loss"
FAULT_SELECT = f"select.{dev.DEVICE}_fault"
AUTOMATION = "automation.heat_pump_faults_notification"
FAULT_SENSORS = {
    f"binary_sensor.{dev.DEVICE}_power_loss": "Power loss",
    f"binary_sensor.{dev.DEVICE}_ice_buildup": "Ice build-up",
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

    async def screenshot(self, path: Path) -> None:
        result = await self.call("Page.captureScreenshot", format="png")
        await asyncio.to_thread(_write, path, base64.b64decode(result["data"]))
        log(f"Saved {path}.")


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


async def run(port: int, out: Path, detect_timeout_s: float) -> None:
    async with aiohttp.ClientSession() as session:
        await dev.wait_until_up(session, 600)
        tokens = await dev.login(session)
        token = tokens["access_token"]
        # scripts/develop's bootstrap adds the entry; on a first run it may
        # still be at it.
        await dev.wait_for_state(session, token, POWER_LOSS, 300)

        # Start from a healthy unit, whatever an earlier session left.
        await select_fault(session, token, "none")
        for entity_id in FAULT_SENSORS:
            await wait_for(session, token, entity_id, "off", 30 * 60)

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
        # instance's origin, then open the dashboard.
        await page.navigate("http://localhost:8123/manifest.json")
        await asyncio.sleep(1)
        stored = {
            **tokens,
            "hassUrl": "http://localhost:8123",
            "clientId": dev.CLIENT_ID,
            "expires": int(time.time() * 1000) + int(tokens["expires_in"]) * 1000,
        }
        await page.evaluate(f"localStorage.setItem('hassTokens', {json.dumps(json.dumps(stored))})")
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
        await wait_for_dashboard(page, {POWER_LOSS: "Problem"}, "Power loss", 120)
        automation = await dev.api(session, token, "GET", f"/api/states/{AUTOMATION}")
        if automation["attributes"].get("last_triggered") in (None, fired_before):
            msg = f"{AUTOMATION} (the notification blueprint) did not fire on the fault"
            raise CheckError(msg)
        await page.screenshot(out / "dashboard-power-loss.png")
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
