#!/bin/sh
# Let-bindings: a program file (one statement a line) given as @FILE; its last statement is the output.
here=$(dirname "$0")
adcli grad "@$here/let_bindings.adc" --at x=3,y=2
adcli eval "r = hypot(x, y); theta = atan2(y, x); r, theta" --at x=1,y=1 --format json
