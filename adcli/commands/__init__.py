"""One module per group of commands, imported lazily by adcli.cli."""
