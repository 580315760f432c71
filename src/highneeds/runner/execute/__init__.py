"""Running a cycle's steps: the notebooks on shared kernels (or in this process), each step
keyed and reused when its inputs are unchanged, the render in a worker process, and the
parameters a run gives each notebook."""
