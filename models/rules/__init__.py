"""Pure rules that apply a policy pack: plain data in, plain data out (no I/O)."""
