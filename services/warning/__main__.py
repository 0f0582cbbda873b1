"""python -m services.warning api|worker"""
import sys

from shared.runtime.early import exit_cleanly_on_sigterm

exit_cleanly_on_sigterm()  # before the imports below take their half second
from shared.runtime.launch import run_process  # noqa: E402

if __name__ == "__main__":
    sys.exit(run_process("warning", sys.argv[1] if len(sys.argv) > 1 else "api"))
