"""python -m services.collections api|worker"""
import sys

from shared.runtime.launch import run_process

if __name__ == "__main__":
    sys.exit(run_process("collections", sys.argv[1] if len(sys.argv) > 1 else "api"))
