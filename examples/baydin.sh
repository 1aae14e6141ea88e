#!/bin/sh
# The worked example of Baydin et al. (2018), "Automatic differentiation in machine
# learning: a survey", Tables 2 and 3: f(x1, x2) = log(x1) + x1*x2 - sin(x2) at (2, 5).
# Expected: value 11.652071455223084, gradient (5.5, 1.7163378145367738).
adcli grad "log(x1) + x1*x2 - sin(x2)" --at x1=2,x2=5 --mode forward
adcli grad "log(x1) + x1*x2 - sin(x2)" --at x1=2,x2=5 --mode reverse --format json
