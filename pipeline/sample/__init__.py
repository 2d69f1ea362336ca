"""Data for demos, tests and benchmarks: the demo installation, synthetic load, fake answers.
May import what pipeline may (the Flask-free base) and pipeline itself.
"""
