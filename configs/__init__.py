"""The scenario files shipped with flowsim (installed as ``flowsim.scenarios``).

County baselines (``worcestershire.yaml`` ...) and, under ``validation/``, the
queueing reductions. Read them with :func:`flowsim.load_scenario` by name.
"""
