#!/bin/sh
# The seed tutorial's function f(x, y) = (x + y)(x - y) at x = 3, y = 2.
# Expected: value 5, gradient x: 6, y: -4.
adcli grad "(x+y)*(x-y)" --at x=3,y=2
