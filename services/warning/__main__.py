"""python -m services.warning api|worker"""
import sys

from shared.runtime.launch import run_process

if __name__ == "__main__":
    sys.exit(run_process("warning", sys.argv[1] if len(sys.argv) > 1 else "api"))
