import sys; sys.path[:0]=['.','config/custom_components']
from heat_pump_sim.physics import replay_config, simulate
from heat_pump_sim.scenarios import PRESETS
from custom_components.heat_pump_health.replay import ReplayConfig, build_report, replay
sc=PRESETS['refrigerant_leak']()
r=build_report(replay(simulate(sc), ReplayConfig.from_mapping(replay_config(sc))))
for f in r['faults']: print(f['fault'], f['reason'], f.get('evidence'), f.get('summary') or f.get('message'))
