"""Wall times of the visual commands, each as a ratio to a baseline measured in the same
run (run by hand: python benchmarks/visual.py [repeats]).

  trace json / grad json      start-up of a trace that prints data (no Rich, no numpy)
  graph listing / eval        a 10,197-node expression: the whole listing vs evaluating it
  plot --order 4 / --order 1  higher derivatives by Taylor mode vs one sweep
"""
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BAYDIN = "log(x1) + x1*x2 - sin(x2)"
BIG = "+".join(f"sin(x*{i})" for i in range(1, 3400))


def wall(args, repeats):
    times = []
    env = dict(os.environ, COLUMNS="120")
    for _ in range(repeats):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "adcli", *args], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main():
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    pairs = [
        ("trace json / grad json",
         ["trace", BAYDIN, "--at", "x1=2,x2=5", "--format", "json", "--mode", "reverse"],
         ["grad", BAYDIN, "--at", "x1=2,x2=5", "--format", "json"]),
        ("trace table / grad table",
         ["trace", BAYDIN, "--at", "x1=2,x2=5", "--mode", "reverse"],
         ["grad", BAYDIN, "--at", "x1=2,x2=5"]),
        ("graph listing (10,197 nodes) / eval",
         ["graph", BIG, "--at", "x=1", "--max-nodes", "100000"],
         ["eval", BIG, "--at", "x=1", "--format", "json"]),
        ("plot --order 4 / --order 1",
         ["plot", "sin(x)*exp(-x^2/4) + atan(x)^2", "--order", "4", "--width", "120", "--height", "30"],
         ["plot", "sin(x)*exp(-x^2/4) + atan(x)^2", "--order", "1", "--width", "120", "--height", "30"]),
    ]
    print(f"median of {repeats} runs each")
    for name, a, b in pairs:
        ta, tb = wall(a, repeats), wall(b, repeats)
        print(f"{name:38s} {ta * 1000:7.1f} ms / {tb * 1000:7.1f} ms = {ta / tb:5.2f}")


if __name__ == "__main__":
    main()
