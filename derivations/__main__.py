"""``python -m derivations --out DIR``: the lecture's results, derived and checked."""

from __future__ import annotations

import argparse
import sys

from symbolic_info.hash_seed import restart_with_fixed_seed

from .lecture import build


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m derivations", description=__doc__)
    parser.add_argument("--out", required=True, help="directory for lecture.tex, lecture.pdf "
                        "and claims.json")
    parser.add_argument("--no-pdf", action="store_true", help="do not run pdflatex")
    args = parser.parse_args(argv)
    built = build(args.out, pdf=not args.no_pdf)
    for c in built["claims"]:
        print(f"{c.id:>4}  {'ok   ' if c.ok else 'WRONG'}  {c.claim}")
    wrong = sum(not c.ok for c in built["claims"])
    print(f"{len(built['claims'])} claims, {wrong} wrong as printed; wrote {built['tex']}"
          + (f" and {built['pdf']}" if built["pdf"] else " (no pdflatex: no pdf)"))
    return 0


if __name__ == "__main__":
    restart_with_fixed_seed()
    sys.exit(main())
