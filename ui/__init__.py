"""The front ends: the `rv` command line and the web chat.

Set before numpy is loaded: the assistant's matrix products are small (a question against
the corpus words and sentences), and idle OpenBLAS threads busy-wait, starving the embedder
on a 2-core machine (warm p95 137 -> 66-77 ms on the eval set with one BLAS thread).
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
