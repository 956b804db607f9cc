"""The checks that follow each edit, answered by a child process.

A check builds the whole model on the meta device in pure Python (the pre-flight, the
Hugging Face form): about half a second for DeepSeek-V3. On a worker thread that half
second held the GIL against the GUI thread, and every Qt→Python call while painting
waited for it (switching to Train stalled 400–500 ms, Measure Loss 340 ms;
``benchmarks/ui_stall.py``). A child process has its own interpreter, so the window keeps
its GIL: :mod:`.client` sends each check's JSON to :mod:`.server` and waits on the pipe
(which releases the GIL); :mod:`.answers` computes the answer, in the child or, if no child
can run here, in this process.
"""
