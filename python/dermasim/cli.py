"""The ``dermasim`` command line (also ``python -m dermasim``)."""
from __future__ import annotations

import argparse
import os
import sys


def _cmd_demo(args: argparse.Namespace) -> int:
    from . import showcase

    os.makedirs(args.output, exist_ok=True)
    path = os.path.join(args.output, "showcase.h5")
    res = showcase.run(path=path)
    print("dermasim showcase: a cytokine released from 4 needle channels (0.6 mm deep) diffuses")
    print("and decays (t1/2 ≈ 1 h) in layered skin; fraction of the released amount per layer:\n")
    print(showcase.table(res))
    print(f"\nwrote {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    p = argparse.ArgumentParser(prog="dermasim", description="Simulate microneedling.")
    p.add_argument("--version", action="version", version=f"dermasim {__version__}")
    p.add_argument("--debug", action="store_true", help="show full tracebacks on errors")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    d = sub.add_parser("demo", help="run the default demonstration and print its table")
    d.add_argument("-o", "--output", default="demo_out", help="output directory (default: demo_out)")
    d.set_defaults(func=_cmd_demo)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("dermasim: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # one clear line unless --debug
        if args.debug:
            raise
        print(f"dermasim: error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
