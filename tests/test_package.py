"""The package as a whole: its import-time set-up."""

import subprocess
import sys


def test_importing_lib_limits_blas_to_one_thread():
    code = (
        "import numpy, threadpoolctl\n"
        "import lib\n"
        "blas = [p for p in threadpoolctl.threadpool_info() if p['user_api'] == 'blas']\n"
        "assert blas, 'no BLAS found'\n"
        "print(max(p['num_threads'] for p in blas))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "1"
