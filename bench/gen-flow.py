#!/usr/bin/env python3
"""Writes a valid flow of N steps to stdout (every 10th step uses a parameter, every 100th reads a
variable that the next step uses): the input of bench/flow-load.sh. About 60 bytes a step, so
200 000 steps stay under the 16 MiB limit."""
import sys

n = int(sys.argv[1])
w = sys.stdout.write
w('name = "groot"\ntitle = "Een flow met veel stappen"\n\n[params.klantnummer]\nexample = "9401138"\n\n')
for i in range(1, n + 1):
    if i % 100 == 0:
        action = f'{{ read = {{ role = "heading" }}, into = "kop{i}" }}'
    elif i % 100 == 1 and i > 1:
        action = f'{{ expect = {{ visible = {{ text = "${{kop{i - 1}}}" }} }} }}'
    elif i % 10 == 0:
        action = '{ select = { option = "${klantnummer}", match = "contains" } }'
    else:
        action = f'{{ click = {{ text = "K{i}" }} }}'
    w(f'[[steps]]\ntitle = "S{i}"\nactions = [{action}]\n')
