"""checks.py - what the Python CLI tests share: one line per check, and the
count of failures for the exit code."""

fails = 0


def check(name, ok, detail=""):
    """Prints "ok: NAME" or "FAIL: NAME (DETAIL)" and counts a failure."""
    global fails
    print(("ok: " if ok else "FAIL: ") + name + ("" if ok else f" ({detail})"))
    fails += 0 if ok else 1
