#!/usr/bin/env python3
"""batch.py BIOSX IMAGE - `biosx batch` against the SeaBIOS snapshot.

- Every line's answer equals what `biosx int/call ... --json` prints for the
  same call in its own process (but elapsed_us, and the echoed id).
- One session for the stream: a mode set is what the next line's AH=0Fh
  reports; --state carries it to the next invocation.
- Every bad line gets one biosx.error object naming it, and the stream goes
  on; the exit code is the first failing line's (docs/batch.md).
- Answers are flushed per line: a program drives biosx call by call.
- A reader that closes the pipe ends the stream cleanly (no SIGPIPE death,
  no message, the state still saved).
"""
import json
import os
import select
import subprocess
import sys

import checks
from checks import check
import tempfile

BIOSX, IMAGE = sys.argv[1:3]


def batch(lines, *args, input_text=None):
    text = input_text if input_text is not None else "".join(json.dumps(l) + "\n" if not isinstance(l, str) else l + "\n" for l in lines)
    p = subprocess.run([BIOSX, "--image", IMAGE, "batch", *args], input=text, capture_output=True, text=True)
    return p.returncode, [json.loads(l) for l in p.stdout.splitlines()], p.stderr


def strip(j):
    j = dict(j)
    j.pop("elapsed_us", None)
    j.pop("id", None)
    return j


# 1. Each answer is `int --json`'s: calls that do not depend on each other.
calls = [
    ({"int": "0x11"}, ["int", "0x11"]),
    ({"int": 18}, ["int", "18"]),
    ({"int": "15h", "regs": {"eax": "0xe820", "edx": "0x534d4150", "ecx": 24, "di": "0x7e00"},
      "read": ["0000:7e00:24"], "id": "e820-0"},
     ["int", "0x15", "--regs", '{"eax":"0xe820","edx":"0x534d4150","ecx":24,"di":"0x7e00"}',
      "--read", "0000:7e00:24"]),
    ({"int": "0x15", "regs": {"eax": "0xe820", "edx": "0x534d4150", "ecx": 24, "ebx": 1, "di": "0x7e00"},
      "read": "0000:7e00:24", "io_log": True},
     ["int", "0x15", "--regs", '{"eax":"0xe820","edx":"0x534d4150","ecx":24,"ebx":1,"di":"0x7e00"}',
      "--read", "0000:7e00:24", "--io-log"]),
    ({"int": "0x10", "regs": {"ax": "0x4f00", "es": "0x1000", "di": 0}, "write": ["1000:0000=56424532"],
      "read": ["1000:0000:32", "1000:0100:4"], "timeout": 2.5, "max_instructions": "1000000"},
     ["int", "0x10", "--ax", "0x4f00", "--es", "0x1000", "--di", "0", "--write", "1000:0000=56424532",
      "--read", "1000:0000:32", "--read", "1000:0100:4", "--timeout", "2.5", "--max-instructions", "1000000"]),
    ({"call": "f000:fff0", "max_instructions": 10}, ["call", "f000:fff0", "--max-instructions", "10"]),
]
rc, out, err = batch([c[0] for c in calls])
check("one answer per line", len(out) == len(calls), f"{len(out)} answers")
check("exit code 4: line 6 stops at its instruction limit", rc == 4, f"rc {rc}, {err}")
for i, (line, args) in enumerate(calls):
    p = subprocess.run([BIOSX, "--image", IMAGE, "--json", *args], capture_output=True, text=True)
    want = json.loads(p.stdout)
    got = out[i] if i < len(out) else {}
    check(f"line {i + 1} equals `biosx {' '.join(args[:2])} --json`", strip(got) == strip(want),
          json.dumps({k: (got.get(k), want.get(k)) for k in set(got) | set(want) if got.get(k) != want.get(k)})[:400])
check("the id is echoed", len(out) > 2 and out[2].get("id") == "e820-0" and "id" not in out[3])

