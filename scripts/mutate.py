#!/usr/bin/env python3
"""`make mutants`: the test-strength check of issue 14.

Applies each mutation of MUTATIONS alone (a TSV: file, text, replacement, test binary, gtest
filter; '#' lines are comments; "\\n" in the text or replacement stands for a newline), rebuilds
that test binary, runs it and puts the source back. A mutation that survives is a behaviour no
test states. Prints KILLED or SURVIVED per mutation and exits 1 if any survived (or could not be
applied or built).

Usage: mutate.py BUILD_DIR MUTATIONS
"""
import csv
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    build, listing = Path(sys.argv[1]).resolve(), Path(sys.argv[2])
    failures = 0
    with open(listing, newline="") as rows:
        mutations = [row for row in csv.reader(rows, delimiter="\t", quoting=csv.QUOTE_NONE)
                     if row and not row[0].startswith("#")]
    for path, text, replacement, target, test_filter in mutations:
        text, replacement = text.replace("\\n", "\n"), replacement.replace("\\n", "\n")
        source_file = ROOT / path
        source = source_file.read_text()
        what = f"{path}: {text.strip()!r} -> {replacement.strip()!r}"
        if source.count(text) != 1:
            print(f"NOT APPLIED {what}: the text occurs {source.count(text)} times, not once")
            failures += 1
            continue
        try:
            source_file.write_text(source.replace(text, replacement))
            built = subprocess.run(["cmake", "--build", build, "--target", target],
                                   capture_output=True).returncode == 0
            if not built:
                print(f"NOT BUILT   {what}")
                failures += 1
                continue
            passed = subprocess.run([build / "bin" / target, f"--gtest_filter={test_filter}"],
                                    capture_output=True).returncode == 0
            print(f"{'SURVIVED' if passed else 'KILLED':11s} {what}", flush=True)
            failures += passed
        finally:
            source_file.write_text(source)
    subprocess.run(["cmake", "--build", build], capture_output=True)  # the unmutated binaries again
    print(f"{len(mutations) - failures} of {len(mutations)} mutations killed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
