// One persistent pool of worker threads for intra-op parallelism: threads are started once and
// parked between calls, so a kernel call never pays for a thread start. Sized by default to the
// physical cores; MYELIN_NUM_THREADS or set_num_threads() overrides.
#pragma once

#include <functional>

namespace myelin {

int num_threads();            // threads a kernel call may use now, the caller included (>= 1)
int max_threads();            // upper bound accepted by set_num_threads
void set_num_threads(int n);  // clamps to [1, max_threads()]

// Runs fn(task) for every task in [0, n_tasks) and returns when all are done. The calling thread
// takes part and runs every task no helper has claimed: it waits for tasks a helper is running,
// never for a helper the OS has not scheduled yet. Which thread runs a task never changes a
// result: callers split work so that each output element is computed by exactly one task. A
// call made from inside a task, or while another thread holds the pool, runs its tasks inline
// on the caller.
void parallel_for(int n_tasks, const std::function<void(int task)>& fn);

}  // namespace myelin
