"""The replay tool: the NIST days, the command line contract, fault tracking."""

from __future__ import annotations

from dataclasses import dataclass, field
import json
import os
from pathlib import Path
import subprocess
import sys
from typing import Any

import pytest

from custom_components.heat_pump_health import playback as playback_module, replay as replay_module
from custom_components.heat_pump_health.engine.model import (
    Diagnostics,
    FaultKey,
    FaultStatus,
    InputKey,
    Severity,
)
from custom_components.heat_pump_health.history import StateRecord
from custom_components.heat_pump_health.playback import (
    Playback,
    ReplayConfig,
    ReplayError,
    build_report,
    format_markdown,
    format_text,
    replay,
)
from custom_components.heat_pump_health.replay import main, run
from scripts.scoring import nist

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "replay"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"

FORMATS = ["csv", "json", "json_minimal"]


def write_nist(
    directory: Path, day: str, metering: nist.Metering, fmt: str, mode: nist.ClimateMode
) -> tuple[Path, Path]:
    changes = nist.history(day, metering=metering, climate_mode=mode)
    if fmt == "csv":
        history = directory / f"{day}_{metering}.csv"
        history.write_text(nist.to_csv(changes), encoding="utf-8")
    else:
        history = directory / f"{day}_{metering}_{fmt}.json"
        history.write_text(nist.to_json(changes, minimal=fmt == "json_minimal"), encoding="utf-8")
    config = directory / f"config_{fmt}.json"
    # A CSV has no units: its config must give them; the JSON carries them.
    config.write_text(json.dumps(nist.config(csv_units=fmt == "csv")), encoding="utf-8")
    return history, config