# 2. One session for the stream.
modes = [{"int": "0x10", "regs": {"ax": "0x0f00"}}, {"int": "0x10", "regs": {"ax": "0x0013"}},
         {"int": "0x10", "regs": {"ax": "0x0f00"}}, {"int": "0x10", "regs": {"ax": "0x0003"}},
         {"int": "0x10", "regs": {"ax": "0x0f00"}}]
rc, out, err = batch(modes)
got = [o["out"]["eax"] & 0x7f for o in out[0::2]]
check("a mode set is the mode the next line reports", got == [3, 0x13, 3], str(got))

# 3. Bad lines: one error object each, the stream goes on.
bad = ['{"int":"0x11"}', 'garbage', '[1,2]', '{"int":"0x11","color":1}', '{"int":1,"int":2}',
       '{"int":"0x11","call":"f000:0"}', '{}', '{"int":"0x100"}', '{"int":"0x10","regs":{"ax":"0x10000"}}',
       '{"int":"0x11","regs":{"ax":1,"ax":2}}', '{"int":"0x11","write":["0000:0600=90"]}',
       '{"int":"0x11","read":["ffff:fff0:64"]}', '', '{"int":"0x11","timeout":61}', '{"int":"0x66","id":42}',
       '{"int":"0x11","io_log":"yes"}', '{"int":"0x11"}']
rc, out, err = batch(bad)
check("every bad line is answered", len(out) == len(bad), f"{len(out)} answers for {len(bad)} lines")
errors = [o for o in out if o.get("schema") == "biosx.error"]
check("15 error objects", len(errors) == 15, str(len(errors)))
check("first and last lines still ran", out[0].get("schema") == "biosx.run" and out[-1].get("schema") == "biosx.run")
check("error objects name their line", [e["line"] for e in errors] == list(range(2, 17)), str([e["line"] for e in errors]))
check("messages start with the line", all(e["error"]["message"].startswith(f"line {e['line']}: ") for e in errors))
kinds = {e["line"]: e["error"]["kind"] for e in errors}
check("a vector with no handler is an environment error, the rest usage",
      kinds.get(15) == "environment" and all(k == "usage" for l, k in kinds.items() if l != 15), str(kinds))
check("the error of a line with an id carries it", errors[13].get("id") == 42, str(errors[13]))
check("exit code 2: the first failing line's", rc == 2, str(rc))
msgs = {e["line"]: e["error"]["message"] for e in errors}
for line, part in [(4, "unknown field \"color\""), (5, "appears twice"), (6, "exactly one of"),
                   (11, "return trap"), (12, "past the end"), (13, "not valid JSON"), (14, "outside (0, 60]")]:
    check(f"line {line} says '{part}'", part in msgs.get(line, ""), msgs.get(line))

# 3b. The port-policy fields of the command line: checked before anything
# runs, the hard floor refused with its reason; over an image they are
# accepted and every port stays virtual, as for `biosx int`.
pol = [{"int": "0x11", "allow_port": ["0x3c0-0x3df", "0x1ce"], "strategy": "vm86", "pass_io": True},
       {"int": "0x11", "allow_port": "0x20"}, {"int": "0x11", "virtual_io": True, "pass_io": True},
       {"int": "0x11", "strategy": "fast"}, {"int": "0x11", "allow_port": [7]},
       {"int": "0x10", "regs": {"ax": "0x13"}, "allow_port": "0x3c0-0x3df", "io_log": True}]
rc, out, err = batch(pol)
check("port-policy fields: good lines run, bad ones are answered", len(out) == 6 and
      [o["schema"] for o in out] == ["biosx.run"] + ["biosx.error"] * 4 + ["biosx.run"], str(out)[:300])
pm = {o["line"]: o["error"]["message"] for o in out if o["schema"] == "biosx.error"}
for line, part in [(2, "0x20"), (3, "exclude each other"), (4, "strategy"), (5, "allow_port")]:
    check(f"policy line {line} says '{part}'", part in pm.get(line, ""), pm.get(line))
