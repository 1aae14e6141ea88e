"""Builds the NIST StRD test fixtures of this folder from NIST's own .dat files.

Source: NIST Statistical Reference Datasets, nonlinear regression (public domain),
https://www.itl.nist.gov/div898/strd/nls/nls_main.shtml — the files are
https://www.itl.nist.gov/div898/strd/nls/data/LINKS/DATA/<Name>.dat.

    python tests/data/nist/build.py DIR      # DIR holds Misra1a.dat, Thurber.dat, ...

writes, for each data set, <name>.csv (the observations, columns y,x) and <name>.json
(the model in adcli's language, the two certified starts, the certified parameters,
standard deviations, residual sum of squares, residual standard deviation and degrees of
freedom). The models are transcribed by hand into adcli's syntax; everything else is read
from the .dat file, whose layout is fixed: a block of 'bK = start1 start2 value stderr'
lines, the three summary lines, then 'Data:  y  x' and the observations.
"""
import json
import pathlib
import re
import sys

MODELS = {
    "Misra1a": "y = b1*(1 - exp(-b2*x))",
    "Thurber": "y = (b1 + b2*x + b3*x^2 + b4*x^3) / (1 + b5*x + b6*x^2 + b7*x^3)",
    "MGH09": "y = b1*(x^2 + x*b2) / (x^2 + x*b3 + b4)",
    "BoxBOD": "y = b1*(1 - exp(-b2*x))",
}
HERE = pathlib.Path(__file__).resolve().parent
URL = "https://www.itl.nist.gov/div898/strd/nls/data/LINKS/DATA/{}.dat"


def read_dat(path):
    return read_dat_text(path.read_text(encoding="ascii", errors="replace"))


def read_dat_text(text):
    lines = text.splitlines()
    params, summary, data, in_data = {}, {}, [], False
    for line in lines:
        m = re.match(r"^\s*(b\d+)\s*=\s*(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*$", line)
        if m and not in_data:
            params[m.group(1)] = [float(m.group(k)) for k in range(2, 6)]
            continue
        for key, label in (("rss", "Residual Sum of Squares:"), ("rsd", "Residual Standard Deviation:"),
                           ("dof", "Degrees of Freedom:"), ("n", "Number of Observations:")):
            if line.strip().startswith(label):
                summary[key] = float(line.split(":")[1])
        if re.match(r"^Data:\s+y\s+x\s*$", line):
            in_data = True
            continue
        if in_data and line.strip():
            y, x = line.split()
            data.append((y, x))
    return params, summary, data


def build(src):
    for name, model in MODELS.items():
        params, summary, data = read_dat(pathlib.Path(src) / f"{name}.dat")
        assert len(data) == int(summary["n"]), name
        names = sorted(params, key=lambda b: int(b[1:]))
        fixture = {
            "name": name, "source": URL.format(name), "model": model,
            "starts": [{b: params[b][0] for b in names}, {b: params[b][1] for b in names}],
            "params": {b: params[b][2] for b in names}, "stderr": {b: params[b][3] for b in names},
            "rss": summary["rss"], "rsd": summary["rsd"], "dof": int(summary["dof"]), "n": int(summary["n"]),
        }
        (HERE / f"{name.lower()}.json").write_text(json.dumps(fixture, indent=1) + "\n", encoding="utf-8")
        # The cells as NIST prints them (no float round trip): the fit reads them itself.
        (HERE / f"{name.lower()}.csv").write_text("y,x\n" + "".join(f"{y},{x}\n" for y, x in data),
                                                 encoding="utf-8")


if __name__ == "__main__":
    build(sys.argv[1] if len(sys.argv) > 1 else ".")