def run_script(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if Path(sys.prefix).resolve() == (ROOT / ".venv").resolve():
        # Running inside .venv already: the script runs Python directly.
        env["VIRTUAL_ENV"] = str(ROOT / ".venv")
    return subprocess.run(
        [str(SCRIPT), *(str(arg) for arg in args)],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env=env,
        timeout=120,
    )


# --- the real days: the right answer is silence ------------------------------


@pytest.mark.parametrize("day", sorted(nist.DAYS))
@pytest.mark.parametrize("metering", ["whole", "outdoor"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_nist_days_raise_no_fault(
    tmp_path: Path, day: str, metering: nist.Metering, fmt: str
) -> None:
    mode: nist.ClimateMode = "cool" if metering == "outdoor" else "heat_cool"
    history, config = write_nist(tmp_path, day, metering, fmt, mode)
    report = run(history, config)
    assert report["faults"] == [], f"false alarm on a real, healthy day: {report['faults']}"
    assert report["ignored"] == {}
    assert report["ticks"] == 1440
    assert report["period"]["end"].endswith("T00:00:00+00:00")  # "24:00:00"
    assert report["records"]["unrelated"] == 0
    assert all(status["active"] is not True for status in report["status_at_end"].values())
    if fmt != "csv":
        # The climate's °F is read off the temperature sensors' unit.
        assert report["climate_unit"] == {"unit": "°F", "source": "attributes"}


@pytest.mark.parametrize("day", sorted(nist.DAYS))
@pytest.mark.parametrize("metering", ["whole", "outdoor"])
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_nist_days_through_the_script(
    tmp_path: Path, day: str, metering: nist.Metering, fmt: str
) -> None:
    history, config = write_nist(tmp_path, day, metering, fmt, "heat_cool")
    # Relative paths, resolved against the caller's directory.
    result = run_script(history.name, "--config", config.name, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    report = json.loads(result.stdout)
    assert report["faults"] == []
    assert report["ticks"] == 1440
    assert report["history"] == str(history)


def test_nist_text_report_through_the_script(tmp_path: Path) -> None:
    history, config = write_nist(tmp_path, "tucson_winter", "outdoor", "json", "heat_cool")
    result = run_script(history, f"--config={config}", "--text")
    assert result.returncode == 0, result.stderr
    assert "Heat Pump Health replay: NIST HILFT split heat pump" in result.stdout
    assert "Period:   2023-01-02 00:01 UTC to 2023-01-03 00:00 UTC" in result.stdout
    assert "No faults" in result.stdout


def test_help() -> None:
    result = run_script("--help")
    assert result.returncode == 0
    assert "usage: replay" in result.stdout
    assert "--config CONFIG.json" in result.stdout


# --- errors: one line on stderr, exit 2, never a traceback --------------------


def _error_cases(tmp: Path) -> dict[str, tuple[list[str], str]]:
    """name -> (arguments, expected part of the message)."""
    good_config = tmp / "config.json"
    good_config.write_text(json.dumps(nist.config(csv_units=True)))
    panel_config = tmp / "panel_config.json"
    panel_config.write_text(
        json.dumps(
            {"power_entity": "sensor.heat_pump_power", "units": {"sensor.heat_pump_power": "W"}}
        )
    )
    files = {
        "empty.csv": b"",
        "truncated.json": (FIXTURES / "api_full.json").read_bytes()[:700],
        "malformed.csv": (
            b"entity_id,state,last_changed\nsensor.a,1,2024-01-15T06:00:00Z\nsensor.a\n"
        ),
        "picture.png": PNG,
        "unknown_key.json": json.dumps({"power_entity": "sensor.p", "colour": "red"}).encode(),
        "bad_unit.json": json.dumps(
            {"power_entity": "sensor.p", "units": {"sensor.p": "bananas"}}
        ).encode(),
        "twice.json": json.dumps(
            {"supply_temperature_entity": "sensor.t", "return_temperature_entity": "sensor.t"}
        ).encode(),
        "not_json.json": b"{power_entity: sensor.p}",
        "list.json": b"[]",
        "bad_system.json": json.dumps({"system_type": "geothermal"}).encode(),
        "bad_entity.json": json.dumps({"power_entity": "heat pump"}).encode(),
        "bad_name.json": json.dumps({"name": 3}).encode(),
        "bad_units.json": json.dumps({"units": ["°C"]}).encode(),
        "no_units.json": json.dumps({"power_entity": "sensor.heat_pump_power"}).encode(),
        "kwh.json": json.dumps(
            [
                [
                    {
                        "entity_id": "sensor.heat_pump_power",
                        "state": "3",
                        "attributes": {"unit_of_measurement": "kWh/h"},
                        "last_changed": "2024-01-15T06:00:00+00:00",
                    }
                ]
            ]
        ).encode(),
    }
    for name, content in files.items():
        (tmp / name).write_bytes(content)
    panel = str(FIXTURES / "panel.csv")
    return {
        "missing history": ([str(tmp / "nope.csv"), "--config", str(good_config)], "no such file"),
        "empty history": (
            [str(tmp / "empty.csv"), "--config", str(good_config)],
            "the file is empty",
        ),
        "truncated json": (
            [str(tmp / "truncated.json"), "--config", str(good_config)],
            "not valid JSON (truncated?)",
        ),
        "malformed csv row": (
            [str(tmp / "malformed.csv"), "--config", str(good_config)],
            "line 3: expected 3 fields",
        ),
        "binary file": (
            [str(tmp / "picture.png"), "--config", str(good_config)],
            "not a Home Assistant history export (binary data)",
        ),
        "missing config": (
            [panel, "--config", str(tmp / "nope.json")],
            "no such configuration file",
        ),
        "config not json": ([panel, "--config", str(tmp / "not_json.json")], "not valid JSON"),
        "config not object": ([panel, "--config", str(tmp / "list.json")], "must be a JSON object"),
        "unknown config key": (
            [panel, "--config", str(tmp / "unknown_key.json")],
            "unknown option: colour",
        ),
        "bad system type": (
            [panel, "--config", str(tmp / "bad_system.json")],
            "system_type must be",
        ),
        "bad entity id": ([panel, "--config", str(tmp / "bad_entity.json")], "is not an entity id"),
        "bad name": ([panel, "--config", str(tmp / "bad_name.json")], "name must be a string"),
        "bad units": ([panel, "--config", str(tmp / "bad_units.json")], "units must map"),
        "unknown unit in config": (
            [panel, "--config", str(tmp / "bad_unit.json")],
            "sensor.p (power_entity) has unit 'bananas', which is not a power or energy unit",
        ),
        "unknown unit in history": (
            [str(tmp / "kwh.json"), "--config", str(tmp / "no_units.json")],
            "has unit 'kWh/h', which is not a power or energy unit",
        ),
        "csv without units": (
            [panel, "--config", str(tmp / "no_units.json")],
            "has no unit of measurement; expected one of: W, kW, MW, mW, BTU/h, Wh, kWh, MWh; "
            "give the "
            'entity\'s unit in the configuration, e.g. "units": {"sensor.heat_pump_power": "W"}',
        ),
        "entity configured twice": (
            [panel, "--config", str(tmp / "twice.json")],
            "return_temperature_entity: sensor.t is already configured for another input",
        ),
        "no configured entity in history": (
            [str(FIXTURES / "api_minimal.json"), "--config", str(panel_config)],
            "none of the configured entities (sensor.heat_pump_power) appear",
        ),
        "no config option": ([panel], "the following arguments are required: --config"),
    }


ERROR_NAMES = [
    "missing history",
    "empty history",
    "truncated json",
    "malformed csv row",
    "binary file",
    "missing config",
    "config not json",
    "config not object",
    "unknown config key",
    "bad system type",
    "bad entity id",
    "bad name",
    "bad units",
    "unknown unit in config",
    "unknown unit in history",
    "csv without units",
    "entity configured twice",
    "no configured entity in history",
    "no config option",
]


@pytest.mark.parametrize("name", ERROR_NAMES)
def test_errors_in_process(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    args, expected = _error_cases(tmp_path)[name]
    try:
        status = main(args)
    except SystemExit as exit_:  # argparse usage errors
        status = exit_.code  # type: ignore[assignment]
    captured = capsys.readouterr()
    assert status == 2
    assert captured.out == ""
    assert captured.err.startswith("replay: error: ")
    assert captured.err.count("\n") == 1
    assert expected in captured.err


@pytest.mark.parametrize(
    "name",
    [
        "missing history",
        "empty history",
        "truncated json",
        "malformed csv row",
        "binary file",
        "unknown config key",
        "unknown unit in config",
        "entity configured twice",
    ],
)
def test_errors_through_the_script(tmp_path: Path, name: str) -> None:
    args, expected = _error_cases(tmp_path)[name]
    result = run_script(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("replay: error: ")
    assert expected in result.stderr


def test_unexpected_failure_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(replay_module, "replay_rows", broken)
    config = tmp_path / "c.json"
    config.write_text(json.dumps({"power_entity": "sensor.heat_pump_power"}))
    assert main([str(FIXTURES / "panel.csv"), "--config", str(config)]) == 2
    assert capsys.readouterr().err == "replay: error: unexpected RuntimeError: boom second line\n"


# --- what the replay feeds the evaluator --------------------------------------


@dataclass
class _Call:
    kind: str
    at: float
    key: InputKey | None = None
    value: Any = None


@dataclass
class _Evaluation:
    now: float
    statuses: dict[FaultKey, FaultStatus]
    diagnostics: Diagnostics
    started: tuple[FaultKey, ...] = ()
    cleared: tuple[FaultKey, ...] = ()


@dataclass
class FakeEvaluator:
    """Records every call; raises and clears faults on a script."""

    options: Any = None
    learned: Any = None
    calls: list[_Call] = field(default_factory=list)
    script: dict[float, tuple[tuple[FaultKey, ...], tuple[FaultKey, ...]]] = field(
        default_factory=dict
    )
    active: dict[FaultKey, float] = field(default_factory=dict)
    faults: tuple[FaultKey, ...] = tuple(FaultKey)

    def observe(self, key: InputKey, value: Any, at: float, *, unavailable: bool = False) -> None:
        self.calls.append(_Call("observe", at, key, value))

    def backup_heat(self, now: float) -> None:
        return None

    def diagnostics(self, now: float, statuses: Any) -> Diagnostics:
        return Diagnostics()

    def evaluate(self, now: float, *, diagnose: bool = True) -> _Evaluation:
        self.calls.append(_Call("evaluate", now))
        started, cleared = self.script.get(now, ((), ()))
        for fault in started:
            self.active[fault] = now - 600
        for fault in cleared:
            self.active.pop(fault, None)
        statuses = {
            fault: FaultStatus(
                fault,
                active=True,
                since=since,
                severity=Severity.ERROR,
                reason="no_power",
                evidence={"power_w": 0.0, "threshold_w": 40.0, "odd": float("nan")},
            )
            for fault, since in self.active.items()
        }
        return _Evaluation(now, statuses, Diagnostics(), started, cleared)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeEvaluator:
    evaluator = FakeEvaluator()

    def make(**kwargs: Any) -> FakeEvaluator:
        evaluator.options = kwargs.get("options")
        return evaluator

    monkeypatch.setattr(playback_module, "Evaluator", make)
    return evaluator


def _config(**data: Any) -> ReplayConfig:
    return ReplayConfig.from_mapping(data)


T0 = 1705298400.0  # 2024-01-15T06:00:00Z


def test_ticks_every_minute_after_the_readings_of_that_instant(fake: FakeEvaluator) -> None:
    records = [
        StateRecord("sensor.p", "1.5", {"unit_of_measurement": "kW"}, T0 + 30, T0 + 30),
        StateRecord("sensor.p", "1.6", {"unit_of_measurement": "kW"}, T0 + 120, T0 + 120),
        StateRecord("sensor.other", "7", {}, T0 + 150, T0 + 150),
        StateRecord("sensor.p", "off", {"unit_of_measurement": "kW"}, T0 + 200, T0 + 200),
    ]
    result = replay(reversed(records), _config(power_entity="sensor.p"))
    assert [(c.kind, c.at, c.value) for c in fake.calls] == [
        ("observe", T0 + 30, 1500.0),
        ("evaluate", T0 + 60, None),
        ("observe", T0 + 120, 1600.0),  # at the boundary: seen by that tick
        ("evaluate", T0 + 120, None),
        ("evaluate", T0 + 180, None),
        ("observe", T0 + 200, None),  # rejected text: the source becomes unknown
    ]
    report = build_report(result)
    assert report["ticks"] == 3
    assert report["records"] == {"total": 4, "used": 3, "unrelated": 1}
    assert report["ignored"] == {"not_numeric": 1}
    assert report["ignored_by_entity"] == {"sensor.p": {"not_numeric": 1}}
    assert report["period"] == {
        "start": "2024-01-15T06:00:30+00:00",
        "end": "2024-01-15T06:03:20+00:00",
    }


def test_attribute_only_update_is_fed_at_last_updated(fake: FakeEvaluator, tmp_path: Path) -> None:
    config = tmp_path / "c.json"
    config.write_text(
        json.dumps(
            {
                "climate_entity": "climate.heat_pump",
                "defrost_entity": "climate.heat_pump",
                "units": {"climate.heat_pump": "°C"},
            }
        )
    )
    report = run(FIXTURES / "api_full.json", config)
    defrost = [(c.at, c.value) for c in fake.calls if c.key is InputKey.DEFROST]
    assert defrost == [(T0, False), (pytest.approx(T0 + 1200.123456), True)]
    assert report["records"]["unrelated"] == 5
    assert report["climate_unit"] == {"unit": "°C", "source": "config"}


def test_climate_unit_assumed_without_witness(fake: FakeEvaluator, tmp_path: Path) -> None:
    config = tmp_path / "c.json"
    config.write_text(
        json.dumps(
            {"climate_entity": "climate.heat_pump", "power_entity": "sensor.heat_pump_power"}
        )
    )
    report = run(FIXTURES / "api_full.json", config)
    assert report["climate_unit"] == {"unit": "°C", "source": "assumed"}
    readings = [c.value for c in fake.calls if c.key is InputKey.CLIMATE]
    assert readings[0].current_temperature == 20.5


def test_csv_units_and_unrelated_entities(fake: FakeEvaluator, tmp_path: Path) -> None:
    config = tmp_path / "c.json"
    config.write_text(
        json.dumps(
            {
                "power_entity": "sensor.heat_pump_power",
                "outdoor_temperature_entity": "sensor.outdoor_temperature",
                "defrost_entity": "binary_sensor.defrost",
                "units": {"sensor.heat_pump_power": "kW", "sensor.outdoor_temperature": "°F"},
            }
        )
    )
    report = run(FIXTURES / "panel.csv", config)
    values = [(c.key, c.value) for c in fake.calls if c.kind == "observe"]
    assert (InputKey.POWER, 1520000.0) in values
    assert values.count((InputKey.OUTDOOR_TEMPERATURE, pytest.approx(-2.0))) == 1
    assert (InputKey.DEFROST, True) in values
    assert report["records"] == {"total": 10, "used": 8, "unrelated": 2}
    assert report["ignored"] == {"unavailable": 1}


def test_fault_episodes_json_and_text(fake: FakeEvaluator, tmp_path: Path) -> None:
    fake.script = {
        T0 + 60: ((FaultKey.POWER_LOSS,), ()),
        T0 + 180: ((FaultKey.ABNORMAL_NOISE,), (FaultKey.POWER_LOSS,)),
    }
    records = [
        StateRecord("sensor.p", str(n), {"unit_of_measurement": "W"}, T0 + 60 * n, T0 + 60 * n)
        for n in range(5)
    ]
    report = build_report(
        replay(records, _config(power_entity="sensor.p", name="Garage")), source="h.json"
    )
    assert report["faults"] == [
        {
            "fault": "power_loss",
            "start": "2024-01-15T05:51:00+00:00",
            "end": "2024-01-15T06:03:00+00:00",
            "confirmed": "2024-01-15T06:01:00+00:00",
            "severity": "error",
            "reason": "no_power",
            "evidence": {"power_w": 0.0, "threshold_w": 40.0, "odd": None},
        },
        {
            "fault": "abnormal_noise",
            "start": "2024-01-15T05:53:00+00:00",
            "end": None,
            "confirmed": "2024-01-15T06:03:00+00:00",
            "severity": "error",
            "reason": "no_power",
            "evidence": {"power_w": 0.0, "threshold_w": 40.0, "odd": None},
        },
    ]
    json.dumps(report, allow_nan=False)  # strict JSON
    report["faults"][0]["evidence"].update(demand="heat", split_k=0.4)
    text = format_text(report)
    assert "Heat Pump Health replay: Garage" in text
    assert "2 fault episodes:" in text
    assert "1. Power loss [power_loss, error]" in text
    assert "from 2024-01-15 05:51 UTC until 2024-01-15 06:03 UTC (12 min)" in text
    assert "still active at the end (11 min so far)" in text
    assert "Why:   no power while the thermostat calls for the unit\n" in text
    assert "     The unit draws 0 W while the thermostat calls for heat.\n" in text
    assert "     The supply is only 0.4 °C warmer than the return: no heat is going out." in text
    assert "What to check:" in text
    assert "Make sure the isolator switch next to the outdoor unit is on." in text


def test_text_report_details(fake: FakeEvaluator, capsys: pytest.CaptureFixture[str]) -> None:
    fake.script = {T0 + 60: ((FaultKey.INSUFFICIENT_HEAT,), ())}
    records = [
        StateRecord("sensor.p", "x", {"unit_of_measurement": "W"}, T0, T0),
        StateRecord("sensor.p", "1", {"unit_of_measurement": "W"}, T0 + 7260, T0 + 7260),
    ]
    report = build_report(replay(records, _config(power_entity="sensor.p")))
    report["faults"][0]["evidence"] = {}
    text = format_text(report)
    assert "Ignored:  1 not_numeric" in text
    assert "1 fault episode:" in text
    assert "(2 h 10 min so far)" in text
    assert "Why:   no power while the thermostat calls for the unit\n" in text


def test_empty_replay_and_a_bare_report() -> None:
    result = replay([], _config(power_entity="sensor.p"))
    report = build_report(result)
    assert report["ticks"] == 0
    assert report["health"] is None
    assert report["period"] == {"start": None, "end": None}
    text = format_text(report)
    assert "Period:   ? to ?" in text


def test_replay_config_validation() -> None:
    config = _config(
        power_entity="sensor.p", noise_entity="", coil_temperature_entity=None, sensitivity="high"
    )
    assert dict(config.entities) == {InputKey.POWER: "sensor.p"}
    with pytest.raises(ReplayError, match="must be a JSON object"):
        ReplayConfig.from_mapping([])


def test_unreadable_config(tmp_path: Path) -> None:
    with pytest.raises(ReplayError, match="cannot read the configuration"):
        replay_module.load_config(tmp_path)


def test_json_output_in_process(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    history, config = write_nist(tmp_path, "tucson_winter", "outdoor", "json", "heat_cool")
    assert main([str(history), "--config", str(config)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["name"] == "NIST HILFT split heat pump"
    assert main([str(history), "--config", str(config), "--text"]) == 0
    assert "No faults" in capsys.readouterr().out


def test_huge_history_through_the_script(tmp_path: Path) -> None:
    history = tmp_path / "huge.json"
    with history.open("wb") as file:
        file.write(b"[[")
        file.truncate((1 << 30) + 1)
    config = tmp_path / "config.json"
    config.write_text('{"power_entity": "sensor.heat_pump_power"}')
    result = run_script(str(history), "--config", str(config))
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1
    assert "GiB of JSON" in result.stderr


def test_no_verdicts_while_home_assistant_was_stopped(fake: FakeEvaluator) -> None:
    """A pause (Home Assistant not running) is skipped, as a live entry sleeps through it."""
    rows = [
        ("sensor.p", "500", {"unit_of_measurement": "W"}, T0 + m * 60 + 5, T0 + m * 60 + 5)
        for m in range(121)
    ]
    playback = Playback(_config(power_entity="sensor.p"), pauses=[(T0 + 1800, T0 + 5400)])
    playback.feed(rows)
    result = playback.finish()
    ticks = [c.at for c in fake.calls if c.kind == "evaluate"]
    assert ticks[0] == T0 + 60
    assert not [t for t in ticks if T0 + 1800 <= t < T0 + 5400]
    assert T0 + 5400 in ticks
    assert T0 + 7200 in ticks
    assert len(ticks) == 120 - 60
    report = build_report(result)
    assert report["not_running"] == [
        {"start": "2024-01-15T06:30:00+00:00", "end": "2024-01-15T07:30:00+00:00"}
    ]
    assert "Not judged: Home Assistant was not running for 1 h 00 min (1 time)" in format_text(
        report
    )


def test_the_markdown_report_lists_what_to_check() -> None:
    report = {
        "name": "HP",
        "history": "recorder",
        "period": {"start": "2024-01-15T06:00:00+00:00", "end": "2024-01-15T08:00:00+00:00"},
        "ticks": 120,
        "records": {"used": 240, "unrelated": 0},
        "ignored": {},
        "health": "fault",
        "faults": [
            {
                "fault": "power_loss",
                "start": "2024-01-15T06:30:00+00:00",
                "end": None,
                "confirmed": "2024-01-15T06:40:00+00:00",
                "severity": "error",
                "reason": "no_power",
                "evidence": {"power_w": 0.0, "threshold_w": 40.0},
            }
        ],
    }
    text = format_markdown(report)
    assert "**1. Power loss** (error)" in text
    assert "- **Why:** No power" in text
    assert text.count("\n  - ") >= 6  # causes and checks as items of their own
    assert ".;" not in text
    assert "\n    " not in text  # no line indented into a code block