check("over an image an allowed port is still virtual", out[5]["schema"] == "biosx.run" and
      all(a["disposition"] == "virtual" for a in out[5]["io"]) and len(out[5]["io"]) > 0, str(out[5])[:200])

# 4. Exit codes: all fine; carry with --fail-on-carry.
rc, out, err = batch([{"int": "0x11"}, {"int": "0x12"}])
check("exit code 0 when every line returned", rc == 0 and err == "", f"{rc} {err}")
carry = {"int": "0x15", "regs": {"eax": "0xe820", "edx": 0, "ecx": 24, "di": "0x7e00"}}  # bad signature: CF=1
rc, out, err = batch([{"int": "0x11"}, carry], "--fail-on-carry")
check("exit code 5 for CF=1 with --fail-on-carry", rc == 5 and out[1]["carry"] is True, f"{rc}")
rc, out, err = batch([carry])
check("CF=1 alone is still a success", rc == 0, str(rc))

# 5. Flushed per line: a program drives it call by call through pipes.
p = subprocess.Popen([BIOSX, "--image", IMAGE, "batch", "-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
answers = []
for line in modes[:3]:
    p.stdin.write(json.dumps(line) + "\n")
    p.stdin.flush()
    ready, _, _ = select.select([p.stdout], [], [], 10)
    answers.append(json.loads(p.stdout.readline()) if ready else None)
p.stdin.close()
p.wait(10)
check("each answer arrives before the next line is written", None not in answers and
      [a["out"]["eax"] & 0x7f for a in answers[0::2]] == [3, 0x13], str(answers)[:200])

with tempfile.TemporaryDirectory() as tmp:
    # 6. A closed output pipe ends the stream cleanly, state saved.
    state = os.path.join(tmp, "state.bin")
    sh = (f"yes '{{\"int\":\"0x10\",\"regs\":{{\"ax\":\"0x13\"}}}}' | {BIOSX} --image {IMAGE} batch --state {state} "
          f"2>{tmp}/err | head -n 3 > /dev/null; echo ${{PIPESTATUS[1]}}")
    r = subprocess.run(["bash", "-c", sh], capture_output=True, text=True, timeout=60)
    check("a closed pipe: exit 0, not SIGPIPE", r.stdout.strip() == "0", r.stdout + r.stderr)
    check("a closed pipe: nothing on stderr", open(f"{tmp}/err").read() == "", open(f"{tmp}/err").read())
    check("a closed pipe: the state is saved", os.path.exists(state))
    rc, out, err = batch([modes[0]], "--state", state)
    check("--state carries the mode to the next invocation", rc == 0 and out[0]["out"]["eax"] & 0x7f == 0x13, str(out)[:200])

    # 7. FILE input, and what is refused before anything runs.
    f = os.path.join(tmp, "calls.jsonl")
    open(f, "w").write('{"int":"0x11"}\n{"int":"0x12"}\n')
    rc, out, err = batch([], f, input_text="")
    check("batch FILE", rc == 0 and len(out) == 2, f"{rc} {err}")
    rc, out, err = batch([], os.path.join(tmp, "missing.jsonl"), input_text="")
    check("a missing FILE: exit 2, no output", rc == 2 and out == [] and err.count("\n") == 1, err)
    os.mkfifo(os.path.join(tmp, "fifo"))
    rc, out, err = batch([], os.path.join(tmp, "fifo"), input_text="")
    check("a FIFO as FILE is refused (use -)", rc == 2 and "FIFO" in err, err)
    rc, out, err = batch([modes[0]], "--state", IMAGE)
    check("--state naming the image is refused, nothing runs", rc == 2 and out == [] and "reads that file" in err, err)
    rc, out, err = batch([modes[0]], "--state", f)
    check("--state naming a file that is not a state", rc == 2 and out == [] and "not a biosx state file" in err, err)
    check("... and it is left as it was", open(f).read() == '{"int":"0x11"}\n{"int":"0x12"}\n')

print("batch: all checks passed" if checks.fails == 0 else f"batch: {checks.fails} checks failed")
sys.exit(1 if checks.fails else 0)
